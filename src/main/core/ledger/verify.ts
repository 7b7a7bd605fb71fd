import type { Db } from '../db/database';
import { entryHash, postingsBalance, type Entry, type Posting } from './chain';
import { Accounts } from './accounts';
import { ENTRY_COLUMNS, rowToEntry, type EntryRow } from './journal';

export type ProblemKind =
  | 'missing_genesis'
  | 'seq_gap'
  | 'prev_hash'
  | 'hash_mismatch'
  | 'unknown_schema'
  | 'bad_encoding'
  | 'unbalanced'
  | 'posting_mismatch'
  | 'orphan_posting'
  | 'balance_mismatch'
  | 'lot_mismatch'
  /** SQLite failed while reading the journal: nothing in it can be vouched for. */
  | 'unreadable';

export interface ChainProblem {
  kind: ProblemKind;
  terminalId?: string;
  epoch?: number;
  seq?: number;
  account?: string;
  detail: string;
}

export interface StreamReport {
  terminalId: string;
  epoch: number;
  entries: number;
  head: { seq: number; hash: string };
}

export interface VerifyReport {
  ok: boolean;
  streams: StreamReport[];
  problems: ChainProblem[];
  /** Problems beyond `maxProblems` are counted, not listed. */
  moreProblems: number;
}

export interface VerifyOptions {
  chunkSize?: number;
  maxProblems?: number;
}

interface StreamState {
  report: StreamReport;
  genesis: string | null;
  prevHash: string | null;
}

/**
 * Checks a journal from its rows alone: every stream is gapless from seq 1,
 * each prev_hash is the previous entry_hash (the first, the genesis), each
 * entry_hash recomputes from the row, each entry balances, the postings table
 * matches the entries, and the balance and lot projections match the sums.
 * A tampered row is reported at its seq; nothing is thrown.
 *
 * Deleting the newest entries leaves a valid (shorter) chain: only the
 * projections (which then disagree) and, later, HQ's cursor reveal it.
 *
 * Works in chunks so a large journal can be checked between other work
 * (verifyChainAsync); entries appended meanwhile are checked too.
 */
function* verification(db: Db, options: VerifyOptions): Generator<void, VerifyReport> {
  const chunkSize = options.chunkSize ?? 5000;
  const maxProblems = options.maxProblems ?? 100;
  const problems: ChainProblem[] = [];
  let moreProblems = 0;
  const report = (p: ChainProblem) => (problems.length < maxProblems ? problems.push(p) : moreProblems++);

  const streamsStmt = db.prepare<[], { terminal_id: string; epoch: number }>(
    'SELECT terminal_id, epoch FROM ledger_stream UNION SELECT DISTINCT terminal_id, epoch FROM ledger_entry ORDER BY 1, 2',
  );
  const genesisStmt = db.prepare<[string, number], { genesis_hash: string }>('SELECT genesis_hash FROM ledger_stream WHERE terminal_id = ? AND epoch = ?');
  const entriesStmt = db.prepare<[string, number, number, number], EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE terminal_id = ? AND epoch = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  const postingsStmt = db.prepare<[string, number, number, number], { seq: number; leg: number; account: string; delta: number }>(
    'SELECT seq, leg, account, delta FROM ledger_posting WHERE terminal_id = ? AND epoch = ? AND seq > ? AND seq <= ? ORDER BY seq, leg',
  );
  const postingsAfterStmt = db.prepare<[string, number, number], { n: number }>(
    'SELECT count(*) AS n FROM ledger_posting WHERE terminal_id = ? AND epoch = ? AND seq > ?',
  );

  const sums = new Map<string, number>();
  // Points a debit took beyond this terminal's lots: spent from lots HQ keeps for other stores (lots.take, `elsewhere`).
  const spentElsewhere = new Map<string, number>();
  const streams: StreamState[] = streamsStmt.all().map((s) => {
    const genesis = genesisStmt.get(s.terminal_id, s.epoch)?.genesis_hash ?? null;
    if (genesis === null) report({ kind: 'missing_genesis', terminalId: s.terminal_id, epoch: s.epoch, detail: 'no genesis for this stream' });
    return { report: { terminalId: s.terminal_id, epoch: s.epoch, entries: 0, head: { seq: 0, hash: genesis ?? '' } }, genesis, prevHash: genesis };
  });

  /** Checks the next chunk of a stream; false when it had nothing left. */
  const step = (stream: StreamState): boolean => {
    const { terminalId, epoch } = stream.report;
    const from = stream.report.head.seq;
    const rows = entriesStmt.all(terminalId, epoch, from, chunkSize);
    if (rows.length === 0) return false;
    const lastSeq = rows[rows.length - 1]!.seq;
    const legs = new Map<number, Array<{ leg: number; account: string; delta: number }>>();
    for (const p of postingsStmt.all(terminalId, epoch, from, lastSeq)) {
      const list = legs.get(p.seq) ?? [];
      list.push(p);
      legs.set(p.seq, list);
    }
    for (const row of rows) {
      const at = { terminalId, epoch, seq: row.seq };
      const expected = stream.report.head.seq + 1;
      if (row.seq !== expected) report({ kind: 'seq_gap', ...at, seq: expected, detail: `expected seq ${expected}, found ${row.seq}` });
      if (stream.prevHash !== null && row.prev_hash !== stream.prevHash) {
        report({ kind: 'prev_hash', ...at, detail: 'prev_hash is not the previous entry_hash' });
      }
      let postings: Posting[] = [];
      let entry: Entry | null = null;
      try {
        entry = rowToEntry(row);
        postings = entry.postings;
      } catch {
        report({ kind: 'bad_encoding', ...at, detail: 'postings or detail is not JSON' });
      }
      if (entry) {
        if (entry.schema_version !== 1) {
          report({ kind: 'unknown_schema', ...at, detail: `schema_version ${entry.schema_version}` });
        } else {
          try {
            if (entryHash(entry, row.prev_hash) !== row.entry_hash) report({ kind: 'hash_mismatch', ...at, detail: 'the row does not match its entry_hash' });
          } catch (error) {
            report({ kind: 'bad_encoding', ...at, detail: (error as Error).message });
          }
        }
        const wellFormed = Array.isArray(postings) && postings.every((p) => typeof p.account === 'string' && Number.isSafeInteger(p.delta) && p.delta !== 0);
        if (!wellFormed || postingsBalance(postings) !== 0) {
          report({ kind: 'unbalanced', ...at, detail: 'postings do not sum to zero' });
        } else {
          for (const p of postings) sums.set(p.account, (sums.get(p.account) ?? 0) + p.delta);
          const elsewhere = takenElsewhere(entry, postings);
          if (elsewhere > 0) spentElsewhere.set(Accounts.points(entry.member_id!), (spentElsewhere.get(Accounts.points(entry.member_id!)) ?? 0) + elsewhere);
        }
        const stored = legs.get(row.seq) ?? [];
        legs.delete(row.seq);
        const same =
          stored.length === postings.length && stored.every((s, i) => s.leg === i && s.account === postings[i]?.account && s.delta === postings[i]?.delta);
        if (!same) report({ kind: 'posting_mismatch', ...at, detail: 'the postings table differs from the entry' });
      }
      stream.prevHash = row.entry_hash;
      stream.report.head = { seq: row.seq, hash: row.entry_hash };
      stream.report.entries += 1;
    }
    for (const seq of legs.keys()) report({ kind: 'orphan_posting', terminalId, epoch, seq, detail: 'postings without an entry' });
    return true;
  };

  for (const stream of streams) {
    while (step(stream)) yield;
  }
  // Catch up with anything appended while we yielded, then compare the projections in one go.
  for (const stream of streams) while (step(stream));
  for (const stream of streams) {
    const { terminalId, epoch, head } = stream.report;
    const n = postingsAfterStmt.get(terminalId, epoch, head.seq)?.n ?? 0;
    if (n > 0) report({ kind: 'orphan_posting', terminalId, epoch, seq: head.seq + 1, detail: `${n} postings after the head` });
  }

  const balances = db.prepare<[], { account: string; balance: number }>('SELECT account, balance FROM ledger_balance').all();
  const seen = new Set<string>();
  for (const b of balances) {
    seen.add(b.account);
    const expected = sums.get(b.account) ?? 0;
    if (b.balance !== expected) report({ kind: 'balance_mismatch', account: b.account, detail: `balance ${b.balance}, postings sum to ${expected}` });
  }
  for (const [account, sum] of sums) {
    if (!seen.has(account) && sum !== 0) report({ kind: 'balance_mismatch', account, detail: `no balance row, postings sum to ${sum}` });
  }

  const lotSums = new Map(
    db
      .prepare<[], { member_id: string; points: number }>('SELECT member_id, sum(remaining) AS points FROM ledger_lot WHERE remaining > 0 GROUP BY member_id')
      .all()
      .map((r) => [`member:${r.member_id}:points`, r.points]),
  );
  for (const [account, sum] of sums) {
    if (!/^member:.*:points$/.test(account)) continue;
    const lots = lotSums.get(account) ?? 0;
    lotSums.delete(account);
    const elsewhere = spentElsewhere.get(account) ?? 0;
    if (lots !== sum + elsewhere) {
      const spent = elsewhere > 0 ? ` and ${elsewhere} were spent from other stores' lots` : '';
      report({ kind: 'lot_mismatch', account, detail: `open lots hold ${lots}, balance is ${sum}${spent}` });
    }
  }
  for (const [account, lots] of lotSums) report({ kind: 'lot_mismatch', account, detail: `open lots hold ${lots} for an account without points` });

  return { ok: problems.length === 0 && moreProblems === 0, streams: streams.map((s) => s.report), problems, moreProblems };
}

/**
 * How many points an entry debited from its member beyond the lots it names
 * (`detail.lots`, [lot id, points] pairs). Only a till spending chain-wide
 * balances does that; the rest of the debit is allocated by HQ. Never
 * negative: a debit naming more than it took is left for the lot check to flag.
 */
function takenElsewhere(entry: Entry, postings: Posting[]): number {
  const lots = (entry.detail as { lots?: unknown }).lots;
  if (entry.member_id === null || !Array.isArray(lots)) return 0;
  const account = Accounts.points(entry.member_id);
  const debited = -postings.reduce((sum, p) => (p.account === account ? sum + p.delta : sum), 0);
  if (debited <= 0) return 0;
  const taken = lots.reduce((sum: number, l: unknown) => sum + (Array.isArray(l) && Number.isSafeInteger(l[1]) ? (l[1] as number) : 0), 0);
  return Math.max(0, debited - taken);
}

export function verifyChain(db: Db, options: VerifyOptions = {}): VerifyReport {
  const run = verification(db, options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
  }
}

/** The same check, yielding to the event loop between chunks so a terminal can start serving meanwhile. */
export async function verifyChainAsync(db: Db, options: VerifyOptions = {}): Promise<VerifyReport> {
  const run = verification(db, options);
  for (;;) {
    const next = run.next();
    if (next.done) return next.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
