import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { uuidv7 } from '../../src/main/core/ids';
import { seededRandom, systemClock } from '../../src/main/core/ports';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { formatPoints } from '../../src/shared/domain/receipt-layout';
import { enrolOnCustomerScreen, expect, type Kiosk, test, tillSale } from './fixture';

/**
 * Issue 11, the screens: every figure on both screens is the ledger's, read
 * through the API after each movement; the cashier's layout for a till screen;
 * the catalogue rewards, the VAT defaults, the search count, the product
 * barcode notice. Screenshots at 1920×1080 and 1280×800 in /work/notes/screens.
 */

const SCREENS = '/work/notes/screens';
const pts = (n: number) => `${formatPoints('fr', n)} pts`;
const SIZES = [
  { width: 1920, height: 1080 },
  { width: 1280, height: 800 },
] as const;

async function shoot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENS, { recursive: true });
  const before = page.viewportSize();
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.screenshot({ path: `${SCREENS}/${name}-${size.width}.png` });
  }
  if (before) await page.setViewportSize(before);
}

/** A method called as a window calls it, through the core's dispatch. */
async function call<T>(kiosk: Kiosk, role: 'cashier' | 'simulator', method: string, input: unknown): Promise<T> {
  const result = await kiosk.core.dispatch(role, method as never, input as never);
  if (!result.ok) throw new Error(result.error.message);
  return result.value as T;
}

/** The balance as the ledger has it, read through the API the screens use. */
async function ledgerBalance(kiosk: Kiosk, memberId: string): Promise<number> {
  return (await call<{ balance: number }>(kiosk, 'cashier', 'ledger.account', { memberId })).balance;
}

/** What the simulated printer printed, page by page. */
async function printedPages(kiosk: Kiosk): Promise<string[]> {
  return (await call<{ pages: Array<{ text: string }> }>(kiosk, 'simulator', 'sim.printed', {})).pages.map((p) => p.text);
}

async function claireAtTheTill(kiosk: Kiosk, cashier: Page, customer: Page) {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await kiosk.scan(kiosk.known.claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
}

async function manualSale(cashier: Page, euros: string, options: { redeem?: boolean; reward?: string } = {}) {
  const open = cashier.getByRole('button', { name: 'Vente manuelle' });
  if ((await open.getAttribute('aria-expanded')) !== 'true') await open.click();
  const form = cashier.getByTestId('cashier-manual-sale');
  await form.getByLabel('Montant').first().fill(euros);
  await expect(form.getByTestId('cashier-manual-earned')).toBeVisible();
  if (options.reward) await form.getByRole('button', { name: new RegExp(options.reward) }).click();
  if (options.redeem) await form.getByRole('button', { name: 'Utiliser des points' }).click();
  await expect(form.getByRole('button', { name: 'Valider la vente' })).toBeEnabled();
  return form;
}

test.use({ viewport: { width: 1920, height: 1080 } });

test('a refund after a manual sale reads true on both screens: figures from the ledger, the old confirmation gone, the customer named', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  const first = kiosk.core.loyalty.commit(tillSale(claire.id, [30_000]));
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(first.balanceAfter));

  const form = await manualSale(cashier, '45', { redeem: true });
  await shoot(cashier, 'cashier-manual-sale-open');
  // « Valider la vente » is in view without scrolling on a 1920×1080 till screen.
  await expect(form.getByRole('button', { name: 'Valider la vente' })).toBeInViewport();
  await form.getByRole('button', { name: 'Valider la vente' }).click();
  const result = cashier.getByTestId('cashier-manual-result');
  await expect(result).toContainText('Points utilisés');
  const afterSale = await ledgerBalance(kiosk, claire.id);
  await expect(result).toContainText(`Nouveau solde : ${pts(afterSale)}`);
  const receipt = (await result.getByRole('heading').innerText()).match(/M-[A-Z0-9-]+/)![0];
  await shoot(cashier, 'cashier-manual-sale-done');

  const visit = cashier.getByTestId('cashier-visit').filter({ hasText: receipt });
  await visit.getByRole('button', { name: `Rembourser le ticket ${receipt}` }).click();
  await visit.getByRole('button', { name: 'Confirmer le remboursement' }).click();
  await expect(visit).toContainText('Remboursé');

  const balance = await ledgerBalance(kiosk, claire.id);
  expect(balance).toBe(first.balanceAfter);
  // The cashier: the sale's confirmation is gone, the refund's says whose and leaves the ledger's balance.
  await expect(result).toHaveCount(0);
  const move = cashier.getByTestId('cashier-last-move');
  await expect(move.getByRole('heading')).toHaveText(`Remboursement enregistré pour Claire Dupont (ticket ${receipt})`);
  await expect(move.getByTestId('cashier-last-move-balance')).toHaveText(`Nouveau solde : ${pts(balance)}`);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(balance));
  // Every « Nouveau solde » on the page, the spoken ones included, is the ledger's balance.
  const said = [...(await cashier.locator('body').innerText()).matchAll(/[Nn]ouveau solde : ([\d\s\u202f]+) pts/g)].map((m) => Number(m[1]!.replace(/\D/g, '')));
  expect(said.length).toBeGreaterThan(0);
  expect(said.every((n) => n === balance), said.join(', ')).toBe(true);
  // The member's name stays in view however long the page grows.
  await expect(cashier.getByRole('heading', { name: 'Claire Dupont', exact: true })).toBeInViewport();
  // The customer: no « +N points / M utilisés » left from the sale, the refund and the same balance.
  await expect(customer.getByTestId('customer-points-earned')).toHaveCount(0);
  await expect(customer.getByTestId('customer-points-used')).toHaveCount(0);
  await expect(customer.getByTestId('customer-refund')).toContainText(`Remboursement du ticket ${receipt}`);
  await expect(customer.getByTestId('customer-points-restored')).toContainText('pts rendus');
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(balance));
  await shoot(cashier, 'cashier-after-refund');
  await shoot(customer, 'customer-after-refund');
});

test('a till API sale replaces the cashier’s manual-sale confirmation and updates both screens at once', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  const form = await manualSale(cashier, '20');
  await form.getByRole('button', { name: 'Valider la vente' }).click();
  await expect(cashier.getByTestId('cashier-manual-result')).toBeVisible();

  const response = await fetch(`${kiosk.tillApi.origin}/v1/sales`, {
    method: 'POST',
    headers: { authorization: `Bearer ${kiosk.tillApi.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({
      tillId: 'caisse-1',
      receipt: 'E2E-S11',
      memberId: claire.id,
      lines: [{ lineId: '1', sku: 'SKU-1', label: 'Courses', category: 'grocery', quantity: 1, unitPriceCents: 8_440, taxRateBp: 550 }],
      payments: [{ method: 'card', amountCents: 8_440 }],
    }),
  });
  expect(response.status).toBe(200);
  const { sale } = (await response.json()) as { sale: { pointsEarned: number; balanceAfter: number } };
  const balance = await ledgerBalance(kiosk, claire.id);
  expect(sale.balanceAfter).toBe(balance);

  await expect(cashier.getByTestId('cashier-manual-result')).toHaveCount(0);
  const move = cashier.getByTestId('cashier-last-move');
  await expect(move.getByRole('heading')).toHaveText('Vente validée pour Claire Dupont (ticket E2E-S11)');
  await expect(move).toContainText(`Points gagnés : +${pts(sale.pointsEarned)}`);
  await expect(move.getByTestId('cashier-last-move-balance')).toHaveText(`Nouveau solde : ${pts(balance)}`);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(balance));
  await expect(customer.getByTestId('customer-points-earned')).toHaveText(`+${sale.pointsEarned} points`);
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(balance));
  await shoot(cashier, 'cashier-till-api-sale');
  await shoot(customer, 'customer-till-api-sale');
});

test('a product barcode keeps the customer on screen and tells the cashier it is not a card; the customer sees nothing', async ({ kiosk, cashier, customer }) => {
  await claireAtTheTill(kiosk, cashier, customer);
  await kiosk.scan('3017620422003');
  await expect(cashier.getByRole('status').filter({ hasText: 'Code produit scanné : ce n’est pas une carte Fidèle.' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-scan-message')).toHaveCount(0);
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
  await expect(customer.getByTestId('customer-notice')).toHaveCount(0);
  await shoot(cashier, 'cashier-product-barcode');
});

test('a catalogue reward is redeemed at the cashier: its points taken, its label confirmed', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  kiosk.core.loyalty.commit(tillSale(claire.id, [20_000]));
  await claireAtTheTill(kiosk, cashier, customer);
  const before = await ledgerBalance(kiosk, claire.id);
  expect(before).toBeGreaterThanOrEqual(150);
  // The sac cabas (400 pts) is beyond Claire's balance: shown, not offered.
  const form = await manualSale(cashier, '10');
  await expect(form.getByRole('button', { name: /Sac cabas Fidèle/ })).toBeDisabled();
  await form.getByRole('button', { name: /Café offert/ }).click();
  await expect(form.getByRole('button', { name: /Café offert/ })).toHaveAttribute('aria-pressed', 'true');
  await expect(form.getByRole('button', { name: 'Valider la vente' })).toBeEnabled();
  await shoot(cashier, 'cashier-reward');
  await form.getByRole('button', { name: 'Valider la vente' }).click();
  const result = cashier.getByTestId('cashier-manual-result');
  await expect(result.getByTestId('cashier-manual-result-reward')).toHaveText('Récompense : Café offert');
  const balance = await ledgerBalance(kiosk, claire.id);
  const earned = Number((await result.getByTestId('cashier-manual-result-earned').innerText()).replace(/\D/g, ''));
  expect(balance).toBe(before - 150 + earned);
  await expect(result.getByTestId('cashier-manual-result-balance')).toHaveText(`Nouveau solde : ${pts(balance)}`);
  await expect(customer.getByTestId('customer-points-used')).toHaveText(`${pts(150)} utilisés`);
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(balance));
});

test('the manual sale starts at the category’s VAT rate: 5,5 % for groceries, 2,1 % for the press', async ({ kiosk, cashier, customer }) => {
  await claireAtTheTill(kiosk, cashier, customer);
  await cashier.getByRole('button', { name: 'Vente manuelle' }).click();
  const form = cashier.getByTestId('cashier-manual-sale');
  const category = form.getByLabel('Catégorie').first();
  const tax = form.getByLabel('TVA').first();
  await expect(category).toHaveValue('grocery');
  await expect(tax).toHaveValue('550');
  await category.selectOption('press');
  await expect(tax).toHaveValue('210');
  await category.selectOption('tobacco');
  await expect(tax).toHaveValue('2000');
  // A rate the cashier chose stays when the category changes.
  await tax.selectOption('1000');
  await category.selectOption('grocery');
  await expect(tax).toHaveValue('1000');
  await shoot(cashier, 'cashier-manual-sale-form');
});

test('a search past ten members says there are more and shows them on request', async ({ kiosk, cashier }) => {
  const random = seededRandom(5);
  kiosk.core.members.transaction(() => {
    for (let i = 1; i <= 14; i++) {
      kiosk.core.members.insert({
        id: uuidv7(systemClock, random),
        firstName: `Zoé${i}`,
        lastName: 'Marchetti',
        email: null,
        phone: null,
        locale: 'fr',
        cardNumber: makeCardNumber(9991, i),
        createdAt: Date.UTC(2025, 0, i),
        terminalId: 'test-t1',
        consents: { marketing: false, personalisedOffers: false, profiling: false },
        consentWordingVersion: '2026-11.fr-1',
        consentSource: 'test',
      });
    }
  });
  const page = await call<{ hits: unknown[]; more: boolean }>(kiosk, 'cashier', 'member.search', { query: 'Marchetti', limit: 10 });
  expect({ hits: page.hits.length, more: page.more }).toEqual({ hits: 10, more: true });
  await cashier.getByRole('combobox').fill('Marchetti');
  await expect(cashier.getByTestId('cashier-lookup-count')).toHaveText('10 premiers membres trouvés, il y en a d’autres');
  await expect(cashier.getByRole('option')).toHaveCount(10);
  await shoot(cashier, 'cashier-search-more');
  await cashier.getByRole('button', { name: 'Plus de résultats' }).click();
  await expect(cashier.getByRole('option')).toHaveCount(14);
  await expect(cashier.getByTestId('cashier-lookup-count')).toHaveText('14 membres trouvés');
  await expect(cashier.getByRole('button', { name: 'Plus de résultats' })).toHaveCount(0);
  await expect(cashier.getByRole('combobox')).toBeFocused();
});

test('a customer who just showed an unknown card is invited to activate it, not asked for a card', async ({ kiosk, cashier, customer }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await expect(customer.getByTestId('customer-idle-title')).toHaveText('Vous avez la carte ?');
  await kiosk.scan(kiosk.unknownCard);
  await expect(customer.getByTestId('customer-idle-title')).toHaveText('Cette carte n’est pas encore activée');
  await shoot(customer, 'customer-unknown-card');
  await customer.getByRole('button', { name: 'Activer ma carte' }).click();
  await expect.poll(() => kiosk.core.session.current()).toMatchObject({ phase: 'enrolling', presetCardNumber: kiosk.unknownCard });
});

test('the enrolment QR without HQ says what it is: the card itself, to show at the till', async ({ kiosk, customer }) => {
  const result = await enrolOnCustomerScreen(kiosk, { firstName: 'Nora', lastName: 'Martin' });
  expect(result.ok).toBe(true);
  await expect(customer.getByTestId('customer-qr-hint')).toHaveText('Ce QR code est votre carte : prenez-le en photo et montrez-le en caisse.');
  await expect(customer.getByText(/ajouter votre carte/)).toHaveCount(0);
  await shoot(customer, 'customer-enrolled-qr-local');
});

test.describe('with the simulated printer', () => {
  test.use({ kioskDevices: 'rig' });
  test('a refund prints its slip: points taken back and given back, the new balance', async ({ kiosk, cashier, customer }) => {
    const { claire } = kiosk.known;
    await expect(cashier.getByTestId('cashier-devices')).toContainText('Imprimante');
    await kiosk.scan(claire.cardNumber);
    await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
    kiosk.core.loyalty.commit(tillSale(claire.id, [30_000]));
    const second = kiosk.core.loyalty.commit(tillSale(claire.id, [18_000], 100, 500));
    const visit = cashier.getByTestId('cashier-visit').filter({ hasText: second.receipt });
    await visit.getByRole('button', { name: `Rembourser le ticket ${second.receipt}` }).click();
    await visit.getByRole('button', { name: 'Confirmer le remboursement' }).click();
    const balance = await ledgerBalance(kiosk, claire.id);
    await expect(cashier.getByTestId('cashier-last-move-balance')).toHaveText(`Nouveau solde : ${pts(balance)}`);
    await expect.poll(async () => (await printedPages(kiosk)).join('\n')).toContain(`Ticket n° ${second.receipt} remboursé`);
    const slip = (await printedPages(kiosk)).find((text) => text.includes('remboursé'))!;
    expect(slip).toMatch(new RegExp(`Points repris\\s+-${second.pointsEarned}`));
    expect(slip).toMatch(/Points rendus\s+\+100/);
    expect(slip).toMatch(new RegExp(`Nouveau solde\\s+${formatPoints('fr', balance).replace(/\s/g, '\\s')} pts`));
  });
});
