import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { audit } from '../../src/hq/context';
import { startHq, type Hq } from '../../src/hq/server';
import { createStaff } from '../../src/hq/staff/accounts';
import { silentLogger } from '../../src/main/core/ports';
import { snapAtBothSizes } from './fixture';

/**
 * HQ's staff pages in Chromium: the login form, the console's fleet view
 * behind it, a wrong password, roles, and a forged request from another site. HQ runs here, in
 * the test process, on PGlite in memory.
 */
const SCREENS = process.env.FIDELE_HQ_SCREENS ?? join(tmpdir(), 'fidele-hq-screens');
let dir = '';
let hq: Hq;
let itPassword = '';
let marketingPassword = '';

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
  marketingPassword = (await createStaff(hq.ctx, { username: 'l.petit', role: 'marketing' })).password;
  await fleetLikeAStore(hq);
  mkdirSync(SCREENS, { recursive: true });
});

test.afterAll(async () => {
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Signs in through the login form, which sends the browser on to the console (the fleet, or the role's first view). */
async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${hq.url}/login`);
  await page.getByLabel('Identifiant').fill(username);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/console\/[a-z-]+$/);
}

test('an IT account signs in through the login page and sees the fleet; signing out closes the session', async ({ page }) => {
  await page.goto(`${hq.url}/fleet`);
  await expect(page).toHaveURL(/\/login\?next=%2Fconsole%2Ffleet$/);
  await expect(page.getByRole('heading', { name: 'Connexion' })).toBeVisible();
  await snapAtBothSizes(page, 'hq-login', SCREENS);
  await page.getByLabel('Identifiant').fill('c.martin');
  await page.getByLabel('Mot de passe').fill(itPassword);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/console\/fleet$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Parc de terminaux');
  await expect(page.locator('#fleet-terminal-table').getByRole('rowheader', { name: 'paris-11-t2' })).toBeVisible();
  await expect(page.getByText('Connecté : c.martin (informatique)')).toBeVisible();
  await snapAtBothSizes(page, 'hq-fleet-it', SCREENS);
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(`${hq.url}/fleet`);
  await expect(page).toHaveURL(/\/login\?next=%2Fconsole%2Ffleet$/);
});

test('a wrong password shows an error and lets nobody in', async ({ page }) => {
  await page.goto(`${hq.url}/login`);
  await page.getByLabel('Identifiant').fill('c.martin');
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page.getByRole('alert')).toHaveText('Identifiant ou mot de passe incorrect.');
  await expect(page.getByLabel('Identifiant')).toHaveValue('c.martin');
  await snapAtBothSizes(page, 'hq-login-error', SCREENS);
  expect((await page.context().cookies()).filter((c) => c.name.includes('hq_session'))).toEqual([]);
  await page.goto(`${hq.url}/login?lang=en`);
  await expect(page.getByLabel('Username')).toBeVisible();
});

test('a marketing account is refused the fleet view and its data; an IT account sees it', async ({ browser }) => {
  const marketing = await browser.newContext();
  const page = await marketing.newPage();
  await signIn(page, 'l.petit', marketingPassword);
  await expect(page.getByRole('navigation').getByRole('link', { name: 'Parc' })).toHaveCount(0);
  await page.goto(`${hq.url}/console/fleet`);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accès refusé');
  await expect(page.getByText('Votre rôle (marketing) ne donne pas accès à cette vue.')).toBeVisible();
  await expect(page.getByText('Connecté : l.petit (marketing)')).toBeVisible();
  await expect(page.getByRole('rowheader', { name: 'paris-11-t1' })).toHaveCount(0);
  // Asked directly, HQ refuses the data itself: the console hiding a link is not the protection.
  expect(await page.evaluate(async () => (await fetch('/v1/fleet')).status)).toBe(403);
  await marketing.close();

  const it = await browser.newContext();
  const itPage = await it.newPage();
  await signIn(itPage, 'c.martin', itPassword);
  await expect(itPage.getByRole('heading', { level: 1 })).toHaveText('Parc de terminaux');
  await expect(itPage.locator('#fleet-terminal-table').getByRole('rowheader', { name: 'paris-11-t1' })).toBeVisible();
  await it.close();
});

/** What a hostile page sends HQ without asking first: two auto-submitted forms and a blind fetch, each into its own frame. */
function forgeryPage(hqUrl: string, terminalId: string): string {
  const target = `${hqUrl}/v1/admin/terminals/${encodeURIComponent(terminalId)}/revoke`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Gagnez un bon d'achat</title></head><body>
<iframe name="plain"></iframe><iframe name="urlencoded"></iframe>
<form id="plain" method="post" action="${target}" enctype="text/plain" target="plain"><input type="hidden" name='{"x":"' value='"}'></form>
<form id="urlencoded" method="post" action="${target}" target="urlencoded"><input type="hidden" name="revoke" value="1"></form>
<script>
document.getElementById('plain').submit();
document.getElementById('urlencoded').submit();
fetch(${JSON.stringify(target)}, { method: 'POST', credentials: 'include', mode: 'no-cors', body: 'x' }).catch(() => {});
</script></body></html>`;
}

interface Received {
  origin: string | undefined;
  contentType: string | undefined;
  withSession: boolean;
  status: number;
}

/**
 * What HQ's own socket received on `path` while `act` ran, and what it answered: the witness is the
 * server, not the browser's account of what it sent (Chromium hides a no-cors fetch's cookie from DevTools).
 */
async function receivedByHq(path: string, count: number, act: () => Promise<Page>): Promise<Received[]> {
  const seen: Received[] = [];
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    if (request.url !== path) return;
    const h = request.headers;
    response.on('finish', () => seen.push({ origin: h.origin, contentType: h['content-type'], withSession: /(^|;\s*)hq_session=[^;]/.test(h.cookie ?? ''), status: response.statusCode }));
  };
  hq.app.server.on('request', listener);
  try {
    const page = await act();
    await expect.poll(() => seen.length).toBe(count);
    await page.close();
  } finally {
    hq.app.server.off('request', listener);
  }
  return seen;
}

async function statusSeenByHq(terminalId: string): Promise<string | undefined> {
  // A fresh session of its own: the browser's session is not the witness.
  const login = await fetch(`${hq.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'c.martin', password: itPassword }) });
  expect(login.status).toBe(200);
  const cookie = login.headers.get('set-cookie')!.split(';', 1)[0]!;
  const fleet = (await (await fetch(`${hq.url}/v1/fleet`, { headers: { cookie } })).json()) as { terminals: { terminalId: string; status: string }[] };
  return fleet.terminals.find((t) => t.terminalId === terminalId)?.status;
}

test('a page from another origin cannot revoke a terminal while IT is signed in; HQ’s own page with the CSRF token can', async ({ browser }) => {
  // HQ is at http://127.0.0.1:<port>. The hostile pages come from a second server on another port, reached as
  // http://localhost:<port2> (another site: the SameSite=Strict cookie stays home) and as http://127.0.0.1:<port2>
  // (same site, another origin: the cookie IS sent, so only HQ's Origin and CSRF checks stand in the way).
  const victim = 'paris-11-t1';
  const attacker: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(forgeryPage(hq.url, victim));
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  const port = (attacker.address() as { port: number }).port;
  // No bypassCSP: the console's own CSP lets its page call HQ's API (the last step), and nothing else.
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await signIn(page, 'c.martin', itPassword);
    expect(await statusSeenByHq(victim)).toBe('active');

    for (const [origin, cookieSent] of [
      [`http://localhost:${port}`, false],
      [`http://127.0.0.1:${port}`, true],
    ] as const) {
      const seen = await receivedByHq(`/v1/admin/terminals/${victim}/revoke`, 3, async () => {
        const forger = await context.newPage();
        await forger.goto(`${origin}/`);
        return forger;
      });
      expect(seen.map((r) => r.contentType).sort()).toEqual(['application/x-www-form-urlencoded', 'text/plain', 'text/plain;charset=UTF-8']);
      for (const r of seen) {
        expect(r).toMatchObject({ origin, withSession: cookieSent });
        expect(r.status, `HQ answered a forged ${r.contentType} POST from ${origin}`).toBeGreaterThanOrEqual(400);
      }
      expect(await statusSeenByHq(victim)).toBe('active');
    }

    // The control: the same POST from HQ's own console page, with the session's CSRF token, does revoke.
    const outcome = await page.evaluate(async (id) => {
      const csrf = ((await (await fetch('/v1/console/session')).json()) as { csrfToken: string }).csrfToken;
      const r = await fetch(`/v1/admin/terminals/${id}/revoke`, { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': csrf } });
      return { status: r.status, body: (await r.json()) as unknown };
    }, victim);
    expect(outcome).toEqual({ status: 200, body: { revoked: true } });
    expect(await statusSeenByHq(victim)).toBe('revoked');
  } finally {
    await context.close();
    await new Promise((resolve) => attacker.close(resolve));
  }
});
