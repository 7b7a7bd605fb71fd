import { z } from 'zod';
import { Slug } from '../programme/rules-schema';

/**
 * Referrals and causes on the screens (issue 16 items 1 and 4): the member's
 * referral code and QR, the causes with their live counters, a donation.
 */
export const CauseId = Slug;

export const CauseView = z.object({
  id: CauseId,
  name: z.string(),
  description: z.string(),
  imageUrl: z.string().nullable(),
  goalPoints: z.number().int().min(0),
  /** Chain-wide as HQ last sent it, plus the donations made here since. */
  totalPoints: z.number().int().min(0),
  status: z.enum(['open', 'closed']),
});
export type CauseView = z.infer<typeof CauseView>;

export const ReferralCard = z.object({
  /** As shown: ABCD-EFGH. */
  code: z.string(),
  /** What its QR carries. */
  qr: z.string(),
});
export type ReferralCard = z.infer<typeof ReferralCard>;

/** What the screens show for the member on the customer screen (none: the causes only). */
export const SocialView = z.object({
  referral: ReferralCard.nullable(),
  balance: z.number().int().nullable(),
  causes: z.array(CauseView),
  minimumDonationPoints: z.number().int().min(1),
});
export type SocialView = z.infer<typeof SocialView>;

export const DonateInput = z.strictObject({
  donationId: z.uuid(),
  causeId: CauseId,
  points: z.number().int().min(1).max(10_000_000),
});
export const DonationView = z.object({ donationId: z.string(), causeId: CauseId, points: z.number().int(), balance: z.number().int(), causeTotal: z.number().int() });
export type DonationView = z.infer<typeof DonationView>;

/** A code typed by the cashier for the member on the screen who enrolled without one and has not bought yet. */
export const AttachReferralInput = z.strictObject({ code: z.string().min(1).max(40) });
export const AttachReferralView = z.object({ referrerFirstName: z.string() });
