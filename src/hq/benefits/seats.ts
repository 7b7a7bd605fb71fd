import { signingPayload } from '../../shared/sync/protocol';
import { storeAllotment, type SeatAnswer, type SeatRequest } from '../../shared/programme/benefits';
import type { Benefit } from '../../shared/programme/document';
import { authenticateTerminal } from '../auth';
import { HqError, type HqContext } from '../context';
import type { Sql } from '../db';
import { documentInForce } from '../programme/programme-store';

/**
 * Relational benefits' seats, chain-wide (issue 14 item 6): the programme
 * gives each benefit its capacity; HQ counts, per benefit, the seats booked
 * plus the seats set aside for stores' offline bookings, and takes one only
 * under the counter's row lock while the count is below the capacity. Two
 * terminals asking for the last seat at the same moment: one gets it, the
 * other hears `benefit_full`.
 *
 * A store's allotment (storeAllotment) is counted as taken as soon as it is
 * set aside, so a store that books offline on it never passes the capacity;
 * the booking it reports later uses that seat rather than a new one.
 */
export async function benefitInForce(ctx: HqContext, benefitId: string): Promise<Benefit> {
  const doc = await documentInForce(ctx.sql, ctx.clock.now());
  const benefit = doc.benefits.find((b) => b.id === benefitId);
  if (!benefit) throw new HqError('benefit_unknown', 404, `no benefit « ${benefitId} » in the programme in force`);
  return benefit;
}

/** The counter's row, locked until the transaction ends (created at 0 the first time). */
async function lockCounter(tx: Sql, benefitId: string): Promise<number> {
  await tx.query('INSERT INTO benefit_counter (benefit_id, taken) VALUES ($1, 0) ON CONFLICT (benefit_id) DO NOTHING', [benefitId]);
  const rows = await tx.query<{ taken: number }>('SELECT taken FROM benefit_counter WHERE benefit_id = $1 FOR UPDATE', [benefitId]);
  return Number(rows[0]!.taken);
}

const setTaken = (tx: Sql, benefitId: string, taken: number) => tx.query('UPDATE benefit_counter SET taken = $2 WHERE benefit_id = $1', [benefitId, taken]);

async function allottedTo(tx: Sql, benefitId: string, storeId: string): Promise<number> {
  const rows = await tx.query<{ seats: number }>('SELECT seats FROM benefit_allotment WHERE benefit_id = $1 AND store_id = $2', [benefitId, storeId]);
  return Number(rows[0]?.seats ?? 0);
}

const setAllotted = (tx: Sql, benefitId: string, storeId: string, seats: number, now: number) =>
  tx.query(
    `INSERT INTO benefit_allotment (benefit_id, store_id, seats, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (benefit_id, store_id) DO UPDATE SET seats = EXCLUDED.seats, updated_at = EXCLUDED.updated_at`,
    [benefitId, storeId, seats, now],
  );

/** A terminal's take, release or allot (SeatRequest), signed by its key. */
export async function seatRequest(ctx: HqContext, request: SeatRequest): Promise<SeatAnswer> {
  const terminal = await authenticateTerminal(ctx, 'benefit_seat', request, signingPayload(request));
  const benefit = await benefitInForce(ctx, request.benefitId);
  const storeId = terminal.store_id;
  const now = ctx.clock.now();
  if (request.action !== 'allot' && (request.bookingId === null || request.memberId === null)) {
    throw new HqError('malformed', 400, `a ${request.action} names its booking and member`);
  }
  return ctx.sql.transaction(async (tx) => {
    let taken = await lockCounter(tx, benefit.id);
    let allotted = await allottedTo(tx, benefit.id, storeId);
    let booking: SeatAnswer['booking'] = null;
    if (request.action === 'allot') {
      // A level, not an increment: a retried request changes nothing. Never more than the seats left.
      const wanted = Math.min(request.seats, storeAllotment(benefit.capacity));
      const granted = Math.max(0, Math.min(wanted, allotted + Math.max(0, benefit.capacity - taken)));
      taken += granted - allotted;
      allotted = granted;
      await setAllotted(tx, benefit.id, storeId, allotted, now);
      await setTaken(tx, benefit.id, taken);
    } else {
      const rows = await tx.query<{ status: 'booked' | 'cancelled'; customer_id: string; benefit_id: string }>(
        'SELECT status, customer_id, benefit_id FROM benefit_seat WHERE booking_id = $1',
        [request.bookingId],
      );
      const existing = rows[0];
      if (existing && (existing.customer_id !== request.memberId || existing.benefit_id !== benefit.id)) {
        throw new HqError('conflict', 409, `booking ${request.bookingId} exists for another member or benefit`);
      }
      if (request.action === 'take') {
        if (existing) booking = existing.status;
        else {
          if (request.fromAllotment && allotted > 0) allotted -= 1;
          else if (taken >= benefit.capacity && !request.fromAllotment) {
            throw new HqError('benefit_full', 409, `no seat left for « ${benefit.id} » (${benefit.capacity} taken)`);
          } else taken += 1;
          if (request.fromAllotment) await setAllotted(tx, benefit.id, storeId, allotted, now);
          await setTaken(tx, benefit.id, taken);
          await tx.query(
            `INSERT INTO benefit_seat (booking_id, benefit_id, store_id, terminal_id, customer_id, status, from_allotment, booked_at)
             VALUES ($1, $2, $3, $4, $5, 'booked', $6, $7)`,
            [request.bookingId, benefit.id, storeId, request.terminalId, request.memberId, request.fromAllotment, now],
          );
          booking = 'booked';
        }
      } else {
        if (!existing) throw new HqError('not_found', 404, `no booking ${request.bookingId}`);
        if (existing.status === 'booked') {
          await tx.query("UPDATE benefit_seat SET status = 'cancelled', cancelled_at = $2 WHERE booking_id = $1", [request.bookingId, now]);
          taken = Math.max(0, taken - 1);
          await setTaken(tx, benefit.id, taken);
        }
        booking = 'cancelled';
      }
    }
    return { benefitId: benefit.id, capacity: benefit.capacity, taken, left: Math.max(0, benefit.capacity - taken), allotted, booking };
  });
}

export interface BenefitSeatsView {
  benefit: Benefit;
  taken: number;
  left: number;
  booked: number;
  stores: Array<{ storeId: string; booked: number; allotted: number }>;
}

/** Every benefit of the programme in force with its seats, for the console. */
export async function benefitSeats(ctx: HqContext): Promise<BenefitSeatsView[]> {
  const doc = await documentInForce(ctx.sql, ctx.clock.now());
  const counters = await ctx.sql.query<{ benefit_id: string; taken: number }>('SELECT benefit_id, taken FROM benefit_counter');
  const booked = await ctx.sql.query<{ benefit_id: string; store_id: string; n: number }>(
    "SELECT benefit_id, store_id, count(*)::int AS n FROM benefit_seat WHERE status = 'booked' GROUP BY benefit_id, store_id",
  );
  const allotments = await ctx.sql.query<{ benefit_id: string; store_id: string; seats: number }>('SELECT benefit_id, store_id, seats FROM benefit_allotment WHERE seats > 0');
  return doc.benefits.map((benefit) => {
    const taken = Number(counters.find((c) => c.benefit_id === benefit.id)?.taken ?? 0);
    const stores = new Map<string, { storeId: string; booked: number; allotted: number }>();
    const store = (id: string) => stores.get(id) ?? stores.set(id, { storeId: id, booked: 0, allotted: 0 }).get(id)!;
    for (const b of booked.filter((r) => r.benefit_id === benefit.id)) store(b.store_id).booked = Number(b.n);
    for (const a of allotments.filter((r) => r.benefit_id === benefit.id)) store(a.store_id).allotted = Number(a.seats);
    const list = [...stores.values()].sort((a, b) => (a.storeId < b.storeId ? -1 : 1));
    return { benefit, taken, left: Math.max(0, benefit.capacity - taken), booked: list.reduce((n, s) => n + s.booked, 0), stores: list };
  });
}
