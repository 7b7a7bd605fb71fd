import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEnrolCode } from '../../src/hq/enrolment';
import { startHq, type Hq } from '../../src/hq/server';
import type { Timers } from '../../src/main/core/devices/reconnect';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { createSync, type Sync } from '../../src/main/core/sync/sync-service';
import type { FetchLike } from '../../src/main/core/sync/transport';
import { line, openHarness, sale, WEDNESDAY_10H, type Harness } from '../integration/ledger-fixture';

/**
 * A till whose clock is a year ahead of HQ's keeps syncing: HQ refuses its
 * first request as stale, with HQ's time; the client corrects its estimate
 * of HQ's clock and signs the request again at once, in HQ's time. After
 * that the estimate follows the monotonic clock, so setting the wall clock
 * back mid-session costs nothing.
 */
const YEAR = 365 * 24 * 3600_000;
const inert: Timers = { setTimeout: () => null, clearTimeout: () => {} };
const dir = mkdtempSync(join(tmpdir(), 'fidele-clock-offset-'));
const hqClock = { value: WEDNESDAY_10H };
let hq: Hq;
let h: Harness;
const sent: Array<{ path: string; sentAt: number; nonce: string; status: number; code: string | null }> = [];

const fetch: FetchLike = async (url, init) => {
  const response = await globalThis.fetch(url, init);
  const body = JSON.parse(init.body) as { sentAt?: number; nonce?: string; header?: { sentAt: number; nonce: string } };
  const text = await response.clone().text();
  const answer = JSON.parse(text) as { error?: { code: string }; refusal?: { code: string } };
  sent.push({
    path: new URL(url).pathname,
    sentAt: body.header?.sentAt ?? body.sentAt ?? -1,
    nonce: body.header?.nonce ?? body.nonce ?? '',
    status: response.status,
    code: answer.error?.code ?? answer.refusal?.code ?? null,
  });
  return response;
};

function client(seed: number): Sync {
  return createSync({
    db: h.db,
    ledger: h.ledger,
    members: new MemberStore(h.db),
    clock: { now: () => h.clock.value },
    monotonic: { now: () => h.mono.value },
    random: seededRandom(seed),
    logger: silentLogger,
    fetch,
    timers: inert,
    hqUrl: `${hq.url}/`,
  });
}

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, port: 0, clock: { now: () => hqClock.value }, random: seededRandom(3), logger: silentLogger, maintenanceIntervalMs: 0 });
  h = openHarness({ terminalId: 'caisse-an-plus-tard' });
}, 30_000);

afterAll(async () => {
  h?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('a terminal a year ahead: its first pull is stale, corrected from HQ’s time and signed again at once; it then pulls and pushes in HQ’s time', async () => {
  const first = client(17);
  const { code } = await createEnrolCode(hq.ctx, 'lyon-2', h.ledger.terminalId);
  await first.enrol({ code, storeId: 'lyon-2' });
  first.start();
  await first.syncNow();
  first.stop();

  // The terminal restarts (its estimate of HQ's clock is gone) with its clock a year ahead.
  h.clock.value = WEDNESDAY_10H + YEAR;
  const sync = client(18);
  sync.start();
  sent.length = 0;
  const pulled = await sync.pull();
  expect(pulled, JSON.stringify([pulled, sent])).toMatchObject({ ok: true });
  expect(sent.map((s) => [s.path, s.status, s.code])).toEqual([
    ['/v1/pull', 401, 'stale'],
    ['/v1/pull', 200, null],
  ]);
  expect(sent[0]!.sentAt).toBe(WEDNESDAY_10H + YEAR);
  expect(Math.abs(sent[1]!.sentAt - hqClock.value)).toBeLessThan(1000);
  expect(sent[1]!.nonce).not.toBe(sent[0]!.nonce);

  // Sales, HQ's clock and the monotonic clock move on together; the wall clock is set back two years mid-session.
  for (let i = 1; i <= 3; i++) {
    h.ledger.commit(sale(h.members.claire.id, `R${i}`, [line(2_400)]));
    h.clock.value += 60_000;
    h.mono.value += 60_000;
    hqClock.value += 60_000;
  }
  h.clock.value -= 2 * YEAR;
  sent.length = 0;
  await sync.syncNow();
  expect(sent.map((s) => s.status)).toEqual(sent.map(() => 200));
  expect(sent.map((s) => s.path)).toEqual(expect.arrayContaining(['/v1/push', '/v1/pull']));
  for (const s of sent) expect(Math.abs(s.sentAt - hqClock.value)).toBeLessThan(1000);
  expect(sync.status()).toMatchObject({ backlog: 0, problem: null });
  // HQ still sees how far off the terminal's own clock is.
  const skew = await hq.ctx.sql.query<{ skew_ms: number }>('SELECT skew_ms FROM terminal_stream WHERE terminal_id = $1', [h.ledger.terminalId]);
  expect(skew[0]!.skew_ms).toBeGreaterThan(YEAR / 2);
  sync.stop();
});
