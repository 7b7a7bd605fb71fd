import type { Db } from '../db/database';
import { perConnection } from '../db/per-connection';
import type { MembershipPeriod } from '../../../shared/programme/benefits';

/**
 * Memberships sold here and what they gave back (migrations 28 and 31). The
 * members holding one are kept in memory, so a sale for anyone else costs
 * the sale path no query at all.
 */
const statements = perConnection((db) => ({
  periods: db.prepare<[string], { period_start: string; period_end: string; till_id: string; receipt: string }>(
    'SELECT period_start, period_end, till_id, receipt FROM membership WHERE member_id = ? ORDER BY period_start',
  ),
  bySale: db.prepare<[string, string], { member_id: string }>('SELECT member_id FROM membership WHERE till_id = ? AND receipt = ?'),
  insert: db.prepare<[string, string, string, number, string, string, number]>(
    'INSERT INTO membership (member_id, period_start, period_end, price_cents, till_id, receipt, sold_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
  ),
  members: db.prepare<[], { member_id: string; period_end: string }>('SELECT member_id, max(period_end) AS period_end FROM membership GROUP BY member_id'),
  addValue: db.prepare<[string, string, string, string, number, number]>(
    'INSERT INTO membership_value (ref, member_id, period_start, source, points, at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (ref) DO NOTHING',
  ),
  dropValue: db.prepare<[string]>('DELETE FROM membership_value WHERE ref = ?'),
  value: db.prepare<[string, string], { bonus: number | null; benefit: number | null }>(
    `SELECT sum(CASE WHEN source = 'bonus' THEN points END) AS bonus, sum(CASE WHEN source = 'benefit' THEN points END) AS benefit
     FROM membership_value WHERE member_id = ? AND period_start = ?`,
  ),
}));

export class MembershipBook {
  /** Member → the last day of their latest period. */
  private readonly holders = new Map<string, string>();

  constructor(private readonly db: Db) {
    for (const row of statements(db).members.all()) this.holders.set(row.member_id, row.period_end);
  }

  everHeld(memberId: string): boolean {
    return this.holders.has(memberId);
  }

  /** Whether the member ever held one that ends on or after `today` (memory only). */
  holds(memberId: string, today: string): boolean {
    const end = this.holders.get(memberId);
    return end !== undefined && end >= today;
  }

  periods(memberId: string): MembershipPeriod[] {
    if (!this.holders.has(memberId)) return [];
    return statements(this.db)
      .periods.all(memberId)
      .map((r) => ({ start: r.period_start, end: r.period_end }));
  }

  /** The member whose membership this sale bought, if it bought one. */
  soldBy(tillId: string, receipt: string): string | null {
    return statements(this.db).bySale.get(tillId, receipt)?.member_id ?? null;
  }

  record(memberId: string, period: MembershipPeriod, priceCents: number, sale: { tillId: string; receipt: string }, at: number): void {
    statements(this.db).insert.run(memberId, period.start, period.end, priceCents, sale.tillId, sale.receipt, at);
    const end = this.holders.get(memberId);
    if (end === undefined || period.end > end) this.holders.set(memberId, period.end);
  }

  addValue(ref: string, memberId: string, periodStart: string, source: 'bonus' | 'benefit', points: number, at: number): void {
    statements(this.db).addValue.run(ref, memberId, periodStart, source, points, at);
  }

  dropValue(ref: string): void {
    statements(this.db).dropValue.run(ref);
  }

  /** Points the membership gave over one period: its bonus and the benefits booked through it. */
  value(memberId: string, periodStart: string): { bonusPoints: number; benefitPoints: number } {
    const row = statements(this.db).value.get(memberId, periodStart);
    return { bonusPoints: row?.bonus ?? 0, benefitPoints: row?.benefit ?? 0 };
  }
}
