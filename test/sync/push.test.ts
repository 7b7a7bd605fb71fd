import { afterEach, describe, expect, it } from 'vitest';
import { backoffCeiling, fullJitter } from '../../src/main/core/sync/backoff';
import { seededRandom } from '../../src/main/core/ports';
import type { Fault } from './fake-hq';
import { BACKOFF, IDLE_MS, openSyncHarness, type SyncHarness } from './sync-harness';

let s: SyncHarness;
afterEach(() => s?.close());

const T = 'test-t1';

/** Nothing lost, nothing doubled: HQ holds every local entry exactly once, and the ack cursor never runs ahead of HQ. */
function expectConverged(x: SyncHarness): void {
  const local = x.localEntries();
  const epoch = x.h.ledger.head().epoch;
  const applied = x.hq.applied.map((e) => e.seq);
  expect(new Set(applied).size, 'an entry applied twice at HQ').toBe(applied.length);
  expect(x.hq.held(T, epoch).map((e) => [e.seq, e.entry_hash])).toEqual(local.map((e) => [e.seq, e.entry_hash]));
  expect(x.h.ledger.ackCursor().seq).toBe(local.length);
  expect(x.sync.status().backlog).toBe(0);
}

function expectAckWithinHq(x: SyncHarness): void {
  const stream = x.hq.stream(T, x.h.ledger.head().epoch)!;
  expect(x.h.ledger.ackCursor().seq).toBeLessThanOrEqual(stream.lastSeq);
}

/** Every batch HQ received holds whole groups: each group's entries all sit in one batch. */
function expectGroupsWhole(x: SyncHarness): void {
  const local = x.localEntries();
  const sizes = new Map<string, number>();
  for (const e of local) sizes.set(e.group_id, (sizes.get(e.group_id) ?? 0) + 1);
  for (const batch of x.hq.pushes) {
    const counts = new Map<string, number>();
    for (const e of batch.entries) counts.set(e.group_id, (counts.get(e.group_id) ?? 0) + 1);
    for (const [group, n] of counts) expect(n, `group ${group} split across batches`).toBe(sizes.get(group));
  }
}

describe('push', () => {
  it('pushes the journal in signed batches that never split a group, one at a time, and acknowledges from verified receipts', async () => {
    s = await openSyncHarness({ maxEntries: 5 });
    s.sell(30, 2);
    expect(s.localEntries().length).toBeGreaterThan(40);
    s.sync.start();
    await s.time.advance(0);
    expectConverged(s);
    expectGroupsWhole(s);
    // With 5 entries per batch and two-entry groups, some batch must have stretched past 5 to finish a group, or stopped short of it.
    expect(s.hq.pushes.some((b) => b.entries.length !== 5)).toBe(true);
    expect(s.hq.maxInFlight).toBe(1);
    const receipts = s.h.db.prepare<[], { hq_receipt: string }>('SELECT hq_receipt FROM ledger_sync_ack').all();
    expect(receipts.length).toBe(s.hq.pushes.length);
    expect(s.sync.status()).toMatchObject({ state: 'idle', backlog: 0, problem: null });
  });

  /** [name, fault, HQ committed the first push, the terminal got a valid receipt for it] */
  const faults: Array<[string, Fault, boolean, boolean]> = [
    ['HQ unreachable', { kind: 'unreachable' }, false, false],
    ['HQ too slow (timeout)', { kind: 'hang' }, false, false],
    ['a 500', { kind: 'status', status: 500 }, false, false],
    ['a garbage body', { kind: 'garbage' }, false, false],
    ['a body that is JSON but no push answer', { kind: 'status', status: 200, body: '{"ok":true}' }, false, false],
    ['the response lost after HQ committed', { kind: 'lose' }, true, false],
    ['the request delivered twice', { kind: 'duplicate' }, true, true],
    ['a forged receipt signature', { kind: 'forge' }, true, false],
    ['a receipt signed by another key under HQ\u2019s key id', { kind: 'otherKey' }, true, false],
  ];

  for (const [name, fault, hqCommits, receiptValid] of faults) {
    it(`keeps every entry and converges exactly once after ${name}`, async () => {
      s = await openSyncHarness();
      s.sell(6, 3);
      s.hq.faults.push(fault);
      s.sync.start();
      await s.time.advance(0);
      // Acknowledged only if the terminal saw a valid receipt, whatever HQ did.
      const count = s.localEntries().length;
      expect(s.h.ledger.ackCursor().seq).toBe(receiptValid ? count : 0);
      expect(s.hq.stream(T, 1)!.lastSeq).toBe(hqCommits ? count : 0);
      expect(s.sync.status().backlog).toBe(receiptValid ? 0 : count);
      // The till keeps selling meanwhile.
      s.sell(2);
      await s.time.advance(10_000);
      expectAckWithinHq(s);
      await s.time.advance(BACKOFF.capMs);
      expectConverged(s);
      expectGroupsWhole(s);
      if (fault.kind === 'forge' || fault.kind === 'otherKey') expect(s.sync.status().rejectedReceipts).toBe(1);
    });
  }

  it('ignores an answer meant for another request (responses crossed) and converges', async () => {
    s = await openSyncHarness({ maxEntries: 4 });
    s.sell(4);
    s.sync.start();
    await s.time.advance(0);
    s.sell(4);
    s.hq.faults.push({ kind: 'staleAnswer' });
    s.sync.kick();
    await s.time.advance(0);
    // HQ took 5..8, but the terminal saw the receipt for 1..4: it must not count 5..8 as acknowledged.
    expect(s.h.ledger.ackCursor().seq).toBe(4);
    expect(s.sync.status().rejectedReceipts).toBe(1);
    await s.time.advance(BACKOFF.capMs);
    expectConverged(s);
  });

  it('handles a replayed earlier batch (reordered delivery) without doubling anything', async () => {
    s = await openSyncHarness({ maxEntries: 3 });
    s.sell(9);
    s.hq.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    s.sync.start();
    await s.time.advance(0);
    await s.time.advance(BACKOFF.capMs);
    s.sell(3);
    s.hq.faults.push({ kind: 'replayEarlier', index: 0 });
    s.sync.kick();
    await s.time.advance(IDLE_MS);
    expectConverged(s);
  });

  it('resends from HQ\u2019s cursor after a gap (HQ restored from a backup)', async () => {
    s = await openSyncHarness();
    s.sell(10);
    s.sync.start();
    await s.time.advance(0);
    expect(s.h.ledger.ackCursor().seq).toBe(10);
    s.hq.restoreTo(T, 1, 4);
    s.sell(2);
    s.sync.kick();
    await s.time.advance(0);
    expectConverged(s);
    expect(s.hq.pushes.some((b) => b.header.fromSeq === 5)).toBe(true);
  });

  it('stops and reports loudly when HQ says the stream is frozen; no retries after that', async () => {
    s = await openSyncHarness();
    s.sell(3);
    s.sync.start();
    await s.time.advance(0);
    s.hq.stream(T, 1)!.frozen = 'operator froze it';
    s.sell(2);
    s.sync.kick();
    await s.time.advance(0);
    expect(s.sync.status()).toMatchObject({ state: 'frozen', problem: { code: 'frozen' }, backlog: 2 });
    expect(s.h.logs.some((l) => l.level === 'error' && /stopped/.test(l.message))).toBe(true);
    const requests = s.hq.requests.filter((r) => r.path === '/v1/push').length;
    s.sync.kick();
    await s.time.advance(24 * 3600_000);
    expect(s.hq.requests.filter((r) => r.path === '/v1/push').length).toBe(requests);
  });

  it('stops loudly, pushing nothing, when the journal failed its check at start', async () => {
    s = await openSyncHarness();
    s.sell(3);
    // An edited balance: the entries still chain, only the projections give it away; HQ must not be handed them.
    s.h.db.prepare("UPDATE ledger_balance SET balance = balance + 5000 WHERE account LIKE 'member:%:points'").run();
    expect((await s.h.ledger.start()).ok).toBe(false);
    s.sync.start();
    await s.time.advance(0);
    expect(s.sync.status()).toMatchObject({ state: 'frozen', problem: { code: 'ledger_damaged' } });
    expect(s.h.logs.some((l) => l.level === 'error' && /stopped/.test(l.message))).toBe(true);
    await s.time.advance(24 * 3600_000);
    expect(s.hq.requests.filter((r) => r.path === '/v1/push')).toEqual([]);
    expect(s.h.ledger.ackCursor().seq).toBe(0);
  });

  it('stops on equivocation: HQ holds other content under our seq numbers', async () => {
    s = await openSyncHarness();
    s.sell(3);
    s.sync.start();
    await s.time.advance(0);
    // HQ's copy of seq 3 differs from ours, and a replay of our batch lands on it.
    const held = s.hq.held(T, 1);
    held[2]!.entry_hash = 'f'.repeat(64);
    s.hq.restoreTo(T, 1, 3);
    s.sell(1);
    s.sync.kick();
    await s.time.advance(0);
    expect(s.sync.status().problem?.code).toBe('equivocation');
    expect(s.h.ledger.ackCursor().seq).toBe(3);
  });

  it('backs off exponentially with full jitter, capped, on a timer that runs without any sale', async () => {
    s = await openSyncHarness();
    s.sell(2);
    for (let i = 0; i < 12; i++) s.hq.faults.push({ kind: 'unreachable' });
    s.sync.start();
    await s.time.advance(0);
    for (let i = 0; i < 12; i++) await s.time.advance(BACKOFF.capMs);
    const times = s.hq.requests.filter((r) => r.path === '/v1/push').map((r) => r.at);
    expect(times.length).toBeGreaterThanOrEqual(13);
    for (let k = 1; k < 13; k++) {
      const waited = times[k]! - times[k - 1]!;
      expect(waited).toBeGreaterThanOrEqual(0);
      expect(waited).toBeLessThanOrEqual(backoffCeiling(k - 1, BACKOFF));
    }
    // The twelve unreachable attempts were followed, with no sale and no kick, by a successful one.
    expectConverged(s);
    expect(s.h.ledger.connectivity().offline).toBe(false);
  });

  it('draws jitter uniformly under a ceiling that doubles up to the cap', () => {
    const random = seededRandom(3);
    for (let attempt = 0; attempt < 10; attempt++) {
      const ceiling = backoffCeiling(attempt, BACKOFF);
      expect(ceiling).toBe(Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** attempt));
      const draws = Array.from({ length: 400 }, () => fullJitter(attempt, BACKOFF, random));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThanOrEqual(ceiling);
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      expect(mean).toBeGreaterThan(ceiling * 0.4);
      expect(mean).toBeLessThan(ceiling * 0.6);
    }
  });

  it('honours Retry-After on 429 and 503', async () => {
    s = await openSyncHarness();
    s.sell(2);
    s.hq.faults.push({ kind: 'retryAfter', status: 429, seconds: 120 }, { kind: 'retryAfter', status: 503, seconds: 300 });
    s.sync.start();
    await s.time.advance(0);
    const first = s.time.value;
    await s.time.advance(119_000);
    expect(s.hq.requests.filter((r) => r.path === '/v1/push').length).toBe(1);
    await s.time.advance(1_000);
    const pushes = s.hq.requests.filter((r) => r.path === '/v1/push');
    expect(pushes.length).toBe(2);
    expect(pushes[1]!.at - first).toBeGreaterThanOrEqual(120_000);
    await s.time.advance(299_000);
    expect(s.hq.requests.filter((r) => r.path === '/v1/push').length).toBe(2);
    await s.time.advance(1_000);
    expectConverged(s);
  });

  it('keeps one batch in flight even when sales kick the loop during a slow request', async () => {
    s = await openSyncHarness({ maxEntries: 2, timeoutMs: 5_000 });
    s.sell(4);
    s.hq.faults.push({ kind: 'hang' });
    s.sync.start();
    await s.time.advance(0);
    for (let i = 0; i < 5; i++) {
      s.sell(1);
      s.sync.kick();
      await s.time.advance(500);
    }
    expect(s.sync.status().state).toBe('pushing');
    await s.time.advance(BACKOFF.capMs * 2);
    expect(s.hq.maxInFlight).toBe(1);
    expectConverged(s);
  });

  it('flips the ledger offline while HQ cannot be reached, keeps selling, and back online after', async () => {
    s = await openSyncHarness();
    s.sell(2);
    s.hq.down = true;
    s.sync.start();
    await s.time.advance(0);
    expect(s.h.ledger.connectivity().offline).toBe(true);
    expect(s.sync.status().state).toBe('offline');
    s.sell(3);
    const offlineEntries = s.h.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM ledger_entry WHERE offline = 1').get()!.n;
    expect(offlineEntries).toBe(3);
    await s.time.advance(BACKOFF.capMs * 3);
    expect(s.h.ledger.ackCursor().seq).toBe(0);
    s.hq.down = false;
    await s.time.advance(BACKOFF.capMs * 2);
    expect(s.h.ledger.connectivity().offline).toBe(false);
    expectConverged(s);
    expect(s.sync.status().lastContactAt).not.toBeNull();
  });

  it('drains a long backlog in bounded batches and reports its progress', async () => {
    s = await openSyncHarness({ maxEntries: 100 });
    s.sell(600);
    const seen: Array<{ done: number; total: number }> = [];
    s.hq.faults.push({ kind: 'unreachable' });
    s.sync.start();
    await s.time.advance(0);
    expect(s.sync.status().progress).toEqual({ done: 0, total: 600 });
    const tick = setInterval(() => {
      const p = s.sync.status().progress;
      if (p) seen.push(p);
    }, 0);
    await s.time.advance(BACKOFF.baseMs);
    clearInterval(tick);
    expectConverged(s);
    expect(s.hq.pushes.every((b) => b.entries.length <= 100)).toBe(true);
    expect(s.hq.pushes.length).toBeGreaterThanOrEqual(6);
    expect(s.sync.status().progress).toBeNull();
  });
});
