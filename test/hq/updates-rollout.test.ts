import { createPublicKey, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSigningText, type SignedRelease } from '../../src/shared/updates/release';
import { UpdateDirective } from '../../src/shared/updates/directive';
import { PullResponse } from '../../src/shared/sync/protocol';
import { issueFeedToken } from '../../src/hq/updates/feed-token';
import { loadReleaseKey } from '../../src/hq/updates/release-key';
import { createRollout, rolloutBucket, setMaintenanceWindow, setMinAppVersion, setRolloutStatus, setStoreCohort, widenRollout } from '../../src/hq/updates/rollout';
import { updateService } from '../../src/hq/updates/service';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { staffClient, startTestHq, TestTerminal, type StaffClient, type TestHq } from './hq-fixture';
import { directiveOf, feedOf, getAsHost, getWith, publish, pullOf, statusRequest } from './updates-fixture';

/**
 * The staged rollout as terminals see it (issue 13 §3): the pull's update
 * directive, the per-terminal electron-updater feed behind a short-lived
 * token, the file with Range, the status reports and the fleet and releases
 * APIs IT reads.
 */
let hq: TestHq;
let it_: StaffClient;
const terminals: TestTerminal[] = [];
let pilotA: TestTerminal; // store paris-11, cohort pilot
let lyon: TestTerminal; // store lyon-2, no cohort
let rolloutId = '';
let build: Buffer;

async function terminal(id: string, store: string): Promise<TestTerminal> {
  const t = new TestTerminal(id, store);
  terminals.push(t);
  await t.enrol(hq);
  return t;
}

function verifiesWithReleaseKey(signed: SignedRelease): boolean {
  const { publicKey } = loadReleaseKey(hq.dir);
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return verify(null, Buffer.from(releaseSigningText(signed.manifest), 'utf8'), key, Buffer.from(signed.signature, 'base64url'));
}

beforeAll(async () => {
  hq = await startTestHq();
  it_ = await staffClient(hq, 'it');
  pilotA = await terminal('paris-11-t1', 'paris-11');
  lyon = await terminal('lyon-2-t1', 'lyon-2');
  await setStoreCohort(hq.ctx, 'paris-11', 'pilot', 'test');
  build = (await publish(hq, '1.1.0', { size: 200_000 })).bytes;
  rolloutId = (await createRollout(hq.ctx, { version: '1.1.0', cohorts: ['pilot'], percent: 100 }, 'test')).rollout_id;
}, 60_000);

afterAll(async () => {
  for (const t of terminals) t.close();
  await hq.stop();
});

describe('rollout by cohort', () => {
  it('gives a terminal in the cohort the signed target in its pull and its feed; one outside gets none', async () => {
    const pull = await pullOf(hq, pilotA);
    expect(PullResponse.safeParse(pull).success).toBe(true);
    const d = UpdateDirective.parse(pull.update);
    expect(d.channel).toBe('pilot');
    expect(d.target?.manifest.version).toBe('1.1.0');
    expect(verifiesWithReleaseKey(d.target!)).toBe(true);
    expect(pull.recommendedAppVersion).toBe('1.1.0');
    expect(d.feedTokenExpiresAt - hq.clock.value).toBeGreaterThanOrEqual(15 * 60_000);
    expect(d.feedTokenExpiresAt - hq.clock.value).toBeLessThanOrEqual(60 * 60_000);
    const feed = await feedOf(hq, d);
    expect(feed.status).toBe(200);
    expect(feed.text).toContain("version: '1.1.0'");
    expect(feed.text).toContain(`sha512: '${d.target!.manifest.sha512}'`);
    expect(feed.text).toContain("url: '/v1/updates/files/Fidele-1.1.0.AppImage'");
    expect(feed.text).toContain('size: 200000');
    expect((await feedOf(hq, d, 'latest.yml')).text).toContain("version: '1.1.0'");

    const other = await directiveOf(hq, lyon);
    expect(other.channel).toBe('stable');
    expect(other.target).toBeNull();
    const none = await feedOf(hq, other);
    expect(none.status).toBe(200);
    // Its own version and no file: electron-updater sees nothing new.
    expect(none.text).toContain("version: '0.1.0'");
    expect(none.text).toContain('files: []');
    // Nor may it fetch the file.
    expect((await getWith(hq, '/v1/updates/files/Fidele-1.1.0.AppImage', { authorization: `Bearer ${other.feedToken}` })).status).toBe(404);
  });

  it('takes a deterministic percentage: the same terminals each time, those whose hash of id and version is under it', async () => {
    expect(rolloutBucket('paris-11-t1', '1.1.0')).toBe(rolloutBucket('paris-11-t1', '1.1.0'));
    const ids = Array.from({ length: 200 }, (_, i) => `store-x-t${i}`);
    const inside = ids.filter((id) => rolloutBucket(id, '1.2.0') < 30);
    expect(inside.length).toBeGreaterThan(40);
    expect(inside.length).toBeLessThan(80);
    // Another version slices the terminals differently.
    expect(ids.filter((id) => rolloutBucket(id, '1.3.0') < 30)).not.toEqual(inside);

    await publish(hq, '1.2.0');
    const stores = await Promise.all(['t1', 't2', 't3', 't4', 't5', 't6'].map((n) => terminal(`nantes-1-${n}`, 'nantes-1')));
    await createRollout(hq.ctx, { version: '1.2.0', stores: ['nantes-1'], percent: 50 }, 'test');
    const expected = stores.map((t) => rolloutBucket(t.terminalId, '1.2.0') < 50);
    expect(expected).toContain(true);
    expect(expected).toContain(false);
    for (let round = 0; round < 2; round += 1) {
      const got = await Promise.all(stores.map(async (t) => (await directiveOf(hq, t)).target?.manifest.version === '1.2.0'));
      expect(got).toEqual(expected);
    }
  });

  it('pause stops new terminals being offered the release; those offered keep it; resume and widen reach more', async () => {
    await setRolloutStatus(hq.ctx, rolloutId, 'paused', 'test');
    expect((await directiveOf(hq, pilotA)).target?.manifest.version).toBe('1.1.0');
    const late = await terminal('paris-11-t2', 'paris-11');
    expect((await directiveOf(hq, late)).target).toBeNull();
    const lateFeed = await feedOf(hq, await directiveOf(hq, late));
    expect(lateFeed.text).toContain('files: []');
    await setRolloutStatus(hq.ctx, rolloutId, 'active', 'test');
    expect((await directiveOf(hq, late)).target?.manifest.version).toBe('1.1.0');

    await expect(widenRollout(hq.ctx, rolloutId, { percent: 50 }, 'test')).rejects.toThrow(/cannot lower/);
    expect((await directiveOf(hq, lyon)).target).toBeNull();
    await widenRollout(hq.ctx, rolloutId, { stores: ['lyon-2'] }, 'test');
    expect((await directiveOf(hq, lyon)).target?.manifest.version).toBe('1.1.0');
    const audited = await hq.ctx.sql.query<{ code: string }>("SELECT code FROM audit WHERE action = 'release' ORDER BY at");
    expect(audited.map((a) => a.code)).toEqual(expect.arrayContaining(['cohort', 'rollout', 'paused', 'resumed', 'widened']));
  });

  it('a pilot build reaches pilot terminals only, whatever the rollout names', async () => {
    await publish(hq, '1.3.0-rc.1', { channel: 'pilot' });
    await createRollout(hq.ctx, { version: '1.3.0-rc.1', stores: ['paris-11', 'lyon-2'], percent: 100 }, 'test');
    expect((await directiveOf(hq, pilotA)).target?.manifest.version).toBe('1.3.0-rc.1');
    expect((await directiveOf(hq, lyon)).target?.manifest.version).toBe('1.1.0');
  });

  it('carries the minimum version and the store’s maintenance window', async () => {
    await expect(setMinAppVersion(hq.ctx, '9.0.0', 'test')).rejects.toThrow(/no published release/);
    await setMinAppVersion(hq.ctx, '1.1.0', 'test');
    await expect(setMaintenanceWindow(hq.ctx, 'lyon-2', { start: '02:00', end: '05:00', timeZone: 'Mars/Olympus' }, 'test')).rejects.toThrow(/time zone/);
    await expect(setMaintenanceWindow(hq.ctx, 'lyon-2', { start: '2h', end: '05:00', timeZone: 'Europe/Paris' }, 'test')).rejects.toThrow(/HH:MM/);
    await setMaintenanceWindow(hq.ctx, 'lyon-2', { start: '02:00', end: '05:00', timeZone: 'Europe/Paris' }, 'test');
    const pull = await pullOf(hq, lyon);
    expect(pull.minAppVersion).toBe('1.1.0');
    expect(pull.update.minAppVersion).toBe('1.1.0');
    expect(pull.update.maintenanceWindow).toEqual({ start: '02:00', end: '05:00', timeZone: 'Europe/Paris' });
    expect((await directiveOf(hq, pilotA)).maintenanceWindow).toBeNull();
  });

  it('gives a terminal below the minimum version the release that lifts it there, even outside every rollout', async () => {
    const brest = await terminal('brest-1-t1', 'brest-1');
    await setMinAppVersion(hq.ctx, '0.1.0', 'test');
    expect((await directiveOf(hq, brest)).target).toBeNull();
    await setMinAppVersion(hq.ctx, '1.1.0', 'test');
    const d = await directiveOf(hq, brest);
    // The lowest stable release at or above the minimum (not the pilot pre-release, not 1.2.0).
    expect(d.target?.manifest.version).toBe('1.1.0');
    expect((await feedOf(hq, d)).text).toContain("version: '1.1.0'");
    expect((await getWith(hq, '/v1/updates/files/Fidele-1.1.0.AppImage', { authorization: `Bearer ${d.feedToken}` })).status).toBe(200);
    // Once it runs the minimum, nothing more is owed to it.
    expect((await hq.post('/v1/updates/status', statusRequest(hq, brest, { appVersion: '1.1.0', state: 'idle', targetVersion: null, progressPercent: null }))).status).toBe(204);
    expect((await directiveOf(hq, brest)).target).toBeNull();
  });
});

describe('the feed and its files', () => {
  it('refuses without a token, with an expired or a forged one: 401, counted, nothing written', async () => {
    const d = await directiveOf(hq, pilotA);
    const auditBefore = await hq.count('audit');
    const offersBefore = await hq.count('rollout_offer');
    expect((await getWith(hq, `${d.feedPath}/latest-linux.yml`)).status).toBe(401);
    const forged = d.feedToken.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const forgedAnswer = await getWith(hq, `${d.feedPath}/latest-linux.yml`, { authorization: `Bearer ${forged}` });
    expect(forgedAnswer.status).toBe(401);
    expect(JSON.parse(forgedAnswer.text).error.code).toBe('bad_token');
    // A token for another terminal made without HQ's secret.
    const stranger = issueFeedToken(Buffer.alloc(32, 7), 'lyon-2-t1', hq.clock.value + 60_000);
    expect((await getWith(hq, `${d.feedPath}/latest-linux.yml`, { authorization: `Bearer ${stranger}` })).status).toBe(401);
    expect((await getWith(hq, '/v1/updates/files/Fidele-1.1.0.AppImage', { authorization: `Bearer ${forged}` })).status).toBe(401);
    const now = hq.clock.value;
    hq.clock.value = d.feedTokenExpiresAt;
    const expired = await getWith(hq, `${d.feedPath}/latest-linux.yml`, { authorization: `Bearer ${d.feedToken}` });
    expect(expired.status).toBe(401);
    expect(JSON.parse(expired.text).error.code).toBe('expired_token');
    expect(hq.ctx.guard.refusals()).toContainEqual(expect.objectContaining({ action: 'update_feed', code: 'expired_token' }));
    hq.clock.value = now;
    expect(await hq.count('audit')).toBe(auditBefore);
    expect(await hq.count('rollout_offer')).toBe(offersBefore);
    const counted = hq.ctx.guard.refusals().filter((r) => r.action.startsWith('update_'));
    expect(counted.map((r) => r.code).sort()).toEqual(expect.arrayContaining(['bad_token', 'no_token']));
  });

  it('a revoked terminal’s token opens nothing once the feed’s snapshot is past its age (5 s)', async () => {
    const service = updateService(hq.ctx)!;
    const real = service.monotonic;
    let mono = 0;
    service.monotonic = () => mono;
    try {
      const t = await terminal('paris-11-t9', 'paris-11');
      const d = await directiveOf(hq, t);
      expect((await feedOf(hq, d)).status).toBe(200);
      const { revoke } = await import('../../src/hq/enrolment');
      await revoke(hq.ctx, t.terminalId);
      mono = service.snapshotTtlMs + 1;
      const statuses: number[] = [];
      for (let i = 0; i < 20 && statuses.at(-1) !== 403; i += 1) statuses.push((await feedOf(hq, d)).status);
      expect(statuses.at(-1)).toBe(403);
      expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    } finally {
      service.monotonic = real;
    }
  });

  it('answers terminals by whatever host name they know HQ by, as the other terminal routes do', async () => {
    const d = await directiveOf(hq, lyon);
    expect(await getAsHost(hq, `${d.feedPath}/latest-linux.yml`, 'hq.internal.example', { authorization: `Bearer ${d.feedToken}` })).toBe(200);
    // Staff pages and APIs still answer only to HQ's allowed names.
    expect(await getAsHost(hq, '/v1/releases', 'hq.internal.example', { cookie: it_.cookie })).toBe(421);
  });

  it('serves the file to its terminal, whole or by Range (206) so a download resumes', async () => {
    const d = await directiveOf(hq, lyon);
    const auth = { authorization: `Bearer ${d.feedToken}` };
    const whole = await getWith(hq, '/v1/updates/files/Fidele-1.1.0.AppImage', auth);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.bytes.equals(build)).toBe(true);
    const part = await getWith(hq, '/v1/updates/files/Fidele-1.1.0.AppImage', { ...auth, range: 'bytes=150000-' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 150000-199999/${build.length}`);
    expect(part.bytes.equals(build.subarray(150_000))).toBe(true);
    const middle = await getWith(hq, '/v1/updates/files/Fidele-1.1.0.AppImage', { ...auth, range: 'bytes=10-19' });
    expect(middle.bytes.equals(build.subarray(10, 20))).toBe(true);
    expect((await getWith(hq, '/v1/updates/files/Fidele-1.1.0.AppImage', { ...auth, range: 'bytes=300000-' })).status).toBe(416);
    // Another build HQ holds is not this terminal's to fetch.
    expect((await getWith(hq, '/v1/updates/files/Fidele-1.2.0.AppImage', auth)).status).toBe(404);
  });
});

describe('status reports', () => {
  it('keeps the latest per terminal, shows it in the fleet API, and bounds the history', async () => {
    const answer = await hq.post('/v1/updates/status', statusRequest(hq, lyon, { state: 'downloading', progressPercent: 42 }));
    expect(answer.status).toBe(204);
    const failed = { code: 'sha512-mismatch' as const, message: 'le fichier ne correspond pas', at: hq.clock.value, version: '1.1.0' };
    expect((await hq.post('/v1/updates/status', statusRequest(hq, lyon, { state: 'failed', progressPercent: null, lastError: failed, build: 'b-0002' }))).status).toBe(204);
    const fleet = await it_.get('/v1/fleet');
    const mine = fleet.json.updates.find((u: { terminalId: string }) => u.terminalId === 'lyon-2-t1');
    expect(mine).toMatchObject({ appVersion: '0.1.0', build: 'b-0002', state: 'failed', targetVersion: '1.1.0', lastError: failed });
    const releases = await it_.get('/v1/releases');
    const rollout = releases.json.rollouts.find((r: { rolloutId: string }) => r.rolloutId === rolloutId);
    expect(rollout.progress.failed).toBe(1);

    for (let i = 0; i < 55; i += 1) await hq.post('/v1/updates/status', statusRequest(hq, pilotA, { state: 'idle', targetVersion: null, progressPercent: null, appVersion: '1.1.0' }));
    expect((await hq.ctx.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM terminal_update_history WHERE terminal_id = 'paris-11-t1'"))[0]!.n).toBe(50);
    // The reported version is the one HQ lists for the terminal, and the rollout counts it on target.
    expect((await it_.get('/v1/fleet')).json.terminals.find((t: { terminalId: string }) => t.terminalId === 'paris-11-t1').appVersion).toBe('1.1.0');
  }, 60_000);

  it('refuses a forged, stale or replayed report without writing it', async () => {
    const before = await hq.count('terminal_update_history');
    const forged = { ...statusRequest(hq, lyon), signature: statusRequest(hq, pilotA).signature };
    expect((await hq.post('/v1/updates/status', forged)).json.error.code).toBe('bad_signature');
    expect((await hq.post('/v1/updates/status', statusRequest(hq, lyon, {}, { sentAt: hq.clock.value - 3_600_000 }))).json.error.code).toBe('stale');
    const once = statusRequest(hq, lyon);
    expect((await hq.post('/v1/updates/status', once)).status).toBe(204);
    expect((await hq.post('/v1/updates/status', once)).json.error.code).toBe('replay');
    expect((await hq.post('/v1/updates/status', { ...statusRequest(hq, lyon), report: { state: 'exploded' } })).status).toBe(400);
    expect(await hq.count('terminal_update_history')).toBe(before + 1);
  });
});

describe('IT’s releases API', () => {
  it('lets IT pause and widen with the CSRF token; others and token-less posts are refused', async () => {
    const list = await it_.get('/v1/releases');
    expect(list.status).toBe(200);
    expect(list.json.releases.map((r: { version: string }) => r.version)).toContain('1.1.0');
    expect((await it_.post(`/v1/releases/rollouts/${rolloutId}/pause`, {}, { csrf: false })).status).toBe(403);
    const marketing = await staffClient(hq, 'marketing');
    expect((await marketing.get('/v1/releases')).status).toBe(403);
    expect((await marketing.post(`/v1/releases/rollouts/${rolloutId}/pause`, {})).status).toBe(403);
    const paused = await it_.post(`/v1/releases/rollouts/${rolloutId}/pause`, {});
    expect(paused.status).toBe(200);
    expect(paused.json.rollout.status).toBe('paused');
    expect((await it_.post(`/v1/releases/rollouts/${rolloutId}/widen`, { percent: 'all' })).status).toBe(400);
    expect((await it_.post(`/v1/releases/rollouts/${rolloutId}/resume`, {})).json.rollout.status).toBe('active');
    // Publishing reads a path on HQ's disk: the operator's CLI only.
    expect((await it_.post('/v1/releases/publish', { file: '/etc/passwd', version: '5.0.0', channel: 'stable' })).status).toBe(403);
    const audit = await hq.ctx.sql.query<{ message: string }>("SELECT message FROM audit WHERE action = 'release' AND code = 'paused'");
    expect(audit.map((a) => a.message)).toContain('rollout of 1.1.0 paused (staff:it-staff)');
    // IT actions are not refusals.
    expect((await it_.get('/v1/fleet')).json.recentRefusals.filter((r: { action: string }) => r.action === 'release')).toEqual([]);
  });
});

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)(`rollout on a PostgreSQL server (${unavailable ?? 'Debian PostgreSQL 15'})`, () => {
  let cluster: PostgresCluster | null = null;
  let pg: TestHq | null = null;
  const mine: TestTerminal[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    pg = await startTestHq({ databaseUrl: cluster.url('postgres') });
  }, 90_000);

  afterAll(async () => {
    for (const t of mine) t.close();
    await pg?.stop();
    cluster?.stop();
  }, 30_000);

  it('publishes, rolls out to a store, and serves the target to its terminal only', async () => {
    const h = pg!;
    expect(updateService(h.ctx)).not.toBeNull();
    const inStore = new TestTerminal('pg-a-t1', 'pg-a');
    const outside = new TestTerminal('pg-b-t1', 'pg-b');
    mine.push(inStore, outside);
    await inStore.enrol(h);
    await outside.enrol(h);
    await publish(h, '1.1.0');
    await createRollout(h.ctx, { version: '1.1.0', stores: ['pg-a'], percent: 100 }, 'test');
    const d = await directiveOf(h, inStore);
    expect(d.target?.manifest.version).toBe('1.1.0');
    expect((await feedOf(h, d)).text).toContain("version: '1.1.0'");
    expect((await directiveOf(h, outside)).target).toBeNull();
    expect((await h.post('/v1/updates/status', statusRequest(h, inStore))).status).toBe(204);
  }, 60_000);
});
