import type { OfferRule } from '../../src/shared/offers/rules';
import type { Random } from '../../src/main/core/ports';

/** The categories generated rules and baskets draw from (the default programme's, plus more shelves). */
export const OFFER_CATEGORIES = [
  'grocery',
  'bio',
  'fruits-legumes',
  'boucherie',
  'fromagerie',
  'boulangerie',
  'boissons',
  'hygiene',
  'bebe',
  'entretien',
  'surgeles',
  'epicerie-fine',
  'cave',
  'jardin',
  'animalerie',
  'papeterie',
] as const;

/** SKUs of a category: `<category>-<n>`, n < SKUS_PER_CATEGORY. */
export const SKUS_PER_CATEGORY = 200;

function uniform(random: Random, n: number): number {
  const b = random.bytes(4);
  return (((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0) % n;
}

/**
 * Active offer rules of every shape, from a seeded Random: most on the basket
 * (categories or SKUs, with thresholds), some on tiers, history and time.
 */
export function generateOfferRules(random: Random, count: number, now: number): OfferRule[] {
  const pick = <T>(list: readonly T[]): T => list[uniform(random, list.length)]!;
  const category = () => pick(OFFER_CATEGORIES);
  const sku = () => `${category()}-${uniform(random, SKUS_PER_CATEGORY)}`;
  const rules: OfferRule[] = [];
  for (let i = 0; i < count; i++) {
    const shape = uniform(random, 10);
    const conditions: OfferRule['conditions'] = {};
    if (shape < 9) {
      const onSkus = shape >= 6;
      conditions.basket = {
        match: uniform(random, 4) === 0 ? 'all' : 'any',
        categories: onSkus ? [] : Array.from({ length: 1 + uniform(random, 2) }, () => ({ category: category(), minCents: 500 + uniform(random, 3_000) })),
        skus: onSkus ? Array.from({ length: 1 + uniform(random, 3) }, () => ({ sku: sku(), minQuantity: 1 + uniform(random, 2) })) : [],
      };
    }
    if (shape === 9 || uniform(random, 5) === 0) conditions.tiers = uniform(random, 2) === 0 ? ['gold'] : ['gold', 'basic'];
    if (uniform(random, 3) === 0) {
      conditions.history = {
        daysSinceLastVisit: uniform(random, 2) === 0 ? { min: 14 } : undefined,
        usuallyBuys: uniform(random, 2) === 0 ? [category()] : [],
        usuallyNotBuys: [],
        usualShare: 0.25,
      };
      if (!conditions.history.daysSinceLastVisit && conditions.history.usuallyBuys.length === 0) conditions.history.daysSinceLastVisit = { max: 60 };
    }
    if (uniform(random, 4) === 0) conditions.time = { weekdays: [1, 2, 3, 4, 5, 6, 7], hours: { from: 0, to: 24 }, validFrom: now - 86_400_000, validUntil: now + 365 * 86_400_000 };
    const kind = uniform(random, 3);
    const offer: OfferRule['offer'] =
      kind === 0
        ? { kind: 'voucher', cents: 100 + uniform(random, 900) }
        : kind === 1
          ? { kind: 'bonus_points', points: 10 + uniform(random, 200), target: { category: category() } }
          : { kind: 'booking', benefitId: pick(['cours-cuisine', 'baby-sitting', 'degustation']) };
    rules.push({
      id: `rule-${i}`,
      label: { fr: `Offre ${i}`, en: `Offer ${i}` },
      conditions,
      offer,
      cap: { times: 1 + uniform(random, 3), days: 7 + uniform(random, 30) },
      priority: uniform(random, 100),
    });
  }
  return rules;
}

/** A basket of `lines` lines over the same categories and SKUs. */
export function generateBasket(random: Random, lines: number) {
  return Array.from({ length: lines }, (_, i) => {
    const category = OFFER_CATEGORIES[uniform(random, OFFER_CATEGORIES.length)]!;
    const quantity = 1 + uniform(random, 3);
    return { lineId: String(i + 1), sku: `${category}-${uniform(random, SKUS_PER_CATEGORY)}`, category, quantity, unitPriceCents: 100 + uniform(random, 1_500) };
  });
}
