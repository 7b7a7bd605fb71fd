import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseExpiredHolds } from '../../src/hq/holds';
import { systemTimers, type Timers } from '../../src/main/core/devices/reconnect';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { DEFAULT_OFFLINE_LIMITS } from '../../src/main/core/ledger/offline';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { createHolds, type Holds } from '../../src/main/core/sync/holds';
import { HqClock } from '../../src/main/core/sync/hq-clock';
import { allowanceLimitsProvider } from '../../src/main/core/sync/offline-allowance';
import { createSync, type Sync } from '../../src/main/core/sync/sync-service';
import { createTransport, type FetchLike } from '../../src/main/core/sync/transport';
import { enrolCode, hqPoints, startTestHq, type TestHq } from '../hq/hq-fixture';
import { line, openHarness, rejection, sale, type Harness } from '../integration/ledger-fixture';

/**
 * Online redemption through an HQ hold, the real client against the real HQ
 * (PGlite) over loopback HTTP: pending → posted by the redeem entry the push
 * delivers, voided by an abandoned or failed sale, released by HQ's clock,
 * refused chain-wide when another terminal holds the points, and the offline
 * fallback under HQ's signed allowance when HQ cannot be reached.
 *
 * The terminal's ledger spends only points its own journal holds (it does not
 * yet redeem on HQ's pulled balance): where two terminals compete, the second
 * one's own earning has not reached HQ yet, so HQ's available balance — posted
 * minus pending, what it enforces — is below what that terminal sees. (These
 * holds are built without `pushThrough`, which the sync service wires so that
 * a terminal sends its own unsent earning before asking: till-hold.test.ts.)
 */
const inert: Timers = { setTimeout: () => null, clearTimeout: () => {} };

interface Terminal {
  h: Harness;
  sync: Sync;
  holds: Holds;
  fetches: string[];
  /** Set to make every request to HQ fail as a network error. */
  cut: { value: boolean };
}

let hq: TestHq;
const opened: Terminal[] = [];

beforeAll(async () => {
  hq = await startTestHq();
}, 60_000);

afterAll(async () => {
  for (const t of opened) {
    t.sync.stop();
    t.h.close();
  }
  await hq.stop();
});

async function terminal(terminalId: string, storeId: string): Promise<Terminal> {
  const h = openHarness({ terminalId });
  const clock = { now: () => h.clock.value };
  h.ledger = createLedger({
    db: h.db,
    clock,
    random: seededRandom(21),
    monotonic: { now: () => h.mono.value },
    terminalId,
    logger: silentLogger,
    rules: DEFAULT_PROGRAM,
    offlineLimits: allowanceLimitsProvider({ db: h.db, terminalId, beforeEnrolment: () => DEFAULT_OFFLINE_LIMITS }),
  });
  const fetches: string[] = [];
  const cut = { value: false };
  const fetch: FetchLike = (url, init) => {
    fetches.push(new URL(url).pathname);
    return cut.value ? Promise.reject(new TypeError('fetch failed: ECONNREFUSED')) : globalThis.fetch(url, init);
  };
  const sync = createSync({ db: h.db, ledger: h.ledger, members: new MemberStore(h.db), clock, random: seededRandom(5), logger: silentLogger, fetch, timers: inert, hqUrl: hq.url });
  const { enrolment } = await sync.enrol({ code: await enrolCode(hq, storeId, terminalId), storeId });
  sync.start();
  const holds = createHolds({
    ledger: h.ledger,
    transport: createTransport({ fetch, hqUrl: hq.url, timers: systemTimers, clock, timeoutMs: 5_000 }),
    key: sync.key,
    enrolment,
    clock,
    hqClock: new HqClock(clock, { now: () => h.mono.value }),
    random: seededRandom(33),
    logger: silentLogger,
    holdTimeoutMs: 60_000,
    onReachability: (reachable) => h.ledger.setOffline(!reachable),
  });
  const t = { h, sync, holds, fetches, cut };
  opened.push(t);
  return t;
}

async function holdRow(memberId: string, holdId: string) {
  const rows = await hq.ctx.sql.query<{ status: string; points: number; terminal_id: string }>('SELECT status, points, terminal_id FROM hold WHERE customer_id = $1 AND hold_id = $2', [
    memberId,
    holdId,
  ]);
  return rows[0] ?? null;
}

let receipts = 0;
const redeeming = (memberId: string, points: number, cents = 20_000) => sale(memberId, `H${++receipts}`, [line(cents)], points);

describe('online redemption through an HQ hold', () => {
  let a: Terminal;
  let claire: string;

  beforeAll(async () => {
    a = await terminal('caisse-a-1', 'store-a');
    claire = a.h.members.claire.id;
    a.h.ledger.commit(sale(claire, 'EARN-A', [line(120_000)])); // 1,000 points
    await a.sync.syncNow();
    expect(await hqPoints(hq, claire)).toBe(1_000);
  }, 30_000);

  it('holds at HQ, records the hold in the redeem entry, and the pushed entry posts it', async () => {
    const held = await a.holds.redeemWithHold(redeeming(claire, 300));
    expect(held.mode).toBe('online');
    if (held.mode !== 'online') return;
    expect(held.grant).toMatchObject({ memberId: claire, points: 300, status: 'pending', keyId: hq.ctx.key.keyId });
    expect(await holdRow(claire, held.grant.holdId)).toMatchObject({ status: 'pending', points: 300, terminal_id: 'caisse-a-1' });
    const redeem = a.h.ledger.history(claire, 2).find((e) => e.kind === 'redeem')!;
    expect(redeem).toMatchObject({ offline: false, detail: { hold_id: held.grant.holdId, points: 300 } });
    expect(redeem.detail).not.toHaveProperty('allowance_id');
    expect(a.holds.pending()).toEqual([]);

    await a.sync.syncNow();
    expect(await holdRow(claire, held.grant.holdId)).toMatchObject({ status: 'posted' });
    expect(await hqPoints(hq, claire)).toBe(a.h.ledger.points(claire).balance);
  });

  it('voids the hold of an abandoned sale, and of a sale the ledger refuses at commit', async () => {
    const input = redeeming(claire, 200);
    const reservation = await a.holds.reserve(input);
    expect(reservation.mode).toBe('online');
    if (reservation.mode !== 'online') return;
    expect(a.holds.pending()).toEqual([{ saleKey: reservation.saleKey, holdId: reservation.grant.holdId, points: 200 }]);
    await a.holds.abandon(reservation);
    expect(await holdRow(claire, reservation.grant.holdId)).toMatchObject({ status: 'voided' });
    expect(a.holds.pending()).toEqual([]);

    // Held at HQ, then another sale at this till spends the points before this one commits.
    const balance = a.h.ledger.points(claire).balance;
    const late = redeeming(claire, balance - (balance % 100));
    const lateReservation = await a.holds.reserve(late);
    expect(lateReservation.mode).toBe('online');
    a.h.ledger.commit(redeeming(claire, late.redeemPoints));
    const refused = await rejection(a.holds.commit(late, lateReservation));
    expect(refused.issues?.[0]!.message).toBe('ledger.insufficient_points');
    if (lateReservation.mode === 'online') expect(await holdRow(claire, lateReservation.grant.holdId)).toMatchObject({ status: 'voided' });
    await a.sync.syncNow();
    expect(await hqPoints(hq, claire)).toBe(a.h.ledger.points(claire).balance);
  });

  it('lets HQ release a hold the sale never settled, on HQ time', async () => {
    a.h.ledger.commit(sale(claire, 'EARN-A2', [line(120_000)]));
    await a.sync.syncNow();
    const reservation = await a.holds.reserve(redeeming(claire, 100));
    if (reservation.mode !== 'online') throw new Error('expected an online hold');
    expect(await releaseExpiredHolds(hq.ctx)).toBe(0);
    hq.clock.value += 60_000;
    expect(await releaseExpiredHolds(hq.ctx)).toBe(1);
    expect(await holdRow(claire, reservation.grant.holdId)).toMatchObject({ status: 'released' });
    // The released points are available again: the whole HQ balance can be held.
    const all = await hqPoints(hq, claire);
    const again = await a.holds.reserve(redeeming(claire, all - (all % 100)));
    expect(again.mode).toBe('online');
    await a.holds.abandon(again);
  });

  it('sends a void HQ did not hear again before it next holds that customer’s points', async () => {
    const reservation = await a.holds.reserve(redeeming(claire, 100));
    if (reservation.mode !== 'online') throw new Error('expected an online hold');
    a.cut.value = true;
    await a.holds.abandon(reservation);
    a.cut.value = false;
    a.h.ledger.setOffline(false);
    expect(await holdRow(claire, reservation.grant.holdId)).toMatchObject({ status: 'pending' });

    // The customer changes her mind and spends all she has: only possible once HQ has heard the void.
    const all = await hqPoints(hq, claire);
    const calls = a.fetches.length;
    const again = await a.holds.reserve(redeeming(claire, all - (all % 100)));
    expect(again.mode).toBe('online');
    expect(a.fetches.slice(calls)).toEqual(['/v1/holds/void', '/v1/holds']);
    expect(await holdRow(claire, reservation.grant.holdId)).toMatchObject({ status: 'voided' });
    await a.holds.abandon(again);
    // Heard once, never sent again.
    const after = a.fetches.length;
    await a.holds.abandon(await a.holds.reserve(redeeming(claire, 100)));
    expect(a.fetches.slice(after)).toEqual(['/v1/holds', '/v1/holds/void']);
  });

  it('refuses the second terminal beyond what HQ has available, and writes nothing there', async () => {
    const b = await terminal('caisse-b-1', 'store-b');
    const jp = a.h.members.jeanPierre.id;
    a.h.ledger.commit(sale(jp, 'EARN-JP-A', [line(120_000)])); // 1,000 points at A
    await a.sync.syncNow();
    b.h.ledger.commit(sale(jp, 'EARN-JP-B', [line(72_000)])); // 600 points at B, not pushed yet
    expect(await hqPoints(hq, jp)).toBe(1_000);

    const atA = await a.holds.reserve(redeeming(jp, 800));
    expect(atA.mode).toBe('online');
    const before = b.h.snapshot();
    const refused = await rejection(b.holds.redeemWithHold(redeeming(jp, 400)));
    expect(refused.code).toBe('conflict');
    expect(refused.issues).toEqual([{ path: 'redeemPoints', message: 'ledger.insufficient_points' }]);
    expect(refused.message).toContain('200 available');
    expect(b.h.snapshot()).toBe(before);
    expect(b.h.ledger.connectivity().offline).toBe(false);

    const atB = await b.holds.redeemWithHold(redeeming(jp, 200));
    expect(atB.mode).toBe('online');
    // Both holds pending: nothing is left to hold at HQ.
    expect((await rejection(b.holds.reserve(redeeming(jp, 100)))).code).toBe('conflict');
    await a.holds.abandon(atA);
    expect((await b.holds.reserve(redeeming(jp, 100))).mode).toBe('online');
  });

  it('falls back to the offline path under the signed allowance when HQ cannot be reached', async () => {
    const allowance = await hq.ctx.sql.query<{ allowance: { allowanceId: string; maxPointsPerTransaction: number } }>('SELECT allowance FROM allowance WHERE terminal_id = $1', [
      'caisse-a-1',
    ]);
    const zoe = a.h.members.zoe.id;
    a.h.ledger.commit(sale(zoe, 'EARN-ZOE', [line(120_000), line(120_000)])); // 2,000 points, no line over the programme's ceiling
    a.cut.value = true;
    const calls = a.fetches.length;
    const held = await a.holds.redeemWithHold(redeeming(zoe, 500));
    expect(held).toMatchObject({ mode: 'offline', reason: expect.stringContaining('unreachable') });
    expect(a.fetches.slice(calls)[0]).toBe('/v1/holds');
    expect(a.h.ledger.connectivity().offline).toBe(true);
    const entry = a.h.ledger.history(zoe, 2).find((e) => e.kind === 'redeem')!;
    expect(entry).toMatchObject({ offline: true, detail: { allowance_id: allowance[0]!.allowance.allowanceId } });
    expect(entry.detail).not.toHaveProperty('hold_id');

    // Offline, HQ is not asked at all, and HQ's per-sale limit bounds the sale.
    const asked = a.fetches.length;
    const over = allowance[0]!.allowance.maxPointsPerTransaction + 100;
    expect((await rejection(a.holds.redeemWithHold(redeeming(zoe, over, 200_000)))).issues?.[0]!.message).toBe('ledger.offline.per_transaction');
    expect(a.fetches.length).toBe(asked);

    a.cut.value = false;
    // What the sync service's reachability does once HQ answers again (here the holds client reports to the ledger directly).
    a.h.ledger.setOffline(false);
    await a.sync.syncNow();
    expect(await hqPoints(hq, zoe)).toBe(a.h.ledger.points(zoe).balance);
    const incidents = await hq.ctx.sql.query('SELECT kind FROM sync_anomaly WHERE customer_id = $1', [zoe]);
    expect(incidents).toEqual([]);
  });
});
