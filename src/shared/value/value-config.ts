import { z } from 'zod';

/**
 * How HQ turns the models into what the chain acts on: the nightly run's
 * settings and the segment rules. The programme document does not say yet
 * how segments are defined, so the rules are data, validated here, with
 * defaults a marketing team can replace without a release.
 */

export const SEGMENTS = ['most_valued', 'growing', 'steady', 'at_risk', 'lapsed'] as const;
export type Segment = (typeof SEGMENTS)[number];

/**
 * One rule: every condition given must hold. Rules are tried in order, the
 * first that matches gives the segment; `fallback` for anyone no rule takes.
 */
export const SegmentRule = z.strictObject({
  segment: z.enum(SEGMENTS),
  /** P(alive) strictly below this. */
  pAliveBelow: z.number().min(0).max(1).optional(),
  /** P(alive) at least this. */
  pAliveAtLeast: z.number().min(0).max(1).optional(),
  /** Among the top share of customers by value (0.2: the top 20 %). */
  valueTopShare: z.number().gt(0).max(1).optional(),
  /** At least this many repeat visits. */
  repeatVisitsAtLeast: z.number().int().min(0).optional(),
  /** First visit at most this many days ago (a young relationship). */
  firstVisitWithinDays: z.number().int().positive().optional(),
  /** Last visit at least this many days ago. */
  lastVisitDaysAtLeast: z.number().int().min(0).optional(),
});
export type SegmentRule = z.infer<typeof SegmentRule>;

export const SegmentRules = z.strictObject({
  rules: z.array(SegmentRule).max(20),
  fallback: z.enum(SEGMENTS),
});
export type SegmentRules = z.infer<typeof SegmentRules>;

export const DEFAULT_SEGMENT_RULES: SegmentRules = {
  rules: [
    { segment: 'lapsed', pAliveBelow: 0.3 },
    { segment: 'lapsed', lastVisitDaysAtLeast: 365 },
    { segment: 'at_risk', pAliveBelow: 0.7 },
    { segment: 'most_valued', valueTopShare: 0.2, repeatVisitsAtLeast: 2 },
    { segment: 'growing', firstVisitWithinDays: 240, repeatVisitsAtLeast: 1 },
  ],
  fallback: 'steady',
};

/** A time of day, HH:MM, 24 h. */
const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM');
/** An IANA zone name: letters, digits, _ + - and /. It is quoted into SQL, so nothing else passes. */
const TimeZone = z.string().regex(/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/, 'an IANA time zone such as Europe/Paris');

export const ValueConfig = z.strictObject({
  /** Share of the spend the chain keeps (gross margin), 0–1. */
  margin: z.number().gt(0).max(1),
  /** Annual discount rate for the value, e.g. 0.1. */
  discountRate: z.number().min(0).max(1),
  /** The horizon of « expected visits » (days). */
  visitsHorizonDays: z.number().int().min(1).max(730),
  /** The horizon of the value (days). */
  valueHorizonDays: z.number().int().min(1).max(3650),
  /** The nightly fit's time, store-local. */
  nightlyAt: TimeOfDay,
  timeZone: TimeZone,
  /** Fewer customers with a repeat visit than this: no fit (the run says why). */
  minRepeatCustomers: z.number().int().min(2),
  segments: SegmentRules,
  /** What the cashier may offer a lapsed member who comes back. */
  welcomeBack: z.strictObject({ fr: z.string().min(1).max(120), en: z.string().min(1).max(120) }),
});
export type ValueConfig = z.infer<typeof ValueConfig>;

export const DEFAULT_VALUE_CONFIG: ValueConfig = {
  margin: 0.3,
  discountRate: 0.1,
  visitsHorizonDays: 90,
  valueHorizonDays: 365,
  nightlyAt: '03:00',
  timeZone: 'Europe/Paris',
  minRepeatCustomers: 20,
  segments: DEFAULT_SEGMENT_RULES,
  welcomeBack: { fr: 'Offrir 100 points de bienvenue sur ce passage', en: 'Offer 100 welcome-back points on this visit' },
};

/** The defaults with `raw`'s fields over them, or a readable reason it is refused. */
export function parseValueConfig(raw: unknown): { ok: true; config: ValueConfig } | { ok: false; message: string } {
  const base = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...DEFAULT_VALUE_CONFIG, ...(raw as object) } : raw;
  const parsed = ValueConfig.safeParse(base);
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, message: parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(config)'}: ${i.message}`).join('; ') };
}

/** What the rules look at for one customer. */
export interface SegmentInput {
  pAlive: number;
  /** Rank by value, 0 for the highest, among `customers`. */
  valueRank: number;
  customers: number;
  repeatVisits: number;
  firstVisitDaysAgo: number;
  lastVisitDaysAgo: number;
}

export function segmentOf(rules: SegmentRules, c: SegmentInput): Segment {
  for (const rule of rules.rules) {
    if (rule.pAliveBelow !== undefined && !(c.pAlive < rule.pAliveBelow)) continue;
    if (rule.pAliveAtLeast !== undefined && !(c.pAlive >= rule.pAliveAtLeast)) continue;
    if (rule.valueTopShare !== undefined && !(c.valueRank < Math.ceil(rule.valueTopShare * c.customers))) continue;
    if (rule.repeatVisitsAtLeast !== undefined && c.repeatVisits < rule.repeatVisitsAtLeast) continue;
    if (rule.firstVisitWithinDays !== undefined && c.firstVisitDaysAgo > rule.firstVisitWithinDays) continue;
    if (rule.lastVisitDaysAtLeast !== undefined && c.lastVisitDaysAgo < rule.lastVisitDaysAtLeast) continue;
    return rule.segment;
  }
  return rules.fallback;
}
