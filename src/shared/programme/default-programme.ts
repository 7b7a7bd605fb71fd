import type { ProgrammeDocument } from './document';
import { parseProgramRules, type ProgramRules } from './rules-schema';
import { DEFAULT_TIER_POLICY } from './tiers';

/**
 * The program a terminal runs until HQ sends its own: one point per euro paid
 * excluding VAT, 5 cents per point redeemed from 100 points, points valid 12
 * months, double points on Tuesdays from 16:00 to 18:00 (store time). No
 * `limits`: the default ceilings apply (ledger/rules.ts DEFAULT_SALE_LIMITS), a
 * manager approving a ticket over 5 000 €, a line over 2 000 € or a sale
 * earning over 10 000 points.
 */
export const DEFAULT_PROGRAM: ProgramRules = parseProgramRules({
  version: 'fr-2026.1',
  timeZone: 'Europe/Paris',
  earn: { points: 1, perCents: 100, base: 'tax_excluded' },
  taxRatesBp: [0, 210, 550, 1000, 2000],
  categoryMultipliersPercent: { bio: 200, local: 150 },
  excludedCategories: ['gift_card', 'tobacco', 'press', 'deposit'],
  promotions: [
    {
      id: 'mardi-double',
      label: 'Points doublés le mardi de 16 h à 18 h',
      multiplierPercent: 200,
      weekdays: [2],
      from: '16:00',
      to: '18:00',
      validFrom: null,
      validUntil: null,
      categories: null,
    },
  ],
  redemption: { minimumPoints: 100, value: { cents: 5, points: 1 } },
  rewards: [
    { id: 'cafe-offert', label: 'Café offert', points: 150, sku: 'REWARD-CAFE' },
    { id: 'sac-cabas', label: 'Sac cabas Fidèle', points: 400, sku: 'REWARD-CABAS' },
  ],
  expiry: { mode: 'rolling_months', months: 12 },
});

/**
 * The whole programme as a document, the default rules in force since the
 * epoch: what HQ's editor starts from before anything is published. Cadence,
 * regularity, benefits and membership as the issue sketches them.
 */
export const DEFAULT_PROGRAMME_DOCUMENT: ProgrammeDocument = {
  ...DEFAULT_PROGRAM,
  effectiveFrom: '1970-01-01T00:00:00Z',
  categories: ['grocery', 'bio', 'local', 'fresh', 'drinks', 'household', 'press', 'tobacco', 'gift_card', 'deposit'],
  tiers: DEFAULT_TIER_POLICY,
  cadence: { voucherEveryVisits: 5, voucherEachPoints: 50, voucherCents: 200, validityDays: 30, tiers: ['basic'] },
  regularity: { windowWeeks: 12, streakWeeks: 4, streakBonusPoints: 20, minimumBasketCents: 1000 },
  benefits: [],
  membership: null,
  budgets: { voucherCentsPerMonth: null, bonusPointsPerMonth: null, benefitSeatsPerMonth: null },
  audiences: [],
  fairness: { newMemberOnly: 'refuse' },
};
