import { z } from 'zod';

/**
 * Offers from the basket (issue 16 item 3): the rules HQ publishes with the
 * programme and every till evaluates offline (evaluate.ts). A rule says when
 * (basket, tier, history, time), what (a voucher, bonus points, a booking),
 * how often per member (its cap) and how much it matters (its priority).
 * The consents a rule needs are derived from its conditions, never declared:
 * a flag could lie, the conditions cannot.
 */

const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, _ or -, at most 40');
const Sku = z.string().trim().min(1, 'a SKU is not empty').max(64, 'a SKU is at most 64 characters');
const Label = z.strictObject({ fr: z.string().trim().min(1).max(120), en: z.string().trim().min(1).max(120) });
const Cents = z.number().int('whole cents').min(1, 'more than 0 cents').max(100_000_000);
const Quantity = z.number().int('a whole quantity').min(1, 'at least 1').max(9_999);
const Days = z.number().int('whole days').min(0).max(3_650);

/** What the basket must hold of one category or SKU: at least this quantity and/or this amount (net cents). */
const BasketItem = z.strictObject({
  minQuantity: Quantity.optional(),
  minCents: Cents.optional(),
});
const CategoryItem = BasketItem.extend({ category: Slug });
const SkuItem = BasketItem.extend({ sku: Sku });
export type CategoryItem = z.infer<typeof CategoryItem>;
export type SkuItem = z.infer<typeof SkuItem>;

const BasketCondition = z.strictObject({
  /** `any`: one of the items is enough; `all`: every item must be there. */
  match: z.enum(['any', 'all']).default('any'),
  categories: z.array(CategoryItem).max(50).default([]),
  skus: z.array(SkuItem).max(200).default([]),
});

const HistoryCondition = z.strictObject({
  daysSinceLastVisit: z.strictObject({ min: Days.optional(), max: Days.optional() }).optional(),
  /** Categories in at least `usualShare` of the member's visits (their category frequencies). */
  usuallyBuys: z.array(Slug).max(50).default([]),
  /** Categories the member does not usually buy: what a cross-sell is about. */
  usuallyNotBuys: z.array(Slug).max(50).default([]),
  usualShare: z.number().gt(0).max(1).default(0.25),
});
export type HistoryCondition = z.infer<typeof HistoryCondition>;

const TimeCondition = z.strictObject({
  /** ISO weekdays, 1 = Monday … 7 = Sunday, in the store's time zone. */
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
  /** Store-local hours, from inclusive to exclusive; from > to wraps past midnight. */
  hours: z.strictObject({ from: z.number().int().min(0).max(23), to: z.number().int().min(1).max(24) }).optional(),
  validFrom: z.number().int().nonnegative().optional(),
  validUntil: z.number().int().nonnegative().optional(),
});

const Conditions = z.strictObject({
  basket: BasketCondition.optional(),
  tiers: z.array(z.string().min(1).max(32)).max(8).optional(),
  history: HistoryCondition.optional(),
  time: TimeCondition.optional(),
});

const Offer = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('voucher'), cents: Cents }),
  z.strictObject({
    kind: z.literal('bonus_points'),
    points: z.number().int().min(1).max(1_000_000),
    target: z.union([z.strictObject({ category: Slug }), z.strictObject({ sku: Sku })]),
  }),
  z.strictObject({ kind: z.literal('booking'), benefitId: Slug }),
]);
export type Offer = z.infer<typeof Offer>;
export const OfferSchema = Offer;

const RuleShape = z.strictObject({
  id: Slug,
  label: Label,
  conditions: Conditions,
  offer: Offer,
  /** Shown at most `times` times per member in any `days` days. */
  cap: z.strictObject({
    times: z.number().int().min(1, 'a cap of 0 would never show the offer').max(100),
    days: z.number().int().min(1, 'a cap is over at least 1 day').max(365),
  }),
  /** Higher first when more offers match than may be shown. */
  priority: z.number().int().min(0).max(1_000),
  /** What the cashier may say; a cross-sell wording is made from the label otherwise. */
  hint: z.strictObject({ kind: z.enum(['cross_sell', 'up_sell']), text: Label }).optional(),
});
export type OfferRule = z.infer<typeof RuleShape>;
export const OfferRuleSchema = RuleShape;

export type OfferConsent = 'personalisedOffers' | 'profiling';

/** Every offer is personalised; one that reads the member's history is profiling as well. */
export function requiredConsents(rule: Pick<OfferRule, 'conditions'>): OfferConsent[] {
  return rule.conditions.history ? ['personalisedOffers', 'profiling'] : ['personalisedOffers'];
}

export interface OfferRuleContext {
  /** The programme's categories: a rule naming another matches nothing, so it is refused. */
  categories: readonly string[];
  /** When given, the tiers a rule may name. */
  tiers?: readonly string[];
  /** When given, the benefits a booking may name. */
  benefits?: readonly string[];
}

export type OfferRulesCheck = { ok: true; rules: OfferRule[] } | { ok: false; problems: string[] };

/** Every problem of every rule at once, each saying where; nothing partial is returned. */
export function validateOfferRules(raw: unknown, context: OfferRuleContext): OfferRulesCheck {
  const parsed = z.array(RuleShape).max(5_000, 'at most 5,000 offer rules').safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'rules'}: ${i.message}`) };
  }
  const rules = parsed.data;
  const problems: string[] = [];
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    const at = `${i}`;
    if (seen.has(rule.id)) problems.push(`${at}.id: « ${rule.id} » is used by an earlier rule`);
    seen.add(rule.id);
    problems.push(...ruleProblems(rule, at, context));
  });
  return problems.length ? { ok: false, problems } : { ok: true, rules };
}

function ruleProblems(rule: OfferRule, at: string, context: OfferRuleContext): string[] {
  const problems: string[] = [];
  const known = new Set(context.categories);
  const category = (path: string, slug: string) => {
    if (!known.has(slug)) problems.push(`${at}.${path}: « ${slug} » is not a category of the programme`);
  };
  const { basket, tiers, history, time } = rule.conditions;
  if (!basket && !tiers && !history && !time) problems.push(`${at}.conditions: a rule needs at least one condition`);
  if (basket) {
    if (basket.categories.length === 0 && basket.skus.length === 0) problems.push(`${at}.conditions.basket: names no category and no SKU`);
    basket.categories.forEach((c, j) => category(`conditions.basket.categories.${j}.category`, c.category));
  }
  if (tiers) {
    if (tiers.length === 0) problems.push(`${at}.conditions.tiers: an empty set of tiers matches nobody`);
    if (context.tiers) {
      const knownTiers = new Set(context.tiers);
      tiers.forEach((t, j) => {
        if (!knownTiers.has(t)) problems.push(`${at}.conditions.tiers.${j}: « ${t} » is not a tier of the programme`);
      });
    }
  }
  if (history) {
    const days = history.daysSinceLastVisit;
    if (!days && history.usuallyBuys.length === 0 && history.usuallyNotBuys.length === 0) {
      problems.push(`${at}.conditions.history: states no condition`);
    }
    if (days && days.min === undefined && days.max === undefined) problems.push(`${at}.conditions.history.daysSinceLastVisit: needs min or max`);
    if (days?.min !== undefined && days.max !== undefined && days.min > days.max) {
      problems.push(`${at}.conditions.history.daysSinceLastVisit: min ${days.min} is above max ${days.max}`);
    }
    history.usuallyBuys.forEach((c, j) => category(`conditions.history.usuallyBuys.${j}`, c));
    history.usuallyNotBuys.forEach((c, j) => {
      category(`conditions.history.usuallyNotBuys.${j}`, c);
      if (history.usuallyBuys.includes(c)) problems.push(`${at}.conditions.history.usuallyNotBuys.${j}: « ${c} » is also in usuallyBuys`);
    });
  }
  if (time) {
    if (time.hours && time.hours.from === time.hours.to) problems.push(`${at}.conditions.time.hours: from and to are the same hour`);
    if (time.validFrom !== undefined && time.validUntil !== undefined && time.validFrom >= time.validUntil) {
      problems.push(`${at}.conditions.time: validFrom is not before validUntil`);
    }
  }
  if (rule.offer.kind === 'bonus_points' && 'category' in rule.offer.target) category('offer.target.category', rule.offer.target.category);
  if (rule.offer.kind === 'booking' && context.benefits && !context.benefits.includes(rule.offer.benefitId)) {
    problems.push(`${at}.offer.benefitId: « ${rule.offer.benefitId} » is not a benefit of the programme`);
  }
  return problems;
}
