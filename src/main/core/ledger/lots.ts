import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import type { Expiry } from './expiry-policy';

export interface LotRow {
  lot_id: string;
  member_id: string;
  points: number;
  remaining: number;
  opened_seq: number;
  expires_on: string;
  expires_at: number;
}

/** A lot's primary key (migration 25). */
type LotKey = Pick<LotRow, 'member_id' | 'expires_at' | 'opened_seq' | 'lot_id'>;

/** [lot id, points taken], in the order they were taken: recorded in the entry's detail. */
export type LotTake = [string, number];

export interface ExpiringPoints {
  /** 'YYYY-MM-DD', the last local day the points can be spent. */
  expiresOn: string;
  points: number;
}

/**
 * Lots: every credit to a member opens one, with its own expiry date; every
 * debit takes from the lots that expire first. A projection of the journal
 * kept in the same transaction; the sum of a member's open lots is always
 * their spendable balance (verify.ts checks it).
 */
export class Lots {
  private readonly s: {
    insert: Statement;
    open: Statement<[string], LotKey & Pick<LotRow, 'remaining'>>;
    take: Statement<[number, string, number, number, string]>;
    get: Statement<[string, string], LotRow>;
    due: Statement<[number, number], LotRow>;
    expiring: Statement<[string, number], { expires_on: string; points: number }>;
    openedSince: Statement<[string, number, number], { expires_on: string; points: number }>;
  };

  constructor(db: Db) {
    this.s = {
      insert: db.prepare(
        `INSERT INTO ledger_lot (lot_id, member_id, points, remaining, opened_seq, expires_on, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      // The table is kept in the order of its primary key, member first (migration 25): a member's reads are one
      // range of it, and a sale writes the member's lots where they already are.
      open: db.prepare(
        'SELECT member_id, expires_at, opened_seq, lot_id, remaining FROM ledger_lot WHERE member_id = ? AND remaining > 0 ORDER BY expires_at, opened_seq',
      ),
      take: db.prepare('UPDATE ledger_lot SET remaining = remaining - ? WHERE member_id = ? AND expires_at = ? AND opened_seq = ? AND lot_id = ?'),
      get: db.prepare('SELECT lot_id, member_id, points, remaining, opened_seq, expires_on, expires_at FROM ledger_lot WHERE member_id = ? AND lot_id = ?'),
      due: db.prepare(
        `SELECT lot_id, member_id, points, remaining, opened_seq, expires_on, expires_at FROM ledger_lot
         WHERE remaining > 0 AND expires_at <= ? ORDER BY expires_at, opened_seq LIMIT ?`,
      ),
      expiring: db.prepare(
        `SELECT expires_on, sum(remaining) AS points FROM ledger_lot
         WHERE member_id = ? AND remaining > 0 AND expires_at > ? GROUP BY expires_on ORDER BY expires_on`,
      ),
      openedSince: db.prepare(
        `SELECT expires_on, sum(points) AS points FROM ledger_lot
         WHERE member_id = ? AND opened_seq > ? AND expires_at > ? GROUP BY expires_on ORDER BY expires_on`,
      ),
    };
  }

  open(lotId: string, memberId: string, points: number, openedSeq: number, expiry: Expiry): void {
    if (points <= 0) return;
    this.s.insert.run(lotId, memberId, points, points, openedSeq, expiry.expiresOn, expiry.expiresAt);
  }

  /** A lot of this member's, by its id (the id of the entry that opened it). */
  get(memberId: string, lotId: string): LotRow | null {
    return this.s.get.get(memberId, lotId) ?? null;
  }

  /**
   * Takes `points` from the member's lots, `preferLotId` first, then the
   * soonest to expire. `elsewhere`: points this terminal's lots do not hold
   * may come from lots HQ keeps (earned in other stores); HQ allocates those.
   */
  take(memberId: string, points: number, preferLotId: string | null = null, elsewhere = false): LotTake[] {
    const taken: LotTake[] = [];
    let left = points;
    const open = this.s.open.all(memberId);
    const ordered = preferLotId ? [...open.filter((l) => l.lot_id === preferLotId), ...open.filter((l) => l.lot_id !== preferLotId)] : open;
    for (const lot of ordered) {
      if (left === 0) break;
      const n = Math.min(left, lot.remaining);
      this.takeFrom(lot, n);
      taken.push([lot.lot_id, n]);
      left -= n;
    }
    if (left > 0 && !elsewhere) throw new Error(`member ${memberId} lots hold ${points - left} points, ${points} needed`);
    return taken;
  }

  takeWhole(lot: LotRow): void {
    this.takeFrom(lot, lot.remaining);
  }

  private takeFrom(lot: LotKey, points: number): void {
    if (this.s.take.run(points, lot.member_id, lot.expires_at, lot.opened_seq, lot.lot_id).changes !== 1) throw new Error(`lot ${lot.lot_id} is not there to take from`);
  }

  due(now: number, limit: number): LotRow[] {
    return this.s.due.all(now, limit);
  }

  /** Points earned in lots opened after `seq` (as earned, whatever was spent since), by the day they expire. */
  openedSince(memberId: string, seq: number, now: number): ExpiringPoints[] {
    return this.s.openedSince.all(memberId, seq, now).map((r) => ({ expiresOn: r.expires_on, points: r.points }));
  }

  /** Points still valid at `now`, grouped by the day they expire: « 120 pts expirent le 30/06 ». */
  expiring(memberId: string, now: number): ExpiringPoints[] {
    return this.s.expiring.all(memberId, now).map((r) => ({ expiresOn: r.expires_on, points: r.points }));
  }
}
