import { expect, test } from '@playwright/test';
import { createStaff } from '../../src/hq/staff/accounts';
import { createRollout, setMaintenanceWindow, setStoreCohort } from '../../src/hq/updates/rollout';
import { startTestHq, TestTerminal, type TestHq } from '../hq/hq-fixture';
import { publish, statusRequest } from '../hq/updates-fixture';
import { expectNoSeriousA11yViolations, snapAtBothSizes } from './fixture';

/**
 * HQ's Releases and Fleet views in Chromium, as IT meets them during a
 * pilot: 1.1.0 rolled out to the pilot cohort (one terminal downloading, one
 * waiting for the sale to close), a wider rollout paused, and IT pausing the
 * pilot from the console. HQ runs in the test process on PGlite.
 */
let hq: TestHq;
let itPassword = '';
const terminals: TestTerminal[] = [];

test.beforeAll(async () => {
  hq = await startTestHq();
  itPassword = (await createStaff(hq.ctx, { username: 'c.martin', role: 'it' })).password;
  for (const [id, store] of [
    ['paris-11-t1', 'paris-11'],
    ['paris-11-t2', 'paris-11'],
    ['lyon-2-t1', 'lyon-2'],
  ] as const) {
    const t = new TestTerminal(id, store);
    terminals.push(t);
    await t.enrol(hq);
  }
  await setStoreCohort(hq.ctx, 'paris-11', 'pilot', 'test');
  await setMaintenanceWindow(hq.ctx, 'paris-11', { start: '02:00', end: '05:00', timeZone: 'Europe/Paris' }, 'test');
  await setMaintenanceWindow(hq.ctx, 'lyon-2', { start: '22:30', end: '04:00', timeZone: 'Europe/Paris' }, 'test');
  await publish(hq, '1.0.9', { size: 2_000_000 });
  await publish(hq, '1.1.0', { size: 3_200_000 });
  const wide = await createRollout(hq.ctx, { version: '1.0.9', stores: ['lyon-2'], cohorts: ['pilot'], percent: 25 }, 'test');
  await hq.ctx.sql.query("UPDATE rollout SET status = 'paused' WHERE rollout_id = $1", [wide.rollout_id]);
  await createRollout(hq.ctx, { version: '1.1.0', cohorts: ['pilot'], percent: 100 }, 'test');
  const [downloading, waiting, idle] = terminals;
  await hq.post('/v1/updates/status', statusRequest(hq, downloading!, { appVersion: '1.0.8', build: '2026.12.01-a1b2c3', state: 'downloading', targetVersion: '1.1.0', progressPercent: 64 }));
  await hq.post('/v1/updates/status', statusRequest(hq, waiting!, { appVersion: '1.0.8', build: '2026.12.01-a1b2c3', state: 'waiting', targetVersion: '1.1.0', progressPercent: null, waitingFor: ['sale-open'] }));
  await hq.post(
    '/v1/updates/status',
    statusRequest(hq, idle!, {
      appVersion: '1.0.8',
      build: '2026.12.01-a1b2c3',
      state: 'failed',
      targetVersion: '1.0.9',
      progressPercent: null,
      lastError: { code: 'download-failed', message: 'HQ ne répond plus pendant le téléchargement : reprise au prochain essai', at: hq.clock.value, version: '1.0.9' },
    }),
  );
  hq.clock.value += 3 * 60_000;
});

test.afterAll(async () => {
  for (const t of terminals) t.close();
  await hq?.stop();
});

test('IT follows the pilot rollout in Releases, pauses it, and sees each terminal’s update on the Fleet', async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto(`${hq.url}/console/releases`);
  await page.getByLabel('Identifiant').fill('c.martin');
  await page.getByLabel('Mot de passe').fill(itPassword);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/console\/releases$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Versions et déploiements');

  const pilot = page.locator('#rollout-table tr[data-version="1.1.0"]');
  await expect(pilot).toContainText('cohorte pilot');
  await expect(pilot).toContainText('100 %');
  await expect(pilot).toContainText('en cours');
  await expect(pilot.locator('[data-count="downloading"]')).toHaveText('téléchargement 1');
  await expect(pilot.locator('[data-count="waiting"]')).toHaveText('en attente 1');
  await expect(page.locator('#rollout-table tr[data-version="1.0.9"]')).toContainText('suspendu');
  await expect(page.locator('#release-table')).toContainText('Fidele-1.1.0.AppImage');
  await expect(page.locator('#store-table')).toContainText('02:00–05:00 (Europe/Paris)');
  await expectNoSeriousA11yViolations(page, 'HQ console, releases');
  await snapAtBothSizes(page, 'hq-console-releases');

  await pilot.getByRole('button', { name: 'Suspendre le déploiement de 1.1.0' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Déploiement de 1.1.0 suspendu.' })).toBeVisible();
  await expect(pilot).toContainText('suspendu');
  await expect(pilot.getByRole('button', { name: 'Reprendre le déploiement de 1.1.0' })).toBeVisible();
  const audited = await hq.ctx.sql.query<{ message: string }>("SELECT message FROM audit WHERE action = 'release' AND code = 'paused'");
  expect(audited.map((a) => a.message)).toContain('rollout of 1.1.0 paused (staff:c.martin)');

  // Widening through its form: the paused 1.0.9 rollout to half of its terminals.
  const older = page.locator('#rollout-table tr[data-version="1.0.9"]');
  await older.getByText('Élargir').click();
  await older.getByLabel('Pourcentage (au moins 25)').fill('50');
  await older.getByRole('button', { name: 'Appliquer' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Déploiement de 1.0.9 élargi.' })).toBeVisible();
  await expect(older).toContainText('50 %');

  await page.getByRole('navigation', { name: 'Vues de la console' }).getByRole('link', { name: 'Parc' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Parc de terminaux');
  const updates = page.locator('#fleet-update-table');
  await expect(updates.locator('tr[data-terminal="paris-11-t1"]')).toContainText('télécharge vers 1.1.0');
  await expect(updates.locator('tr[data-terminal="paris-11-t1"]')).toContainText('64 %');
  await expect(updates.locator('tr[data-terminal="paris-11-t1"]')).toContainText('2026.12.01-a1b2c3');
  await expect(updates.locator('tr[data-terminal="paris-11-t2"]')).toContainText('attend : vente en cours');
  await expect(updates.locator('tr[data-terminal="lyon-2-t1"]')).toContainText('download-failed');
  await expect(page.locator('#fleet-terminal-table tr[data-terminal="paris-11-t1"]')).toContainText('1.0.8');
  await expectNoSeriousA11yViolations(page, 'HQ console, fleet updates');
  await snapAtBothSizes(page, 'hq-console-fleet-updates');
});
