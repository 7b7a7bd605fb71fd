import { mkdirSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { formatPoints } from '../../src/shared/domain/receipt-layout';
import { E2E_MANAGER_PIN, enrolOnCustomerScreen, expect, expectNoSeriousA11yViolations, type Kiosk, snap, test, tillSale } from './fixture';

/** « 1 245 pts », as both screens write a balance in French. */
const pts = (n: number) => `${formatPoints('fr', n)} pts`;

function balanceOf(kiosk: Kiosk, memberId: string): number {
  return kiosk.core.ledger.points(memberId).balance;
}

/** Claire is at the till: scanned, shown on the cashier screen, greeted on the customer screen. */
async function claireAtTheTill(kiosk: Kiosk, cashier: Page, customer: Page) {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await kiosk.scan(kiosk.known.claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
}

/** An edited balance: what someone with the sqlite3 shell would do; only the projections give it away. */
async function damageTheJournal(kiosk: Kiosk) {
  kiosk.core.db.prepare("UPDATE ledger_balance SET balance = balance + 5000 WHERE account LIKE 'member:%:points'").run();
  expect((await kiosk.core.ledger.start()).ok).toBe(false);
}

/** The page's second `terminal.info` (the first is its start-up's) is answered as a dropped connection would be. */
async function failSecondTerminalInfo(page: Page): Promise<() => number> {
  let asked = 0;
  let failed = 0;
  await page.routeWebSocket(/\/ws\?token=/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const call = JSON.parse(String(message)) as { id: number; method: string };
      if (call.method === 'terminal.info' && ++asked === 2) {
        failed += 1;
        ws.send(JSON.stringify({ type: 'result', id: call.id, result: { ok: false, error: { code: 'unavailable', message: 'connection lost' } } }));
        return;
      }
      server.send(message);
    });
  });
  return () => failed;
}

async function openManualSale(cashier: Page) {
  await cashier.getByRole('button', { name: 'Vente manuelle' }).click();
  const form = cashier.getByTestId('cashier-manual-sale');
  await expect(form).toBeVisible();
  return form;
}

test('a sale at the till shows the points earned to the customer and the new balance on both screens', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(0));
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(0));
  await expect(customer.getByRole('progressbar')).toHaveAccessibleName(/.*/);
  await expect(customer.getByText('Plus que 150 pts pour un Café offert')).toBeVisible();

  const sale = kiosk.core.loyalty.commit(tillSale(claire.id, [12_000, 3_480]));
  expect(sale.pointsEarned).toBeGreaterThan(0);

  const earned = customer.getByTestId('customer-points-earned');
  await expect(earned).toHaveText(`+${sale.pointsEarned} points`);
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(sale.balanceAfter));
  const next = kiosk.core.loyalty.nextReward(sale.balanceAfter);
  await expect(customer.getByText(`Plus que ${formatPoints('fr', next!.missing)} pts pour un ${next!.label}`)).toBeVisible();
  await expect(customer.locator('[aria-live="polite"]').filter({ hasText: `Vous gagnez ${sale.pointsEarned} points` })).toBeAttached();
  await snap(customer, 'customer-points-earned');
  await expectNoSeriousA11yViolations(customer, 'customer, points earned');

  // The smallest customer panel the kiosk supports: everything still fits, nothing scrolls.
  await customer.setViewportSize({ width: 1024, height: 768 });
  const size = await customer.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
  expect(size.w).toBeLessThanOrEqual(1024);
  expect(size.h).toBeLessThanOrEqual(768);
  const panel = await customer.getByTestId('customer-points-earned').boundingBox();
  expect(panel!.x + panel!.width).toBeLessThanOrEqual(1024);
  await snap(customer, 'customer-points-earned-1024');

  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(sale.balanceAfter));
  const visit = cashier.getByTestId('cashier-visit').filter({ hasText: sale.receipt });
  await expect(visit).toContainText(`+${sale.pointsEarned} pts`);
  const [lot] = kiosk.core.ledger.expiring(claire.id);
  const [y, m, d] = lot!.expiresOn.split('-');
  await expect(cashier.getByTestId('cashier-points-expiring')).toHaveText(`${pts(lot!.points)} expirent le ${d}/${m}/${y}`);
  await expect(cashier.getByTestId('cashier-points-progress')).toContainText(`Plus que ${formatPoints('fr', next!.missing)} pts pour « ${next!.label} »`);
  await snap(cashier, 'cashier-points');
  await expectNoSeriousA11yViolations(cashier, 'cashier, balance and visits');
});

test('with reduced motion the points earned appear at once', async ({ kiosk, cashier, customer }) => {
  await customer.emulateMedia({ reducedMotion: 'reduce' });
  await claireAtTheTill(kiosk, cashier, customer);
  await customer.evaluate(() => {
    // Records every text the earned counter shows, to prove it never counted.
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="customer-points-earned"]');
      if (el?.textContent) seen.push(el.textContent);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const sale = kiosk.core.loyalty.commit(tillSale(kiosk.known.claire.id, [24_000]));
  await expect(customer.getByTestId('customer-points-earned')).toHaveText(`+${sale.pointsEarned} points`);
  const seen = await customer.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(new Set(seen)).toEqual(new Set([`+${sale.pointsEarned} points`]));
  await expect(customer.getByTestId('customer-points-earned')).toHaveCSS('animation-name', 'none');

  await customer.getByRole('button', { name: 'English' }).click();
  await expect(customer.getByText('New balance', { exact: true })).toBeVisible();
  const next = kiosk.core.loyalty.nextReward(sale.balanceAfter)!;
  await expect(customer.getByText(`Only ${formatPoints('en', next.missing)} pts to go for a ${next.label}`)).toBeVisible();
});

test('a manual sale previews its points, then commits them', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  const form = await openManualSale(cashier);
  await expect(form.getByLabel('Montant TTC (€)')).toBeFocused();

  await form.getByLabel('Montant TTC (€)').fill('42,00');
  await form.getByLabel('Catégorie').selectOption({ label: 'Bio' });
  await form.getByLabel('TVA').selectOption({ label: '5,5 %' });

  const expected = kiosk.core.loyalty.manualPreview({ memberId: claire.id, lines: [{ category: 'bio', amountCents: 4200, taxRateBp: 550 }] });
  // Bio counts double: 42,00 € TTC at 5,5 % is 39,81 € HT, so 79 points outside a promotion.
  if (expected.promotions.length === 0) expect(expected.pointsEarned).toBe(79);
  await expect(cashier.getByTestId('cashier-manual-total')).toHaveText('42,00\u00a0€');
  await expect(cashier.getByTestId('cashier-manual-earned')).toHaveText(`+${pts(expected.pointsEarned)}`);
  await expect(cashier.getByTestId('cashier-manual-balance-after')).toHaveText(pts(expected.pointsEarned));
  // Nothing to spend yet: the program's minimum is explained instead of a slider.
  await expect(form).toContainText('Points utilisables à partir de 100 pts');
  await expect(form.getByRole('slider')).toHaveCount(0);
  await form.scrollIntoViewIfNeeded();
  await snap(cashier, 'cashier-manual-sale');
  await expectNoSeriousA11yViolations(cashier, 'cashier, manual sale');

  // A typo is refused with a reason, and nothing is committed.
  await form.getByLabel('Montant TTC (€)').fill('42,0x');
  await form.getByLabel('Catégorie').focus();
  await expect(form.getByText('Montant invalide (ex. : 12,50).')).toBeVisible();
  await expect(form.getByRole('button', { name: 'Valider la vente' })).toBeDisabled();
  await form.getByLabel('Montant TTC (€)').fill('42.00');
  await expect(form.getByText('Montant invalide (ex. : 12,50).')).toHaveCount(0);
  await expect(cashier.getByTestId('cashier-manual-earned')).toHaveText(`+${pts(expected.pointsEarned)}`);

  await form.getByRole('button', { name: 'Valider la vente' }).click();
  const result = cashier.getByTestId('cashier-manual-result');
  await expect(result).toContainText(`Points gagnés : +${pts(expected.pointsEarned)}`);
  await expect(result).toContainText(`Nouveau solde : ${pts(expected.pointsEarned)}`);
  expect(balanceOf(kiosk, claire.id)).toBe(expected.pointsEarned);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(expected.pointsEarned));
  await expect(customer.getByTestId('customer-points-earned')).toHaveText(`+${expected.pointsEarned} points`);
  await expect(cashier.getByTestId('cashier-visit')).toHaveCount(1);
});

test('a manual sale over the programme ceilings is refused, then taken with a manager PIN', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  const form = await openManualSale(cashier);
  await form.getByLabel('Montant TTC (€)').fill('6000,00');

  const approval = cashier.getByTestId('cashier-manual-approval');
  await expect(approval).toBeVisible();
  await expect(form.getByRole('alert')).toContainText('Montant du ticket au-delà du plafond du programme.');
  await expect(form.getByRole('button', { name: 'Valider la vente' })).toBeDisabled();
  const entries = kiosk.core.db.prepare('SELECT count(*) AS n FROM ledger_entry').get() as { n: number };
  mkdirSync('/work/notes/screens', { recursive: true });
  for (const [width, height] of [
    [1920, 1080],
    [1280, 800],
  ] as const) {
    await cashier.setViewportSize({ width, height });
    await approval.scrollIntoViewIfNeeded();
    await cashier.screenshot({ path: `/work/notes/screens/cashier-manual-over-limit-${width}x${height}.png` });
  }
  await snap(cashier, 'cashier-manual-over-limit');
  await expectNoSeriousA11yViolations(cashier, 'cashier, manual sale over the ceilings (manager approval)');

  // A wrong PIN: refused by the core at commit, nothing written, the approval asked again.
  await approval.getByLabel('Identifiant du responsable').fill('resp-1');
  await approval.getByLabel('Code responsable').fill('0000');
  await approval.getByRole('button', { name: 'Autoriser la vente' }).click();
  await expect(cashier.getByTestId('cashier-manual-approved')).toContainText('resp-1');
  await form.getByRole('button', { name: 'Valider la vente' }).click();
  await expect(form.getByRole('alert').filter({ hasText: 'Code responsable incorrect.' })).toBeVisible();
  await expect(approval).toBeVisible();
  expect(kiosk.core.db.prepare('SELECT count(*) AS n FROM ledger_entry').get()).toEqual(entries);
  expect(balanceOf(kiosk, claire.id)).toBe(0);

  await approval.getByLabel('Code responsable').fill(E2E_MANAGER_PIN);
  await approval.getByLabel('Code responsable').press('Enter');
  await expect(cashier.getByTestId('cashier-manual-earned')).toBeVisible();
  await form.getByRole('button', { name: 'Valider la vente' }).click();
  const result = cashier.getByTestId('cashier-manual-result');
  await expect(result).toContainText('Points gagnés');
  expect(balanceOf(kiosk, claire.id)).toBeGreaterThan(4_000);
});

test('points are redeemed in manual mode as a discount in euros', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  const seeded = kiosk.core.loyalty.commit(tillSale(claire.id, [20_000]));
  expect(seeded.balanceAfter).toBeGreaterThanOrEqual(110);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(seeded.balanceAfter));

  const form = await openManualSale(cashier);
  await form.getByLabel('Montant TTC (€)').fill('20,00');
  await expect(cashier.getByTestId('cashier-manual-earned')).toBeVisible();
  const redeem = cashier.getByTestId('cashier-redeem');
  await redeem.getByRole('button', { name: 'Utiliser des points' }).click();
  await expect(redeem.getByRole('button', { name: 'Utiliser des points' })).toHaveAttribute('aria-pressed', 'true');

  // The program's minimum, at 5 cents a point.
  await expect(cashier.getByTestId('cashier-redeem-points')).toHaveText(pts(100));
  await expect(cashier.getByTestId('cashier-redeem-discount')).toHaveText('5,00\u00a0€');
  await redeem.getByRole('button', { name: 'Plus de points' }).click();
  await expect(cashier.getByTestId('cashier-redeem-points')).toHaveText(pts(110));
  await expect(cashier.getByTestId('cashier-redeem-discount')).toHaveText('5,50\u00a0€');
  await expect(cashier.getByTestId('cashier-manual-discount')).toHaveText('−5,50\u00a0€');
  // The slider answers the arrow keys, one step of the program at a time.
  await redeem.getByRole('slider').focus();
  await cashier.keyboard.press('ArrowLeft');
  await expect(cashier.getByTestId('cashier-redeem-points')).toHaveText(pts(109));
  await expect(cashier.getByTestId('cashier-redeem-discount')).toHaveText('5,45\u00a0€');
  await redeem.getByRole('button', { name: 'Plus de points' }).click();
  await expect(cashier.getByTestId('cashier-redeem-points')).toHaveText(pts(119));
  await expect(cashier.getByTestId('cashier-redeem-discount')).toHaveText('5,95\u00a0€');

  // Groceries start at the programme's food rate, 5,5 %.
  const expected = kiosk.core.loyalty.manualPreview({ memberId: claire.id, lines: [{ category: 'grocery', amountCents: 2000, taxRateBp: 550 }], redeemPoints: 119 });
  await expect(cashier.getByTestId('cashier-manual-balance-after')).toHaveText(pts(expected.balanceAfter));
  await form.scrollIntoViewIfNeeded();
  await snap(cashier, 'cashier-manual-redeem');

  await form.getByRole('button', { name: 'Valider la vente' }).click();
  const result = cashier.getByTestId('cashier-manual-result');
  await expect(result).toContainText(`Points utilisés : −${pts(119)} (remise de 5,95\u00a0€)`);
  await expect(result).toContainText(`Nouveau solde : ${pts(expected.balanceAfter)}`);
  expect(balanceOf(kiosk, claire.id)).toBe(seeded.balanceAfter - 119 + expected.pointsEarned);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(expected.balanceAfter));
  await expect(customer.getByTestId('customer-points-used')).toHaveText(`${pts(119)} utilisés`);
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(expected.balanceAfter));
});

test('a refund from the last visits restores the balance', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  const first = kiosk.core.loyalty.commit(tillSale(claire.id, [30_000]));
  const second = kiosk.core.loyalty.commit(tillSale(claire.id, [18_000], 100, 500));
  expect(second.pointsRedeemed).toBe(100);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(second.balanceAfter));

  const visit = cashier.getByTestId('cashier-visit').filter({ hasText: second.receipt });
  await expect(visit).toContainText(`+${pts(second.pointsEarned)}`);
  await expect(visit).toContainText(`−${pts(100)}`);
  await visit.getByRole('button', { name: `Rembourser le ticket ${second.receipt}` }).click();
  await expect(visit.getByText(`Rembourser tout le ticket ${second.receipt} ?`)).toBeVisible();
  // Changing one's mind leaves everything as it was.
  await cashier.keyboard.press('Escape');
  await expect(visit.getByRole('button', { name: 'Confirmer le remboursement' })).toHaveCount(0);
  await expect(visit.getByRole('button', { name: `Rembourser le ticket ${second.receipt}` })).toBeFocused();
  expect(balanceOf(kiosk, claire.id)).toBe(second.balanceAfter);

  await visit.getByRole('button', { name: `Rembourser le ticket ${second.receipt}` }).click();
  await expect(visit.getByRole('button', { name: 'Confirmer le remboursement' })).toBeFocused();
  await visit.getByRole('button', { name: 'Confirmer le remboursement' }).click();
  await expect(visit).toContainText('Remboursé');
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(first.balanceAfter));
  expect(balanceOf(kiosk, claire.id)).toBe(first.balanceAfter);
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(first.balanceAfter));
  await expect(cashier.getByText(`Ticket ${second.receipt} remboursé`)).toBeAttached();
});

test('the Z report shows the day’s totals in a receipt layout and closes with Escape', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  await claireAtTheTill(kiosk, cashier, customer);
  const a = kiosk.core.loyalty.commit(tillSale(claire.id, [12_000]));
  const b = kiosk.core.loyalty.commit(tillSale(claire.id, [6_000]));

  const open = cashier.getByRole('button', { name: 'Rapport Z' });
  await open.click();
  const dialog = cashier.getByRole('dialog', { name: /Rapport Z du \d{2}\/\d{2}\/\d{4}/ });
  await expect(dialog).toBeVisible();
  const lines = dialog.getByTestId('cashier-zreport-lines');
  await expect(lines).toContainText('RAPPORT Z — FIDÉLITÉ');
  const text = await lines.innerText();
  const earnedRow = text.split('\n').find((line) => line.startsWith('Points gagnés'));
  expect(earnedRow, text).toBeDefined();
  expect(earnedRow).toContain(`${formatPoints('fr', a.pointsEarned + b.pointsEarned)} pts`);
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(42);
  await expect(lines).toHaveCSS('white-space', 'pre');
  await snap(cashier, 'cashier-zreport');
  await expectNoSeriousA11yViolations(cashier, 'cashier, Z report');

  await cashier.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(open).toBeFocused();
});

test('the enrolled screen shows an empty balance and the first reward to aim for', async ({ kiosk, cashier, customer }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  const result = await enrolOnCustomerScreen(kiosk, { firstName: 'Nora', lastName: 'Martin' });
  expect(result.ok).toBe(true);
  await expect(customer.getByTestId('customer-first-reward')).toHaveText('Votre solde : 0 pts. Premier objectif : Café offert, à 150 pts.');
  await customer.setViewportSize({ width: 1024, height: 768 });
  const size = await customer.evaluate(() => ({ w: document.documentElement.scrollWidth, h: document.documentElement.scrollHeight }));
  await snap(customer, 'customer-enrolled-goal-1024');
  await expectNoSeriousA11yViolations(customer, 'customer, enrolled with the first reward to aim for');
  expect(size).toEqual({ w: 1024, h: 768 });
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(0));
});

test('a journal that failed its check at start: a red banner, balances still shown, no sale or refund offered', async ({ kiosk, cashier, customer }) => {
  const { claire } = kiosk.known;
  const sale = kiosk.core.loyalty.commit(tillSale(claire.id, [12_000]));
  await damageTheJournal(kiosk);
  await cashier.reload();

  const banner = cashier.getByTestId('ledger-integrity');
  await expect(banner).toHaveAttribute('data-state', 'damaged');
  await expect(banner).toHaveAttribute('role', 'alert');
  await expect(banner).toContainText('Journal des points altéré : fidélité suspendue, appelez le support');
  await expect(banner).toContainText('Les soldes restent consultables.');

  await claireAtTheTill(kiosk, cashier, customer);
  await expect(cashier.getByTestId('cashier-points-balance')).toBeVisible();
  // The visit is listed, without a refund button; the manual sale is not offered, and says why.
  await expect(cashier.getByTestId('cashier-visit')).toHaveCount(1);
  await expect(cashier.getByRole('button', { name: /Rembourser/ })).toHaveCount(0);
  const manual = cashier.getByRole('button', { name: 'Vente manuelle' });
  await expect(manual).toBeDisabled();
  await expect(manual).toHaveAccessibleDescription('Ventes et remboursements suspendus : le journal des points est altéré.');
  await snap(cashier, 'cashier-ledger-damaged');

  // A till that still sends the sale through its API is refused with the reason, and nothing is written.
  const refused = await kiosk.core.dispatch('cashier', 'ledger.manualCommit', { memberId: claire.id, lines: [{ category: 'grocery', amountCents: 4_200, taxRateBp: 550 }] });
  expect(refused).toMatchObject({ ok: false, error: { code: 'ledger_damaged' } });
  expect(kiosk.core.db.prepare('SELECT count(*) AS n FROM ledger_entry').get()).toEqual({ n: sale.entries.length });
});

test('a screen whose question about the terminal fails once asks again, rather than wait for good', async ({ kiosk, cashier, customer }) => {
  kiosk.core.loyalty.commit(tillSale(kiosk.known.claire.id, [12_000]));
  await damageTheJournal(kiosk);
  const cashierFailed = await failSecondTerminalInfo(cashier);
  const customerFailed = await failSecondTerminalInfo(customer);
  await cashier.reload();
  await customer.reload();
  await expect(cashier.getByTestId('ledger-integrity')).toHaveAttribute('data-state', 'damaged');
  await expect(customer.getByRole('heading', { level: 1, name: 'Vous avez la carte ?' })).toBeVisible();
  expect([cashierFailed(), customerFailed()]).toEqual([1, 1]);
});
