import type { Sql } from './db';

interface HeldRow {
  customer_id: string;
  hold_id: string;
  terminal_id: string;
  points: number;
  status: string;
}

const holdKey = (customer: string, holdId: string) => `${customer}\u0000${holdId}`;

/**
 * The holds of one projection run's members, read under their locks (Book.load):
 * HQ's clock ends the expired ones first, so whether a redeem entry posts its
 * hold depends on HQ time alone, never on when a sweep last ran. Then the
 * pending ones — the points the members' balances must keep covering, in HQ
 * commit order — and the ones the batch's redeem entries name.
 */
export class HoldBook {
  private readonly pending = new Map<string, Map<string, HeldRow>>();
  private readonly named = new Map<string, HeldRow>();

  static async load(tx: Sql, members: string[], named: Array<[string, string]>, now: number): Promise<HoldBook> {
    const book = new HoldBook();
    if (members.length === 0) return book;
    await tx.query("UPDATE hold SET status = 'released', resolved_at = $2 WHERE customer_id = ANY($1::text[]) AND status = 'pending' AND expires_at <= $2", [members, now]);
    const rows = await tx.query<HeldRow>("SELECT customer_id, hold_id, terminal_id, points, status FROM hold WHERE customer_id = ANY($1::text[]) AND status = 'pending'", [members]);
    for (const r of rows) {
      let m = book.pending.get(r.customer_id);
      if (!m) book.pending.set(r.customer_id, (m = new Map()));
      m.set(r.hold_id, r);
    }
    if (named.length > 0) {
      const found = await tx.query<HeldRow>(
        `SELECT h.customer_id, h.hold_id, h.terminal_id, h.points, h.status FROM hold h
         JOIN unnest($1::text[], $2::text[]) AS n(customer_id, hold_id) ON h.customer_id = n.customer_id AND h.hold_id = n.hold_id`,
        [named.map((n) => n[0]), named.map((n) => n[1])],
      );
      for (const r of found) book.named.set(holdKey(r.customer_id, r.hold_id), r);
    }
    return book;
  }

  /** Takes the hold out of the pending ones when this entry posts it; null when it is not pending for this terminal. */
  post(customer: string, holdId: string, terminalId: string): HeldRow | null {
    const row = this.pending.get(customer)?.get(holdId);
    if (!row || row.terminal_id !== terminalId) return null;
    this.pending.get(customer)!.delete(holdId);
    return row;
  }

  /** Why an entry naming this hold does not post it. */
  whyNot(customer: string, holdId: string, terminalId: string): string {
    const row = this.pending.get(customer)?.get(holdId) ?? this.named.get(holdKey(customer, holdId));
    if (!row) return 'HQ never granted it';
    if (row.terminal_id !== terminalId) return `it is terminal ${row.terminal_id}'s`;
    return row.status === 'pending' ? 'an earlier entry posted it' : `it was ${row.status}`;
  }

  pendingPoints(customer: string): number {
    let sum = 0;
    for (const h of this.pending.get(customer)?.values() ?? []) sum += Number(h.points);
    return sum;
  }
}
