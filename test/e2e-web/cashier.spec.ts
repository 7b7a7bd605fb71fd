import type { Page } from '@playwright/test';
import { formatCardNumber, makeCardNumber } from '../../src/shared/domain/card-number';
import { expect, expectNoSeriousA11yViolations, scannerTypes, snap, test } from './fixture';

const LOOKUP = 'Carte, nom, téléphone ou e-mail';

function lookup(page: Page) {
  return page.getByRole('combobox', { name: LOOKUP });
}

/** The page is connected once the device bar has heard from the core. */
async function ready(page: Page) {
  await expect(page.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await expect(lookup(page)).toBeFocused();
}

/** Names of the options in the results listbox, best first. */
async function optionNames(page: Page): Promise<string[]> {
  return page.getByRole('listbox', { name: 'Membres trouvés' }).getByRole('option').locator('.hit-name').allInnerTexts();
}

test('a scanned card shows the member at the till and greets her on the customer screen', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await ready(cashier);
  await expect(cashier.getByRole('heading', { level: 1, name: 'Magasin de test' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : en attente');
  await snap(cashier, 'cashier-idle');
  await expectNoSeriousA11yViolations(cashier, 'cashier, idle');

  await kiosk.scan(claire.cardNumber);

  const panel = cashier.getByTestId('cashier-member');
  await expect(panel.getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(panel).toContainText(formatCardNumber(claire.cardNumber));
  await expect(panel).toContainText('Membre depuis le 14 mars 2024');
  // The terminal keeps only masks of her contacts (issue 17): enough to ask « c'est bien … ? ».
  await expect(panel).toContainText('c***@example.com');
  await expect(panel).toContainText('06 ** ** ** 78');
  await expect(panel).not.toContainText('claire.dupont@example.com');
  await expect(panel.getByRole('listitem').filter({ hasText: 'Offres par e-mail et SMS' })).toContainText('oui');
  await expect(panel.getByRole('listitem').filter({ hasText: 'Offres personnalisées' })).toContainText('non');
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : accueille Claire');
  await expect(cashier.getByText('Membre identifié : Claire Dupont')).toBeAttached();
  await snap(cashier, 'cashier-member');
  await expectNoSeriousA11yViolations(cashier, 'cashier, member identified');
  await expect(customer.getByText(/Bonjour\s+Claire/)).toBeVisible();

  await panel.getByRole('button', { name: 'Client suivant' }).click();
  await expect(panel).toHaveCount(0);
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : en attente');
  expect(kiosk.core.session.current().phase).toBe('idle');
  await expect(lookup(cashier)).toBeFocused();
});

test('a whole phone number or email finds the member; a part of one finds no one (only their keyed hashes are kept)', async ({ kiosk, cashier }) => {
  await ready(cashier);
  const input = lookup(cashier);

  await input.fill('06 12 34 56 78');
  const claire = cashier.getByRole('option', { name: /Claire Dupont/ });
  await expect(claire).toBeVisible();
  await expect(claire).toContainText(formatCardNumber(kiosk.known.claire.cardNumber));
  await expect(claire).toContainText('c***@example.com');
  await expect(input).toHaveAttribute('aria-expanded', 'true');
  await snap(cashier, 'cashier-search');

  await input.fill('Claire.Dupont@example.com');
  await expect(cashier.getByRole('option', { name: /Claire Dupont/ })).toBeVisible();
  expect(await optionNames(cashier)).toEqual(['Claire Dupont']);

  for (const part of ['06 12 34', '5678', 'claire.dupont@']) {
    await input.fill(part);
    await expect(input).toHaveAccessibleDescription('Aucun membre trouvé.');
  }
});

test('names are found without accents or case, best match first', async ({ cashier }) => {
  await ready(cashier);
  const input = lookup(cashier);

  await input.fill('helene');
  await expect(cashier.getByRole('option').first()).toContainText('Hélène Lefèvre');
  await expect(cashier.getByRole('option').first().locator('mark')).toHaveText('Hélène');

  await input.fill('LEF');
  await expect(cashier.getByRole('option').first()).toContainText('Hélène Lefèvre');
  await expect(cashier.getByRole('option').first().locator('mark')).toHaveText('Lefèvre');

  await input.fill('le gall');
  await expect(cashier.getByRole('option').first()).toContainText('Zoë Le Gall');

  await input.fill('zz');
  await expect(input).toHaveAccessibleDescription('Aucun membre trouvé.');
  await expect(input).toHaveAttribute('aria-expanded', 'false');
});

test('the results are chosen with the keyboard alone', async ({ kiosk, cashier }) => {
  await ready(cashier);
  const input = lookup(cashier);

  // Two names have a word starting « le »: Hélène Lefèvre and Zoë Le Gall.
  await input.pressSequentially('le');
  await expect.poll(async () => (await optionNames(cashier)).sort()).toEqual(['Hélène Lefèvre', 'Zoë Le Gall']);
  const [firstName, secondName] = await optionNames(cashier);
  const first = cashier.getByRole('option', { name: new RegExp(firstName!) });
  const second = cashier.getByRole('option', { name: new RegExp(secondName!) });

  await input.press('ArrowDown');
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await input.press('ArrowDown');
  await expect(second).toHaveAttribute('aria-selected', 'true');
  await expect(input).toHaveAttribute('aria-activedescendant', (await second.getAttribute('id'))!);
  // Past the last option, the first one again; and back up.
  await input.press('ArrowDown');
  await expect(first).toHaveAttribute('aria-selected', 'true');
  await input.press('ArrowUp');
  await expect(second).toHaveAttribute('aria-selected', 'true');

  await input.press('Enter');
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: secondName })).toBeVisible();
  await expect(input).toHaveValue('');
  await expect(input).toBeFocused();
  const chosen = secondName === 'Hélène Lefèvre' ? kiosk.known.helene : kiosk.known.zoe;
  expect(kiosk.core.session.current()).toMatchObject({ phase: 'identified', memberId: chosen.id });

  // Escape clears what was typed.
  await input.pressSequentially('cl');
  await expect(cashier.getByRole('option', { name: /Claire Dupont/ })).toBeVisible();
  await input.press('Escape');
  await expect(input).toHaveValue('');
  await expect(cashier.getByRole('option')).toHaveCount(0);
});

test('a hit can be picked with the mouse', async ({ kiosk, cashier }) => {
  await ready(cashier);
  await lookup(cashier).fill('almeida');
  await cashier.getByRole('option', { name: /Jean-Pierre D'Almeida/ }).click();
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: "Jean-Pierre D'Almeida" })).toBeVisible();
  await expect(cashier.getByTestId('cashier-member')).toContainText('non renseigné');
  expect(kiosk.core.session.current()).toMatchObject({ phase: 'identified', memberId: kiosk.known.jeanPierre.id });
});

test('an unknown card typed at the till offers to enrol, and the enrolment can be cancelled', async ({ kiosk, cashier }) => {
  await ready(cashier);
  const input = lookup(cashier);
  await input.fill(kiosk.unknownCard);
  await input.press('Enter');

  const message = cashier.getByTestId('cashier-scan-message');
  await expect(message).toContainText(`Carte inconnue : ${formatCardNumber(kiosk.unknownCard)}`);
  await expect(input).toHaveValue('');
  await snap(cashier, 'cashier-unknown-card');

  await message.getByRole('button', { name: 'Inscrire', exact: true }).click();
  await expect
    .poll(async () => (await kiosk.core.dispatch('cashier', 'session.get', {})) as unknown)
    .toMatchObject({ ok: true, value: { phase: 'enrolling', presetCardNumber: kiosk.unknownCard } });
  const banner = cashier.getByRole('region', { name: /Inscription en cours sur l.écran client/ });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText(formatCardNumber(kiosk.unknownCard));
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : inscription en cours');

  // The till identifies nobody over the customer's form.
  await input.fill(kiosk.known.claire.cardNumber);
  await input.press('Enter');
  await expect(cashier.getByRole('alert').filter({ hasText: 'Une inscription est en cours sur l’écran client.' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-member')).toHaveCount(0);

  await banner.getByRole('button', { name: /Annuler l.inscription/ }).click();
  await expect(banner).toHaveCount(0);
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : en attente');
  expect(kiosk.core.session.current().phase).toBe('idle');
});

test('a member who has just enrolled on the customer screen appears at the till', async ({ kiosk, cashier }) => {
  await ready(cashier);
  await cashier.getByRole('button', { name: 'Nouvelle inscription' }).click();
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : inscription en cours');
  await expect(cashier.getByRole('button', { name: 'Nouvelle inscription' })).toHaveCount(0);

  // What the customer screen sends when the form is complete.
  const submitted = await kiosk.core.dispatch('customer', 'enrolment.submit', {
    firstName: 'Léa',
    lastName: 'Martin',
    email: 'lea.martin@example.com',
    phone: '07 11 22 33 44',
    consents: { marketing: false, personalisedOffers: true, profiling: false },
    consentWordingVersion: '2026-11.fr-1',
    locale: 'fr',
  });
  expect(submitted.ok).toBe(true);

  const panel = cashier.getByTestId('cashier-member');
  await expect(panel.getByRole('heading', { name: 'Léa Martin' })).toBeVisible();
  await expect(panel).toContainText('07 ** ** ** 44');
  await expect(panel.getByRole('listitem').filter({ hasText: 'Offres personnalisées' })).toContainText('oui');
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : Léa vient de s’inscrire');
});

test('a wrong check digit is explained and nothing is stored', async ({ kiosk, cashier }) => {
  await ready(cashier);
  const before = kiosk.core.members.count();
  const good = makeCardNumber(9998, 123);
  const wrong = good.slice(0, 12) + String((Number(good[12]) + 1) % 10);

  const input = lookup(cashier);
  await input.fill(wrong);
  await input.press('Enter');
  const message = cashier.getByTestId('cashier-scan-message');
  await expect(message).toContainText('Numéro de carte erroné : la clé de contrôle ne correspond pas.');
  await expect(message).toContainText(wrong);
  await expect(message.getByRole('button', { name: 'Inscrire un nouveau client' })).toBeVisible();
  await expect(cashier.getByRole('button', { name: 'Nouvelle inscription' })).toBeVisible();
  expect(kiosk.core.members.count()).toBe(before);
  expect(kiosk.core.session.current().phase).toBe('idle');

  // A new customer without a card: the enrolment starts with none preset.
  await message.getByRole('button', { name: 'Inscrire un nouveau client' }).click();
  await expect.poll(() => kiosk.core.session.current()).toMatchObject({ phase: 'enrolling', presetCardNumber: null });
  expect(kiosk.core.members.count()).toBe(before);
});

test('a product barcode and a wallet QR are told apart', async ({ kiosk, cashier }) => {
  await ready(cashier);
  const input = lookup(cashier);
  await input.fill('3017620422003');
  await input.press('Enter');
  await expect(cashier.getByRole('status').filter({ hasText: 'Code produit scanné : ce n’est pas une carte Fidèle.' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-scan-message')).toHaveCount(0);

  await input.fill(`FIDELE:1:${kiosk.known.zoe.cardNumber}`);
  await input.press('Enter');
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Zoë Le Gall' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-scan-message')).toHaveCount(0);
});

test('bad input gets a message, not a crash', async ({ cashier }) => {
  await ready(cashier);
  const input = lookup(cashier);

  await input.fill('cla\u0007ire');
  await expect(cashier.getByRole('alert').filter({ hasText: 'Caractères non autorisés.' })).toBeVisible();
  await expect(input).toHaveAttribute('aria-invalid', 'true');

  await input.fill('x'.repeat(150));
  await expect(cashier.getByRole('alert').filter({ hasText: 'Recherche trop longue.' })).toBeVisible();

  await input.fill(`FIDELE:1:${'9'.repeat(600)}`);
  await input.press('Enter');
  await expect(cashier.getByRole('alert').filter({ hasText: 'Code trop long.' })).toBeVisible();

  // Still working afterwards.
  await input.fill('dupont');
  await expect(cashier.getByRole('option', { name: /Claire Dupont/ })).toBeVisible();
  await expect(input).not.toHaveAttribute('aria-invalid', 'true');
});

test('the till speaks English on demand', async ({ kiosk, cashier }) => {
  await ready(cashier);
  await cashier.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).click();
  await expect(cashier.getByRole('combobox', { name: 'Card, name, phone or email' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner: ready');
  await kiosk.scan(kiosk.known.claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member')).toContainText('Member since 14 March 2024');
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Customer screen: greeting Claire');
});

test('a scanner typing while a button has focus still reaches the lookup', async ({ kiosk, cashier }) => {
  await ready(cashier);
  const enrol = cashier.getByRole('button', { name: 'Nouvelle inscription' });
  await enrol.focus();
  await expect(enrol).toBeFocused();
  await scannerTypes(cashier, kiosk.known.claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  expect(kiosk.core.session.current().phase).toBe('identified');
});
