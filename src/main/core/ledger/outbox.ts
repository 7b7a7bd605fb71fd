import { AppFailure } from '../../../shared/contract';
import type { ChainedEntry } from './chain';
import type { LedgerContext } from './context';
import { ENTRY_COLUMNS, rowToEntry, type EntryRow } from './journal';

/**
 * The journal read as the outbox of the sync protocol (sync-ledger.md §2.4).
 * The push itself comes with HQ; what is here is what it needs from the
 * ledger: the next batch after HQ's cursor, never splitting a group, and a
 * place to record HQ's receipts that never touches a journal row.
 */
export interface OutboxBatch {
  terminalId: string;
  epoch: number;
  fromSeq: number;
  toSeq: number;
  /** The hash the batch chains onto (HQ checks it against its cursor). */
  prevHash: string;
  entries: ChainedEntry[];
}

export interface AckCursor {
  seq: number;
  hash: string | null;
}

export function ackCursor(ctx: LedgerContext): AckCursor {
  const row = ctx.db
    .prepare<[string, number], { acked_through_seq: number; acked_hash: string }>(
      'SELECT acked_through_seq, acked_hash FROM ledger_sync_ack WHERE terminal_id = ? AND epoch = ? ORDER BY acked_through_seq DESC LIMIT 1',
    )
    .get(ctx.journal.terminalId, ctx.journal.epoch);
  return row ? { seq: row.acked_through_seq, hash: row.acked_hash } : { seq: 0, hash: null };
}

export function nextOutboxBatch(ctx: LedgerContext, maxEntries: number, afterSeq = ackCursor(ctx).seq): OutboxBatch | null {
  const { terminalId, epoch } = ctx.journal;
  const rows = ctx.db
    .prepare<[string, number, number, number], EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE terminal_id = ? AND epoch = ? AND seq > ? ORDER BY seq LIMIT ?`)
    .all(terminalId, epoch, afterSeq, maxEntries);
  if (rows.length === 0) return null;
  // A group is written in one transaction, so it is contiguous: finish the last one.
  const lastGroup = rows[rows.length - 1]!.group_id;
  const tail = ctx.db
    .prepare<[string, number, number, string], EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE terminal_id = ? AND epoch = ? AND seq > ? AND group_id = ? ORDER BY seq`,
    )
    .all(terminalId, epoch, rows[rows.length - 1]!.seq, lastGroup);
  const entries = [...rows, ...tail].map(rowToEntry);
  return { terminalId, epoch, fromSeq: entries[0]!.seq, toSeq: entries[entries.length - 1]!.seq, prevHash: entries[0]!.prev_hash, entries };
}

/** Records HQ's receipt for everything up to `throughSeq`, after checking it names our entry. */
export function recordAck(ctx: LedgerContext, ack: { throughSeq: number; hash: string; hqReceipt: string }): AckCursor {
  const entry = ctx.journal.entryBySeq(ack.throughSeq);
  if (!entry || entry.entry_hash !== ack.hash) {
    throw new AppFailure('conflict', `HQ acknowledged seq ${ack.throughSeq} with a hash this terminal does not have`);
  }
  const current = ackCursor(ctx);
  if (ack.throughSeq <= current.seq) return current;
  ctx.write(() => {
    ctx.db
      .prepare('INSERT INTO ledger_sync_ack (terminal_id, epoch, acked_through_seq, acked_hash, hq_receipt, acked_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(ctx.journal.terminalId, ctx.journal.epoch, ack.throughSeq, ack.hash, ack.hqReceipt, ctx.clock.now());
  });
  return { seq: ack.throughSeq, hash: ack.hash };
}
