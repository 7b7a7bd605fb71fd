import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEnrolCode } from '../../src/hq/enrolment';
import { verifyTerminal } from '../../src/hq/fleet';
import { startHq, type Hq } from '../../src/hq/server';
import type { Timers } from '../../src/main/core/devices/reconnect';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { confirmedPoints } from '../../src/main/core/sync/pull';
import { createSync, type Sync } from '../../src/main/core/sync/sync-service';
import { line, openHarness, sale, type Harness } from '../integration/ledger-fixture';

/**
 * The real sync client against the real HQ over loopback HTTP (PGlite in a
 * temp folder): the oracle of sync-ledger.md §3 on a small case, then HQ
 * down while the terminal keeps selling, HQ back on the same data, and
 * convergence again.
 *
 * Timers that never fire: the test drives every exchange with `syncNow`, so
 * no background push or pull races the assertions.
 */
const inert: Timers = { setTimeout: () => null, clearTimeout: () => {} };

const TERMINAL = 'caisse-paris-11-1';
const STORE = 'paris-11';

let hq: Hq | null = null;
let h: Harness | null = null;
const dir = mkdtempSync(join(tmpdir(), 'fidele-sync-hq-'));

afterAll(async () => {
  await hq?.close();
  h?.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(port = 0): Promise<Hq> {
  return startHq({ dataDir: dir, port, clock: { now: () => h!.clock.value }, random: seededRandom(99), logger: silentLogger, maintenanceIntervalMs: 0 });
}

let receipts = 0;
function sell(memberId: string, cents: number, redeemPoints = 0): void {
  h!.ledger.commit(sale(memberId, `R${++receipts}`, [line(cents)], redeemPoints));
  h!.clock.value += 60_000;
  h!.mono.value += 60_000;
}

async function expectConverged(sync: Sync): Promise<void> {
  const server = hq!;
  const terminal = h!;
  const local = terminal.db
    .prepare<[string], { seq: number; entry_hash: string }>('SELECT seq, entry_hash FROM ledger_entry WHERE terminal_id = ? ORDER BY seq')
    .all(TERMINAL);
  const remote = await server.ctx.sql.query<{ seq: number; entry_hash: string }>('SELECT seq, entry_hash FROM journal_entry WHERE terminal_id = $1 ORDER BY seq', [TERMINAL]);
  expect(local.length).toBeGreaterThan(0);
  expect(remote).toEqual(local);

  const verification = await verifyTerminal(server.ctx, TERMINAL);
  expect(verification.ok).toBe(true);
  expect(verification.streams.map((s) => s.lastSeq)).toEqual([local[local.length - 1]!.seq]);

  const localBalances = terminal.db.prepare<[], { account: string; balance: number }>('SELECT account, balance FROM ledger_balance WHERE balance <> 0 ORDER BY account').all();
  // HQ keeps program accounts per customer (its rows are sharded by customer): summed per account, they must match.
  const remoteBalances = await server.ctx.sql.query<{ account: string; balance: number }>(
    'SELECT account, sum(balance)::bigint AS balance FROM account_balance GROUP BY account HAVING sum(balance) <> 0 ORDER BY account',
  );
  expect(remoteBalances).toEqual(localBalances);

  const head = terminal.ledger.head();
  expect(terminal.ledger.ackCursor().seq).toBe(head.seq);
  expect(sync.status()).toMatchObject({ backlog: 0, state: 'idle', problem: null, rejectedReceipts: 0 });

  const claire = terminal.members.claire.id;
  expect(confirmedPoints(terminal.db, terminal.ledger, claire)).toEqual({ hqBalance: terminal.ledger.points(claire).balance, localSince: 0, total: terminal.ledger.points(claire).balance });
}

describe('the terminal sync client against the real HQ', () => {
  it('enrols, pushes sales and a refund, pulls the balances back; survives HQ down and restarted', async () => {
    h = openHarness({ terminalId: TERMINAL });
    hq = await start();
    const port = hq.port;
    const sync = createSync({
      db: h.db,
      ledger: h.ledger,
      members: new MemberStore(h.db),
      clock: { now: () => h!.clock.value },
      random: seededRandom(7),
      logger: silentLogger,
      fetch: globalThis.fetch,
      timers: inert,
      hqUrl: `${hq.url}/`,
      maxEntries: 2,
    });

    const { code } = await createEnrolCode(hq.ctx, STORE, TERMINAL);
    const outcome = await sync.enrol({ code, storeId: STORE });
    expect(outcome.restartRequired).toBe(false);
    expect(outcome.enrolment).toMatchObject({ terminalId: TERMINAL, storeId: STORE, epoch: 1, hqKeyId: hq.ctx.key.keyId, hqPublicKey: hq.ctx.key.publicKey });
    sync.start();

    const claire = h.members.claire;
    sell(claire.id, 2_400);
    sell(claire.id, 12_000);
    sell(h.members.helene.id, 3_600);
    h.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'R1' }, lines: 'all' });
    sell(claire.id, 4_800, 100);
    expect(sync.status().backlog).toBe(h.ledger.head().seq);

    await sync.syncNow();
    await expectConverged(sync);

    await hq.close();
    hq = null;
    const ackedBefore = h.ledger.head().seq;
    sell(claire.id, 6_000);
    sell(claire.id, 1_200);
    await sync.syncNow();
    const offline = sync.status();
    expect(offline).toMatchObject({ state: 'offline', ackedSeq: ackedBefore, problem: null });
    expect(offline.lastError?.code).toBe('unreachable');
    // Still selling while HQ is away: the journal grows, nothing is acknowledged.
    sell(claire.id, 3_000);
    expect(sync.status().backlog).toBe(h.ledger.head().seq - ackedBefore);
    expect(sync.status().backlog).toBeGreaterThanOrEqual(3);

    hq = await start(port);
    await sync.syncNow();
    await expectConverged(sync);
  });
});
