import { z } from 'zod';
import { isWellFormedText } from '../domain/text';

/**
 * The loyalty program's earning and redeeming rules: pure data, validated,
 * versioned. The version is written on every journal entry, so any entry can
 * be explained by the rules that produced it. Everything is integer: cents,
 * basis points, percents. Shared by HQ (which publishes them inside the
 * programme document, document.ts) and the terminal's ledger (which applies
 * them, src/main/core/ledger/rules.ts).
 */

/** Whether `timeZone` is one the IANA database Intl carries knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** A calendar date 'YYYY-MM-DD' that exists (no 30 February). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const [y, m, d] = text.split('-').map(Number) as [number, number, number];
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/** 'HH:MM' → minutes since local midnight ('24:00' is 1440). */
export const minutesOf = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

export const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'ledger.slug');
const ClockText = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'ledger.time_of_day');
export const DateText = z.string().refine(isCalendarDate, 'ledger.date');
const Label = z
  .string()
  .min(1)
  .max(80)
  .refine(isWellFormedText, 'ledger.malformed_text')
  .transform((s) => s.normalize('NFC'));

export const Promotion = z
  .strictObject({
    id: Slug,
    label: Label,
    /** Applied on top of the category multiplier: 200 doubles the points. */
    multiplierPercent: z.number().int().min(100).max(1000),
    /** ISO weekdays, 1 = Monday. */
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
    /** Local store time, start inclusive, end exclusive. */
    from: ClockText,
    to: ClockText,
    validFrom: DateText.nullable(),
    validUntil: DateText.nullable(),
    /** null: every earning category. */
    categories: z.array(Slug).nullable(),
  })
  .refine((p) => minutesOf(p.from) < minutesOf(p.to), 'ledger.promotion_window');
export type Promotion = z.infer<typeof Promotion>;

export const Reward = z.strictObject({
  id: Slug,
  label: Label,
  points: z.number().int().min(1, 'programme.reward_free').max(1_000_000),
  /** The article the till puts on the ticket for it. */
  sku: z.string().min(1).max(64),
});
export type Reward = z.infer<typeof Reward>;

/**
 * Ceilings on one sale, past which it takes a manager's PIN: a till token, or
 * a slip of the finger, must not mint points by the million. In cents and
 * points, after line discounts; `maxTicketCents` is the ticket's total.
 */
export const SaleLimits = z.strictObject({
  maxTicketCents: z.number().int().min(1).max(1_000_000_000),
  maxLineCents: z.number().int().min(1).max(1_000_000_000),
  maxPointsPerSale: z.number().int().min(1).max(1_000_000_000),
});
export type SaleLimits = z.infer<typeof SaleLimits>;

/** The rules' fields, one schema each: the programme document (document.ts) carries the same ones at its top level. */
export const programRulesShape = {
  version: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'programme.version_id'),
  timeZone: z.string().refine(isTimeZone, 'ledger.time_zone'),
  earn: z.strictObject({
    /** `points` per `perCents` of money paid: 1 per 100 is one point per euro. */
    points: z.number().int().min(0).max(1000),
    perCents: z.number().int().min(1).max(1_000_000),
    base: z.enum(['tax_excluded', 'tax_included']),
  }),
  /** The only VAT rates a basket may carry; anything else is a malformed basket. */
  taxRatesBp: z.array(z.number().int().min(0).max(10_000)).min(1),
  categoryMultipliersPercent: z.record(Slug, z.number().int().min(0).max(1000)),
  excludedCategories: z.array(Slug),
  promotions: z.array(Promotion),
  redemption: z.strictObject({
    minimumPoints: z.number().int().min(1),
    /** A discount of `cents` for every `points` redeemed. */
    value: z.strictObject({ cents: z.number().int().min(1).max(10_000), points: z.number().int().min(1).max(10_000) }),
  }),
  rewards: z.array(Reward),
  expiry: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('rolling_months'), months: z.number().int().min(1).max(120) }),
    z.strictObject({ mode: z.literal('end_of_following_year') }),
  ]),
  /**
   * Absent: the ledger's default ceilings. Left out rather than filled in, so
   * the programme HQ publishes stays one that terminals without ceilings
   * accept; a programme that names them needs every terminal upgraded first.
   */
  limits: SaleLimits.optional(),
  /** The VAT rate a category's line starts at when typed in by hand, each one of `taxRatesBp`. */
  categoryTaxRatesBp: z.record(Slug, z.number().int().min(0).max(10_000)).optional(),
};

export const PROGRAM_RULES_KEYS = Object.keys(programRulesShape) as Array<keyof typeof programRulesShape>;

/** The checks across fields, as zod issues; the validator (validate.ts) says the same with its own keys. */
export const ProgramRules = z.strictObject(programRulesShape).superRefine((rules, ctx) => {
  for (const [slug, rate] of Object.entries(rules.categoryTaxRatesBp ?? {})) {
    if (!rules.taxRatesBp.includes(rate)) ctx.addIssue({ code: 'custom', path: ['categoryTaxRatesBp', slug], message: 'ledger.tax_rate_unknown' });
  }
  const ids = new Set<string>();
  for (const r of rules.rewards) {
    if (ids.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rewards'], message: `duplicate reward ${r.id}` });
    ids.add(r.id);
  }
});
export type ProgramRules = z.infer<typeof ProgramRules>;

export function parseProgramRules(value: unknown): ProgramRules {
  const parsed = ProgramRules.safeParse(value);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid program rules: ${detail}`);
  }
  return parsed.data;
}
