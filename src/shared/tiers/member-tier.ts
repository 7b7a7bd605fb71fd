import { z } from 'zod';
import type { Locale } from '../contract/schemas';
import { formatPoints } from '../domain/receipt-layout';
import { DEFAULT_TIER_POLICY, type TierPolicy } from '../programme/tiers';

/**
 * A member's tier as the store learns it (issue 14 item 3): the store
 * bucket's `tier:<memberId>` item, written by HQ's nightly ranking
 * (src/hq/programme/tier-pull.ts) and kept by the terminal
 * (src/main/core/tiers). The labels travel with the tier, so a terminal shows
 * the names marketing chose in the programme without holding the programme.
 */
const TierId = z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a tier id');
const Label = z.strictObject({ fr: z.string().trim().min(1).max(40), en: z.string().trim().min(1).max(40) });
export type TierLabel = z.infer<typeof Label>;

const NextTier = z.strictObject({
  tier: TierId,
  label: Label,
  /**
   * Euros of purchases (cents) still needed to pass the next tier's cut-off at the last ranking. The rank
   * weighs spend plus regular weeks, so this is spend alone with the weeks as they stand: a visit in a new
   * week also counts, and other members move too. An approximation, said as « plus que » on the screens.
   */
  gapCents: z.number().int().min(1),
});

export const MemberTier = z.strictObject({
  memberId: z.string().min(1).max(64),
  tier: TierId,
  label: Label,
  /** Null in the best tier. */
  next: NextTier.nullable(),
  /** When HQ ranked the member; null for a member never ranked yet (new members start in the programme's entry tier). */
  rankedAt: z.number().int().nonnegative().nullable(),
});
export type MemberTier = z.infer<typeof MemberTier>;

/**
 * What the screens receive: the same, with the gap less what the member has bought at this terminal since
 * the ranking, so 0 once the cut-off of that night is reached (the status itself moves at the next ranking).
 */
export const MemberTierView = MemberTier.extend({ next: NextTier.extend({ gapCents: z.number().int().min(0) }).nullable() });
export type MemberTierView = z.infer<typeof MemberTierView>;

export const TIER_KEY_PREFIX = 'tier:';
export const memberTierKey = (memberId: string) => `${TIER_KEY_PREFIX}${memberId}`;

/** The tier of a member nobody has ranked: the programme's tier for new members; no gap until a ranking measures one. */
export function unrankedTier(memberId: string, policy: TierPolicy = DEFAULT_TIER_POLICY): MemberTier {
  const index = Math.max(0, policy.tiers.findIndex((t) => t.id === policy.newMemberTier));
  const tier = policy.tiers[index]!;
  return { memberId, tier: tier.id, label: tier.label, next: null, rankedAt: null };
}

/** The gap as whole euros, rounded up: « plus que 42 € » never promises less than is needed. */
export const gapEuros = (gapCents: number) => Math.ceil(gapCents / 100);

type Words = (key: string, params?: Readonly<Record<string, string | number>>) => string;

/**
 * « Membre Or » and « Plus que 42 € d'achats pour passer Or »: the same words on
 * both screens and the receipt. `gap` is null in the best tier and for a member
 * no ranking has measured; once the night's cut-off is reached, it says so.
 */
export function tierWords(t: Words, locale: Locale, tier: MemberTierView): { label: string; name: string; gap: string | null } {
  const label = tier.label[locale];
  const name = t('tier.member', { tier: label });
  if (!tier.next) return { label, name, gap: null };
  if (tier.next.gapCents === 0) return { label, name, gap: t('tier.gap_reached', { next: tier.next.label[locale] }) };
  const euros = gapEuros(tier.next.gapCents);
  const amount = formatPoints(locale, euros);
  return { label, name, gap: t('tier.gap', { amount, next: tier.next.label[locale] }) };
}
