import { expect, test } from '@playwright/test';
import { createStaff } from '../../src/hq/staff/accounts';
import { startTestHq, type TestHq } from '../hq/hq-fixture';
import { expectNoSeriousA11yViolations, snapAtBothSizes } from './fixture';

/**
 * The Offers page in Chromium (issue 16 item 3): marketing reads, over the
 * chain and the last 30 days, each offer's showings, answers and
 * conversions as the terminals counted them, in a table and a chart.
 */
const SCREENS = '/work/notes/screens';
let hq: TestHq;
let password = '';

test.beforeAll(async () => {
  test.setTimeout(90_000);
  hq = await startTestHq();
  hq.clock.value = Date.UTC(2026, 11, 7, 10);
  password = (await createStaff(hq.ctx, { username: 'm.roux', role: 'marketing' })).password;
  // As two terminals' reports left them (src/hq/offers/offer-stats.ts).
  const rows = [
    ['caisse-a', '2026-12-01', 'cours-cuisine', 40, 12, 20, 5],
    ['caisse-b', '2026-12-01', 'cours-cuisine', 10, 3, 5, 1],
    ['caisse-a', '2026-12-02', 'cours-cuisine', 30, 9, 15, 4],
    ['caisse-a', '2026-12-02', 'fruits-bonus', 25, 10, 10, 6],
    ['caisse-a', '2026-10-01', 'ancienne-offre', 99, 99, 0, 99],
  ] as const;
  for (const r of rows) {
    await hq.ctx.sql.query('INSERT INTO offer_stat (terminal_id, day, rule_id, shown, accepted, refused, converted, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)', [...r]);
  }
});

test.afterAll(async () => {
  await hq?.stop();
});

test('marketing sees each offer shown, accepted, refused and converted over the chain, by offer and by day', async ({ page }) => {
  await page.goto(`${hq.url}/console/offers`);
  await page.getByLabel('Identifiant').fill('m.roux');
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Offres du panier' })).toBeVisible();
  const table = page.locator('#offers-table');
  // Summed over both terminals; October is outside the last 30 days.
  await expect(table.getByRole('row', { name: /cours-cuisine/ })).toContainText(['cours-cuisine', '80', '24', '40', '10', '30 %'].join(''));
  await expect(table.getByRole('row', { name: /fruits-bonus/ })).toContainText(['fruits-bonus', '25', '10', '10', '6', '40 %'].join(''));
  await expect(table).not.toContainText('ancienne-offre');
  await expect(page.getByRole('img', { name: /Offres montrées, acceptées et converties par jour/ })).toBeVisible();
  await expect(page.getByRole('img', { name: /par jour/ }).locator('rect')).toHaveCount(6);
  await expectNoSeriousA11yViolations(page, 'offers console');
  await snapAtBothSizes(page, 'hq-offers', SCREENS);
});
