import { describe, expect, it } from 'vitest';
import { evaluateOffers, type MemberFacts } from '../../src/shared/offers/evaluate';
import { requiredConsents, validateOfferRules, type OfferRule } from '../../src/shared/offers/rules';

const CATEGORIES = ['grocery', 'bio', 'fruits-legumes', 'bebe'];
const cookingClass: OfferRule = {
  id: 'cours-cuisine',
  label: { fr: 'Un cours de cuisine offert', en: 'A free cooking class' },
  conditions: { basket: { match: 'any', categories: [{ category: 'fruits-legumes', minCents: 1_000 }], skus: [] } },
  offer: { kind: 'booking', benefitId: 'cours-cuisine' },
  cap: { times: 1, days: 30 },
  priority: 10,
};
const problemsOf = (raw: unknown, context: Parameters<typeof validateOfferRules>[1] = { categories: CATEGORIES }) => {
  const check = validateOfferRules(raw, context);
  return check.ok ? [] : check.problems;
};

describe('offer rule validator', () => {
  it('accepts a well-formed rule set and fills the defaults', () => {
    const check = validateOfferRules([{ ...cookingClass, conditions: { basket: { categories: [{ category: 'fruits-legumes' }] } } }], { categories: CATEGORIES });
    expect(check.ok).toBe(true);
    if (check.ok) expect(check.rules[0]!.conditions.basket).toEqual({ match: 'any', categories: [{ category: 'fruits-legumes' }], skus: [] });
  });

  it('refuses a category the programme does not know, wherever it is named', () => {
    const rule = {
      ...cookingClass,
      conditions: {
        basket: { categories: [{ category: 'legumes' }] },
        history: { usuallyBuys: ['poissonnerie'], usuallyNotBuys: ['bebe'] },
      },
      offer: { kind: 'bonus_points', points: 50, target: { category: 'cave' } },
    };
    expect(problemsOf([rule])).toEqual([
      '0.conditions.basket.categories.0.category: « legumes » is not a category of the programme',
      '0.conditions.history.usuallyBuys.0: « poissonnerie » is not a category of the programme',
      '0.offer.target.category: « cave » is not a category of the programme',
    ]);
  });

  it('refuses an empty condition set, an empty basket condition and an empty history condition', () => {
    expect(problemsOf([{ ...cookingClass, conditions: {} }])).toEqual(['0.conditions: a rule needs at least one condition']);
    expect(problemsOf([{ ...cookingClass, conditions: { basket: {} } }])).toEqual(['0.conditions.basket: names no category and no SKU']);
    expect(problemsOf([{ ...cookingClass, conditions: { history: {} } }])).toEqual(['0.conditions.history: states no condition']);
    expect(problemsOf([{ ...cookingClass, conditions: { tiers: [] } }])).toEqual(['0.conditions.tiers: an empty set of tiers matches nobody']);
  });

  it('refuses a cap of 0 times or 0 days', () => {
    expect(problemsOf([{ ...cookingClass, cap: { times: 0, days: 7 } }])).toEqual(['0.cap.times: a cap of 0 would never show the offer']);
    expect(problemsOf([{ ...cookingClass, cap: { times: 1, days: 0 } }])).toEqual(['0.cap.days: a cap is over at least 1 day']);
  });

  it('lists every problem of every rule at once: duplicate ids, contradictions, unknown tiers and benefits', () => {
    const problems = problemsOf(
      [
        cookingClass,
        {
          ...cookingClass,
          conditions: {
            tiers: ['platinum'],
            history: { daysSinceLastVisit: { min: 30, max: 10 }, usuallyBuys: ['bio'], usuallyNotBuys: ['bio'] },
            time: { hours: { from: 9, to: 9 }, validFrom: 2_000, validUntil: 1_000 },
          },
          offer: { kind: 'booking', benefitId: 'spa' },
        },
      ],
      { categories: CATEGORIES, tiers: ['gold', 'basic'], benefits: ['cours-cuisine'] },
    );
    expect(problems).toEqual([
      '1.id: « cours-cuisine » is used by an earlier rule',
      '1.conditions.tiers.0: « platinum » is not a tier of the programme',
      '1.conditions.history.daysSinceLastVisit: min 30 is above max 10',
      '1.conditions.history.usuallyNotBuys.0: « bio » is also in usuallyBuys',
      '1.conditions.time.hours: from and to are the same hour',
      '1.conditions.time: validFrom is not before validUntil',
      '1.offer.benefitId: « spa » is not a benefit of the programme',
    ]);
  });

  it('refuses malformed shapes with their path, not a partial rule set', () => {
    const problems = problemsOf([{ ...cookingClass, id: 'Bad Id', offer: { kind: 'voucher', cents: -5 }, extra: true }]);
    expect(problems.some((p) => p.startsWith('0.id:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('0.offer.cents:'))).toBe(true);
    expect(problems.some((p) => p.startsWith('0:') && p.includes('extra'))).toBe(true);
    expect(problemsOf('not a list')).toHaveLength(1);
  });

  it('derives the consents from the conditions: a history condition needs profiling', () => {
    expect(requiredConsents(cookingClass)).toEqual(['personalisedOffers']);
    expect(requiredConsents({ conditions: { history: { usuallyBuys: ['bio'], usuallyNotBuys: [], usualShare: 0.25 } } })).toEqual(['personalisedOffers', 'profiling']);
  });
});

describe('offer evaluation', () => {
  const member: MemberFacts = { tier: 'basic', consents: { personalisedOffers: true, profiling: false }, lastVisitAt: null, categoryShares: {}, fewerContacts: false };
  const caps = { perVisit: 2, perWeek: 3, perMonth: 6 };
  const now = { at: Date.UTC(2026, 11, 7, 10), weekday: 1, hour: 11 };
  const none = { shown: [], otherContacts: [], currentVisit: new Set<string>(), answeredThisVisit: new Set<string>() };
  const produce = (cents: number) => [{ sku: 'tomates', category: 'fruits-legumes', quantity: 1, netCents: cents }];

  it('shows the cooking class for fresh produce, with a cross-sell hint for the cashier', () => {
    const result = evaluateOffers({ rules: [cookingClass], lines: produce(1_200), member, pressure: none, caps, now });
    expect(result.offers).toEqual([{ ruleId: 'cours-cuisine', label: cookingClass.label, offer: cookingClass.offer, priority: 10, fresh: true }]);
    expect(result.hint).toEqual({ kind: 'cross_sell', ruleId: 'cours-cuisine', text: { fr: 'Proposer : Un cours de cuisine offert', en: 'Suggest: A free cooking class' } });
  });

  it('suggests an up-sell when the basket is just short of a threshold', () => {
    const result = evaluateOffers({ rules: [cookingClass], lines: produce(850), member, pressure: none, caps, now });
    expect(result.offers).toEqual([]);
    expect(result.hint?.kind).toBe('up_sell');
    expect(evaluateOffers({ rules: [cookingClass], lines: produce(300), member, pressure: none, caps, now }).hint).toBeNull();
  });

  it('shows nothing to a member who asked for fewer contacts, or past the weekly cap', () => {
    expect(evaluateOffers({ rules: [cookingClass], lines: produce(1_200), member: { ...member, fewerContacts: true }, pressure: none, caps, now })).toEqual({ offers: [], hint: null });
    const busy = { ...none, otherContacts: [now.at - 1_000, now.at - 2_000, now.at - 3_000] };
    expect(evaluateOffers({ rules: [cookingClass], lines: produce(1_200), member, pressure: busy, caps, now }).offers).toEqual([]);
  });

  it('respects the hours of a rule, wrapping past midnight', () => {
    const evening: OfferRule = { ...cookingClass, conditions: { ...cookingClass.conditions, time: { hours: { from: 20, to: 2 } } } };
    const at = (hour: number) => evaluateOffers({ rules: [evening], lines: produce(1_200), member, pressure: none, caps, now: { ...now, hour } }).offers.length;
    expect([at(11), at(21), at(1), at(2)]).toEqual([0, 1, 1, 0]);
  });
});
