import { expect, test, type Page } from '@playwright/test';
import { upsertMember } from '../../src/hq/members';
import { eraseMember } from '../../src/hq/privacy/erasure';
import { createStaff } from '../../src/hq/staff/accounts';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { startTestHq, type TestHq } from '../hq/hq-fixture';
import { expectNoSeriousA11yViolations } from './fixture';

/**
 * Issue 17 item 6 in Chromium: customer service signs in and traces a
 * member's request in the « Accès aux données » view — the views and the
 * erasure under one request id, who did each, and no data of the member;
 * marketing has no such view.
 */
let hq: TestHq;
let servicePassword = '';
let marketingPassword = '';
const MEMBER = '0190cccc-0000-7000-8000-000000000001';
const CARD = makeCardNumber(710, 1);

test.beforeAll(async () => {
  // PGlite's migrations on a shared machine.
  test.setTimeout(120_000);
  hq = await startTestHq();
  servicePassword = (await createStaff(hq.ctx, { username: 's.leroy', role: 'service' })).password;
  marketingPassword = (await createStaff(hq.ctx, { username: 'm.roux', role: 'marketing' })).password;
  await upsertMember(
    hq.ctx,
    { memberId: MEMBER, firstName: 'Inès', lastName: 'Moreau', email: 'ines.moreau@example.fr', phone: null, locale: 'fr', cards: [CARD], createdAt: hq.clock.value },
    ['paris-11'],
  );
  await eraseMember(hq.ctx, { memberId: MEMBER, cardNumber: CARD, confirmedForfeit: 0, cause: 'request', channel: 'customer-service', by: { actor: 's.leroy', role: 'service' }, requestId: 'DEM-7' });
});

test.afterAll(async () => {
  await hq?.stop();
});

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${hq.url}/console/privacy`);
  await page.getByLabel('Identifiant').fill(username);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

test('customer service traces a request through the data access log, without the member’s data', async ({ page }) => {
  test.setTimeout(60_000);
  await signIn(page, 's.leroy', servicePassword);
  await expect(page).toHaveURL(/\/console\/privacy$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Journal des accès aux données');
  await page.getByLabel('Demande').fill('DEM-7');
  await page.getByRole('button', { name: 'Afficher' }).click();
  const row = page.locator('#pa-table tr[data-action="erase"]');
  await expect(row).toContainText('Effacement');
  await expect(row).toContainText('s.leroy (service)');
  await expect(row).toContainText('DEM-7');
  await page.getByLabel('Membre (identifiant)').fill(MEMBER);
  await page.getByRole('button', { name: 'Afficher' }).click();
  await expect(page.getByRole('status')).toContainText('effacé');
  await expect(page.locator('main')).not.toContainText('Moreau');
  await expectNoSeriousA11yViolations(page, 'privacy audit log');
});

test('marketing has no data access view', async ({ page }) => {
  await signIn(page, 'm.roux', marketingPassword);
  await expect(page.getByRole('link', { name: 'Accès aux données' })).toHaveCount(0);
  const answer = await page.request.get(`${hq.url}/v1/privacy/audit`);
  expect(answer.status()).toBe(403);
});
