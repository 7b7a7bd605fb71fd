import { z } from 'zod';
import { DateText, PROGRAM_RULES_KEYS, programRulesShape, Slug, type ProgramRules } from './rules-schema';
import { TierPolicyShape } from './tiers';
import { SocialPolicy } from '../social/policy';
import { OfferRuleSchema } from '../offers/rules';

/**
 * The programme document marketing edits at HQ and every terminal applies
 * (issue 14 item 1): one version of the whole loyalty programme. Its top level
 * carries the earning rules the ledger applies today (rules-schema.ts, the
 * same fields under the same names, so `rulesOf` is a pick) and the parts the
 * later features read: tiers, cadence, regularity, benefits, membership,
 * budgets. Only the shape is here; what contradicts what is validate.ts.
 *
 * A version is signed by HQ and applies from `effectiveFrom` until the next
 * version's: a terminal offline for days still prices each sale with the
 * version in force at the sale's time.
 */

const Bilingual = z.strictObject({ fr: z.string().trim().min(1).max(80), en: z.string().trim().min(1).max(80) });

/** An instant written with its offset, as people type it: '2027-01-04T06:00:00+01:00' or '…Z'. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
export const Instant = z.string().refine((s) => INSTANT.test(s) && Number.isFinite(Date.parse(s)), 'programme.instant');

/** Epoch milliseconds of a checked Instant. */
export const instantMs = (instant: string): number => Date.parse(instant);

const Cents = z.number().int().min(0).max(100_000_000);
const TierIds = z.array(z.string().min(1).max(32)).max(8);

/** Quick small rewards (issue 14 item 4): a voucher every N visits and/or every P points, for the tiers named. */
export const Cadence = z.strictObject({
  voucherEveryVisits: z.number().int().min(1).max(100).nullable(),
  voucherEachPoints: z.number().int().min(1).max(1_000_000).nullable(),
  voucherCents: Cents,
  validityDays: z.number().int().min(1).max(3650),
  tiers: TierIds,
});
export type Cadence = z.infer<typeof Cadence>;

/** Regularity (item 5): weeks with a visit among the last `windowWeeks`, a streak bonus, a minimum basket against split tickets. */
export const Regularity = z.strictObject({
  windowWeeks: z.number().int().min(1).max(52),
  streakWeeks: z.number().int().min(1).max(52),
  streakBonusPoints: z.number().int().min(0).max(100_000),
  minimumBasketCents: Cents,
});
export type Regularity = z.infer<typeof Regularity>;

/** A relational benefit (item 6): booked with points (`pricePoints`) or by tier entitlement (`tiers`). */
export const Benefit = z.strictObject({
  id: Slug,
  kind: z.enum(['service', 'preview', 'workshop']),
  label: Bilingual,
  /** Store-local day it takes place. */
  date: DateText,
  /** Seats chain-wide; 0 is refused by the validator (a benefit nobody can book). */
  capacity: z.number().int().min(0).max(1_000_000),
  /** null: by entitlement only. */
  pricePoints: z.number().int().min(0).max(1_000_000).nullable(),
  /** Tiers entitled to it without points. */
  tiers: TierIds,
});
export type Benefit = z.infer<typeof Benefit>;

/** The optional paid membership (item 7); null: none sold. */
export const Membership = z
  .strictObject({
    label: Bilingual,
    priceCents: Cents,
    /** The article the till puts on the ticket to sell it: a sale with this line buys the membership (benefits.ts). */
    sku: z.string().min(1).max(64),
    periodMonths: z.number().int().min(1).max(36),
    /** Benefit ids the membership entitles to. */
    benefits: z.array(Slug).max(50),
    /** On top of the earn rate for members of it: 150 is half as many points again. */
    earnMultiplierPercent: z.number().int().min(100).max(1000),
    /** The categories the multiplier applies to (« x2 sur les produits frais »); null: every earning category. */
    multiplierCategories: z.array(Slug).max(50).nullable(),
  })
  .nullable();
export type Membership = z.infer<typeof Membership>;

/** Monthly ceilings marketing commits to; null: no ceiling. */
export const Budgets = z.strictObject({
  voucherCentsPerMonth: Cents.nullable(),
  bonusPointsPerMonth: z.number().int().min(0).max(1_000_000_000).nullable(),
  benefitSeatsPerMonth: z.number().int().min(0).max(10_000_000).nullable(),
});
export type Budgets = z.infer<typeof Budgets>;

/** A reward or promotion reserved to members enrolled at most `newMembersWithinDays` ago; everything not named is open to all. */
export const Audience = z.strictObject({
  kind: z.enum(['reward', 'promotion']),
  id: Slug,
  newMembersWithinDays: z.number().int().min(1).max(3650),
});
export type Audience = z.infer<typeof Audience>;

/** Item 8: what the validator does with an offer reserved to new members that long-standing members cannot match. */
export const Fairness = z.strictObject({ newMemberOnly: z.enum(['refuse', 'warn']) });
export type Fairness = z.infer<typeof Fairness>;

/** Every top-level field with its schema: validate.ts checks each on its own, so one bad section hides nothing else. */
export const documentShape = {
  ...programRulesShape,
  effectiveFrom: Instant,
  /** The chain's categories; promotions, multipliers and exclusions may name only these. */
  categories: z.array(Slug).min(1).max(500),
  tiers: TierPolicyShape,
  cadence: Cadence,
  regularity: Regularity,
  benefits: z.array(Benefit).max(500),
  membership: Membership,
  budgets: Budgets,
  audiences: z.array(Audience).max(500),
  fairness: Fairness,
  /** Referrals and causes (issue 16 items 1 and 4, shared/social/policy.ts); absent: their defaults. */
  social: SocialPolicy.optional(),
  /**
   * Offers from the basket (issue 16 item 3; shared/offers/rules.ts): published with the programme, so every
   * till evaluates the version in force offline; absent: none. validate.ts checks them against the document.
   */
  offers: z.array(OfferRuleSchema).max(500).optional(),
  /** How often a member may be addressed across channels (issue 16 item 5); absent: the terminal's defaults. */
  contactCaps: z
    .strictObject({ perVisit: z.number().int().min(0).max(10), perWeek: z.number().int().min(0).max(50), perMonth: z.number().int().min(0).max(200) })
    .optional(),
};

export const ProgrammeDocument = z.strictObject(documentShape);
export type ProgrammeDocument = z.infer<typeof ProgrammeDocument>;

/** The earning rules the ledger applies, as they sit in the document (the version id is the document's). */
export function rulesOf(doc: ProgrammeDocument): ProgramRules {
  const rules: Record<string, unknown> = {};
  for (const key of PROGRAM_RULES_KEYS) if (doc[key] !== undefined) rules[key] = doc[key];
  return rules as ProgramRules;
}

/**
 * The document as signed text: keys sorted at every level, numbers as
 * JavaScript writes them. The pull is signed as canonical JSON, which takes
 * integers only, and the tier shares are fractions: the document travels as
 * this text. PostgreSQL's jsonb keeps values but not key order, so HQ's
 * stored copy gives the same text again.
 */
export function documentText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(documentText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${documentText(record[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A version as HQ publishes it and terminals receive it (pull bucket
 * `program`, key `programme:<version>`): the document's text and when it was
 * published, signed by HQ's key over everything but `signature`.
 */
export const SignedProgramme = z.strictObject({
  document: z.string().min(2).max(1_000_000),
  publishedAt: z.number().int().min(0),
  keyId: z.string().min(1).max(64),
  signature: z.string().min(1).max(200),
});
export type SignedProgramme = z.infer<typeof SignedProgramme>;

export const programmeKey = (version: string): string => `programme:${version}`;
export const PROGRAMME_KEY_PREFIX = 'programme:';
