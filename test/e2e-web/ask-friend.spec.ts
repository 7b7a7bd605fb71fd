import { createEnrolCode } from '../../src/hq/enrolment';
import { checkAndPicture, expect, test } from './fixture';
import { cookingClass } from './offer-rules';

test.use({ kioskHq: true });

/**
 * « Demander l'avis d'un ami » (issue 16 item 6): on an offer of the customer
 * screen, a QR whose link opens HQ's public page about the offer and the
 * store, and nothing of the customer; the terminal signs it, so it needs no
 * round trip to HQ.
 */
test('an offer shared with a friend: a QR on the customer screen, a public page at HQ with the offer and the store', async ({ kiosk, cashier, customer }) => {
  test.setTimeout(90_000);
  const { code } = await createEnrolCode(kiosk.hq!.ctx, 'paris-11', kiosk.core.ledger.terminalId, { storeName: 'Paris 11e — Oberkampf' });
  const enrolled = await kiosk.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' });
  expect(enrolled.ok).toBe(true);

  kiosk.core.offers.install([cookingClass]);
  const { claire } = kiosk.known;
  kiosk.core.db
    .prepare("INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, 'personalisedOffers', 1, '2026-11.fr-1', ?, 'e2e')")
    .run(claire.id, Date.now());
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await kiosk.scan(claire.cardNumber);
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
  await cashier.getByRole('button', { name: 'Vente manuelle' }).click();
  const form = cashier.getByTestId('cashier-manual-sale');
  await form.getByLabel('Montant TTC (€)').fill('42,00');
  await form.getByLabel('Catégorie').selectOption({ label: 'Bio' });

  const card = customer.getByTestId('customer-offer-cours-cuisine');
  await expect(card).toContainText('Un cours de cuisine offert');
  await card.getByRole('button', { name: 'Demander l’avis d’un ami' }).click();
  const sheet = customer.getByRole('dialog', { name: 'Demandez l’avis d’un ami' });
  await expect(sheet.getByTestId('customer-share-qr')).toBeVisible();
  await expect(sheet).toContainText('sans rien dire de vous');
  await expect(sheet).toContainText('Lien valable jusqu’au');
  await checkAndPicture(customer, 'ask-friend-customer-qr');

  // What the friend's phone opens.
  const url = (await sheet.getByTestId('customer-share-url').getAttribute('href'))!;
  expect(url.startsWith(`${kiosk.hq!.url}/a/`)).toBe(true);
  const page = await customer.context().newPage();
  await page.goto(url);
  await expect(page.getByRole('heading', { name: 'Un ami vous demande votre avis' })).toBeVisible();
  await expect(page.getByTestId('share-title')).toHaveText('Un cours de cuisine offert');
  await expect(page.getByTestId('share-store')).toHaveText('Vu au magasin Paris 11e — Oberkampf');
  await expect(page.locator('body')).not.toContainText('Claire');
  await checkAndPicture(page, 'ask-friend-public-page');
  await page.close();

  await sheet.getByRole('button', { name: 'Fermer' }).click();
  await expect(sheet).toHaveCount(0);
  await expect(card).toBeVisible();
});
