import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

export interface SaleRow {
  till_id: string;
  receipt: string;
  sale_id: string;
  member_id: string;
  body_hash: string;
  committed_at: number;
  earned: number;
  redeemed_points: number;
  redeem_entry_id: string | null;
  earn_entry_id: string;
  lines: string;
  result: string;
}

export interface RefundRow {
  refund_id: string;
  till_id: string;
  receipt: string;
  body_hash: string;
  refunded_at: number;
  lines: string;
  earn_reversed: number;
  redeem_restored: number;
  result: string;
}

const SALE_COLUMNS = 'till_id, receipt, sale_id, member_id, body_hash, committed_at, earned, redeemed_points, redeem_entry_id, earn_entry_id, lines, result';
const REFUND_COLUMNS = 'refund_id, till_id, receipt, body_hash, refunded_at, lines, earn_reversed, redeem_restored, result';
const named = (columns: string) => columns.split(', ').map((c) => '@' + c).join(', ');

/** The business records next to the journal: sales, refunds and adjustments, each its own idempotency record. */
export class LedgerStore {
  private readonly s: {
    memberExists: Statement<[string], { one: number }>;
    sale: Statement<[string, string], SaleRow>;
    insertSale: Statement;
    refund: Statement<[string], RefundRow>;
    refundsOf: Statement<[string, string], RefundRow>;
    insertRefund: Statement;
    adjustment: Statement<[string], { body_hash: string; result: string }>;
    insertAdjustment: Statement<[string, string, string]>;
  };

  constructor(db: Db) {
    this.s = {
      memberExists: db.prepare('SELECT 1 AS one FROM member WHERE id = ?'),
      sale: db.prepare(`SELECT ${SALE_COLUMNS} FROM ledger_sale WHERE till_id = ? AND receipt = ?`),
      insertSale: db.prepare(`INSERT INTO ledger_sale (${SALE_COLUMNS}) VALUES (${named(SALE_COLUMNS)})`),
      refund: db.prepare(`SELECT ${REFUND_COLUMNS} FROM ledger_refund WHERE refund_id = ?`),
      refundsOf: db.prepare(`SELECT ${REFUND_COLUMNS} FROM ledger_refund WHERE till_id = ? AND receipt = ? ORDER BY refunded_at, refund_id`),
      insertRefund: db.prepare(`INSERT INTO ledger_refund (${REFUND_COLUMNS}) VALUES (${named(REFUND_COLUMNS)})`),
      adjustment: db.prepare('SELECT body_hash, result FROM ledger_adjustment WHERE adjustment_id = ?'),
      insertAdjustment: db.prepare('INSERT INTO ledger_adjustment (adjustment_id, body_hash, result) VALUES (?, ?, ?)'),
    };
  }

  memberExists(memberId: string): boolean {
    return this.s.memberExists.get(memberId) !== undefined;
  }

  sale(tillId: string, receipt: string): SaleRow | null {
    return this.s.sale.get(tillId, receipt) ?? null;
  }

  insertSale(row: SaleRow): void {
    this.s.insertSale.run(row);
  }

  refund(refundId: string): RefundRow | null {
    return this.s.refund.get(refundId) ?? null;
  }

  refundsOf(tillId: string, receipt: string): RefundRow[] {
    return this.s.refundsOf.all(tillId, receipt);
  }

  insertRefund(row: RefundRow): void {
    this.s.insertRefund.run(row);
  }

  adjustment(adjustmentId: string): { body_hash: string; result: string } | null {
    return this.s.adjustment.get(adjustmentId) ?? null;
  }

  insertAdjustment(adjustmentId: string, bodyHash: string, result: string): void {
    this.s.insertAdjustment.run(adjustmentId, bodyHash, result);
  }
}
