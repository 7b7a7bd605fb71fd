import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { rulesOf, type ProgrammeDocument } from '../../src/shared/programme/document';
import { diffProgrammes } from '../../src/shared/programme/diff';
import { parseProgramRules } from '../../src/shared/programme/rules-schema';
import { validateProgramme, type Problem } from '../../src/shared/programme/validate';

/** The programme validator (issue 14 items 1 and 8, « Bad input »): every problem at once, with a path and a French key. */

const base: ProgrammeDocument = {
  ...DEFAULT_PROGRAMME_DOCUMENT,
  version: 'fr-2027.1',
  effectiveFrom: '2027-01-04T06:00:00+01:00',
  benefits: [
    {
      id: 'atelier-pain',
      kind: 'workshop',
      label: { fr: 'Atelier pain', en: 'Bread workshop' },
      date: '2027-02-13',
      capacity: 12,
      pricePoints: 300,
      tiers: ['gold'],
    },
  ],
};

/** Tuesdays 16:00–18:00, every category, no dates: the default's promotion, renamed. */
const promo = (id: string, multiplierPercent: number, over: Partial<ProgrammeDocument['promotions'][number]> = {}) => ({
  ...DEFAULT_PROGRAMME_DOCUMENT.promotions[0]!,
  id,
  label: id,
  multiplierPercent,
  ...over,
});

const keys = (problems: Problem[]) => problems.map((p) => `${p.path} ${p.key}`).sort();

describe('programme validation', () => {
  it('accepts the default document and a well-formed new version, whose rules the ledger accepts', () => {
    const check = validateProgramme(base);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(parseProgramRules(rulesOf(check.document!)).version).toBe('fr-2027.1');
    expect(validateProgramme(DEFAULT_PROGRAMME_DOCUMENT).ok).toBe(true);
  });

  it('lists every problem of the issue at once: contradicting promotions, tier shares, a benefit with no capacity, a reward priced at 0', () => {
    const bad = {
      ...base,
      promotions: [promo('mardi-double', 200), promo('mardi-triple', 300, { from: '17:00', to: '19:00' })],
      tiers: { ...base.tiers, tiers: base.tiers.tiers.map((t) => (t.id === 'gold' ? { ...t, share: 0.25 } : t)) },
      benefits: [{ ...base.benefits[0]!, capacity: 0 }],
      rewards: [{ id: 'cafe-offert', label: 'Café offert', points: 0, sku: 'REWARD-CAFE' }],
    };
    const check = validateProgramme(bad);
    expect(check.ok).toBe(false);
    expect(check.document).toBeNull();
    expect(keys(check.problems)).toEqual(
      [
        'benefits.0.capacity programme.benefit_no_capacity',
        'promotions.1 programme.promotions_contradict',
        'rewards.0.points programme.reward_free',
        'tiers.tiers programme.tier_shares_sum',
      ].sort(),
    );
    const shares = check.problems.find((p) => p.key === 'programme.tier_shares_sum')!;
    expect(shares.fr).toContain('105 %');
    expect(shares.en).toContain('not 100 %');
    const overlap = check.problems.find((p) => p.key === 'programme.promotions_contradict')!;
    expect(overlap.fr).toContain('17:00–18:00');
    for (const p of check.problems) expect(p.fr).not.toBe(p.key);
  });

  it('does not call promotions that never meet, or that agree, contradictory', () => {
    const check = validateProgramme({
      ...base,
      promotions: [
        promo('a', 200),
        promo('b', 300, { from: '18:00', to: '20:00' }),
        promo('c', 300, { weekdays: [3] }),
        promo('d', 300, { categories: ['bio'], validFrom: '2027-03-01' }),
        promo('e', 150, { categories: ['local'], validUntil: '2027-02-28' }),
        promo('f', 200, { categories: ['local'] }),
      ],
    });
    // b and c never meet a (later hours, another day); f agrees with a. d (bio) and e (local) meet a, which runs on
    // every category; e (local, until February) and f (local, always) meet too. d and e, d and f: other categories.
    expect(keys(check.problems)).toEqual(['promotions.3 programme.promotions_contradict', 'promotions.4 programme.promotions_contradict', 'promotions.5 programme.promotions_contradict']);
    expect(check.problems.map((p) => `${String(p.params.a)}/${String(p.params.b)}`)).toEqual(['a/d', 'a/e', 'e/f']);
  });

  it('refuses unknown categories, unknown tiers, an unbookable or free benefit, a free membership, a voucher nothing triggers', () => {
    const check = validateProgramme({
      ...base,
      categoryMultipliersPercent: { bio: 200, vins: 150 },
      excludedCategories: ['tabac'],
      promotions: [promo('p', 200, { categories: ['bio', 'fromage'] })],
      benefits: [
        { ...base.benefits[0]!, pricePoints: 0, tiers: ['platine'] },
        { ...base.benefits[0]!, id: 'avant-premiere', kind: 'preview', pricePoints: null, tiers: [] },
      ],
      membership: { label: { fr: 'Adhésion', en: 'Membership' }, priceCents: 0, sku: 'ADHESION', periodMonths: 12, benefits: ['inconnu'], earnMultiplierPercent: 150, multiplierCategories: ['primeurs'] },
      cadence: { ...base.cadence, voucherEveryVisits: null, voucherEachPoints: null },
      regularity: { ...base.regularity, streakWeeks: 20 },
    });
    expect(keys(check.problems)).toEqual(
      [
        'benefits.0.pricePoints programme.benefit_free',
        'benefits.0.tiers.0 programme.tier_unknown',
        'benefits.1 programme.benefit_unbookable',
        'cadence programme.cadence_no_trigger',
        'categoryMultipliersPercent.vins programme.category_unknown',
        'excludedCategories.0 programme.category_unknown',
        'membership.benefits.0 programme.benefit_unknown',
        'membership.multiplierCategories.0 programme.category_unknown',
        'membership.priceCents programme.membership_free',
        'promotions.0.categories.1 programme.category_unknown',
        'regularity.streakWeeks programme.regularity_streak',
      ].sort(),
    );
  });

  it('carries offers from the basket and contact caps; refuses an offer naming a category, tier or benefit the programme lacks, and caps that cannot be reached', () => {
    const cookingClass = {
      id: 'cours-cuisine',
      label: { fr: 'Un cours de cuisine offert', en: 'A free cooking class' },
      conditions: { basket: { match: 'any', categories: [{ category: 'fresh', minCents: 1_000 }], skus: [] }, tiers: ['gold'] },
      offer: { kind: 'booking', benefitId: 'atelier-pain' },
      cap: { times: 3, days: 30 },
      priority: 10,
    };
    const good = validateProgramme({ ...base, offers: [cookingClass], contactCaps: { perVisit: 2, perWeek: 3, perMonth: 8 } });
    expect(good.problems).toEqual([]);
    expect(good.ok && good.document.offers?.[0]?.id).toBe('cours-cuisine');

    const bad = validateProgramme({
      ...base,
      offers: [
        { ...cookingClass, conditions: { basket: { match: 'any', categories: [{ category: 'primeurs', minCents: 1_000 }], skus: [] }, tiers: ['platine'] } },
        { ...cookingClass, id: 'atelier-vin', offer: { kind: 'booking', benefitId: 'atelier-vin' } },
      ],
      contactCaps: { perVisit: 4, perWeek: 3, perMonth: 8 },
    });
    expect(bad.ok).toBe(false);
    const offerProblems = bad.problems.filter((p) => p.key === 'programme.offer_invalid');
    expect(offerProblems.map((p) => p.path)).toEqual(['offers.0.conditions.basket.categories.0.category', 'offers.0.conditions.tiers.0', 'offers.1.offer.benefitId']);
    expect(offerProblems[0]!.fr).toMatch(/^Offre refusée : .*primeurs/);
    expect(keys(bad.problems.filter((p) => p.key !== 'programme.offer_invalid'))).toEqual(['contactCaps programme.contact_caps_order']);
  });

  it('checks categories against the catalogue HQ passes, when it passes one', () => {
    expect(keys(validateProgramme(base, { knownCategories: ['grocery', 'bio', 'gift_card', 'tobacco', 'press', 'deposit'] }).problems)).toEqual([
      'categoryMultipliersPercent.local programme.category_unknown',
    ]);
  });

  it('reports shape problems with their paths, unknown fields and missing ones, beside the other checks', () => {
    const { tiers: _tiers, ...withoutTiers } = base;
    const check = validateProgramme({ ...withoutTiers, effectiveFrom: 'mardi prochain', colour: 'blue', earn: { ...base.earn, points: -1 }, benefits: [{ ...base.benefits[0]!, capacity: 0 }] });
    expect(keys(check.problems)).toEqual(
      [
        'benefits.0.capacity programme.benefit_no_capacity',
        'colour programme.unknown_field',
        'earn.points programme.field_invalid',
        'effectiveFrom programme.instant',
        'tiers programme.missing_field',
      ].sort(),
    );
    expect(validateProgramme([]).problems.map((p) => p.key)).toEqual(['programme.not_object']);
  });

  describe('fairness to long-standing members (item 8)', () => {
    const welcome = { id: 'cafe-bienvenue', label: 'Café de bienvenue', points: 50, sku: 'REWARD-CAFE' };
    const reserved = (over: Partial<ProgrammeDocument> = {}) => ({
      ...base,
      rewards: [...base.rewards, welcome],
      audiences: [{ kind: 'reward' as const, id: 'cafe-bienvenue', newMembersWithinDays: 30 }],
      ...over,
    });

    it('refuses a reward reserved to new members when loyal members pay more for the same article, and says why', () => {
      const check = validateProgramme(reserved());
      expect(check.ok).toBe(false);
      expect(check.problems).toHaveLength(1);
      const p = check.problems[0]!;
      expect(p).toMatchObject({ path: 'rewards.2', key: 'programme.unfair_new_members', severity: 'error' });
      expect(p.fr).toContain('« cafe-bienvenue » (50 points) est réservée aux nouveaux membres');
      expect(p.en).toContain('no reward for the same article at 50 points or fewer is open to long-standing members');
    });

    it('only warns when the document says so, and publishes', () => {
      const check = validateProgramme(reserved({ fairness: { newMemberOnly: 'warn' } }));
      expect(check.ok).toBe(true);
      expect(check.problems.map((p) => [p.key, p.severity])).toEqual([['programme.unfair_new_members', 'warning']]);
    });

    it('accepts it when an equal or better offer is open to everyone', () => {
      expect(validateProgramme(reserved({ rewards: [...base.rewards.map((r) => (r.id === 'cafe-offert' ? { ...r, points: 50 } : r)), welcome] })).problems).toEqual([]);
    });

    it('holds promotions to the same: a stronger one for newcomers only on days the loyal one does not cover is refused', () => {
      const doc = {
        ...base,
        promotions: [promo('mardi-double', 200), promo('bienvenue-triple', 300, { weekdays: [4] })],
        audiences: [{ kind: 'promotion' as const, id: 'bienvenue-triple', newMembersWithinDays: 60 }],
      };
      expect(keys(validateProgramme(doc).problems)).toEqual(['promotions.1 programme.unfair_new_members']);
      const matched = { ...doc, promotions: [...doc.promotions, promo('jeudi-triple', 300, { weekdays: [4, 5], from: '08:00', to: '20:00' })] };
      // The open Thursday promotion covers the reserved one, at the same multiplier: fair (and they agree, so no contradiction).
      expect(validateProgramme(matched).problems).toEqual([]);
    });

    it('names an audience for nothing', () => {
      expect(keys(validateProgramme({ ...base, audiences: [{ kind: 'reward', id: 'rien', newMembersWithinDays: 10 }] }).problems)).toEqual(['audiences.0.id programme.audience_unknown']);
    });
  });
});

describe('programme diff', () => {
  it('lists changed leaves as « path: old → new », matching lists by id', () => {
    const next: ProgrammeDocument = {
      ...base,
      version: 'fr-2027.2',
      earn: { ...base.earn, points: 2 },
      rewards: [...base.rewards].reverse().map((r) => (r.id === 'cafe-offert' ? { ...r, points: 120 } : r)),
      promotions: [{ ...base.promotions[0]!, weekdays: [2, 4] }],
      benefits: [],
    };
    expect(diffProgrammes(base, next).map((l) => l.text)).toEqual([
      'version: "fr-2027.1" → "fr-2027.2"',
      'earn.points: 1 → 2',
      'promotions[mardi-double].weekdays: [2] → [2,4]',
      'rewards[cafe-offert].points: 150 → 120',
      'benefits[atelier-pain]: {"capacity":12,"date":"2027-02-13","id":"atelier-pain","kind":"workshop","label":{"en":"Bread workshop","fr":"Atelier pain"},"pricePoints":300,"tiers":["gold"]} → (absent)',
    ]);
    expect(diffProgrammes(base, base)).toEqual([]);
    expect(diffProgrammes(next, base).at(-1)!.text).toMatch(/^benefits\[atelier-pain\]: \(absent\) → \{"capacity":12,/);
  });
});
