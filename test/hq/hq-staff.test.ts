import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { ephemeralHqKey } from '../../src/hq/keys';
import { startHq, type Hq } from '../../src/hq/server';
import { createStaff, disableStaff } from '../../src/hq/staff/accounts';
import { OPERATOR_TOKEN_FILE } from '../../src/hq/staff/operator-token';
import { fakeConsoleBuild } from './console-fixture';
import { staffClient, startTestHq, type StaffClient, type TestHq } from './hq-fixture';

/**
 * HQ's staff-facing side over real HTTP: who may see the fleet, who may act
 * on it, and what a hostile page, a rebinding Host or a password guesser gets.
 */
interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** node:http, because fetch will not send a Host or Origin header of the test's choosing. */
function raw(url: string, o: { method?: string; path: string; headers?: Record<string, string>; body?: string; ca?: string }): Promise<Raw> {
  const target = new URL(o.path, url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      { method: o.method ?? 'GET', headers: { ...(o.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(o.body)) }), ...o.headers }, ca: o.ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

let hq: TestHq;
let it_: StaffClient;
let operatorToken: string;
let n = 0;

/** An active terminal, written straight into HQ's table: these tests are about who may act on it, not how it enrolled. */
async function enrolled(): Promise<{ terminalId: string }> {
  const terminalId = `staff-t-${++n}`;
  await hq.ctx.sql.query(
    `INSERT INTO terminal (terminal_id, store_id, public_key, key_id, app_version, status, epoch, enrolled_at) VALUES ($1, 'staff-store', $2, $3, '0.1.0', 'active', 1, $4)`,
    [terminalId, 'A'.repeat(43), `${terminalId}-k1`, hq.clock.value],
  );
  return { terminalId };
}

async function statusOf(terminalId: string): Promise<string> {
  return (await hq.ctx.sql.query<{ status: string }>('SELECT status FROM terminal WHERE terminal_id = $1', [terminalId]))[0]!.status;
}

const origin = () => hq.url;

beforeAll(async () => {
  hq = await startTestHq({ consoleDir: fakeConsoleBuild() });
  it_ = await staffClient(hq, 'it');
  operatorToken = readFileSync(join(hq.dir, OPERATOR_TOKEN_FILE), 'utf8').trim();
}, 30_000);

afterAll(async () => {
  await hq?.stop();
});

describe('a hostile page or host name', () => {
  it('a cross-site text/plain POST cannot revoke a terminal, even with the staff cookie attached', async () => {
    const t = await enrolled();
    const answer = await raw(hq.url, {
      method: 'POST',
      path: `/v1/admin/terminals/${t.terminalId}/revoke`,
      headers: { 'content-type': 'text/plain', origin: 'http://evil.example', cookie: it_.cookie },
      body: 'x',
    });
    expect(answer.status).toBe(403);
    // Without Origin (an old browser, a stripped header) the missing CSRF token still stops it.
    const blind = await raw(hq.url, { method: 'POST', path: `/v1/admin/terminals/${t.terminalId}/revoke`, headers: { 'content-type': 'text/plain', cookie: it_.cookie }, body: 'x' });
    expect(blind.status).toBe(415);
    const noBody = await raw(hq.url, { method: 'POST', path: `/v1/admin/terminals/${t.terminalId}/revoke`, headers: { cookie: it_.cookie } });
    expect(noBody.status).toBe(403);
    expect(JSON.parse(noBody.text).error.code).toBe('csrf');
    expect(await statusOf(t.terminalId)).toBe('active');
  });

  it('a request naming another Host (DNS rebinding) cannot mint an enrolment code, even with the operator token', async () => {
    const before = await hq.count('enrol_code');
    const body = JSON.stringify({ storeId: 'rebound', terminalId: 'rebound-t1' });
    const port = new URL(hq.url).port;
    for (const host of [`evil.example:${port}`, 'evil.example']) {
      const answer = await raw(hq.url, {
        method: 'POST',
        path: '/v1/admin/enrol-codes',
        headers: { host, 'content-type': 'application/json', authorization: `Bearer ${operatorToken}` },
        body,
      });
      expect(answer.status).toBe(421);
    }
    const page = await raw(hq.url, { path: '/fleet', headers: { host: `evil.example:${port}`, cookie: it_.cookie } });
    expect(page.status).toBe(421);
    expect(await hq.count('enrol_code')).toBe(before);
  });

  it('the operator API wants the operator token, not a loopback address', async () => {
    const before = await hq.count('enrol_code');
    const body = { storeId: 'op-store', terminalId: 'op-t1' };
    const post = (headers: Record<string, string>) =>
      fetch(`${hq.url}/v1/admin/enrol-codes`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer hqop_wrong' })).status).toBe(401);
    expect((await post({ authorization: `Bearer ${operatorToken}x` })).status).toBe(401);
    expect(await hq.count('enrol_code')).toBe(before);
    const ok = await post({ authorization: `Bearer ${operatorToken}` });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { code: string }).code).toMatch(/^[A-Z2-9-]+$/);
    expect(statSync(join(hq.dir, OPERATOR_TOKEN_FILE)).mode & 0o777).toBe(0o600);
    // The token is the operator's, not a key to the pages: the console sends it to the login page.
    const page = await fetch(`${hq.url}/console/fleet`, { headers: { authorization: `Bearer ${operatorToken}` }, redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fconsole%2Ffleet');
  });
});

describe('sessions and roles', () => {
  it('without a session: 401 on the fleet API, the login page for the console', async () => {
    for (const path of ['/v1/fleet', '/v1/fleet/audit', '/v1/admin/terminals/x/verify', '/v1/console/session', '/v1/anomalies']) {
      const answer = await fetch(`${hq.url}${path}`);
      expect(answer.status).toBe(401);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
    // The old fleet page's address leads to the console's fleet view, which wants a session.
    const old = await fetch(`${hq.url}/fleet`, { redirect: 'manual' });
    expect(old.status).toBe(303);
    expect(old.headers.get('location')).toBe('/console/fleet');
    const page = await fetch(`${hq.url}/console/fleet`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fconsole%2Ffleet');
    expect((await fetch(`${hq.url}/v1/fleet`, { headers: { cookie: 'hq_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })).status).toBe(401);
  });

  it('IT staff see the fleet and can revoke and issue codes with the CSRF token', async () => {
    const t = await enrolled();
    expect((await it_.get('/v1/fleet')).json.terminals.map((x: { terminalId: string }) => x.terminalId)).toContain(t.terminalId);
    expect((await it_.get('/fleet')).headers.get('location')).toBe('/console/fleet');
    expect((await it_.get('/console/fleet')).status).toBe(200);
    // What the console learns of its session: who, the CSRF token to send back, what the role may see.
    const session = await it_.get('/v1/console/session');
    expect(session.json).toMatchObject({ username: 'it-staff', role: 'it', csrfToken: it_.csrfToken });
    expect(session.json.permissions).toEqual(['fleet', 'releases']);
    const code = await it_.post('/v1/admin/enrol-codes', { storeId: 'it-store', terminalId: 'it-t1' });
    expect(code.status).toBe(200);
    expect(typeof code.json.code).toBe('string');
    expect((await it_.post(`/v1/admin/terminals/${t.terminalId}/revoke`)).json).toEqual({ revoked: true });
    expect(await statusOf(t.terminalId)).toBe('revoked');
  });

  it('a missing or wrong CSRF token is refused and changes nothing', async () => {
    const t = await enrolled();
    const missing = await it_.post(`/v1/admin/terminals/${t.terminalId}/revoke`, undefined, { csrf: false });
    expect(missing.status).toBe(403);
    const wrong = await fetch(`${hq.url}/v1/admin/terminals/${t.terminalId}/revoke`, { method: 'POST', headers: { cookie: it_.cookie, 'x-csrf-token': `${it_.csrfToken.slice(0, -2)}AA` } });
    expect(wrong.status).toBe(403);
    // Another session's token is no good either.
    const other = await staffClient(hq, 'it', 'it-other');
    const crossed = await fetch(`${hq.url}/v1/admin/terminals/${t.terminalId}/revoke`, { method: 'POST', headers: { cookie: it_.cookie, 'x-csrf-token': other.csrfToken } });
    expect(crossed.status).toBe(403);
    expect(await statusOf(t.terminalId)).toBe('active');
  });

  it('marketing and customer service get 403 on fleet actions and data, and the console shows them no fleet', async () => {
    const t = await enrolled();
    for (const role of ['marketing', 'service'] as const) {
      const staff = await staffClient(hq, role);
      expect((await staff.get('/v1/fleet')).status).toBe(403);
      expect((await staff.get('/v1/fleet/audit')).status).toBe(403);
      expect((await staff.post(`/v1/admin/terminals/${t.terminalId}/revoke`)).status).toBe(403);
      expect((await staff.post('/v1/admin/enrol-codes', { storeId: 's', terminalId: 'x' })).status).toBe(403);
      expect((await staff.get('/v1/anomalies')).status).toBe(403);
      // The old fleet address takes them to the console's first view for their role, not the fleet's.
      expect((await staff.get('/fleet')).headers.get('location')).toBe('/console/');
      expect((await staff.get('/v1/console/session')).json.permissions).not.toContain('fleet');
    }
    expect(await statusOf(t.terminalId)).toBe('active');
  });

  it('a session ends after 30 min idle, after 12 h in any case, at logout, and when the account is disabled', async () => {
    const idle = await staffClient(hq, 'it', 'it-idle');
    hq.clock.value += 29 * 60_000;
    expect((await idle.get('/v1/fleet')).status).toBe(200);
    hq.clock.value += 30 * 60_000 + 1;
    expect((await idle.get('/v1/fleet')).status).toBe(401);

    const busy = await staffClient(hq, 'it', 'it-busy');
    for (let h = 0; h < 24 * 2 - 1; h++) {
      hq.clock.value += 15 * 60_000;
      expect((await busy.get('/v1/fleet')).status).toBe(200);
    }
    hq.clock.value += 15 * 60_000;
    expect((await busy.get('/v1/fleet')).status).toBe(401);

    const leaving = await staffClient(hq, 'it', 'it-leaving');
    expect((await leaving.post('/v1/staff/logout')).status).toBe(200);
    expect((await leaving.get('/v1/fleet')).status).toBe(401);

    const disabled = await staffClient(hq, 'it', 'it-disabled');
    await disableStaff(hq.ctx, 'it-disabled');
    expect((await disabled.get('/v1/fleet')).status).toBe(401);
    const again = await fetch(`${hq.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'it-disabled', password: disabled.password }) });
    expect(again.status).toBe(401);
  }, 30_000);

  it('stores a scrypt hash of each password, salted per account, and only a hash of session tokens', async () => {
    const a = await createStaff(hq.ctx, { username: 'same-a', role: 'service', password: 'correct horse battery' });
    await createStaff(hq.ctx, { username: 'same-b', role: 'service', password: 'correct horse battery' });
    const rows = await hq.ctx.sql.query<{ username: string; password_hash: string }>("SELECT username, password_hash FROM staff_account WHERE username IN ('same-a', 'same-b', 'it-staff')");
    for (const r of rows) {
      expect(r.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
      expect(r.password_hash).not.toContain(a.password);
      expect(r.password_hash).not.toContain(it_.password);
    }
    expect(new Set(rows.map((r) => r.password_hash)).size).toBe(3);
    const token = it_.cookie.split('=')[1]!;
    const sessions = await hq.ctx.sql.query<{ token_hash: string }>('SELECT token_hash FROM staff_session');
    expect(sessions.length).toBeGreaterThan(0);
    for (const s of sessions) expect(s.token_hash).not.toBe(token);
  });

  it('sets the session cookie HttpOnly, SameSite=Strict, Path=/, with a Max-Age, not Secure over plain HTTP', async () => {
    const { password } = await createStaff(hq.ctx, { username: 'cookie-check', role: 'it' });
    const login = await fetch(`${hq.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'cookie-check', password }) });
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^hq_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
  });

  it('only admins manage accounts', async () => {
    const admin = await staffClient(hq, 'admin', 'boss');
    const itStaff = await staffClient(hq, 'it', 'it-not-admin');
    const created = await admin.post('/v1/admin/staff', { username: 'new-marketer', role: 'marketing' });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ username: 'new-marketer', role: 'marketing' });
    expect(created.json.password.length).toBeGreaterThanOrEqual(20);
    expect((await itStaff.post('/v1/admin/staff', { username: 'sneaky', role: 'admin' })).status).toBe(403);
    expect((await itStaff.get('/v1/admin/staff')).status).toBe(403);
    expect((await admin.get('/v1/admin/staff')).json.staff.map((s: { username: string }) => s.username)).toContain('new-marketer');
    expect((await admin.post('/v1/admin/staff/new-marketer/disable')).json).toEqual({ disabled: true });
  });
});

describe('login', () => {
  it('the login page is French first, English on ?lang=en, and a wrong password says so', async () => {
    const fr = await fetch(`${hq.url}/login`);
    expect(fr.status).toBe(200);
    const html = await fr.text();
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<label for="username">Identifiant</label>');
    expect(html).toContain('<label for="password">Mot de passe</label>');
    expect(await (await fetch(`${hq.url}/login?lang=en`)).text()).toContain('<label for="username">Username</label>');
    const form = new URLSearchParams({ username: 'it-staff', password: 'wrong password!', next: '/fleet', lang: 'fr' });
    const bad = await raw(hq.url, { method: 'POST', path: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: origin() }, body: form.toString() });
    expect(bad.status).toBe(401);
    expect(bad.text).toContain('Identifiant ou mot de passe incorrect.');
    expect(bad.headers['set-cookie']).toBeUndefined();
  });

  it('the login form signs in and goes to the fleet; from another origin it is refused', async () => {
    const { password } = await createStaff(hq.ctx, { username: 'form-user', role: 'it' });
    const body = new URLSearchParams({ username: 'form-user', password, next: '/fleet', lang: 'fr' }).toString();
    const headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const foreign = await raw(hq.url, { method: 'POST', path: '/login', headers: { ...headers, origin: 'http://evil.example' }, body });
    expect(foreign.status).toBe(403);
    expect(foreign.headers['set-cookie']).toBeUndefined();
    const ok = await raw(hq.url, { method: 'POST', path: '/login', headers: { ...headers, origin: origin() }, body });
    expect(ok.status).toBe(303);
    expect(ok.headers.location).toBe('/fleet');
    const cookie = String(ok.headers['set-cookie']).split(';')[0]!;
    // …which is the console's fleet view now.
    const landed = await fetch(`${hq.url}/fleet`, { headers: { cookie } });
    expect(landed.status).toBe(200);
    expect(landed.url).toBe(`${hq.url}/console/fleet`);
    // next= is a local path or the fleet: never another site.
    const away = await raw(hq.url, { method: 'POST', path: '/login', headers: { ...headers, origin: origin() }, body: body.replace('next=%2Ffleet', 'next=%2F%2Fevil.example') });
    expect(away.headers.location).toBe('/fleet');
  });

  it('is rate-limited per username after 5 failures, and lets the right password in once the window has passed', async () => {
    const { password } = await createStaff(hq.ctx, { username: 'guessed', role: 'it' });
    const attempt = (p: string) => fetch(`${hq.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'guessed', password: p }) });
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong-${i}-password`)).status).toBe(401);
    const limited = await attempt(password);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBe(15 * 60);
    hq.clock.value += 15 * 60_000 - 1;
    expect((await attempt(password)).status).toBe(429);
    hq.clock.value += 1;
    expect((await attempt(password)).status).toBe(200);
  }, 30_000);

  it('is rate-limited per client address across usernames', async () => {
    const limitedHq = await startTestHq({ loginLimits: { windowMs: 60_000, perUsername: 100, perAddress: 3 } });
    try {
      const { password } = await createStaff(limitedHq.ctx, { username: 'victim', role: 'it' });
      const attempt = (username: string, p: string) =>
        fetch(`${limitedHq.url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.${username.length}` }, body: JSON.stringify({ username, password: p }) });
      for (const name of ['spray-a', 'spray-bb', 'spray-ccc']) expect((await attempt(name, 'not the password')).status).toBe(401);
      // X-Forwarded-For from a proxy HQ was not told to trust changes nothing: the address is the socket's.
      expect((await attempt('victim', password)).status).toBe(429);
      limitedHq.clock.value += 60_000;
      expect((await attempt('victim', password)).status).toBe(200);
    } finally {
      await limitedHq.stop();
    }
  }, 30_000);
});

describe('security headers', () => {
  it('every HTML page carries a CSP without inline script or style, no framing, nosniff, a referrer policy', async () => {
    const marketing = await staffClient(hq, 'marketing', 'marketing-headers');
    const itStaff = await staffClient(hq, 'it', 'it-headers');
    const pages: Array<{ name: string; response: Response }> = [
      { name: 'login', response: await fetch(`${hq.url}/login`) },
      { name: 'login en', response: await fetch(`${hq.url}/login?lang=en`) },
      { name: 'console fleet', response: await fetch(`${hq.url}/fleet`, { headers: { cookie: itStaff.cookie } }) },
      { name: 'console fleet en', response: await fetch(`${hq.url}/fleet?lang=en`, { headers: { cookie: itStaff.cookie } }) },
      { name: 'console for marketing', response: await fetch(`${hq.url}/fleet`, { headers: { cookie: marketing.cookie } }) },
      {
        name: 'login error',
        response: await fetch(`${hq.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=nobody&password=nothing-at-all' }),
      },
    ];
    for (const { name, response } of pages) {
      expect(response.headers.get('content-type'), name).toMatch(/^text\/html/);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, name).toContain("default-src 'none'");
      expect(csp, name).toContain("frame-ancestors 'none'");
      expect(csp, name).toContain("style-src 'self'");
      expect(csp, name).not.toContain('unsafe-inline');
      expect(response.headers.get('x-content-type-options'), name).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), name).toBe('same-origin');
      expect(response.headers.get('x-frame-options'), name).toBe('DENY');
      expect(response.headers.get('strict-transport-security'), name).toBeNull();
      expect(csp, name).not.toContain('unsafe-');
      const html = await response.text();
      if (name.startsWith('console')) {
        // The console runs HQ's own script files, never inline code, and calls nothing but HQ.
        expect(csp, name).toContain("script-src 'self'");
        expect(csp, name).toContain("connect-src 'self'");
        expect([...html.matchAll(/<script[^>]*>([^<]*)<\/script>/g)].map((m) => [/ src="\.\.\/assets\/[\w-]+\.js"/.test(m[0]), m[1]]), name).toEqual([[true, '']]);
        expect(html, name).not.toMatch(/<style|style=|\son[a-z]+=/i);
      } else {
        expect(csp, name).not.toContain('script-src');
        expect(html, name).not.toMatch(/<script|<style|style=|\son[a-z]+=/i);
      }
    }
    expect(pages[2]!.response.status).toBe(200);
    expect(pages[2]!.response.headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${hq.url}/assets/hq.css`)).headers.get('content-type')).toMatch(/^text\/css/);
  });
});

describe('TLS and a trusted proxy', () => {
  let dir = '';
  let tlsHq: Hq | null = null;
  let cert = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fidele-hq-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tlsHq = await startHq({
      dataDir: dir,
      inMemory: true,
      port: 0,
      logger: silentLogger,
      random: seededRandom(7),
      key: ephemeralHqKey(),
      maintenanceIntervalMs: 0,
      tls: { cert, key: readFileSync(join(dir, 'key.pem'), 'utf8') },
    });
  }, 30_000);
  afterAll(async () => {
    await tlsHq?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS itself with the given certificate: HSTS, and a __Host- Secure cookie', async () => {
    expect(tlsHq!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await raw(tlsHq!.url, { path: '/login', ca: cert });
    expect(page.status).toBe(200);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000');
    const { password } = await createStaff(tlsHq!.ctx, { username: 'tls-it', role: 'it' });
    const login = await raw(tlsHq!.url, { method: 'POST', path: '/v1/staff/login', ca: cert, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'tls-it', password }) });
    expect(login.status).toBe(200);
    expect(String(login.headers['set-cookie'])).toMatch(/^__Host-hq_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200; Secure$/);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    expect((await raw(tlsHq!.url, { path: '/v1/fleet', ca: cert, headers: { cookie } })).status).toBe(200);
    // Plain HTTP is not answered on the TLS port.
    await expect(fetch(tlsHq!.url.replace('https:', 'http:') + '/login')).rejects.toThrow();
  });

  it('believes X-Forwarded-Proto and -For only from the trusted proxy', async () => {
    const proxied = await startTestHq({ trustProxy: '127.0.0.1', loginLimits: { windowMs: 60_000, perUsername: 100, perAddress: 2 } });
    const untrusted = await startTestHq({ trustProxy: '10.9.9.9' });
    try {
      for (const server of [proxied, untrusted]) await createStaff(server.ctx, { username: 'proxied', role: 'it', password: 'a long proxied password' });
      const login = (server: TestHq, forwardedFor: string, password = 'a long proxied password') =>
        raw(server.url, {
          method: 'POST',
          path: '/v1/staff/login',
          headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https', 'x-forwarded-for': forwardedFor },
          body: JSON.stringify({ username: 'proxied', password }),
        });
      const viaProxy = await login(proxied, '203.0.113.7');
      expect(String(viaProxy.headers['set-cookie'])).toMatch(/^__Host-hq_session=.*; Secure$/);
      expect(viaProxy.headers['strict-transport-security']).toBe('max-age=31536000');
      const direct = await login(untrusted, '203.0.113.7');
      expect(String(direct.headers['set-cookie'])).toMatch(/^hq_session=.*Max-Age=43200$/);
      // Behind the proxy each client has its own count: two failures from one do not lock out another.
      for (let i = 0; i < 2; i++) expect((await login(proxied, '203.0.113.66', 'wrong wrong wrong')).status).toBe(401);
      expect((await login(proxied, '203.0.113.66')).status).toBe(429);
      expect((await login(proxied, '203.0.113.8')).status).toBe(200);
    } finally {
      await proxied.stop();
      await untrusted.stop();
    }
  }, 30_000);
});
