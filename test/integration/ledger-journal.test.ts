import { spawnSync } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src/shared/contract';
import { entryHash, PROVISIONAL_GENESIS } from '../../src/main/core/ledger/chain';
import { rowToEntry, type EntryRow } from '../../src/main/core/ledger/journal';
import { LEDGER_TABLES, line, openHarness, refusal, sale, type Harness } from './ledger-fixture';

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => h.close());

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function rows(): EntryRow[] {
  return h.db.prepare<[], EntryRow>('SELECT * FROM ledger_entry ORDER BY seq').all();
}

/** A little of everything: earn, redeem, refunds, an adjustment. */
function activity(): void {
  const { claire, helene } = h.members;
  h.ledger.commit(sale(claire.id, 'R-1', [line(36000)]));
  h.mono.value += 250;
  h.ledger.commit(sale(claire.id, 'R-2', [line(2400, { lineId: 'A' }), line(1200, { lineId: 'B' })], 100));
  h.ledger.commit(sale(helene.id, 'R-3', [line(1200)]));
  h.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'R-2' }, lines: [{ lineId: 'A', quantity: 1 }] });
  h.ledger.adjust({ adjustmentId: 'A-1', memberId: helene.id, points: 25, reason: 'Geste commercial', actor: 'caissier-7' });
}

function dropTriggers(): void {
  for (const { name } of h.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'ledger_%'").all()) {
    h.db.exec(`DROP TRIGGER ${name}`);
  }
}

describe('the journal', () => {
  it('refuses UPDATE and DELETE on every fact table', () => {
    activity();
    for (const table of ['ledger_entry', 'ledger_posting', 'ledger_sale', 'ledger_refund', 'ledger_adjustment', 'ledger_stream']) {
      const column = h.db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${table}') LIMIT 1`).get()!.name;
      expect(() => h.db.prepare(`UPDATE ${table} SET ${column} = ${column}`).run(), table).toThrow(/append-only/);
      expect(() => h.db.prepare(`DELETE FROM ${table}`).run(), table).toThrow(/append-only/);
    }
    h.ledger.recordAck({ throughSeq: 1, hash: rows()[0]!.entry_hash, hqReceipt: 'hq-1' });
    expect(() => h.db.prepare('DELETE FROM ledger_sync_ack').run()).toThrow(/append-only/);
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('refuses an entry that does not follow the head', () => {
    activity();
    const last = rows().at(-1)!;
    const insert = h.db.prepare(`INSERT INTO ledger_entry SELECT terminal_id, epoch, @seq, @id, group_id, kind, schema_version, rules_version, member_id,
      till_id, receipt, wall_time, mono_time, mono_boot, offline, postings, detail, @prev, entry_hash FROM ledger_entry WHERE seq = 1`);
    expect(() => insert.run({ seq: last.seq + 2, id: 'x1', prev: last.entry_hash })).toThrow(/seq must follow/);
    expect(() => insert.run({ seq: last.seq + 1, id: 'x2', prev: PROVISIONAL_GENESIS })).toThrow(/prev_hash must be/);
  });

  it('numbers entries without gaps, chains them from the genesis and records who, what and when', () => {
    activity();
    const all = rows();
    expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all[0]!.prev_hash).toBe(PROVISIONAL_GENESIS);
    for (const [i, row] of all.entries()) {
      const entry = rowToEntry(row);
      if (i > 0) expect(row.prev_hash).toBe(all[i - 1]!.entry_hash);
      expect(entryHash(entry, row.prev_hash)).toBe(row.entry_hash);
      expect(entry).toMatchObject({ terminal_id: 'test-t1', epoch: 1, schema_version: 1, rules_version: 'fr-2026.1', offline: false });
      expect(entry.postings.reduce((s, p) => s + p.delta, 0)).toBe(0);
      expect(new Set([entry.entry_id, entry.group_id].map((id) => UUID_V7.test(id)))).toEqual(new Set([true]));
    }
    expect(all.map((r) => r.kind)).toEqual(['earn', 'redeem', 'earn', 'earn', 'refund_redeem', 'refund_earn', 'adjust']);
    expect(all[0]).toMatchObject({ till_id: 'till-1', receipt: 'R-1', wall_time: h.clock.value, mono_time: 1000 });
    expect(all[1]!.mono_time).toBe(1250);
    expect(all[1]!.group_id).toBe(all[2]!.group_id);
    expect(new Set(all.map((r) => r.mono_boot)).size).toBe(1);
  });

  it('keeps postings and balances in step with the entries', () => {
    activity();
    const legs = h.db.prepare<[], { seq: number; account: string; delta: number }>('SELECT seq, account, delta FROM ledger_posting ORDER BY seq, leg').all();
    expect(legs).toEqual(rows().flatMap((r) => rowToEntry(r).postings.map((p) => ({ seq: r.seq, ...p }))));
    const sums = h.db.prepare<[], { total: number }>('SELECT sum(balance) AS total FROM ledger_balance').get()!;
    expect(sums.total).toBe(0);
    const claire = h.members.claire.id;
    expect(h.db.prepare('SELECT balance FROM ledger_balance WHERE account = ?').get(`member:${claire}:points`)).toEqual({ balance: h.ledger.points(claire).balance });
  });

  it('reopens on the same stream and continues the chain', () => {
    activity();
    const head = h.ledger.head();
    h.reopen();
    expect(h.ledger.head()).toEqual(head);
    h.ledger.commit(sale(h.members.zoe.id, 'R-9', [line(1200)]));
    expect(h.ledger.head().seq).toBe(head.seq + 1);
    expect(rows().at(-1)!.prev_hash).toBe(head.hash);
    expect(new Set(rows().map((r) => r.mono_boot)).size).toBe(2);
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('chains the next sale from the table, not from a sale that an outer transaction rolled back', () => {
    const { claire, helene } = h.members;
    h.ledger.commit(sale(claire.id, 'R-1', [line(3600)]));
    // The till API wraps a sale in its own transaction (the idempotency record); that one can still fail after the sale.
    expect(() =>
      h.db.transaction(() => {
        h.ledger.commit(sale(claire.id, 'R-2', [line(2400)]));
        throw new Error('the idempotency record failed');
      })(),
    ).toThrow(/idempotency/);
    const next = h.ledger.commit(sale(helene.id, 'R-3', [line(1200)]));
    const all = rows();
    expect(all.map((r) => r.receipt)).toEqual(['R-1', 'R-3']);
    expect(next.entries[0]!.seq).toBe(2);
    expect(all[1]!.prev_hash).toBe(all[0]!.entry_hash);
    expect(h.ledger.verifyChain().ok).toBe(true);
  });
});

describe('verification', () => {
  beforeEach(() => {
    activity();
    expect(h.ledger.verifyChain()).toMatchObject({ ok: true, problems: [], streams: [{ terminalId: 'test-t1', epoch: 1, entries: 7 }] });
    dropTriggers();
  });

  it('points at an entry whose postings were edited', () => {
    h.db.prepare("UPDATE ledger_entry SET postings = replace(postings, '-100', '-10') WHERE seq = 2").run();
    const report = h.ledger.verifyChain();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ kind: 'hash_mismatch', seq: 2 }));
    expect(report.problems.filter((p) => p.kind === 'hash_mismatch').map((p) => p.seq)).toEqual([2]);
  });

  it('points at an entry moved to another member', () => {
    h.db.prepare('UPDATE ledger_entry SET member_id = ? WHERE seq = 3').run(h.members.zoe.id);
    expect(h.ledger.verifyChain().problems).toEqual([expect.objectContaining({ kind: 'hash_mismatch', seq: 3 })]);
  });

  it('points at a deleted entry', () => {
    h.db.prepare('DELETE FROM ledger_posting WHERE seq = 4').run();
    h.db.prepare('DELETE FROM ledger_entry WHERE seq = 4').run();
    const problems = h.ledger.verifyChain().problems;
    expect(problems[0]).toMatchObject({ kind: 'seq_gap', seq: 4 });
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'prev_hash', seq: 5 }));
  });

  it('points at a forged entry with a recomputed hash but a broken link', () => {
    const row = rows()[2]!;
    const forged = { ...rowToEntry(row), detail: { ...rowToEntry(row).detail, points: 9999 } };
    h.db.prepare('UPDATE ledger_entry SET detail = ?, entry_hash = ? WHERE seq = 3').run(JSON.stringify(forged.detail), entryHash(forged, row.prev_hash));
    expect(h.ledger.verifyChain().problems).toEqual([expect.objectContaining({ kind: 'prev_hash', seq: 4 })]);
  });

  it('notices the postings table, the balances and the lots drifting from the journal', () => {
    h.db.prepare('UPDATE ledger_posting SET delta = delta * 2 WHERE seq = 1').run();
    h.db.prepare("UPDATE ledger_balance SET balance = balance + 1 WHERE account = 'program:expired' OR account GLOB 'member:*:points'").run();
    h.db.prepare('UPDATE ledger_lot SET remaining = remaining - 1 WHERE lot_id = (SELECT min(lot_id) FROM ledger_lot WHERE remaining > 0)').run();
    const kinds = h.ledger.verifyChain().problems.map((p) => p.kind);
    expect(kinds).toContain('posting_mismatch');
    expect(kinds).toContain('balance_mismatch');
    expect(kinds).toContain('lot_mismatch');
    expect(kinds).not.toContain('hash_mismatch');
  });

  it('reports at start instead of crashing, and refuses writes from then on', async () => {
    h.db.prepare('UPDATE ledger_entry SET wall_time = wall_time + 1 WHERE seq = 5').run();
    const report = await h.ledger.start();
    expect(report.ok).toBe(false);
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'ledger chain verification failed' }));
    // Reads keep working; writes are refused (test/integration/ledger-integrity.test.ts has the rest).
    expect(h.ledger.points(h.members.zoe.id).balance).toBeGreaterThanOrEqual(0);
    refusal(() => h.ledger.commit(sale(h.members.zoe.id, 'R-9', [line(1200)])), 'ledger_damaged');
    expect(h.ledger.verifyChain().problems).toEqual([expect.objectContaining({ kind: 'hash_mismatch', seq: 5 })]);
  });

  it('runs from the command line: npm run ledger:verify -- <db>', () => {
    const run = (path: string) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/verify-chain.ts', path], { encoding: 'utf8' });
    const ok = run(h.path);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/stream test-t1 epoch 1: 7 entries/);
    expect(ok.stdout).toMatch(/OK: the journal verifies/);
    h.db.prepare('UPDATE ledger_entry SET receipt = ? WHERE seq = 2').run('R-FAKE');
    const broken = run(h.path);
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/PROBLEM hash_mismatch at test-t1 epoch 1 seq 2/);
    expect(run(`${h.dir}/missing.sqlite`).status).toBe(2);
  }, 30_000);
});

describe('sync outbox and acknowledgements', () => {
  it('hands out batches after the cursor without splitting a group', () => {
    activity();
    const batch = h.ledger.outbox(2)!;
    // Entries 2 and 3 are one sale (redeem + earn): the batch takes both.
    expect(batch.entries.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(batch).toMatchObject({ fromSeq: 1, toSeq: 3, prevHash: PROVISIONAL_GENESIS });
  });

  it('records acks in their own table, never touching a journal row', () => {
    activity();
    const journal = () => JSON.stringify(['ledger_entry', 'ledger_posting'].map((t) => h.db.prepare(`SELECT * FROM ${t}`).all()));
    const before = journal();
    const third = rows()[2]!;
    expect(h.ledger.recordAck({ throughSeq: 3, hash: third.entry_hash, hqReceipt: 'hq-r1' })).toEqual({ seq: 3, hash: third.entry_hash });
    expect(journal()).toBe(before);
    expect(h.ledger.ackCursor()).toEqual({ seq: 3, hash: third.entry_hash });
    expect(h.ledger.outbox(10)!.fromSeq).toBe(4);
    // An older ack changes nothing; an ack with a hash we do not have is refused.
    expect(h.ledger.recordAck({ throughSeq: 1, hash: rows()[0]!.entry_hash, hqReceipt: 'hq-old' })).toEqual({ seq: 3, hash: third.entry_hash });
    expect(() => h.ledger.recordAck({ throughSeq: 5, hash: third.entry_hash, hqReceipt: 'hq-bad' })).toThrow(AppFailure);
    expect(h.db.prepare('SELECT count(*) AS n FROM ledger_sync_ack').get()).toEqual({ n: 1 });
  });

  it('has every table it needs', () => {
    const tables = h.db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'ledger_%'").all();
    expect(tables.map((t) => t.name).sort()).toEqual([...LEDGER_TABLES].sort());
  });
});
