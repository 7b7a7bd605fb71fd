import { createHash } from 'node:crypto';
import { AppFailure, type BenefitView, type BookingView, type MemberBenefitsView, type MembershipView } from '../../../shared/contract';
import {
  bookingTerms,
  membershipBonus,
  membershipSale,
  membershipValueCents,
  renewalOffered,
  storeAllotment,
  upcomingBenefits,
  type MembershipPeriod,
} from '../../../shared/programme/benefits';
import type { Benefit, Membership } from '../../../shared/programme/document';
import type { Db } from '../db/database';
import { uuidv7 } from '../ids';
import type { Ledger } from '../ledger/ledger';
import { formatLocalDate, localDateOf } from '../ledger/local-time';
import type { SaleResult } from '../ledger/sale';
import type { Clock, Logger, Random } from '../ports';
import { BenefitBook, type BookingRow } from './benefit-book';
import { MembershipBook } from './membership-book';
import { programmePartsAt, type ProgrammeParts } from './programme-parts';
import type { SeatClient } from './seat-client';

/**
 * Relational benefits and the paid membership at the terminal (issue 14
 * items 6 and 7).
 *
 * A booking takes a seat at HQ first (chain-wide capacity, src/hq/benefits);
 * with HQ away it may take only a seat HQ allotted this store beforehand,
 * reported once HQ is back. Then the points, if it costs any: one `adjust`
 * entry through the ledger (`programmeAdjust`, idempotent by the booking), so
 * a cancellation gives them back once however often it is asked. Any refusal
 * (full, not entitled, points short, already booked) leaves nothing written:
 * a seat taken for a booking that then fails is given back.
 *
 * The membership is a basket line with the programme's SKU: a sale with it
 * records the period it buys; a second one for a period already paid is
 * refused before the sale writes anything. Members of it earn the
 * programme's extra points on the categories it names, and its value-back
 * meter adds those up with the benefits booked through it.
 */
export interface BenefitsOptions {
  db: Db;
  ledger: Ledger;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** The member's tier id (tiers/tier-store.ts). */
  tierOf: (memberId: string) => string;
  seats: SeatClient;
  /** Whether HQ may be asked now (enrolled, not known to be away). */
  online: () => boolean;
  /** No HQ holds the seats (none configured, or not enrolled yet): this terminal counts them against the capacity itself. */
  standalone: () => boolean;
  /** A member's bookings or membership changed here; `pointsMoved`: their points too. */
  onChanged: (memberId: string, pointsMoved: boolean) => void;
  parts?: (at: number) => ProgrammeParts;
}

export interface BenefitsReceipt {
  bookings: Array<{ label: { fr: string; en: string }; date: string }>;
  /** What the membership gave back this period; null: not a member. */
  membershipValueCents: number | null;
  /** The last day of the period in force when renewal is due (the next one not bought yet); null otherwise. */
  renewBy: string | null;
}

const refusal = (code: 'conflict' | 'not_found' | 'unavailable' | 'bad_input', message: string, key: string, path = 'benefitId') =>
  new AppFailure(code, message, [{ path, message: `benefits.${key}` }]);

const bookingView = (row: BookingRow): BookingView => ({ bookingId: row.booking_id, via: row.via, points: row.points, seat: row.seat, bookedAt: row.booked_at });

/** Lines of a raw sale input, as far as the membership needs them (the ledger checks the rest). */
function linesOf(input: unknown): Array<{ sku: string; category: string; cents: number }> {
  const lines = (input as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(lines)) return [];
  return lines.map((l: { sku?: unknown; category?: unknown; quantity?: unknown; unitPriceCents?: unknown; discountCents?: unknown }) => ({
    sku: typeof l.sku === 'string' ? l.sku : '',
    category: typeof l.category === 'string' ? l.category : '',
    cents: (Number(l.quantity) || 0) * (Number(l.unitPriceCents) || 0) - (Number(l.discountCents) || 0),
  }));
}

const saleRef = (kind: string, tillId: string, receipt: string) => `${kind}:${createHash('sha256').update(`${tillId}\u0000${receipt}`).digest('hex').slice(0, 40)}`;

export class Benefits {
  readonly book: BenefitBook;
  readonly memberships: MembershipBook;
  private readonly parts: (at: number) => ProgrammeParts;

  constructor(private readonly o: BenefitsOptions) {
    this.book = new BenefitBook(o.db);
    this.memberships = new MembershipBook(o.db);
    this.parts = o.parts ?? programmePartsAt(o.db);
  }

  private today(at = this.o.clock.now()): string {
    return formatLocalDate(localDateOf(at, this.o.ledger.rules.timeZone));
  }

  private programme(): ProgrammeParts {
    return this.parts(this.o.clock.now());
  }

  /** The member's periods: the one in force today and the next, already bought. */
  private periods(memberId: string, today: string): { current: MembershipPeriod | null; next: MembershipPeriod | null; latest: MembershipPeriod | null } {
    const periods = this.memberships.periods(memberId);
    return {
      current: periods.find((p) => p.start <= today && p.end >= today) ?? null,
      next: periods.find((p) => p.start > today) ?? null,
      latest: periods.at(-1) ?? null,
    };
  }

  view(memberId: string): MemberBenefitsView {
    const { benefits, membership } = this.programme();
    const today = this.today();
    const { current, next } = this.periods(memberId, today);
    const member = { tier: this.o.tierOf(memberId), memberOfBenefits: current && membership ? membership.benefits : [], available: this.o.ledger.points(memberId).available };
    const bookings = this.book.bookings(memberId);
    const standalone = this.o.standalone();
    const list: BenefitView[] = upcomingBenefits({ benefits }, today).map((b) => {
      const booking = bookings.find((r) => r.benefit_id === b.id);
      const terms = bookingTerms(b, member, today);
      const chainLeft = standalone ? Math.max(0, b.capacity - this.book.liveCount(b.id)) : this.book.allotment(b.id).chainLeft;
      return {
        id: b.id,
        kind: b.kind,
        label: b.label,
        date: b.date,
        capacity: b.capacity,
        pricePoints: b.pricePoints,
        seatsLeft: chainLeft,
        bookable: terms.ok ? { ok: true, via: terms.via, points: terms.points } : { ok: false, reason: `benefits.${terms.reason}` },
        booking: booking ? bookingView(booking) : null,
      };
    });
    return { memberId, benefits: list, membership: membership ? this.membershipView(memberId, membership, today, current, next) : null };
  }

  private membershipView(memberId: string, membership: NonNullable<Membership>, today: string, current: MembershipPeriod | null, next: MembershipPeriod | null): MembershipView {
    return {
      label: membership.label,
      priceCents: membership.priceCents,
      sku: membership.sku,
      periodMonths: membership.periodMonths,
      current,
      next,
      renewalOffered: renewalOffered(current, next, today),
      valueCents: current ? membershipValueCents(this.memberships.value(memberId, current.start), this.o.ledger.rules.redemption.value) : 0,
    };
  }

  /**
   * While HQ answers: reports what was booked or cancelled offline, then asks
   * for this store's allotment of each benefit to come, and keeps HQ's count
   * of the seats left. Never throws; HQ away leaves the last figures.
   */
  async refresh(): Promise<void> {
    if (!this.o.online()) return;
    try {
      await this.report();
      for (const b of upcomingBenefits(this.programme(), this.today())) {
        const outcome = await this.o.seats({ action: 'allot', benefitId: b.id, bookingId: null, memberId: null, seats: storeAllotment(b.capacity), fromAllotment: false });
        if (outcome.kind === 'unavailable') return;
        if (outcome.kind === 'answer') this.book.setAllotment(b.id, outcome.answer.allotted, outcome.answer.left, this.o.clock.now());
      }
    } catch (error) {
      this.o.logger.warn('benefit seats not refreshed', { error: String(error) });
    }
  }

  private async report(): Promise<void> {
    for (const row of this.book.unreported()) {
      const cancel = row.status === 'cancelled';
      const outcome = await this.o.seats({
        action: cancel ? 'release' : 'take',
        benefitId: row.benefit_id,
        bookingId: row.booking_id,
        memberId: row.member_id,
        seats: 0,
        fromAllotment: row.seat === 'allotted',
      });
      if (outcome.kind === 'unavailable') return;
      if (outcome.kind === 'refused') this.o.logger.warn('HQ refused a booking made offline', { bookingId: row.booking_id, code: outcome.code, message: outcome.message });
      if (cancel) this.book.markCancelReported(row.booking_id);
      else this.book.markReported(row.booking_id);
    }
  }

  private benefit(benefitId: string): Benefit {
    const benefit = this.programme().benefits.find((b) => b.id === benefitId);
    if (!benefit) throw refusal('not_found', `no benefit « ${benefitId} » in the programme in force`, 'benefit_unknown');
    return benefit;
  }

  async bookFor(memberId: string, benefitId: string, actor: string): Promise<{ booking: BookingView; view: MemberBenefitsView }> {
    const benefit = this.benefit(benefitId);
    if (this.book.live(benefit.id, memberId)) throw refusal('conflict', `« ${benefit.id} » is already booked for this member`, 'benefit_booked');
    const membership = this.programme().membership;
    const today = this.today();
    const { current } = this.periods(memberId, today);
    const terms = bookingTerms(
      benefit,
      { tier: this.o.tierOf(memberId), memberOfBenefits: current && membership ? membership.benefits : [], available: this.o.ledger.points(memberId).available },
      today,
    );
    if (!terms.ok) throw refusal('conflict', `« ${benefit.id} » cannot be booked: ${terms.reason}`, terms.reason);

    const bookingId = uuidv7(this.o.clock, this.o.random);
    let seat: BookingRow['seat'] = 'allotted';
    if (this.o.standalone()) {
      if (this.book.liveCount(benefit.id) >= benefit.capacity) throw refusal('conflict', `no seat left for « ${benefit.id} » (${benefit.capacity} booked)`, 'benefit_full');
      seat = 'chain';
    } else if (this.o.online()) {
      const outcome = await this.o.seats({ action: 'take', benefitId: benefit.id, bookingId, memberId, seats: 0, fromAllotment: false });
      if (outcome.kind === 'refused') {
        if (outcome.code === 'benefit_full') this.book.setAllotment(benefit.id, this.book.allotment(benefit.id).seats, 0, this.o.clock.now());
        if (outcome.code === 'benefit_full' || outcome.code === 'benefit_unknown') throw refusal('conflict', `HQ refused the seat: ${outcome.message}`, outcome.code);
        throw refusal('unavailable', `HQ refused the seat (${outcome.code}): ${outcome.message}`, 'benefit_hq_refused');
      }
      if (outcome.kind === 'answer') {
        seat = 'chain';
        this.book.setAllotment(benefit.id, outcome.answer.allotted, outcome.answer.left, this.o.clock.now());
      } else this.o.logger.warn('HQ away: the booking takes a seat allotted to this store', { reason: outcome.reason });
    }
    if (seat === 'allotted' && this.book.allotment(benefit.id).seats === 0) {
      throw refusal('unavailable', `HQ cannot be reached and no seat of « ${benefit.id} » is allotted to this store`, 'benefit_full_offline');
    }

    const now = this.o.clock.now();
    let debited = false;
    try {
      if (terms.points > 0) {
        this.o.ledger.programmeAdjust({ adjustmentId: `benefit:${bookingId}`, memberId, points: -terms.points, reason: `benefit ${benefit.id} booked`, actor });
        debited = true;
      }
      const row = { booking_id: bookingId, benefit_id: benefit.id, member_id: memberId, via: terms.via, points: terms.points, seat, reported: seat === 'chain' ? 1 : 0, booked_at: now } as const;
      if (!this.book.insert(row)) throw refusal('unavailable', `no seat of « ${benefit.id} » is left for this store`, 'benefit_full_offline');
      if (terms.via === 'membership' && current) this.memberships.addValue(`benefit:${bookingId}`, memberId, current.start, 'benefit', benefit.pricePoints ?? 0, now);
    } catch (error) {
      // Nothing of this booking stays: points taken for it come back, the seat HQ gave is freed.
      if (debited) {
        this.o.ledger.programmeAdjust({ adjustmentId: `benefit-undo:${bookingId}`, memberId, points: terms.points, reason: `benefit ${benefit.id} not booked`, actor });
      }
      if (seat === 'chain') await this.o.seats({ action: 'release', benefitId: benefit.id, bookingId, memberId, seats: 0, fromAllotment: false });
      throw error;
    }
    this.o.onChanged(memberId, terms.points > 0);
    return { booking: bookingView(this.book.booking(bookingId)!), view: this.view(memberId) };
  }

  async cancel(memberId: string, bookingId: string, actor: string): Promise<MemberBenefitsView> {
    const row = this.book.booking(bookingId);
    if (!row || row.member_id !== memberId) throw refusal('not_found', `no booking ${bookingId} for this member`, 'booking_unknown', 'bookingId');
    if (row.status === 'cancelled') return this.view(memberId);
    // The points first, idempotent by the booking: a cancellation cut short and asked again gives them back once.
    if (row.points > 0) this.o.ledger.programmeAdjust({ adjustmentId: `benefit-cancel:${bookingId}`, memberId, points: row.points, reason: `benefit ${row.benefit_id} cancelled`, actor });
    if (!this.book.cancel(row, this.o.clock.now())) return this.view(memberId);
    this.memberships.dropValue(`benefit:${bookingId}`);
    if (!(row.seat === 'allotted' && row.reported === 0) && this.o.online()) {
      const outcome = await this.o.seats({ action: 'release', benefitId: row.benefit_id, bookingId, memberId, seats: 0, fromAllotment: false });
      if (outcome.kind !== 'unavailable') this.book.markCancelReported(bookingId);
      if (outcome.kind === 'answer') this.book.setAllotment(row.benefit_id, outcome.answer.allotted, outcome.answer.left, this.o.clock.now());
    }
    this.o.onChanged(memberId, row.points > 0);
    return this.view(memberId);
  }

  /**
   * Before a sale is committed: a membership line is refused when the member
   * already paid for the period it would buy (nothing is written). Lines are
   * looked at in memory; a sale without the SKU costs nothing more.
   */
  checkSale(input: unknown): void {
    const membership = this.programme().membership;
    if (!membership) return;
    const lines = linesOf(input).filter((l) => l.sku === membership.sku);
    if (lines.length === 0) return;
    const { memberId, tillId, receipt } = (input ?? {}) as { memberId?: unknown; tillId?: unknown; receipt?: unknown };
    if (typeof memberId !== 'string') throw refusal('bad_input', 'the membership is sold to an identified member', 'membership_needs_member', 'lines');
    // A till replaying the sale that bought it gets the same answer as the first time.
    if (typeof tillId === 'string' && typeof receipt === 'string' && this.memberships.soldBy(tillId, receipt) === memberId) return;
    const sale = membershipSale(membership, this.periods(memberId, this.today()).latest, this.today());
    if (lines.length > 1 || !sale.ok) {
      const period = sale.period;
      throw refusal('conflict', `membership already paid from ${period.start} to ${period.end}`, 'membership_already', 'lines');
    }
  }

  /** After a sale committed: records a membership it bought, and a member's bonus points on what it covers. */
  saleCommitted(sale: SaleResult, input: unknown): void {
    const membership = this.programme().membership;
    if (!membership) return;
    const lines = linesOf(input);
    const bought = lines.some((l) => l.sku === membership.sku);
    // Memory only up to here: a sale of anyone who never held the membership costs no query.
    if (!bought && !this.memberships.everHeld(sale.memberId)) return;
    const today = this.today(sale.committedAt);
    if (!bought && !this.memberships.holds(sale.memberId, today)) return;
    try {
      if (bought) {
        if (this.memberships.soldBy(sale.tillId, sale.receipt) !== null) return;
        const outcome = membershipSale(membership, this.periods(sale.memberId, today).latest, today);
        if (outcome.ok) this.memberships.record(sale.memberId, outcome.period, membership.priceCents, sale, sale.committedAt);
        this.o.onChanged(sale.memberId, false);
        return;
      }
      const { current } = this.periods(sale.memberId, today);
      if (!current || membership.earnMultiplierPercent <= 100 || sale.pointsEarned <= 0) return;
      const covered = membership.multiplierCategories;
      const total = lines.reduce((n, l) => n + Math.max(0, l.cents), 0);
      const coveredCents = lines.filter((l) => covered === null || covered.includes(l.category)).reduce((n, l) => n + Math.max(0, l.cents), 0);
      const earnedOnCovered = total > 0 ? Math.floor((sale.pointsEarned * coveredCents) / total) : 0;
      const bonus = membershipBonus(earnedOnCovered, membership.earnMultiplierPercent);
      if (bonus <= 0) return;
      const ref = saleRef('membership-bonus', sale.tillId, sale.receipt);
      this.o.ledger.programmeAdjust({ adjustmentId: ref, memberId: sale.memberId, points: bonus, reason: 'membership bonus', actor: 'membership' });
      this.memberships.addValue(ref, sale.memberId, current.start, 'bonus', bonus, sale.committedAt);
      this.o.onChanged(sale.memberId, true);
    } catch (error) {
      this.o.logger.error('the membership after a sale was not recorded', { sale: sale.saleId, error: String(error) });
    }
  }

  /** The member's bookings still to come and what the membership gave back, for the receipt. */
  receipt(memberId: string): BenefitsReceipt {
    const { benefits, membership } = this.programme();
    const today = this.today();
    const bookings = this.book
      .bookings(memberId)
      .map((r) => benefits.find((b) => b.id === r.benefit_id))
      .filter((b): b is Benefit => b !== undefined && b.date >= today)
      .map((b) => ({ label: b.label, date: b.date }));
    const { current, next } = membership ? this.periods(memberId, today) : { current: null, next: null };
    const membershipValue = current ? membershipValueCents(this.memberships.value(memberId, current.start), this.o.ledger.rules.redemption.value) : null;
    return { bookings, membershipValueCents: membershipValue, renewBy: current && renewalOffered(current, next, today) ? current.end : null };
  }
}
