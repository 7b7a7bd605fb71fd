import { expect, test } from '@playwright/test';
import { createStaff } from '../../src/hq/staff/accounts';
import { saveCause } from '../../src/hq/social/causes';
import { startTestHq, type TestHq } from '../hq/hq-fixture';
import { expectNoSeriousA11yViolations, snapAtBothSizes } from './fixture';

/**
 * The Causes page in Chromium (issue 16 item 4): marketing creates a cause,
 * reads the chain-wide totals and the referrals by status, closes a cause.
 */
const SCREENS = '/work/notes/screens';
let hq: TestHq;
let password = '';

test.beforeAll(async () => {
  test.setTimeout(90_000);
  hq = await startTestHq();
  password = (await createStaff(hq.ctx, { username: 'm.roux', role: 'marketing' })).password;
  await saveCause(hq.ctx, { id: 'ecole-jules-ferry', name: "l'école Jules-Ferry", description: 'Une classe verte', imageUrl: null, goalPoints: 20_000 });
  await hq.ctx.sql.query("UPDATE social_cause SET total_points = 12430, donations = 57 WHERE cause_id = 'ecole-jules-ferry'");
});

test.afterAll(async () => {
  await hq?.stop();
});

test('marketing creates a cause, reads the totals and closes a collection', async ({ page }) => {
  await page.goto(`${hq.url}/console/causes`);
  await page.getByLabel('Identifiant', { exact: true }).fill('m.roux');
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Causes et parrainages' })).toBeVisible();
  const table = page.locator('#ca-table');
  await expect(table.getByRole('row', { name: /Jules-Ferry/ })).toContainText('12 430');
  await page.getByLabel('Identifiant (minuscules, tirets)').fill('moins-de-plastique');
  await page.getByLabel('Nom', { exact: true }).fill('Moins de plastique');
  await page.getByLabel('Description').fill('Des gourdes pour la cantine');
  await page.getByRole('button', { name: 'Créer la cause' }).click();
  await expect(table.getByRole('row', { name: /Moins de plastique/ })).toContainText('Ouverte');
  await table.getByRole('row', { name: /Jules-Ferry/ }).getByRole('button', { name: 'Terminer la collecte' }).click();
  await expect(table.getByRole('row', { name: /Jules-Ferry/ })).toContainText('Terminée');
  await expectNoSeriousA11yViolations(page, 'causes console');
  await snapAtBothSizes(page, 'hq-causes', SCREENS);
});
