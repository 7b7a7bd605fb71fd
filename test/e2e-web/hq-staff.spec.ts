import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { audit } from '../../src/hq/context';
import { startHq, type Hq } from '../../src/hq/server';
import { createStaff } from '../../src/hq/staff/accounts';
import { silentLogger } from '../../src/main/core/ports';

/**
 * HQ's staff pages in Chromium: the login form, the fleet behind it, a wrong
 * password. HQ runs here, in the test process, on PGlite in memory.
 */
const SCREENS = process.env.FIDELE_HQ_SCREENS ?? join(tmpdir(), 'fidele-hq-screens');
let dir = '';
let hq: Hq;
let itPassword = '';

async function fleetLikeAStore(h: Hq): Promise<void> {
  const now = Date.now();
  const terminals = [
    { id: 'paris-11-t1', store: 'paris-11', status: 'active', seq: 1842, head: 1842, skew: 1_200, contact: now - 40_000 },
    { id: 'paris-11-t2', store: 'paris-11', status: 'active', seq: 977, head: 1012, skew: -25 * 60_000, contact: now - 3 * 60_000 },
    { id: 'lyon-2-t1', store: 'lyon-2', status: 'active', seq: 5310, head: 5310, skew: 800, contact: now - 12_000, frozen: 'structural: prev_hash does not link at seq 5311' },
    { id: 'lille-1-t1', store: 'lille-1', status: 'revoked', seq: 220, head: 220, skew: null, contact: now - 9 * 86_400_000 },
  ];
  for (const t of terminals) {
    await h.ctx.sql.query(
      `INSERT INTO terminal (terminal_id, store_id, public_key, key_id, app_version, status, epoch, enrolled_at, revoked_at, last_contact_at, head_seq)
       VALUES ($1, $2, $3, $4, '0.1.0', $5, 1, $6, $7, $8, $9)`,
      [t.id, t.store, 'A'.repeat(43), `${t.id}-k1`, t.status, now - 30 * 86_400_000, t.status === 'revoked' ? now - 86_400_000 : null, t.contact, t.head],
    );
    await h.ctx.sql.query(
      `INSERT INTO terminal_stream (terminal_id, epoch, genesis_hash, key_id, last_seq, last_hash, applied_through_seq, status, frozen_reason, frozen_at, skew_ms, opened_at)
       VALUES ($1, 1, $2, $3, $4, $2, $4, $5, $6, $7, $8, $9)`,
      [t.id, 'b'.repeat(64), `${t.id}-k1`, t.seq, t.frozen ? 'frozen' : 'active', t.frozen ?? null, t.frozen ? now - 3_600_000 : null, t.skew, now - 30 * 86_400_000],
    );
  }
  await audit(h.ctx, h.ctx.sql, { terminalId: 'lyon-2-t1', action: 'push', code: 'structural', message: 'prev_hash does not link at seq 5311: the stream is frozen' });
  await audit(h.ctx, h.ctx.sql, { terminalId: 'lille-1-t1', action: 'pull', code: 'revoked', message: 'terminal lille-1-t1 is revoked' });
}

test.beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-e2e-hq-'));
  hq = await startHq({ dataDir: dir, inMemory: true, port: 0, logger: silentLogger, maintenanceIntervalMs: 0 });
  itPassword = (await createStaff(hq.ctx, { username: 'c.martin', role: 'it' })).password;
  await fleetLikeAStore(hq);
  mkdirSync(SCREENS, { recursive: true });
});

test.afterAll(async () => {
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function shoot(page: Page, name: string): Promise<void> {
  for (const [w, h] of [
    [1920, 1080],
    [1280, 800],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.screenshot({ path: join(SCREENS, `${name}-${w}x${h}.png`), fullPage: true });
  }
}

test('an IT account signs in through the login page and sees the fleet; signing out closes the session', async ({ page }) => {
  await page.goto(`${hq.url}/fleet`);
  await expect(page).toHaveURL(/\/login\?next=%2Ffleet$/);
  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible();
  await shoot(page, 'hq-login');
  await page.getByLabel('Identifiant').fill('c.martin');
  await page.getByLabel('Mot de passe').fill(itPassword);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/fleet$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Fidèle — Siège : parc de terminaux');
  await expect(page.getByRole('cell', { name: 'paris-11-t2' })).toBeVisible();
  await expect(page.getByText('Connecté : c.martin (informatique)')).toBeVisible();
  await shoot(page, 'hq-fleet-it');
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${hq.url}/fleet`);
  await expect(page).toHaveURL(/\/login\?next=%2Ffleet$/);
});

test('a wrong password shows an error and lets nobody in', async ({ page }) => {
  await page.goto(`${hq.url}/login`);
  await page.getByLabel('Identifiant').fill('c.martin');
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('alert')).toHaveText('Identifiant ou mot de passe incorrect.');
  await expect(page.getByLabel('Identifiant')).toHaveValue('c.martin');
  await shoot(page, 'hq-login-error');
  expect((await page.context().cookies()).filter((c) => c.name.includes('hq_session'))).toEqual([]);
  await page.goto(`${hq.url}/login?lang=en`);
  await expect(page.getByLabel('Username')).toBeVisible();
});
