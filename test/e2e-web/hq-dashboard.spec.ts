import { readFileSync } from 'node:fs';
import { expect, test, type Locator } from '@playwright/test';
import { createStaff } from '../../src/hq/staff/accounts';
import { seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { valueScheduler } from '../../src/hq/value/value-scheduler';
import { startTestHq, type TestHq } from '../hq/hq-fixture';
import { expectNoSeriousA11yViolations, snapAtBothSizes } from './fixture';

/**
 * The head office's dashboard in Chromium (docs/hq-api.md, « Dashboard »):
 * marketing signs in and finds every chart drawn with data, its table
 * holding the very numbers HQ's API answers, a CSV of the same, and the
 * store filter applied. HQ runs in the test process on PGlite with the
 * generated demo history (two years of visits from known BG/NBD parameters,
 * points, incidents) and two nightly runs a week apart, with the real build.
 */
const CHARTS = ['concentration', 'tiers', 'segments', 'flows', 'palive', 'calibration', 'incidents', 'points'] as const;
const CHAIN_ONLY = new Set(['segments', 'flows', 'palive']);

let hq: TestHq;
let password = '';

test.beforeAll(async () => {
  test.setTimeout(120_000);
  hq = await startTestHq();
  // The browser's default range ends today: HQ's history ends today too.
  hq.clock.value = Date.now();
  password = (await createStaff(hq.ctx, { username: 'l.petit', role: 'marketing' })).password;
  await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: 400 });
  const now = hq.clock.value;
  hq.clock.value = now - 7 * 86_400_000;
  expect((await valueScheduler(hq.ctx).run('manual')).status).toBe('ok');
  hq.clock.value = now;
  expect((await valueScheduler(hq.ctx).run('manual')).status).toBe('ok');
});

test.afterAll(async () => {
  await hq?.stop();
});

/** A table cell's number as the reader sees it in French: « 1 234,5 », « 57,14 % ». */
function numberOf(text: string): number {
  const plain = text.replace(/[\s\u00a0\u202f]/g, '').replace(',', '.').replace('−', '-');
  return plain.endsWith('%') ? Number(plain.slice(0, -1)) / 100 : Number(plain);
}

type Answer = { columns: string[]; rows: Record<string, number | string>[] };

/** The chart's table against HQ's answer: as many rows, every number equal, every day in French. */
async function expectTableMatches(card: Locator, answer: Answer): Promise<void> {
  const details = card.locator('details');
  if (!(await details.evaluate((d) => (d as HTMLDetailsElement).open))) await details.locator('summary').click();
  const rows = details.locator('tbody tr');
  await expect(rows).toHaveCount(answer.rows.length);
  const cells = await rows.evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent ?? '')));
  answer.rows.forEach((row, i) => {
    answer.columns.forEach((column, j) => {
      const value = row[column]!;
      const text = cells[i]![j]!;
      if (typeof value === 'number') expect(numberOf(text), `${column} of row ${i}: « ${text} »`).toBeCloseTo(value, 6);
      else if (/^\d{4}-\d{2}-\d{2}$/.test(value)) expect(text, `${column} of row ${i}`).toBe(value.split('-').reverse().join('/'));
      else expect(text.length, `${column} of row ${i}`).toBeGreaterThan(0);
    });
  });
}

test('marketing opens the dashboard: every chart drawn with data, its table equal to the API, CSV and store filter', async ({ page }) => {
  test.setTimeout(300_000);
  const cspViolations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
  });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto(`${hq.url}/login`);
  await page.getByLabel('Identifiant').fill('l.petit');
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  // Marketing's first view is the dashboard.
  await expect(page).toHaveURL(/\/console\/dashboard$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tableau de bord');

  const range = await page.locator('.dash-filters input[type=date]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
  const query = `from=${range[0]}&to=${range[1]}`;
  for (const chart of CHARTS) {
    const card = page.locator(`section[data-chart=${chart}]`);
    // Drawn: the SVG has its marks (bars, lines or areas), not just axes.
    await expect(card.locator('.chart-drawing .recharts-wrapper > svg'), chart).toBeVisible({ timeout: 30_000 });
    const marks = card.locator('.recharts-bar-rectangle, .recharts-line-curve, .recharts-area-area');
    expect(await marks.count(), `${chart}: marks drawn`).toBeGreaterThan(0);
    const api = await page.request.get(`${hq.url}/v1/dashboard/${chart}?${query}`);
    expect(api.status(), chart).toBe(200);
    const answer = (await api.json()) as Answer;
    expect(answer.rows.length, `${chart}: rows`).toBeGreaterThan(0);
    await expectTableMatches(card, answer);
  }
  await expect(page.locator('section[data-chart=concentration] .chart-fact')).toContainText(/Les 20\s% meilleurs clients apportent \d+(,\d+)?\s% du chiffre d’affaires/);
  await expectNoSeriousA11yViolations(page, 'HQ dashboard, tables open');
  await snapAtBothSizes(page, 'hq-dashboard-tables');

  // The CSV is the same table.
  const points = page.locator('section[data-chart=points]');
  const [download] = await Promise.all([page.waitForEvent('download'), points.getByRole('link', { name: /Télécharger « Points émis, utilisés, expirés » en CSV/ }).click()]);
  expect(download.suggestedFilename()).toBe(`fidele-points-${range[0]}-${range[1]}.csv`);
  const csv = readFileSync((await download.path())!, 'utf8');
  expect(csv).toBe(await (await page.request.get(`${hq.url}/v1/dashboard/points.csv?${query}`)).text());

  // One store: the customers' charts follow the filter; the nightly run's stay the whole chain's, and say so.
  await page.getByLabel('Magasin').selectOption('lyon-2');
  await page.getByRole('button', { name: 'Appliquer' }).click();
  await expect(page.locator('.dash-applied')).toContainText('lyon-2');
  for (const chart of ['concentration', 'tiers', 'incidents', 'points'] as const) {
    const answer = (await (await page.request.get(`${hq.url}/v1/dashboard/${chart}?${query}&store=lyon-2`)).json()) as Answer;
    const chain = (await (await page.request.get(`${hq.url}/v1/dashboard/${chart}?${query}`)).json()) as Answer;
    expect(answer.rows, `${chart}: lyon-2 is not the whole chain`).not.toEqual(chain.rows);
    const card = page.locator(`section[data-chart=${chart}]`);
    await expect(card.locator('.chart-drawing .recharts-wrapper > svg')).toBeVisible({ timeout: 30_000 });
    await expectTableMatches(card, answer);
  }
  for (const chart of CHARTS) {
    const note = page.locator(`section[data-chart=${chart}] .chart-note`, { hasText: 'Pour toute la chaîne' });
    await expect(note, chart).toHaveCount(CHAIN_ONLY.has(chart) ? 1 : 0);
  }
  const openTables = page.locator('details[open] > summary');
  while ((await openTables.count()) > 0) await openTables.first().click();
  await expectNoSeriousA11yViolations(page, 'HQ dashboard, one store');
  await snapAtBothSizes(page, 'hq-dashboard-store');

  // English on request.
  await page.goto(`${hq.url}/console/dashboard?lang=en`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Dashboard');
  await expect(page.locator('section[data-chart=calibration] .chart-drawing .recharts-wrapper > svg')).toBeVisible({ timeout: 30_000 });
  await snapAtBothSizes(page, 'hq-dashboard-en');
  expect(cspViolations).toEqual([]);
});
