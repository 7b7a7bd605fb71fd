import { expect, test } from '@playwright/test';
import { audit } from '../../src/hq/context';
import { createStaff } from '../../src/hq/staff/accounts';
import { LOOKUP_ACTION } from '../../src/hq/member-lookup';
import { provokeOfflineOverdraft } from '../hq/console-fixture';
import { startTestHq, TestTerminal, type TestHq } from '../hq/hq-fixture';
import { expectNoSeriousA11yViolations, snapAtBothSizes } from './fixture';

/**
 * HQ's staff console in Chromium, as IT meets it after a store redeemed
 * offline more points than the member had left: the login page, the
 * Anomalies view with the offline overdraft (count, age), the Fleet view
 * flagging the store's terminal, « Marquer comme traitée », and the flag
 * gone. HQ runs in the test process on PGlite, with the real build's console.
 */
let hq: TestHq;
let itPassword = '';
const terminals: TestTerminal[] = [];
let overdrawn: TestTerminal;

test.beforeAll(async () => {
  hq = await startTestHq();
  itPassword = (await createStaff(hq.ctx, { username: 'c.martin', role: 'it' })).password;
  overdrawn = new TestTerminal('paris-11-t1', 'paris-11');
  const quiet = new TestTerminal('lyon-2-t1', 'lyon-2');
  terminals.push(overdrawn, quiet);
  for (const t of terminals) await t.enrol(hq);
  await provokeOfflineOverdraft(hq, overdrawn);
  // The rest of a morning: lookups answered (counted, not logged as refusals) and one real refusal.
  for (const [i, code] of ['found', 'found', 'not_found'].entries()) {
    await hq.ctx.sql.query('INSERT INTO audit (terminal_id, audit_id, at, action, code, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      quiet.terminalId,
      `e2e-lookup-${i}`,
      hq.clock.value,
      LOOKUP_ACTION,
      code,
      `card …4242 ${code}`,
      '{}',
    ]);
  }
  await audit(hq.ctx, hq.ctx.sql, { terminalId: quiet.terminalId, action: 'pull', code: 'stale_request', message: 'request older than the freshness window' });
  hq.clock.value += 7 * 60_000;
});

test.afterAll(async () => {
  for (const t of terminals) t.close();
  await hq?.stop();
});

test('IT signs in, sees the offline overdraft in Anomalies and on the Fleet, and marks it handled', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`${hq.url}/console/anomalies`);
  await expect(page).toHaveURL(/\/login\?next=%2Fconsole%2Fanomalies$/);
  await page.getByLabel('Identifiant').fill('c.martin');
  await page.getByLabel('Mot de passe').fill(itPassword);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/console\/anomalies$/);

  // Anomalies: the count by kind, and the anomaly with its terminal, time (with its zone) and age.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Anomalies de synchronisation');
  const counts = page.locator('#anomaly-counts');
  await expect(counts.getByRole('row', { name: /Découvert hors ligne/ })).toHaveText(/Découvert hors ligne\s*1\s*0\s*7 min/);
  const row = page.locator('#anomaly-list').getByRole('row', { name: /Découvert hors ligne/ });
  await expect(row).toContainText('paris-11-t1');
  await expect(row).toContainText('80 pts dépensés au-delà du solde — correction hq-overdraft-');
  await expect(row).toContainText(/UTC[+−-]\d/);
  await expect(row).toContainText('7 min');
  await expectNoSeriousA11yViolations(page, 'HQ console, anomalies');
  await snapAtBothSizes(page, 'hq-console-anomalies');

  // The Fleet, through the navigation: the store's terminal is flagged, the other is not; refusals only.
  await page.getByRole('navigation', { name: 'Vues de la console' }).getByRole('link', { name: 'Parc' }).click();
  await expect(page).toHaveURL(/\/console\/fleet$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Parc de terminaux');
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  const flagged = page.locator('#fleet-terminal-table tr[data-terminal="paris-11-t1"]');
  await expect(flagged.getByRole('link', { name: '1 ouverte' })).toBeVisible();
  await expect(page.locator('#fleet-terminal-table tr[data-terminal="lyon-2-t1"]')).toContainText('Aucun');
  await expect(page.locator('#fleet-refusal-table')).toContainText('stale_request');
  await expect(page.locator('#fleet-refusal-table')).not.toContainText('found');
  await expect(page.locator('#fleet-lookup-table').getByRole('row', { name: /lyon-2-t1/ })).toHaveText(/lyon-2-t1\s*2\s*1/);
  await expectNoSeriousA11yViolations(page, 'HQ console, fleet');
  await snapAtBothSizes(page, 'hq-console-fleet');

  // From the flag to the anomaly, marked handled with the keyboard.
  await flagged.getByRole('link', { name: '1 ouverte' }).click();
  await expect(page).toHaveURL(/\/console\/anomalies$/);
  const mark = page.getByRole('button', { name: 'Marquer comme traitée : Découvert hors ligne, paris-11-t1' });
  await mark.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Anomalie marquée comme traitée.' })).toBeVisible();
  await expect(page.locator('#anomaly-list')).toContainText('Aucune anomalie ouverte.');
  await expect(counts.getByRole('row', { name: /Découvert hors ligne/ })).toHaveText(/Découvert hors ligne\s*0\s*1/);
  const stored = await hq.ctx.sql.query<{ status: string; handled_by: string }>('SELECT status, handled_by FROM sync_anomaly WHERE terminal_id = $1', ['paris-11-t1']);
  expect(stored).toEqual([{ status: 'handled', handled_by: 'staff:c.martin' }]);
  await page.getByRole('radio', { name: 'Toutes' }).check();
  await expect(page.locator('#anomaly-list').getByRole('row', { name: /Découvert hors ligne/ })).toContainText('traitée par staff:c.martin');
  await expectNoSeriousA11yViolations(page, 'HQ console, anomaly handled');
  await snapAtBothSizes(page, 'hq-console-anomaly-handled');

  await page.getByRole('link', { name: 'Parc' }).click();
  await expect(page.locator('#fleet-terminal-table tr[data-terminal="paris-11-t1"]').getByRole('link')).toHaveCount(0);

  // English on request, the same view.
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/console\/fleet\?lang=en$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Terminal fleet');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});

test('the keyboard reaches everything: a skip link first, then the views', async ({ page }) => {
  const login = await fetch(`${hq.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'c.martin', password: itPassword }) });
  const token = login.headers.get('set-cookie')!.split(';')[0]!.split('=')[1]!;
  await page.context().addCookies([{ name: 'hq_session', value: token, url: hq.url }]);
  await page.goto(`${hq.url}/console/`);
  await expect(page).toHaveURL(/\/console\/fleet$/);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Aller au contenu' })).toBeFocused();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Anomalies' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/console\/anomalies$/);
  await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
  await page.goBack();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Parc de terminaux');
});
