import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TIER_POLICY,
  holdBounds,
  rankMembers,
  tierBounds,
  validateTierPolicy,
  type HeldTier,
  type MemberActivity,
  type RankedMember,
  type TierPolicy,
} from '../../src/shared/programme/tiers';

/** The pure rule of tiers by rank (src/shared/programme/tiers.ts); HQ's SQL is held to it in tiers-ranking.test.ts. */

const P = DEFAULT_TIER_POLICY;

const activity = fc.record({
  spendCents: fc.integer({ min: 0, max: 500_000 }),
  regularWeeks: fc.integer({ min: 0, max: 52 }),
});

/** Members with distinct ids, few distinct scores so ties are common. */
const membersArb = (min: number, max: number) =>
  fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { minLength: min, maxLength: max }).chain((ids) =>
    fc.tuple(...ids.map((id) => fc.oneof(activity, fc.record({ spendCents: fc.constantFrom(0, 1000), regularWeeks: fc.constantFrom(0, 2) })).map((a) => ({ memberId: id, ...a })))),
  );

const held = (ranked: readonly RankedMember[]) => new Map<string, HeldTier>(ranked.map((r) => [r.memberId, { tier: r.tier, belowRuns: r.belowRuns }]));
const countOf = (ranked: readonly RankedMember[], tier: string) => ranked.filter((r) => r.tier === tier).length;

describe('tier policy validation', () => {
  it('accepts the default 20 / 60 / 20', () => {
    expect(validateTierPolicy(DEFAULT_TIER_POLICY)).toEqual({ ok: true, policy: DEFAULT_TIER_POLICY });
  });

  it('lists every problem: shares not adding up to 100 %, a repeated id, an unknown new-member tier', () => {
    const bad = {
      ...P,
      tiers: [
        { id: 'gold', label: { fr: 'Or', en: 'Gold' }, share: 0.25 },
        { id: 'gold', label: { fr: 'Essentiel', en: 'Basic' }, share: 0.6 },
        { id: 'occasionnel', label: { fr: 'Occasionnel', en: 'Occasional' }, share: 0.2 },
      ],
      newMemberTier: 'silver',
    };
    const check = validateTierPolicy(bad);
    expect(check.ok).toBe(false);
    const problems = check.ok ? [] : check.problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/shares add up to 105 %, they must add up to 100 %/);
    expect(problems[1]).toMatch(/tiers\.1\.id: « gold » is used by an earlier tier/);
    expect(problems[2]).toMatch(/newMemberTier: « silver » is not one of the tiers/);
  });

  it('lists every shape problem with its path', () => {
    const check = validateTierPolicy({ ...P, tiers: [{ id: 'Gold!', label: { fr: '', en: 'Gold' }, share: 0 }], regularityWeight: -1 });
    expect(check.ok).toBe(false);
    const problems = check.ok ? [] : check.problems;
    expect(problems.some((p) => p.startsWith('tiers.0.id:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tiers.0.label.fr:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tiers.0.share:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('tiers:') && /at least two/.test(p))).toBe(true);
    expect(problems.some((p) => p.startsWith('regularityWeight:'))).toBe(true);
  });
});

describe('ranking by rank (properties)', () => {
  it('is deterministic and independent of the input order, before and after hysteresis', () => {
    fc.assert(
      fc.property(
        membersArb(1, 60).chain((ms) => fc.tuple(fc.constant(ms), fc.shuffledSubarray(ms, { minLength: ms.length, maxLength: ms.length }), fc.array(activity, { minLength: ms.length, maxLength: ms.length }))),
        ([members, shuffled, later]) => {
          const first = rankMembers(P, members, null);
          expect(rankMembers(P, shuffled, null)).toEqual(first);
          const next: MemberActivity[] = members.map((m, i) => ({ memberId: m.memberId, ...later[i]! }));
          const again = rankMembers(P, next, held(first));
          expect(rankMembers(P, [...next].reverse(), held(first))).toEqual(again);
        },
      ),
    );
  });

  it('places 20 / 60 / 20 within one member for any N ≥ 5 on a first run, ties broken by id', () => {
    fc.assert(
      fc.property(membersArb(5, 300), (members) => {
        const n = members.length;
        const ranked = rankMembers(P, members, null);
        for (const [tier, share] of [['gold', 0.2], ['basic', 0.6], ['occasionnel', 0.2]] as const) {
          expect(Math.abs(countOf(ranked, tier) - n * share)).toBeLessThanOrEqual(1);
        }
        expect(ranked.map((r) => r.position)).toEqual(ranked.map((_, i) => i + 1));
        for (let i = 1; i < n; i++) {
          const [a, b] = [ranked[i - 1]!, ranked[i]!];
          expect(a.score > b.score || (a.score === b.score && a.memberId < b.memberId)).toBe(true);
        }
      }),
    );
  });

  it('keeps 20 / 60 / 20 within one member on every later run when scores do not move', () => {
    fc.assert(
      fc.property(membersArb(5, 200), (members) => {
        const first = rankMembers(P, members, null);
        const second = rankMembers(P, members, held(first));
        expect(second).toEqual(first);
      }),
    );
  });

  it('gives every member below the best tier a gap that would lift them past the cut-off', () => {
    fc.assert(
      fc.property(membersArb(5, 100), (members) => {
        const ranked = rankMembers(P, members, null);
        const lastGold = ranked[tierBounds(P, members.length)[0]! - 1]!;
        for (const r of ranked) {
          if (r.tier === 'gold') expect(r.nextTierGapCents).toBeNull();
          if (r.tier !== 'basic') continue;
          // Spending the gap puts the member strictly above the last gold member.
          expect(r.nextTierGapCents).toBe(lastGold.score - r.score + 1);
          expect(r.score + r.nextTierGapCents! > lastGold.score).toBe(true);
        }
      }),
    );
  });
});

describe('hysteresis', () => {
  /** 100 members, m000 the best; `scores` overrides some. */
  const chain = (overrides: Record<string, number> = {}): MemberActivity[] =>
    Array.from({ length: 100 }, (_, i) => {
      const id = `m${String(i).padStart(3, '0')}`;
      return { memberId: id, spendCents: overrides[id] ?? (100 - i) * 1000, regularWeeks: 0 };
    });
  const tierOf = (ranked: readonly RankedMember[], id: string) => ranked.find((r) => r.memberId === id)!;

  it('uses the margin the policy gives: gold holders count a run below past position 25 of 100', () => {
    expect(tierBounds(P, 100)).toEqual([20, 80, 100]);
    expect(holdBounds(P, 100)).toEqual([25, 85, 100]);
  });

  it('a gold member just past the margin keeps gold for one run and drops on the second', () => {
    const first = rankMembers(P, chain(), null);
    expect(tierOf(first, 'm000').tier).toBe('gold');
    // Just past the margin: position 26 (the cut-off is 20, the margin 5).
    const slipped = chain({ m000: (100 - 25) * 1000 - 1 });
    const second = rankMembers(P, slipped, held(first));
    expect(tierOf(second, 'm000')).toMatchObject({ position: 26, rankTier: 'basic', tier: 'gold', belowRuns: 1, nextTierGapCents: null });
    const third = rankMembers(P, slipped, held(second));
    expect(tierOf(third, 'm000')).toMatchObject({ position: 26, tier: 'basic', belowRuns: 0 });
    expect(tierOf(third, 'm000').nextTierGapCents).toBeGreaterThan(0);
  });

  it('a gold member inside the margin keeps gold run after run', () => {
    let ranked = rankMembers(P, chain(), null);
    const inside = chain({ m000: (100 - 24) * 1000 - 1 });
    for (let run = 0; run < 4; run++) {
      ranked = rankMembers(P, inside, held(ranked));
      expect(tierOf(ranked, 'm000')).toMatchObject({ position: 25, rankTier: 'basic', tier: 'gold', belowRuns: 0 });
    }
  });

  it('a gold member well below drops after two runs, straight to the tier the rank gives', () => {
    const first = rankMembers(P, chain(), null);
    const gone = chain({ m000: 0 });
    const second = rankMembers(P, gone, held(first));
    expect(tierOf(second, 'm000')).toMatchObject({ position: 100, tier: 'gold', belowRuns: 1 });
    const third = rankMembers(P, gone, held(second));
    expect(tierOf(third, 'm000')).toMatchObject({ tier: 'occasionnel', belowRuns: 0 });
  });

  it('a run back inside the margin resets the count: two runs below must be consecutive', () => {
    const first = rankMembers(P, chain(), null);
    const out = chain({ m000: 0 });
    const back = chain({ m000: (100 - 24) * 1000 - 1 });
    let ranked = rankMembers(P, out, held(first));
    ranked = rankMembers(P, back, held(ranked));
    expect(tierOf(ranked, 'm000')).toMatchObject({ tier: 'gold', belowRuns: 0 });
    ranked = rankMembers(P, out, held(ranked));
    expect(tierOf(ranked, 'm000')).toMatchObject({ tier: 'gold', belowRuns: 1 });
  });

  it('rises at once', () => {
    const first = rankMembers(P, chain(), null);
    expect(tierOf(first, 'm099').tier).toBe('occasionnel');
    const second = rankMembers(P, chain({ m099: 1_000_000 }), held(first));
    expect(tierOf(second, 'm099')).toMatchObject({ position: 1, tier: 'gold' });
  });

  it('new members start basic, whatever their rank, then follow the rule', () => {
    const first = rankMembers(P, chain(), null);
    const withNewcomers = [...chain(), { memberId: 'new-low', spendCents: 0, regularWeeks: 0 }, { memberId: 'new-mid', spendCents: 50_500, regularWeeks: 0 }];
    const second = rankMembers(P, withNewcomers, held(first));
    expect(tierOf(second, 'new-low')).toMatchObject({ rankTier: 'occasionnel', tier: 'basic', belowRuns: 1 });
    expect(tierOf(second, 'new-mid')).toMatchObject({ rankTier: 'basic', tier: 'basic', belowRuns: 0 });
    const third = rankMembers(P, withNewcomers, held(second));
    expect(tierOf(third, 'new-low').tier).toBe('occasionnel');
    expect(tierOf(third, 'new-mid').tier).toBe('basic');
  });

  it('property: nobody leaves a tier on the first run they fall past its margin', () => {
    fc.assert(
      fc.property(
        membersArb(5, 80).chain((ms) => fc.tuple(fc.constant(ms), fc.array(activity, { minLength: ms.length, maxLength: ms.length }))),
        ([members, later]) => {
          const first = rankMembers(P, members, null);
          const next = members.map((m, i) => ({ memberId: m.memberId, ...later[i]! }));
          const second = rankMembers(P, next, held(first));
          const order = new Map(P.tiers.map((t, i) => [t.id, i]));
          for (const r of second) {
            const before = first.find((f) => f.memberId === r.memberId)!;
            expect(order.get(r.tier)!).toBeLessThanOrEqual(order.get(before.tier)!);
          }
        },
      ),
    );
  });
});

/** Policies other than 20/60/20 obey the same within-one-member rule. */
describe('other policies', () => {
  it('four tiers of any shares summing to 1 are each within one member of their share', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 5, max: 400 }), (weights, n) => {
        const total = weights.reduce((a, b) => a + b, 0);
        const shares = weights.map((w) => w / total);
        const policy: TierPolicy = { ...P, tiers: shares.map((share, i) => ({ id: `t${i}`, label: { fr: `T${i}`, en: `T${i}` }, share })), newMemberTier: 't1' };
        const members = Array.from({ length: n }, (_, i) => ({ memberId: `m${i}`, spendCents: (i * 7919) % 1000, regularWeeks: 0 }));
        const ranked = rankMembers(policy, members, null);
        shares.forEach((s, i) => expect(Math.abs(countOf(ranked, `t${i}`) - n * s)).toBeLessThanOrEqual(1 + 1e-6 * n));
      }),
    );
  });
});
