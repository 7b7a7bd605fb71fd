import { z } from 'zod';
import { Signed } from '../sync/protocol';
import type { Benefit, Membership, ProgrammeDocument } from './document';
import { Slug } from './rules-schema';

/**
 * Relational benefits and the paid membership (issue 14 items 6 and 7), the
 * part both the terminal and HQ reason with: who may book what and how, the
 * seats a store keeps for offline bookings, a membership's period and the
 * value it gave back. Pure: « today » is the caller's store-local day.
 */

/** How a booking is paid for: points, or an entitlement (the member's tier, or their paid membership). */
export type BookingVia = 'points' | 'tier' | 'membership';

export type BookingTerms = { ok: true; via: BookingVia; points: number } | { ok: false; reason: 'benefit_past' | 'benefit_not_entitled' | 'benefit_points_short' };

/**
 * How a member books a benefit: by entitlement first (nothing to pay), then
 * with points. `available` is what the member may spend now.
 */
export function bookingTerms(benefit: Benefit, member: { tier: string; memberOfBenefits: readonly string[]; available: number }, today: string): BookingTerms {
  if (benefit.date < today) return { ok: false, reason: 'benefit_past' };
  if (benefit.tiers.includes(member.tier)) return { ok: true, via: 'tier', points: 0 };
  if (member.memberOfBenefits.includes(benefit.id)) return { ok: true, via: 'membership', points: 0 };
  if (benefit.pricePoints === null) return { ok: false, reason: 'benefit_not_entitled' };
  if (member.available < benefit.pricePoints) return { ok: false, reason: 'benefit_points_short' };
  return { ok: true, via: 'points', points: benefit.pricePoints };
}

/** Benefits still to come (their day not past), soonest first. */
export const upcomingBenefits = (doc: Pick<ProgrammeDocument, 'benefits'>, today: string): Benefit[] =>
  doc.benefits.filter((b) => b.date >= today).sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.id < b.id ? -1 : 1));

/**
 * Seats a store keeps for bookings while HQ cannot be reached: a tenth of the
 * capacity, at most 5. Counted as taken at HQ from the moment they are
 * allotted, so offline bookings never pass the chain-wide capacity.
 */
export const storeAllotment = (capacity: number): number => Math.min(5, Math.floor(capacity / 10));

/** One step of a store-local day 'YYYY-MM-DD' by whole months (the last day of a shorter month when it has no such day). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

export function addDays(day: string, days: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + days * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** A membership's period: from its first day to its last, both included. */
export interface MembershipPeriod {
  start: string;
  end: string;
}

/** Renewal is offered this many days before a period ends. */
export const RENEWAL_WINDOW_DAYS = 30;

export type MembershipSale = { ok: true; period: MembershipPeriod; renewal: boolean } | { ok: false; reason: 'membership_already'; period: MembershipPeriod };

/**
 * The period a membership sold today buys, given the member's latest one:
 * a new period from today when none runs; inside the renewal window, the
 * next period from the day after the current one ends; otherwise refused —
 * a member cannot pay twice for one period.
 */
export function membershipSale(membership: Pick<NonNullable<Membership>, 'periodMonths'>, latest: MembershipPeriod | null, today: string): MembershipSale {
  if (latest === null || latest.end < today) return { ok: true, period: { start: today, end: addDays(addMonths(today, membership.periodMonths), -1) }, renewal: false };
  if (latest.start > today || addDays(latest.end, -RENEWAL_WINDOW_DAYS) >= today) return { ok: false, reason: 'membership_already', period: latest };
  const start = addDays(latest.end, 1);
  return { ok: true, period: { start, end: addDays(addMonths(start, membership.periodMonths), -1) }, renewal: true };
}

/** Whether to offer renewal: the period in force ends within the window and no next one is bought. */
export const renewalOffered = (current: MembershipPeriod | null, next: MembershipPeriod | null, today: string): boolean =>
  current !== null && next === null && current.start <= today && current.end >= today && addDays(current.end, -RENEWAL_WINDOW_DAYS) < today;

/**
 * What a membership gave back, in cents: the extra points its multiplier
 * earned and the benefits booked through it, each valued at what a point is
 * worth when redeemed (`centsPerPoint` as a fraction).
 */
export function membershipValueCents(gave: { bonusPoints: number; benefitPoints: number }, value: { cents: number; points: number }): number {
  return Math.floor(((gave.bonusPoints + gave.benefitPoints) * value.cents) / value.points);
}

/** The extra points a member of the paid membership earns on a sale: the multiplier over 100 %, on what it covers. */
export const membershipBonus = (earnedOnCovered: number, multiplierPercent: number): number => Math.floor((earnedOnCovered * (multiplierPercent - 100)) / 100);

/**
 * A terminal's request about a benefit's seats at HQ (POST /v1/benefits/seats):
 *  - `take`: one seat for a booking (idempotent by booking id); `fromAllotment`
 *    reports a booking made offline on a seat the store already held;
 *  - `release`: the booking was cancelled, its seat is free again;
 *  - `allot`: the store wants `seats` set aside for offline bookings (a level, so a retry is harmless).
 * HQ answers a SeatAnswer, or 409 `benefit_full` when no seat is left.
 */
export const SeatRequest = z.strictObject({
  protocolVersion: z.literal(1),
  terminalId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  action: z.enum(['take', 'release', 'allot']),
  benefitId: Slug,
  bookingId: z.string().min(1).max(64).nullable(),
  memberId: z.string().min(1).max(64).nullable(),
  seats: z.number().int().min(0).max(100),
  fromAllotment: z.boolean(),
  sentAt: z.number().int().nonnegative(),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  ...Signed,
});
export type SeatRequest = z.infer<typeof SeatRequest>;

export const SeatAnswer = z.strictObject({
  benefitId: Slug,
  capacity: z.number().int().min(0),
  /** Seats booked or allotted chain-wide. */
  taken: z.number().int().min(0),
  /** Seats still free chain-wide. */
  left: z.number().int().min(0),
  /** Seats set aside for the asking store, unused. */
  allotted: z.number().int().min(0),
  /** The booking's state at HQ after the request; null for `allot`. */
  booking: z.enum(['booked', 'cancelled']).nullable(),
});
export type SeatAnswer = z.infer<typeof SeatAnswer>;

/** Message keys of refusals, for the screens (src/shared/i18n/benefits.ts). */
export const BENEFIT_REFUSALS = ['benefit_unknown', 'benefit_past', 'benefit_not_entitled', 'benefit_points_short', 'benefit_full', 'benefit_booked', 'membership_already'] as const;
