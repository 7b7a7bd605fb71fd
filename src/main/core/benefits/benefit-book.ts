import type { Db } from '../db/database';
import { perConnection } from '../db/per-connection';

/**
 * The bookings and allotted seats of this terminal (migration 28): plain
 * rows, written in one SQLite transaction each; the points are the ledger's.
 */
export interface BookingRow {
  booking_id: string;
  benefit_id: string;
  member_id: string;
  via: 'points' | 'tier' | 'membership';
  points: number;
  seat: 'chain' | 'allotted';
  reported: 0 | 1;
  status: 'booked' | 'cancelled';
  booked_at: number;
  cancelled_at: number | null;
  cancel_reported: 0 | 1;
}

const statements = perConnection((db) => ({
  byMember: db.prepare<[string], BookingRow>("SELECT * FROM benefit_booking WHERE member_id = ? AND status = 'booked' ORDER BY booked_at"),
  byId: db.prepare<[string], BookingRow>('SELECT * FROM benefit_booking WHERE booking_id = ?'),
  live: db.prepare<[string, string], BookingRow>("SELECT * FROM benefit_booking WHERE benefit_id = ? AND member_id = ? AND status = 'booked'"),
  liveCount: db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM benefit_booking WHERE benefit_id = ? AND status = 'booked'"),
  insert: db.prepare(
    `INSERT INTO benefit_booking (booking_id, benefit_id, member_id, via, points, seat, reported, status, booked_at, cancelled_at, cancel_reported)
     VALUES (@booking_id, @benefit_id, @member_id, @via, @points, @seat, @reported, 'booked', @booked_at, NULL, 1)`,
  ),
  cancel: db.prepare<[number, number, string]>("UPDATE benefit_booking SET status = 'cancelled', cancelled_at = ?, cancel_reported = ? WHERE booking_id = ? AND status = 'booked'"),
  unreported: db.prepare<[], BookingRow>("SELECT * FROM benefit_booking WHERE (status = 'booked' AND reported = 0) OR (status = 'cancelled' AND cancel_reported = 0) ORDER BY booked_at"),
  markReported: db.prepare<[string]>('UPDATE benefit_booking SET reported = 1 WHERE booking_id = ?'),
  markCancelReported: db.prepare<[string]>('UPDATE benefit_booking SET cancel_reported = 1 WHERE booking_id = ?'),
  allotment: db.prepare<[string], { seats: number; chain_left: number | null }>('SELECT seats, chain_left FROM benefit_allotment WHERE benefit_id = ?'),
  setAllotment: db.prepare<[string, number, number | null, number]>(
    `INSERT INTO benefit_allotment (benefit_id, seats, chain_left, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (benefit_id) DO UPDATE SET seats = excluded.seats, chain_left = excluded.chain_left, updated_at = excluded.updated_at`,
  ),
  takeAllotted: db.prepare<[string]>('UPDATE benefit_allotment SET seats = seats - 1 WHERE benefit_id = ? AND seats > 0'),
  giveAllotted: db.prepare<[string]>('UPDATE benefit_allotment SET seats = seats + 1 WHERE benefit_id = ?'),
}));

export class BenefitBook {
  constructor(private readonly db: Db) {}

  private get s() {
    return statements(this.db);
  }

  bookings(memberId: string): BookingRow[] {
    return this.s.byMember.all(memberId);
  }

  booking(bookingId: string): BookingRow | undefined {
    return this.s.byId.get(bookingId);
  }

  live(benefitId: string, memberId: string): BookingRow | undefined {
    return this.s.live.get(benefitId, memberId);
  }

  /** Live bookings of a benefit on this terminal: the whole count for a terminal with no HQ. */
  liveCount(benefitId: string): number {
    return this.s.liveCount.get(benefitId)?.n ?? 0;
  }

  /** Records a booking; one on an allotted seat takes that seat in the same transaction (false: none left). */
  insert(row: Omit<BookingRow, 'status' | 'cancelled_at' | 'cancel_reported'>): boolean {
    return this.db.transaction(() => {
      if (row.seat === 'allotted' && this.s.takeAllotted.run(row.benefit_id).changes === 0) return false;
      this.s.insert.run(row);
      return true;
    })();
  }

  /** Cancels a live booking once (false: it was not live); an unreported allotted seat goes back to the store. */
  cancel(booking: BookingRow, at: number): boolean {
    return this.db.transaction(() => {
      const unreportedSeat = booking.seat === 'allotted' && booking.reported === 0;
      if (this.s.cancel.run(at, unreportedSeat ? 1 : 0, booking.booking_id).changes === 0) return false;
      if (unreportedSeat) {
        this.s.giveAllotted.run(booking.benefit_id);
        this.s.markReported.run(booking.booking_id);
      }
      return true;
    })();
  }

  /** Bookings and cancellations HQ has not heard of yet, oldest first. */
  unreported(): BookingRow[] {
    return this.s.unreported.all();
  }

  markReported(bookingId: string): void {
    this.s.markReported.run(bookingId);
  }

  markCancelReported(bookingId: string): void {
    this.s.markCancelReported.run(bookingId);
  }

  allotment(benefitId: string): { seats: number; chainLeft: number | null } {
    const row = this.s.allotment.get(benefitId);
    return { seats: row?.seats ?? 0, chainLeft: row?.chain_left ?? null };
  }

  setAllotment(benefitId: string, seats: number, chainLeft: number | null, at: number): void {
    this.s.setAllotment.run(benefitId, seats, chainLeft, at);
  }
}
