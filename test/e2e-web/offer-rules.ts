import type { OfferRule } from '../../src/shared/offers/rules';

/** The offer the specs show: organic produce in the basket, a cooking class (a booking of that benefit). */
export const cookingClass: OfferRule = {
  id: 'cours-cuisine',
  label: { fr: 'Un cours de cuisine offert', en: 'A free cooking class' },
  conditions: { basket: { match: 'any', categories: [{ category: 'bio', minCents: 1_000 }], skus: [] } },
  offer: { kind: 'booking', benefitId: 'cours-cuisine' },
  cap: { times: 3, days: 30 },
  priority: 10,
};
