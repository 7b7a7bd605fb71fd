import { z } from 'zod';

/**
 * The programme's social section (issue 16 items 1 and 4): what a referral
 * earns and when, and the smallest donation to a cause. Optional in the
 * programme document (document.ts): a document without it, or from an HQ
 * that predates it, gets these defaults on every terminal and at HQ alike.
 */
export const ReferralPolicy = z.strictObject({
  /** Points for the member whose code was used. */
  referrerPoints: z.number().int().min(0).max(100_000),
  /** Points for the new member who enrolled with it. */
  refereePoints: z.number().int().min(0).max(100_000),
  /** The new member's first purchase at least this large (net, in cents) rewards both. */
  minimumPurchaseCents: z.number().int().min(0).max(100_000_000),
  /** Referrals one member's code may bring per calendar month (the programme's time zone). */
  monthlyCap: z.number().int().min(1).max(1000),
});
export type ReferralPolicy = z.infer<typeof ReferralPolicy>;

export const CausesPolicy = z.strictObject({
  /** The smallest donation, in points. */
  minimumDonationPoints: z.number().int().min(1).max(1_000_000),
});
export type CausesPolicy = z.infer<typeof CausesPolicy>;

export const SocialPolicy = z.strictObject({ referral: ReferralPolicy, causes: CausesPolicy });
export type SocialPolicy = z.infer<typeof SocialPolicy>;

export const DEFAULT_SOCIAL_POLICY: SocialPolicy = {
  referral: { referrerPoints: 200, refereePoints: 100, minimumPurchaseCents: 2_000, monthlyCap: 5 },
  causes: { minimumDonationPoints: 50 },
};

/** The social section of a programme document; the defaults when it has none (a malformed one was refused at publication). */
export function socialPolicyOf(document: unknown): SocialPolicy {
  const raw = typeof document === 'object' && document !== null ? (document as Record<string, unknown>).social : undefined;
  const parsed = SocialPolicy.safeParse(raw);
  return parsed.success ? parsed.data : DEFAULT_SOCIAL_POLICY;
}

/** Whether a purchase of `netCents` is large enough to reward a referral. */
export const qualifiesForReferral = (policy: ReferralPolicy, netCents: number): boolean => netCents >= policy.minimumPurchaseCents && netCents > 0;
