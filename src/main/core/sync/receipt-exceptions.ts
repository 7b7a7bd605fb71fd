import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

/**
 * The exceptions HQ raised on this terminal's entries (an offline overdraft…,
 * sync-ledger.md §2.1 I7), as the sync status shows them. They are not kept
 * apart: each lives in the signed receipt stored with its acknowledgement
 * (ledger_sync_ack.hq_receipt, append-only), so this reads them from there.
 * Only receipts newer than the last read are parsed: the status is asked
 * after every batch, and the ack table grows with every one.
 */
export interface HqException {
  entryId: string;
  kind: string;
  detail: string;
  /** The seq HQ's receipt acknowledged through, and when the terminal recorded it. */
  ackedThroughSeq: number;
  ackedAt: number;
}

export interface HqExceptionsSummary {
  count: number;
  /** Newest first. */
  recent: HqException[];
}

const RECENT = 10;

interface ExceptionRow {
  epoch: number;
  acked_through_seq: number;
  acked_at: number;
  entry_id: string;
  kind: string;
  detail: string;
}

export class ReceiptExceptions {
  private readonly newer: Statement<[string, number, number], ExceptionRow>;
  private readonly epochs: Statement<[string], { epoch: number }>;
  private readonly heads: Statement<[string, number], { seq: number | null }>;
  /** Per epoch, the acknowledged seq through which receipts were read. */
  private readonly lastEpoch = new Map<number, number>();
  private count = 0;
  private recent: HqException[] = [];

  constructor(
    db: Db,
    private readonly terminalId: string,
  ) {
    this.newer = db.prepare(
      `SELECT a.epoch, a.acked_through_seq, a.acked_at,
              json_extract(x.value, '$.entryId') AS entry_id, json_extract(x.value, '$.kind') AS kind, json_extract(x.value, '$.detail') AS detail
       FROM ledger_sync_ack a, json_each(a.hq_receipt, '$.exceptions') x
       WHERE a.terminal_id = ? AND a.epoch = ? AND a.acked_through_seq > ?
       ORDER BY a.acked_through_seq, x.key`,
    );
    this.epochs = db.prepare('SELECT DISTINCT epoch FROM ledger_sync_ack WHERE terminal_id = ?');
    this.heads = db.prepare('SELECT max(acked_through_seq) AS seq FROM ledger_sync_ack WHERE terminal_id = ? AND epoch = ?');
  }

  summary(): HqExceptionsSummary {
    for (const { epoch } of this.epochs.all(this.terminalId)) {
      const after = this.lastEpoch.get(epoch) ?? 0;
      const head = this.heads.get(this.terminalId, epoch)?.seq ?? 0;
      if (head <= after) continue;
      for (const r of this.newer.all(this.terminalId, epoch, after)) {
        this.count++;
        this.recent.unshift({ entryId: r.entry_id, kind: r.kind, detail: r.detail, ackedThroughSeq: r.acked_through_seq, ackedAt: r.acked_at });
      }
      this.recent = this.recent.slice(0, RECENT);
      this.lastEpoch.set(epoch, head);
    }
    return { count: this.count, recent: [...this.recent] };
  }
}
