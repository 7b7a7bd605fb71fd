import { z } from 'zod';

/**
 * Tiers by rank (issue 14 item 3; mission anchors §3 idea 3, §2 pain point 12):
 * members are placed by their rank among all members, never by absolute
 * thresholds, so the shares stay what marketing chose however spending moves.
 * The rule is written once here and HQ's SQL (src/hq/programme/ranking.ts)
 * does the same thing set-wise; the tests hold the two to each other.
 *
 * Rank: score descending, ties by member id (code-unit order, `COLLATE "C"` in
 * SQL), positions 1…N. Tier i takes the positions up to round(N × the shares
 * of tiers 0…i): every tier's size is within one member of its share.
 * Hysteresis: a member holding a tier whose rank is worse than its last
 * position by more than `hysteresisMargin` × N counts a run below; after
 * `consecutiveRunsToDrop` such runs in a row they take the tier their rank
 * gives. A run inside the margin resets the count. Rising is at once.
 * New members (no tier yet, on a chain that has ranked before) start in
 * `newMemberTier`, then follow the same rule. The very first run places
 * everyone by rank: there is nothing to hold yet.
 */

const Label = z.strictObject({ fr: z.string().trim().min(1).max(40), en: z.string().trim().min(1).max(40) });

const TierDef = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/, 'a tier id is lower-case letters, digits, _ or -'),
  label: Label,
  share: z.number().gt(0, 'a tier share is more than 0').max(1, 'a tier share is at most 1'),
});
export type TierDef = z.infer<typeof TierDef>;

export const TierPolicyShape = z.strictObject({
  /** Best first. */
  tiers: z.array(TierDef).min(2, 'at least two tiers').max(8, 'at most eight tiers'),
  /** Cents of score per week with a visit among the last 52. */
  regularityWeight: z.number().int().min(0).max(100_000),
  /** A share of the members (0.05: 5 % of the ranks). */
  hysteresisMargin: z.number().min(0).max(0.5),
  consecutiveRunsToDrop: z.number().int().min(1).max(12),
  newMemberTier: z.string(),
});
export type TierPolicy = z.infer<typeof TierPolicyShape>;

export const DEFAULT_TIER_POLICY: TierPolicy = {
  tiers: [
    { id: 'gold', label: { fr: 'Or', en: 'Gold' }, share: 0.2 },
    { id: 'basic', label: { fr: 'Essentiel', en: 'Basic' }, share: 0.6 },
    { id: 'occasionnel', label: { fr: 'Occasionnel', en: 'Occasional' }, share: 0.2 },
  ],
  // 5 € a regular week: 40 weeks with a visit weigh as much as 200 € of spend.
  regularityWeight: 500,
  hysteresisMargin: 0.05,
  consecutiveRunsToDrop: 2,
  newMemberTier: 'basic',
};

/** Shares are compared to 1 within this, so 0.2 + 0.6 + 0.2 in floating point passes. */
const SHARE_TOLERANCE = 1e-9;

export type TierPolicyCheck = { ok: true; policy: TierPolicy } | { ok: false; problems: string[] };

/** Every problem at once, each saying where; nothing partial is returned. */
export function validateTierPolicy(raw: unknown): TierPolicyCheck {
  const parsed = TierPolicyShape.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'policy'}: ${i.message}`) };
  }
  const policy = parsed.data;
  const problems: string[] = [];
  const total = policy.tiers.reduce((s, t) => s + t.share, 0);
  if (Math.abs(total - 1) > SHARE_TOLERANCE) {
    problems.push(`tiers: the shares add up to ${round(total * 100, 4)} %, they must add up to 100 % (${policy.tiers.map((t) => `${t.id} ${round(t.share * 100, 4)} %`).join(', ')})`);
  }
  const seen = new Set<string>();
  policy.tiers.forEach((t, i) => {
    if (seen.has(t.id)) problems.push(`tiers.${i}.id: « ${t.id} » is used by an earlier tier`);
    seen.add(t.id);
  });
  if (!seen.has(policy.newMemberTier)) problems.push(`newMemberTier: « ${policy.newMemberTier} » is not one of the tiers (${[...seen].join(', ')})`);
  return problems.length ? { ok: false, problems } : { ok: true, policy };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** Shares are resolved to the millionth so that the cut-offs are whole-number arithmetic, the same here and in SQL. */
export const PPM = 1_000_000;

/** Cumulative shares in millionths, best first, the last exactly a million (no member falls off the end by rounding). */
export function cumulativePpm(policy: TierPolicy): number[] {
  let sum = 0;
  return policy.tiers.map((t, i) => (i === policy.tiers.length - 1 ? PPM : (sum += Math.round(t.share * PPM))));
}

/** round(n × ppm / 10⁶), half up, in integers (n × 10⁶ stays far below 2⁵³ for any chain). */
export const sharePosition = (n: number, ppm: number) => Math.floor((n * ppm + PPM / 2) / PPM);

/** The last position (1-based) of each tier among `n` ranked members; a tier may be empty for tiny n. */
export function tierBounds(policy: TierPolicy, n: number): number[] {
  return cumulativePpm(policy).map((c) => sharePosition(n, c));
}

/** The last position a holder of each tier may reach before counting a run below (at most n). */
export function holdBounds(policy: TierPolicy, n: number): number[] {
  const margin = Math.round(policy.hysteresisMargin * PPM);
  return cumulativePpm(policy).map((c) => Math.min(n, sharePosition(n, c + margin)));
}

export interface MemberActivity {
  memberId: string;
  /** Spend over the last 52 weeks, cents. */
  spendCents: number;
  /** Weeks with a visit among the last 52. */
  regularWeeks: number;
}

export interface HeldTier {
  tier: string;
  belowRuns: number;
}

export interface RankedMember {
  memberId: string;
  score: number;
  /** 1 = the best. */
  position: number;
  /** What the rank alone gives. */
  rankTier: string;
  /** What the member holds after hysteresis. */
  tier: string;
  belowRuns: number;
  /** Spend (cents) that would lift the score past the next tier's cut-off; null in the best tier or when it has no seat. */
  nextTierGapCents: number | null;
}

export function tierScore(policy: TierPolicy, m: Pick<MemberActivity, 'spendCents' | 'regularWeeks'>): number {
  return m.spendCents + policy.regularityWeight * m.regularWeeks;
}

const byRank = (a: { score: number; memberId: string }, b: { score: number; memberId: string }) =>
  b.score - a.score || (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

/**
 * One run. `previous` is null on the chain's first run (everyone by rank);
 * otherwise the tiers held after the last run (a member missing from it is new).
 * Deterministic and independent of the order of `members`.
 */
export function rankMembers(policy: TierPolicy, members: readonly MemberActivity[], previous: ReadonlyMap<string, HeldTier> | null): RankedMember[] {
  const n = members.length;
  const bounds = tierBounds(policy, n);
  const holds = holdBounds(policy, n);
  const index = new Map(policy.tiers.map((t, i) => [t.id, i]));
  const newIndex = index.get(policy.newMemberTier)!;
  const sorted = members.map((m) => ({ memberId: m.memberId, score: tierScore(policy, m) })).sort(byRank);
  // The score of the last member in each tier by rank: the cut-off the tier below aims at.
  const cutoff = bounds.map((b) => (b >= 1 ? sorted[b - 1]!.score : null));
  return sorted.map((m, i) => {
    const position = i + 1;
    const k = bounds.findIndex((b) => position <= b);
    let tier = k;
    let belowRuns = 0;
    if (previous !== null) {
      const held = previous.get(m.memberId);
      const heldIndex = held === undefined ? newIndex : index.get(held.tier);
      // A tier the policy no longer has holds nothing: placed by rank.
      if (heldIndex !== undefined && k > heldIndex && position > holds[heldIndex]!) {
        belowRuns = (held?.belowRuns ?? 0) + 1;
        if (belowRuns < policy.consecutiveRunsToDrop) tier = heldIndex;
        else belowRuns = 0;
      } else if (heldIndex !== undefined && k > heldIndex) {
        tier = heldIndex;
      }
    }
    const target = tier > 0 ? cutoff[tier - 1] : null;
    return {
      memberId: m.memberId,
      score: m.score,
      position,
      rankTier: policy.tiers[k]!.id,
      tier: policy.tiers[tier]!.id,
      belowRuns,
      nextTierGapCents: target === null || target === undefined ? null : Math.max(1, target - m.score + 1),
    };
  });
}
