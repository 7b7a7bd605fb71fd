import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Timers } from '../../src/main/core/devices/reconnect';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { DEFAULT_OFFLINE_LIMITS } from '../../src/main/core/ledger/offline';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { allowanceLimitsProvider } from '../../src/main/core/sync/offline-allowance';
import { ReceiptExceptions } from '../../src/main/core/sync/receipt-exceptions';
import { createSync } from '../../src/main/core/sync/sync-service';
import type { FetchLike } from '../../src/main/core/sync/transport';
import { OVERDRAFT_ACCOUNT } from '../../src/hq/projector';
import { balanceDrift, enrolCode, hqPoints, startTestHq, TestTerminal, type TestHq } from '../hq/hq-fixture';
import { line, openHarness, sale, type Harness } from '../integration/ledger-fixture';

/**
 * An offline overdraft end to end (sync-ledger.md §2.1 I7, §2.7): Claire's
 * points are spent online at store B while terminal A, cut off from HQ, still
 * sees them and redeems within its signed allowance. When A is back, HQ
 * records the redemption, moves the shortfall to her offline_overdraft
 * account, says so in A's receipt and opens an incident; A keeps the
 * exception where the sync status can show it.
 *
 * A is the real terminal (ledger, sync client, allowance). B is HQ's test
 * terminal at the wire level: it holds and posts the redemption the way a
 * terminal does, but from a hand-written entry, because the terminal's ledger
 * does not yet redeem points earned at another store.
 */
const inert: Timers = { setTimeout: () => null, clearTimeout: () => {} };
const A = 'caisse-a-1';

let hq: TestHq;
let h: Harness;
let b: TestTerminal;

beforeAll(async () => {
  hq = await startTestHq();
}, 60_000);

afterAll(async () => {
  h?.close();
  b?.close();
  await hq.stop();
});

it('records an offline redemption HQ can no longer cover, posts the shortfall, raises it to HQ and to the terminal', async () => {
  h = openHarness({ terminalId: A });
  const clock = { now: () => h.clock.value };
  h.ledger = createLedger({
    db: h.db,
    clock,
    random: seededRandom(41),
    monotonic: { now: () => h.mono.value },
    terminalId: A,
    logger: silentLogger,
    rules: DEFAULT_PROGRAM,
    offlineLimits: allowanceLimitsProvider({ db: h.db, terminalId: A, beforeEnrolment: () => DEFAULT_OFFLINE_LIMITS }),
  });
  const cut = { value: false };
  const fetch: FetchLike = (url, init) => (cut.value ? Promise.reject(new TypeError('fetch failed: ENETUNREACH')) : globalThis.fetch(url, init));
  const sync = createSync({ db: h.db, ledger: h.ledger, members: new MemberStore(h.db), clock, random: seededRandom(6), logger: silentLogger, fetch, timers: inert, hqUrl: hq.url });
  await sync.enrol({ code: await enrolCode(hq, 'store-a', A), storeId: 'store-a' });
  sync.start();

  const claire = h.members.claire.id;
  h.ledger.commit(sale(claire, 'A1', [line(72_000)])); // 600 points at A
  await sync.syncNow();
  expect(await hqPoints(hq, claire)).toBe(600);

  // A loses HQ: the sync client finds out and the ledger goes offline.
  cut.value = true;
  await sync.syncNow();
  expect(h.ledger.connectivity().offline).toBe(true);

  // Meanwhile at store B, online: HQ holds 500 of her points, and B's redeem entry posts the hold.
  b = new TestTerminal('caisse-b-1', 'store-b');
  await b.enrol(hq);
  const hold = await hq.post(
    '/v1/holds',
    b.signed({ protocolVersion: 1, terminalId: b.terminalId, holdId: 'hold-b-1', memberId: claire, points: 500, timeoutMs: 60_000, sentAt: hq.clock.value }),
  );
  expect(hold.json).toMatchObject({ status: 'pending', points: 500 });
  const atB = b.appendHandMade({
    kind: 'redeem',
    memberId: claire,
    offline: false,
    detail: { hold_id: 'hold-b-1', points: 500 },
    postings: [
      { account: 'program:redemption', delta: 500 },
      { account: `member:${claire}:points`, delta: -500 },
    ],
  });
  const pushedB = await hq.post('/v1/push', b.batch(atB.seq, atB.seq));
  expect(pushedB.json.receipt.exceptions).toEqual([]);
  expect(await hqPoints(hq, claire)).toBe(100);

  // A, offline with its older view (600), redeems 400 within HQ's signed allowance.
  const allowance = (await hq.ctx.sql.query<{ allowance: { allowanceId: string } }>('SELECT allowance FROM allowance WHERE terminal_id = $1', [A]))[0]!.allowance;
  const offlineSale = h.ledger.commit(sale(claire, 'A2', [line(24_000)], 400));
  const redeemRef = offlineSale.entries.find((e) => e.kind === 'redeem')!;
  const redeem = h.ledger.history(claire, 2).find((e) => e.entry_id === redeemRef.entryId)!;
  expect(redeem).toMatchObject({ offline: true, detail: { allowance_id: allowance.allowanceId, points: 400 } });

  // Back online: the push delivers it.
  cut.value = false;
  await sync.syncNow();
  expect(h.ledger.connectivity().offline).toBe(false);
  expect(sync.status()).toMatchObject({ backlog: 0, problem: null });

  // HQ recorded the fact (I7), and moved the 300 points it could not cover to the overdraft account.
  const recorded = await hq.ctx.sql.query<{ entry_hash: string }>('SELECT entry_hash FROM journal_entry WHERE terminal_id = $1 AND entry_id = $2', [A, redeemRef.entryId]);
  expect(recorded).toEqual([{ entry_hash: redeemRef.entryHash }]);
  const overdraft = await hq.ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [claire, OVERDRAFT_ACCOUNT(claire)]);
  expect(overdraft).toEqual([{ balance: -300 }]);
  expect(await hqPoints(hq, claire)).toBe(offlineSale.pointsEarned);
  const incidents = await hq.ctx.sql.query<{ kind: string; entry_id: string; terminal_id: string }>('SELECT kind, entry_id, terminal_id FROM sync_anomaly WHERE customer_id = $1', [claire]);
  expect(incidents).toEqual([{ kind: 'offline_overdraft', entry_id: redeemRef.entryId, terminal_id: A }]);
  expect(await balanceDrift(hq)).toEqual([]);

  // The terminal kept the receipt's exception, and reads it back for the sync status.
  const exceptions = new ReceiptExceptions(h.db, A).summary();
  expect(exceptions.count).toBe(1);
  expect(exceptions.recent).toEqual([
    {
      entryId: redeemRef.entryId,
      kind: 'offline_overdraft',
      detail: expect.stringContaining('overdrawn by 300 points'),
      ackedThroughSeq: expect.any(Number),
      ackedAt: expect.any(Number),
    },
  ]);
  // Later receipts without exceptions leave it as it is.
  h.ledger.commit(sale(claire, 'A3', [line(1_200)]));
  await sync.syncNow();
  expect(new ReceiptExceptions(h.db, A).summary().count).toBe(1);
  sync.stop();
}, 60_000);
