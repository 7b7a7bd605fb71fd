import { z } from 'zod';
import { MemberId, Timestamp } from './schemas';

/**
 * Relational benefits and the paid membership on the screens (issue 14
 * items 6 and 7): what a member may book and how, their bookings, their
 * membership and what it gave back. The same view for the till and the
 * customer screen; the customer may act only for the member it shows.
 */
const Wording = z.object({ fr: z.string(), en: z.string() });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const BenefitId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'benefits.id');
const BookingId = z.string().min(1).max(64);

export const BookingView = z.object({
  bookingId: BookingId,
  via: z.enum(['points', 'tier', 'membership']),
  points: z.number().int().min(0),
  /** `allotted`: booked offline on a seat HQ set aside for this store. */
  seat: z.enum(['chain', 'allotted']),
  bookedAt: Timestamp,
});
export type BookingView = z.infer<typeof BookingView>;

export const BenefitView = z.object({
  id: BenefitId,
  kind: z.enum(['service', 'preview', 'workshop']),
  label: Wording,
  date: Day,
  capacity: z.number().int().min(0),
  pricePoints: z.number().int().min(0).nullable(),
  /** Chain-wide, as HQ last said; null before HQ said anything. */
  seatsLeft: z.number().int().min(0).nullable(),
  /** How this member would book it now, or why not (a message key under benefits.*). */
  bookable: z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), via: z.enum(['points', 'tier', 'membership']), points: z.number().int().min(0) }),
    z.object({ ok: z.literal(false), reason: z.string() }),
  ]),
  booking: BookingView.nullable(),
});
export type BenefitView = z.infer<typeof BenefitView>;

export const MembershipView = z.object({
  label: Wording,
  priceCents: z.number().int().min(0),
  sku: z.string(),
  periodMonths: z.number().int(),
  /** The period in force today, or null: not a member. */
  current: z.object({ start: Day, end: Day }).nullable(),
  /** The next period, already bought. */
  next: z.object({ start: Day, end: Day }).nullable(),
  renewalOffered: z.boolean(),
  /** What the membership gave back over the current period (bonus points and benefits, at their redemption value). */
  valueCents: z.number().int().min(0),
});
export type MembershipView = z.infer<typeof MembershipView>;

export const MemberBenefitsView = z.object({
  memberId: MemberId,
  /** The programme sells a membership: its offer and this member's state; null when it sells none. */
  membership: MembershipView.nullable(),
  benefits: z.array(BenefitView),
});
export type MemberBenefitsView = z.infer<typeof MemberBenefitsView>;

export const BenefitsListInput = z.strictObject({ memberId: MemberId });
export const BenefitBookInput = z.strictObject({ memberId: MemberId, benefitId: BenefitId });
export const BenefitCancelInput = z.strictObject({ memberId: MemberId, bookingId: BookingId });

/** Pushed when a member's bookings or membership changed: both screens read the list again. */
export const BenefitsChanged = z.object({ memberId: MemberId, at: Timestamp });
