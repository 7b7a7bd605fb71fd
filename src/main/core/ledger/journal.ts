import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import { uuidv7 } from '../ids';
import type { Clock, Random } from '../ports';
import { Accounts } from './accounts';
import { canonicalJson, type CanonicalValue } from './canonical';
import {
  ENTRY_SCHEMA_VERSION,
  PROVISIONAL_GENESIS,
  entryHash,
  postingsBalance,
  type ChainedEntry,
  type EntryKind,
  type Posting,
} from './chain';

/** A monotonic clock in ms (performance.now() in production), injected like the wall clock. */
export interface Monotonic {
  now(): number;
}

export interface EntryDraft {
  kind: EntryKind;
  groupId: string;
  /** Normally a fresh UUIDv7; expiry passes a deterministic one. */
  entryId?: string;
  memberId: string | null;
  tillId: string | null;
  receipt: string | null;
  postings: Posting[];
  detail: { [key: string]: CanonicalValue };
}

export interface AppendedEntry {
  seq: number;
  entryId: string;
  kind: EntryKind;
  entryHash: string;
  wallTime: number;
}

/** A journal row as SQLite returns it: the entry's columns, with booleans and JSON stored as text. */
export interface EntryRow extends Omit<ChainedEntry, 'kind' | 'offline' | 'postings' | 'detail'> {
  kind: string;
  offline: number;
  postings: string;
  detail: string;
}

export const ENTRY_COLUMNS =
  'terminal_id, epoch, seq, entry_id, group_id, kind, schema_version, rules_version, member_id, till_id, receipt, wall_time, mono_time, mono_boot, offline, postings, detail, prev_hash, entry_hash';

export function rowToEntry(row: EntryRow): ChainedEntry {
  return {
    terminal_id: row.terminal_id,
    epoch: row.epoch,
    seq: row.seq,
    entry_id: row.entry_id,
    group_id: row.group_id,
    kind: row.kind as EntryKind,
    schema_version: row.schema_version,
    rules_version: row.rules_version,
    member_id: row.member_id,
    till_id: row.till_id,
    receipt: row.receipt,
    wall_time: row.wall_time,
    mono_time: row.mono_time,
    mono_boot: row.mono_boot,
    offline: row.offline === 1,
    postings: JSON.parse(row.postings) as Posting[],
    detail: JSON.parse(row.detail) as { [key: string]: CanonicalValue },
    prev_hash: row.prev_hash,
    entry_hash: row.entry_hash,
  };
}

export interface JournalOptions {
  db: Db;
  terminalId: string;
  epoch: number;
  clock: Clock;
  random: Random;
  monotonic: Monotonic;
  /** Names this run of the process, so monotonic times are compared only within it. */
  monoBoot: string;
  rulesVersion: () => string;
  offline: () => boolean;
}

/**
 * Appends entries to this terminal's stream. `append` must run inside the
 * caller's transaction: the entry, its postings and the balance projection
 * are written with the business effect, or not at all.
 */
export class Journal {
  private readonly s: {
    head: Statement<[string, number], { seq: number; entry_hash: string }>;
    genesis: Statement<[string, number], { genesis_hash: string }>;
    openStream: Statement;
    insertEntry: Statement;
    insertPosting: Statement;
    bumpBalance: Statement<[number, number, string]>;
    insertBalance: Statement<[string, number, number]>;
    balance: Statement<[string], { balance: number }>;
    postedSince: Statement<[string, number, number, string], { points: number | null }>;
    byId: Statement<[string], EntryRow>;
    bySeq: Statement<[string, number, number], EntryRow>;
  };
  /**
   * The head this journal last appended, as a hint for the next append only:
   * the ledger_entry_follows_head trigger checks every insert against the
   * table, so a hint a rollback made stale is refused there and read again.
   */
  private lastAppended: { seq: number; hash: string } | null = null;

  constructor(private readonly o: JournalOptions) {
    const { db } = o;
    this.s = {
      head: db.prepare('SELECT seq, entry_hash FROM ledger_entry WHERE terminal_id = ? AND epoch = ? ORDER BY seq DESC LIMIT 1'),
      genesis: db.prepare('SELECT genesis_hash FROM ledger_stream WHERE terminal_id = ? AND epoch = ?'),
      openStream: db.prepare('INSERT OR IGNORE INTO ledger_stream (terminal_id, epoch, genesis_hash, opened_at) VALUES (?, ?, ?, ?)'),
      insertEntry: db.prepare(`INSERT INTO ledger_entry (${ENTRY_COLUMNS}) VALUES (${ENTRY_COLUMNS.split(', ').map((c) => '@' + c).join(', ')})`),
      insertPosting: db.prepare('INSERT INTO ledger_posting (terminal_id, epoch, seq, leg, account, delta) VALUES (?, ?, ?, ?, ?, ?)'),
      // Not an upsert: SQLite checks CHECK constraints on the proposed row before the
      // conflict clause, so a first debit would be refused as a negative balance.
      bumpBalance: db.prepare('UPDATE ledger_balance SET balance = balance + ?, updated_seq = ? WHERE account = ?'),
      insertBalance: db.prepare('INSERT INTO ledger_balance (account, balance, updated_seq) VALUES (?, ?, ?)'),
      balance: db.prepare('SELECT balance FROM ledger_balance WHERE account = ?'),
      // A member's entries after a seq, from ledger_entry_by_member (the unary + keeps the planner off the
      // primary key, which would read every entry of the stream since that seq).
      // A range of the postings' primary key from HQ's checkpoint on, summed in SQLite: parsing each of the
      // member's entries in JavaScript made every sale cost as much as the entries since the checkpoint.
      postedSince: db.prepare('SELECT sum(delta) AS points FROM ledger_posting WHERE terminal_id = ? AND epoch = ? AND seq > ? AND account = ?'),
      byId: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE entry_id = ?`),
      bySeq: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE terminal_id = ? AND epoch = ? AND seq = ?`),
    };
  }

  get terminalId(): string {
    return this.o.terminalId;
  }

  get epoch(): number {
    return this.o.epoch;
  }

  /** Creates this terminal's stream on first use; HQ-issued genesis values come with enrolment (later). */
  openStream(genesis = PROVISIONAL_GENESIS): void {
    this.s.openStream.run(this.o.terminalId, this.o.epoch, genesis, this.o.clock.now());
  }

  head(): { seq: number; hash: string } {
    const row = this.s.head.get(this.o.terminalId, this.o.epoch);
    if (row) return { seq: row.seq, hash: row.entry_hash };
    const genesis = this.s.genesis.get(this.o.terminalId, this.o.epoch);
    if (!genesis) throw new Error(`ledger stream ${this.o.terminalId}/${this.o.epoch} is not open`);
    return { seq: 0, hash: genesis.genesis_hash };
  }

  balance(account: string): number {
    return this.s.balance.get(account)?.balance ?? 0;
  }

  /**
   * The sum of this stream's postings to one of a member's accounts after
   * `seq`: what happened here since HQ's checkpoint. Only entries of that
   * member post to their accounts (accounts.ts).
   */
  postedSince(memberId: string, account: string, seq: number): number {
    void memberId;
    return this.s.postedSince.get(this.o.terminalId, this.o.epoch, seq, account)?.points ?? 0;
  }

  /** What a member owes on their clawback account, as a positive number. */
  owed(memberId: string): number {
    const b = this.balance(Accounts.clawback(memberId));
    return b < 0 ? -b : 0;
  }

  entryById(entryId: string): ChainedEntry | null {
    const row = this.s.byId.get(entryId);
    return row ? rowToEntry(row) : null;
  }

  entryBySeq(seq: number): ChainedEntry | null {
    const row = this.s.bySeq.get(this.o.terminalId, this.o.epoch, seq);
    return row ? rowToEntry(row) : null;
  }

  append(draft: EntryDraft): AppendedEntry {
    const postings = draft.postings.filter((p) => p.delta !== 0);
    if (postingsBalance(postings) !== 0) throw new Error(`unbalanced ${draft.kind} entry: ${JSON.stringify(postings)}`);
    if (new Set(postings.map((p) => p.account)).size !== postings.length) throw new Error(`${draft.kind} entry posts twice to one account`);
    // postedSince reads a member's accounts from that member's entries only.
    const ownPrefix = draft.memberId === null ? null : `member:${draft.memberId}:`;
    for (const p of postings) {
      if (p.account.startsWith('member:') && (ownPrefix === null || !p.account.startsWith(ownPrefix))) {
        throw new Error(`${draft.kind} entry posts to ${p.account}, not an account of its member`);
      }
    }

    try {
      return this.appendAfter(this.lastAppended ?? this.head(), postings, draft);
    } catch (error) {
      const hinted = this.lastAppended !== null;
      this.lastAppended = null;
      if (hinted && isStaleHead(error)) return this.appendAfter(this.head(), postings, draft);
      throw error;
    }
  }

  /** Forgets the head hint: the caller's transaction rolled back. */
  forgetHead(): void {
    this.lastAppended = null;
  }

  private appendAfter(head: { seq: number; hash: string }, postings: Posting[], draft: EntryDraft): AppendedEntry {
    const { clock, random, monotonic } = this.o;
    const entry = {
      terminal_id: this.o.terminalId,
      epoch: this.o.epoch,
      seq: head.seq + 1,
      entry_id: draft.entryId ?? uuidv7(clock, random),
      group_id: draft.groupId,
      kind: draft.kind,
      schema_version: ENTRY_SCHEMA_VERSION,
      rules_version: this.o.rulesVersion(),
      member_id: draft.memberId,
      till_id: draft.tillId,
      receipt: draft.receipt,
      wall_time: clock.now(),
      mono_time: Math.floor(monotonic.now()),
      mono_boot: this.o.monoBoot,
      offline: this.o.offline(),
      postings,
      detail: draft.detail,
    };
    const hash = entryHash(entry, head.hash);
    this.s.insertEntry.run({
      ...entry,
      offline: entry.offline ? 1 : 0,
      postings: canonicalJson(postings.map((p) => ({ account: p.account, delta: p.delta }))),
      detail: canonicalJson(entry.detail),
      prev_hash: head.hash,
      entry_hash: hash,
    });
    postings.forEach((p, leg) => {
      this.s.insertPosting.run(entry.terminal_id, entry.epoch, entry.seq, leg, p.account, p.delta);
      if (this.s.bumpBalance.run(p.delta, entry.seq, p.account).changes === 0) this.s.insertBalance.run(p.account, p.delta, entry.seq);
    });
    this.lastAppended = { seq: entry.seq, hash };
    return { seq: entry.seq, entryId: entry.entry_id, kind: entry.kind, entryHash: hash, wallTime: entry.wall_time };
  }
}

/** The trigger's refusal of an entry that does not follow the stream's head. */
function isStaleHead(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_TRIGGER' && error.message.startsWith('ledger_entry: ');
}
