import type { Page } from '@playwright/test';
import { createEnrolCode } from '../../src/hq/enrolment';
import { memberRecord } from '../../src/hq/privacy-self/challenge';
import { outboxOf } from '../../src/hq/privacy-self/sender';
import { unzipStored } from '../../src/hq/privacy-self/zip';
import { checkAndPicture, enrolOnCustomerScreen, expect, test } from './fixture';

test.use({ kioskHq: true });
// HQ, an enrolment, a dozen axe runs and two screenshots of each state on a shared machine.
test.describe.configure({ timeout: 240_000 });

/** The six digits HQ last sent the member (the development outbox stands for their inbox). */
async function codeSent(hq: NonNullable<Parameters<typeof outboxOf>[0]>, memberId: string): Promise<string> {
  const [message] = await outboxOf(hq, memberId);
  return /(\d{6})/.exec(message!.body)![1]!;
}

async function customerSees(customer: Page, testId: string) {
  await expect(customer.getByTestId(testId)).toBeVisible();
}

/**
 * Issue 17, Show: a customer on the customer screen proves it is them with a
 * code, withdraws a consent, corrects their email (an invalid one first,
 * refused with nothing written), downloads their export through the QR's
 * link, and erases their account; the cashier then finds nothing.
 */
test('a customer sees, corrects, exports and erases their data on the customer screen; the till then finds nothing', async ({ kiosk, customer, cashier }) => {
  const hq = kiosk.hq!;
  const { code } = await createEnrolCode(hq.ctx, 'paris-11', kiosk.core.ledger.terminalId);
  expect((await kiosk.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' })).ok).toBe(true);

  const enrolled = await enrolOnCustomerScreen(kiosk, {
    firstName: 'nora',
    lastName: 'MARTIN',
    email: 'nora.martin@exemple.fr',
    phone: '06 55 44 33 22',
    consents: { marketing: true },
  });
  if (!enrolled.ok) throw new Error(enrolled.error.message);
  const member = (enrolled.value as { member: { id: string; cardNumber: string } }).member;
  // The member reaches HQ with the pull the enrolment started.
  await expect.poll(async () => (await memberRecord(hq.ctx.sql, member.id))?.email ?? null, { timeout: 20_000 }).toBe('nora.martin@exemple.fr');

  // The customer shows their card: typed as stored (« nora »), greeted as « Nora ».
  await kiosk.core.dispatch('cashier', 'session.clear', {});
  await kiosk.scan(member.cardNumber);
  await expect(customer.getByTestId('customer-greeting')).toHaveText(/Bonjour\s+Nora/);
  await customer.getByTestId('customer-privacy-open').click();
  await customerSees(customer, 'privacy-self');
  await checkAndPicture(customer, 'privacy-self-ask');

  // The notice, from the same screen: what, how long, each right, the QR to HQ's page.
  await customer.getByTestId('privacy-notice-toggle').click();
  await expect(customer.getByTestId('privacy-notice-url')).toHaveText(`${hq.url}/privacy`);
  await expect(customer.getByRole('heading', { name: 'Combien de temps' })).toBeVisible();
  await checkAndPicture(customer, 'privacy-notice');
  await customer.getByTestId('privacy-notice-toggle').click();

  // A code by email: a wrong one is refused with the tries left, the right one opens the data.
  await customer.getByTestId('privacy-send-email').click();
  await expect(customer.getByTestId('privacy-code-sent')).toContainText('n***@exemple.fr');
  const right = await codeSent(hq.ctx, member.id);
  await customer.getByTestId('privacy-code').fill(right === '000000' ? '111111' : '000000');
  await customer.getByTestId('privacy-verify').click();
  await expect(customer.getByTestId('privacy-error')).toHaveText('Code incorrect. Il vous reste 4 essai(s).');
  await checkAndPicture(customer, 'privacy-self-code');
  // The right one on the on-screen keypad, as at a kiosk without a keyboard.
  await customer.getByTestId('privacy-code').fill('');
  for (const digit of right) await customer.locator('.osk').getByRole('button', { name: digit, exact: true }).click();
  await expect(customer.getByTestId('privacy-code')).toHaveValue(right);
  await customer.getByTestId('privacy-verify').click();
  const identity = customer.getByTestId('privacy-identity');
  await expect(identity).toContainText('nora.martin@exemple.fr');
  await expect(identity).toContainText('Nora');
  await expect(identity).toContainText('Martin');
  await expect(customer.getByTestId('privacy-lookups')).toContainText('carte scannée');
  await checkAndPicture(customer, 'privacy-self-view');

  // Withdraw a consent.
  const marketing = customer.getByTestId('privacy-consent-marketing');
  await expect(marketing).toContainText('Accepté');
  await customer.getByTestId('privacy-consent-marketing-toggle').click();
  await expect(marketing).toContainText('Refusé');
  expect(kiosk.core.members.detail(member.id)!.consents.filter((c) => c.purpose === 'marketing').at(-1)!.granted).toBe(false);

  // Correct the email: an invalid one is refused clearly and nothing is written, at HQ or here.
  await customer.getByTestId('privacy-edit').click();
  await customer.getByTestId('privacy-edit-email').fill('nora@');
  await customer.getByTestId('privacy-save').click();
  await expect(customer.getByTestId('privacy-edit-email-error')).toHaveText('Adresse e-mail invalide (ex. : claire@exemple.fr).');
  await checkAndPicture(customer, 'privacy-self-edit-refused');
  expect((await memberRecord(hq.ctx.sql, member.id))!.email).toBe('nora.martin@exemple.fr');
  expect(kiosk.core.members.findByEmail('nora.martin@exemple.fr')).toBe(member.id);
  await customer.getByTestId('privacy-edit-email').fill('nora.nouvelle@exemple.fr');
  await customer.getByTestId('privacy-save').click();
  await expect(customer.getByTestId('privacy-saved')).toBeVisible();
  await expect(customer.getByTestId('privacy-email')).toHaveText('nora.nouvelle@exemple.fr');
  expect((await memberRecord(hq.ctx.sql, member.id))!.email).toBe('nora.nouvelle@exemple.fr');
  // Re-hashed and re-masked on the terminal: the new address finds her, the old one no longer does.
  expect(kiosk.core.members.findByEmail('nora.nouvelle@exemple.fr')).toBe(member.id);
  expect(kiosk.core.members.findByEmail('nora.martin@exemple.fr')).toBeNull();
  expect(kiosk.core.members.summary(member.id)!.email).toBe('n***@exemple.fr');

  // The export: the QR's link, fetched as a phone would, serves the archive once.
  await kiosk.core.dispatch('cashier', 'sync.now', {});
  await customer.getByTestId('privacy-export-button').click();
  const url = (await customer.getByTestId('privacy-export-url').textContent())!;
  expect(url.startsWith(`${hq.url}/privacy/export/`)).toBe(true);
  await expect(customer.getByTestId('privacy-export-qr')).toHaveAccessibleName('QR code du lien de téléchargement de vos données');
  await checkAndPicture(customer, 'privacy-self-export');
  const download = await fetch(url);
  expect(download.status).toBe(200);
  const files = unzipStored(Buffer.from(await download.arrayBuffer()));
  const everything = JSON.parse(files.get('fidele-donnees.json')!) as { memberId: string; identity: { email: string; firstName: string }; consentHistory: Array<{ purpose: string; granted: boolean }> };
  expect(everything.memberId).toBe(member.id);
  expect(everything.identity).toMatchObject({ email: 'nora.nouvelle@exemple.fr', firstName: 'nora' });
  expect(everything.consentHistory.filter((c) => c.purpose === 'marketing').at(-1)!.granted).toBe(false);
  expect(files.get('identite.csv')).toContain('nora.nouvelle@exemple.fr');
  expect(files.get('consentements.csv')).toContain('marketing,false');
  expect((await fetch(url)).status).toBe(410);

  // Erase: the points lost are shown first; then the person is gone.
  await customer.getByTestId('privacy-erase').click();
  await expect(customer.getByRole('alertdialog')).toContainText('points perdus');
  await checkAndPicture(customer, 'privacy-self-erase-confirm');
  await customer.getByTestId('privacy-erase-yes').click();
  await expect(customer.getByTestId('privacy-erased')).toBeVisible();
  await checkAndPicture(customer, 'privacy-self-erased');
  expect(await memberRecord(hq.ctx.sql, member.id)).toBeNull();

  // The cashier finds nothing: not by the new email, not by the phone, and the card is refused.
  await expect.poll(() => kiosk.core.members.summary(member.id), { timeout: 15_000 }).toBeNull();
  const lookup = cashier.getByRole('combobox', { name: 'Carte, nom, téléphone ou e-mail' });
  await lookup.fill('nora.nouvelle@exemple.fr');
  await expect(cashier.getByTestId('cashier-lookup-count')).toHaveText('Aucun membre trouvé.');
  await lookup.fill('06 55 44 33 22');
  await expect(cashier.getByTestId('cashier-lookup-count')).toHaveText('Aucun membre trouvé.');
  const search = await kiosk.core.dispatch('cashier', 'member.search', { query: 'nora.nouvelle@exemple.fr', limit: 10 });
  expect(search.ok && (search.value as { hits: unknown[] }).hits).toEqual([]);
  const identify = await kiosk.core.dispatch('cashier', 'member.identify', { code: member.cardNumber, source: 'keyboard' });
  expect(identify.ok && (identify.value as { kind: string }).kind).not.toBe('member');
});

test('the till opens « Mes données » for the customer shown and prints the notice', async ({ kiosk, customer, cashier }) => {
  const hq = kiosk.hq!;
  const { code } = await createEnrolCode(hq.ctx, 'paris-11', kiosk.core.ledger.terminalId);
  expect((await kiosk.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' })).ok).toBe(true);
  const enrolled = await enrolOnCustomerScreen(kiosk, { firstName: 'Jean-Pierre', lastName: 'de la Tour', phone: '06 11 22 33 44' });
  if (!enrolled.ok) throw new Error(enrolled.error.message);
  const member = (enrolled.value as { member: { id: string; cardNumber: string } }).member;
  await expect.poll(async () => (await memberRecord(hq.ctx.sql, member.id))?.phone ?? null, { timeout: 20_000 }).toBe('+33611223344');
  await kiosk.core.dispatch('cashier', 'session.clear', {});
  await kiosk.scan(member.cardNumber);

  const till = cashier.getByTestId('till-privacy');
  await till.scrollIntoViewIfNeeded();
  await expect(till).toBeVisible();
  await checkAndPicture(cashier, 'privacy-till-actions');
  await cashier.getByTestId('till-privacy-open').click();
  await expect(till).toContainText('Écran « Mes données » ouvert pour le client.');
  // The customer screen opens on the code step: a code went by SMS, only the customer types it.
  await expect(customer.getByTestId('privacy-code-sent')).toContainText('06 ** ** ** 44');
  await expect(customer.getByText('La caisse a ouvert cet écran pour vous.')).toBeVisible();
  await checkAndPicture(customer, 'privacy-self-from-till');
  expect((await kiosk.core.dispatch('cashier', 'privacy.selfVerify', { code: await codeSent(hq.ctx, member.id) })).ok).toBe(false);
});
