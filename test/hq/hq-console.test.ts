import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/hq/context';
import { LOOKUP_ACTION } from '../../src/hq/member-lookup';
import { anomalyRef } from '../../src/hq/sync-anomalies';
import { CONSOLE_ASSETS, fakeConsoleBuild, provokeOfflineOverdraft } from './console-fixture';
import { staffClient, startTestHq, TestTerminal, type Json, type StaffClient, type TestHq } from './hq-fixture';

/**
 * HQ's staff console over real HTTP on PGlite: the page and its assets, and
 * the anomalies API behind it (who may read, who may mark handled, the CSRF
 * token, the audit), and what the fleet's JSON says about anomalies,
 * refusals and lookups.
 */
let hq: TestHq;
let consoleDir = '';
let it_: StaffClient;
let marketing: StaffClient;
const terminals: TestTerminal[] = [];
let n = 0;

async function enrolled(): Promise<TestTerminal> {
  const t = new TestTerminal(`console-t-${++n}`, `console-store-${n}`);
  terminals.push(t);
  await t.enrol(hq);
  return t;
}

const openAnomaliesOf = async (terminalId: string): Promise<number> =>
  (await it_.get('/v1/fleet')).json.terminals.find((x: { terminalId: string }) => x.terminalId === terminalId).openAnomalies;

async function anomalyRow(terminalId: string) {
  return (await hq.ctx.sql.query<{ status: string; handled_at: number | null; handled_by: string | null }>('SELECT status, handled_at, handled_by FROM sync_anomaly WHERE terminal_id = $1', [terminalId]))[0]!;
}

beforeAll(async () => {
  consoleDir = fakeConsoleBuild();
  hq = await startTestHq({ consoleDir });
  it_ = await staffClient(hq, 'it');
  marketing = await staffClient(hq, 'marketing');
}, 30_000);

afterAll(async () => {
  for (const t of terminals) t.close();
  await hq?.stop();
  rmSync(consoleDir, { recursive: true, force: true });
});

describe('the console page', () => {
  it('is served to any signed-in staff member at /console/<view>, with a CSP allowing HQ’s own scripts and API only', async () => {
    for (const path of ['/console/', '/console/fleet', '/console/anomalies?lang=en', '/console/no-such-view']) {
      const page = await marketing.get(path);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control'), path).toBe('no-store');
      const csp = page.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe');
    }
    // Other pages keep HQ's script-less policy.
    expect((await fetch(`${hq.url}/login`)).headers.get('content-security-policy')).not.toContain('script-src');
    expect((await fetch(`${hq.url}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
  });

  it('serves the assets its page names, cached for good, and nothing else from the build', async () => {
    const script = await fetch(`${hq.url}/assets/${CONSOLE_ASSETS.script}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${hq.url}/assets/${CONSOLE_ASSETS.style}`)).headers.get('content-type')).toMatch(/^text\/css/);
    for (const path of [`/assets/${CONSOLE_ASSETS.other}`, '/assets/..%2Fhq%2Findex.html', '/assets/%2E%2E%2F%2E%2E%2Fpackage.json', '/assets/missing-123.js']) {
      expect((await fetch(`${hq.url}${path}`)).status, path).toBe(404);
    }
    // HQ's own stylesheet for its server-rendered pages is still there.
    expect((await fetch(`${hq.url}/assets/hq.css`)).status).toBe(200);
  });

  it('says it is not built rather than serving nothing', async () => {
    const unbuilt = await startTestHq({ consoleDir: `${consoleDir}-missing` });
    try {
      const staff = await staffClient(unbuilt, 'it');
      const page = await staff.get('/console/fleet');
      expect(page.status).toBe(503);
      expect(page.text).toContain('npm run build');
    } finally {
      await unbuilt.stop();
    }
  });
});

describe('sync anomalies', () => {
  let t: TestTerminal;
  let anomaly: Json;

  it('an offline overdraft is listed with its kind, terminal, age and counts, and flags its terminal on the fleet', async () => {
    t = await enrolled();
    expect(await openAnomaliesOf(t.terminalId)).toBe(0);
    const { memberId, entryId } = await provokeOfflineOverdraft(hq, t);
    hq.clock.value += 5 * 60_000;
    const list = await it_.get('/v1/anomalies');
    expect(list.status).toBe(200);
    anomaly = list.json.anomalies.find((a: Json) => a.terminalId === t.terminalId);
    expect(anomaly).toMatchObject({ kind: 'offline_overdraft', customerId: memberId, entryId, status: 'open', handledAt: null, handledBy: null, detail: { points: 80, offline: true } });
    expect(list.json.now - anomaly.createdAt).toBe(5 * 60_000);
    expect(list.json.counts).toContainEqual({ kind: 'offline_overdraft', open: 1, handled: 0, oldestOpenAt: anomaly.createdAt });
    expect(await openAnomaliesOf(t.terminalId)).toBe(1);
  });

  it('only IT and admins read them; marketing and customer service get 403, nobody signed in 401', async () => {
    expect((await marketing.get('/v1/anomalies')).status).toBe(403);
    expect((await (await staffClient(hq, 'service')).get('/v1/anomalies')).status).toBe(403);
    expect((await (await staffClient(hq, 'admin')).get('/v1/anomalies')).status).toBe(200);
    expect((await fetch(`${hq.url}/v1/anomalies`)).status).toBe(401);
    expect((await it_.get('/v1/anomalies?status=closed')).status).toBe(400);
  });

  it('marking handled without the CSRF token, or by marketing, is refused and changes nothing', async () => {
    const audits = await hq.count('audit');
    const noCsrf = await it_.post(`/v1/anomalies/${anomaly.id}/handled`, undefined, { csrf: false });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.json.error.code).toBe('csrf');
    expect((await marketing.post(`/v1/anomalies/${anomaly.id}/handled`)).status).toBe(403);
    // A form from another site: refused before any route code runs.
    const forged = await fetch(`${hq.url}/v1/anomalies/${anomaly.id}/handled`, {
      method: 'POST',
      headers: { cookie: it_.cookie, 'content-type': 'text/plain', origin: 'http://evil.example', 'x-csrf-token': it_.csrfToken },
      body: 'x',
    });
    expect(forged.status).toBe(403);
    expect(await anomalyRow(t.terminalId)).toEqual({ status: 'open', handled_at: null, handled_by: null });
    expect(await hq.count('audit')).toBe(audits);
  });

  it('IT marks it handled with the CSRF token: recorded with who and when, audited, off the open list and the fleet flag', async () => {
    const done = await it_.post(`/v1/anomalies/${anomaly.id}/handled`);
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ changed: true, anomaly: { id: anomaly.id, status: 'handled', handledAt: hq.clock.value, handledBy: 'staff:it-staff' } });
    expect(await anomalyRow(t.terminalId)).toEqual({ status: 'handled', handled_at: hq.clock.value, handled_by: 'staff:it-staff' });
    const audited = await hq.ctx.sql.query<{ terminal_id: string; detail: Json }>("SELECT terminal_id, detail FROM audit WHERE action = 'anomaly' AND code = 'handled'");
    expect(audited).toEqual([{ terminal_id: t.terminalId, detail: { customerId: anomaly.customerId, anomalyId: expect.stringMatching(/^overdraft:/), kind: 'offline_overdraft', by: 'staff:it-staff' } }]);
    expect((await it_.get('/v1/anomalies')).json.anomalies.map((a: Json) => a.id)).not.toContain(anomaly.id);
    expect((await it_.get('/v1/anomalies?status=handled')).json.anomalies.map((a: Json) => a.id)).toContain(anomaly.id);
    expect((await it_.get('/v1/anomalies')).json.counts).toContainEqual({ kind: 'offline_overdraft', open: 0, handled: 1, oldestOpenAt: null });
    expect(await openAnomaliesOf(t.terminalId)).toBe(0);
  });

  it('marking it again changes nothing and says who did; an id HQ never made is 404', async () => {
    const before = await anomalyRow(t.terminalId);
    hq.clock.value += 60_000;
    const admin = await staffClient(hq, 'admin', 'admin-again');
    const again = await admin.post(`/v1/anomalies/${anomaly.id}/handled`);
    expect(again.json).toMatchObject({ changed: false, anomaly: { handledBy: 'staff:it-staff', handledAt: before.handled_at } });
    expect(await anomalyRow(t.terminalId)).toEqual(before);
    for (const id of [anomalyRef('nobody', 'nothing'), 'not-hex!', anomaly.id.toUpperCase(), anomaly.id.slice(0, -1), `${anomaly.id}0`]) {
      const answer = await it_.post(`/v1/anomalies/${encodeURIComponent(id)}/handled`);
      expect(answer.status, id).toBe(404);
    }
  });
});

describe('the fleet’s refusal log', () => {
  it('lists refusals only; answered card lookups are counted per terminal instead', async () => {
    const t = await enrolled();
    const lookup = (code: string) =>
      hq.ctx.sql.query('INSERT INTO audit (terminal_id, audit_id, at, action, code, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        t.terminalId,
        `lookup-${++n}`,
        hq.clock.value,
        LOOKUP_ACTION,
        code,
        `card …1234 ${code}`,
        '{}',
      ]);
    await lookup('found');
    await lookup('found');
    await lookup('not_found');
    await audit(hq.ctx, hq.ctx.sql, { terminalId: t.terminalId, action: 'pull', code: 'stale_request', message: 'request too old' });
    const fleet = (await it_.get('/v1/fleet')).json;
    const mine = fleet.recentRefusals.filter((r: Json) => r.terminalId === t.terminalId);
    expect(mine.map((r: Json) => `${r.action}/${r.code}`)).toEqual(['pull/stale_request']);
    expect(fleet.recentRefusals.map((r: Json) => r.code)).not.toContain('found');
    expect(fleet.recentRefusals.map((r: Json) => r.action)).not.toContain('anomaly');
    expect(fleet.lookups.byTerminal).toContainEqual({ terminalId: t.terminalId, found: 2, notFound: 1 });
    // A day later the counter has forgotten them (and the session has long ended: a fresh one).
    hq.clock.value += 24 * 3_600_000 + 1;
    expect((await (await staffClient(hq, 'it', 'it-next-day')).get('/v1/fleet')).json.lookups.byTerminal.find((l: Json) => l.terminalId === t.terminalId)).toBeUndefined();
  });
});
