import type { z } from 'zod';
import { documentShape, type Audience, type Benefit, type ProgrammeDocument } from './document';
import { translateProgramme } from './messages';
import { validateOfferRules } from '../offers/rules';
import { minutesOf, type Promotion, type Reward } from './rules-schema';
import type { TierPolicy } from './tiers';

/**
 * The programme validator (issue 14 items 1 and 8): EVERY problem at once,
 * each with where it is (a dotted path), a message key and its text in French
 * and English, so the HQ page can mark each field as marketing types and the
 * CLI can list them all. Each top-level field is checked on its own, and each
 * check across fields runs whenever the fields it reads are sound: a reward
 * priced at 0 does not hide overlapping promotions.
 *
 * Warnings (fairness in `warn` mode) do not stop a publication; errors do.
 */
export interface Problem {
  path: string;
  key: string;
  severity: 'error' | 'warning';
  params: Record<string, string | number>;
  fr: string;
  en: string;
}

export interface ValidateOptions {
  /** The chain's categories from HQ's product catalogue; without it, the document's own `categories`. */
  knownCategories?: readonly string[];
}

export type Validation = { ok: true; document: ProgrammeDocument; problems: Problem[] } | { ok: false; document: null; problems: Problem[] };

type Sections = Partial<ProgrammeDocument>;
type Report = (path: string, key: string, params?: Record<string, string | number>, severity?: Problem['severity']) => void;

const FIELDS = Object.keys(documentShape) as Array<keyof typeof documentShape>;
/** Optional top-level fields: absent is a value. */
const OPTIONAL = new Set<string>(['limits', 'categoryTaxRatesBp', 'social', 'offers', 'contactCaps']);
const MESSAGE_KEY = /^(programme|ledger)\.[a-z_.]+$/;

/** One problem, its texts rendered in both languages (HQ's own checks at publication use it too). */
export function problem(path: string, key: string, params: Record<string, string | number> = {}, severity: Problem['severity'] = 'error'): Problem {
  // A fairness reason is itself a message: each language gets its own.
  const text = (locale: 'fr' | 'en') =>
    translateProgramme(locale, key, typeof params.reasonKey === 'string' ? { ...params, reason: translateProgramme(locale, params.reasonKey, params) } : params);
  return { path, key, severity, params, fr: text('fr'), en: text('en') };
}

export function validateProgramme(raw: unknown, options: ValidateOptions = {}): Validation {
  const problems: Problem[] = [];
  const report: Report = (path, key, params = {}, severity = 'error') => problems.push(problem(path, key, params, severity));

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    report('', 'programme.not_object');
    return { ok: false, document: null, problems };
  }
  const input = raw as Record<string, unknown>;
  const s: Sections = {};
  for (const field of Object.keys(input)) if (!(field in documentShape)) report(field, 'programme.unknown_field', { field });
  for (const field of FIELDS) {
    if (input[field] === undefined) {
      if (!OPTIONAL.has(field)) report(field, 'programme.missing_field');
      continue;
    }
    const parsed = (documentShape[field] as z.ZodType).safeParse(input[field]);
    if (parsed.success) (s as Record<string, unknown>)[field] = parsed.data;
    else for (const issue of parsed.error.issues) reportIssue(report, field, issue);
  }

  checkRewards(s, report);
  checkPromotions(s, report);
  checkCategories(s, options.knownCategories, report);
  checkTiers(s, report);
  checkBenefits(s, report);
  checkCadenceAndRegularity(s, report);
  checkFairness(s, report);
  checkOffers(s, options.knownCategories, report);

  if (problems.some((p) => p.severity === 'error')) return { ok: false, document: null, problems };
  return { ok: true, document: s as ProgrammeDocument, problems };
}

function reportIssue(report: Report, field: string, issue: z.core.$ZodIssue): void {
  const path = [field, ...issue.path.map(String)].join('.');
  if (MESSAGE_KEY.test(issue.message)) report(path, issue.message);
  else if (issue.code === 'unrecognized_keys') for (const key of issue.keys) report(`${path}.${key}`, 'programme.unknown_field', { field: key });
  else report(path, 'programme.field_invalid', { detail: issue.message });
}

function duplicates<T extends { id: string }>(items: readonly T[], where: string, key: string, report: Report): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.id)) report(`${where}.${i}.id`, key, { id: item.id });
    seen.add(item.id);
  });
}

function checkRewards(s: Sections, report: Report): void {
  if (s.rewards) duplicates(s.rewards, 'rewards', 'programme.reward_duplicate', report);
  if (s.taxRatesBp && s.categoryTaxRatesBp) {
    for (const [category, rate] of Object.entries(s.categoryTaxRatesBp)) {
      if (!s.taxRatesBp.includes(rate)) report(`categoryTaxRatesBp.${category}`, 'programme.tax_rate_unknown', { category, rate });
    }
  }
}

// Promotions: when two can run at the same moment on the same category.
const intersects = <T>(a: readonly T[] | null, b: readonly T[] | null): boolean => a === null || b === null || a.some((x) => b.includes(x));
const covers = <T>(wide: readonly T[] | null, narrow: readonly T[] | null): boolean => wide === null || (narrow !== null && narrow.every((x) => wide.includes(x)));
const startsBy = (a: string | null, b: string | null) => a === null || (b !== null && a <= b);
const endsAfter = (a: string | null, b: string | null) => a === null || (b !== null && a >= b);

function overlap(p: Promotion, q: Promotion): string | null {
  if (!intersects(p.weekdays, q.weekdays) || !intersects(p.categories, q.categories)) return null;
  if (minutesOf(p.from) >= minutesOf(q.to) || minutesOf(q.from) >= minutesOf(p.to)) return null;
  const from = [p.validFrom, q.validFrom].filter((d) => d !== null).sort().at(-1) ?? null;
  const until = [p.validUntil, q.validUntil].filter((d) => d !== null).sort()[0] ?? null;
  if (from !== null && until !== null && from > until) return null;
  const days = p.weekdays.filter((d) => q.weekdays.includes(d)).join(',');
  const start = minutesOf(p.from) > minutesOf(q.from) ? p.from : q.from;
  const end = minutesOf(p.to) < minutesOf(q.to) ? p.to : q.to;
  return `${days} ${start}–${end}`;
}

function checkPromotions(s: Sections, report: Report): void {
  if (!s.promotions) return;
  duplicates(s.promotions, 'promotions', 'programme.promotion_duplicate', report);
  s.promotions.forEach((p, i) => {
    s.promotions!.slice(i + 1).forEach((q, k) => {
      const when = p.multiplierPercent === q.multiplierPercent ? null : overlap(p, q);
      if (when !== null) {
        report(`promotions.${i + 1 + k}`, 'programme.promotions_contradict', { a: p.id, b: q.id, aPercent: p.multiplierPercent, bPercent: q.multiplierPercent, when });
      }
    });
  });
}

function checkCategories(s: Sections, known: readonly string[] | undefined, report: Report): void {
  const categories = new Set(known ?? s.categories ?? []);
  if (categories.size === 0) return;
  const check = (path: string, category: string) => {
    if (!categories.has(category)) report(path, 'programme.category_unknown', { category });
  };
  for (const c of Object.keys(s.categoryMultipliersPercent ?? {})) check(`categoryMultipliersPercent.${c}`, c);
  for (const c of Object.keys(s.categoryTaxRatesBp ?? {})) check(`categoryTaxRatesBp.${c}`, c);
  (s.excludedCategories ?? []).forEach((c, i) => check(`excludedCategories.${i}`, c));
  (s.membership?.multiplierCategories ?? []).forEach((c, i) => check(`membership.multiplierCategories.${i}`, c));
  (s.promotions ?? []).forEach((p, i) => (p.categories ?? []).forEach((c, k) => check(`promotions.${i}.categories.${k}`, c)));
}

/** Shares are compared to 1 within this, so 0.2 + 0.6 + 0.2 in floating point passes. */
const SHARE_TOLERANCE = 1e-9;
const percent = (share: number) => Math.round(share * 1e6) / 1e4;

function checkTiers(s: Sections, report: Report): void {
  if (!s.tiers) return;
  const total = s.tiers.tiers.reduce((sum, t) => sum + t.share, 0);
  if (Math.abs(total - 1) > SHARE_TOLERANCE) {
    report('tiers.tiers', 'programme.tier_shares_sum', { total: percent(total), detail: s.tiers.tiers.map((t) => `${t.id} ${percent(t.share)} %`).join(', ') });
  }
  duplicates(s.tiers.tiers, 'tiers.tiers', 'programme.tier_duplicate', report);
  checkTierIds(s.tiers, [s.tiers.newMemberTier], 'tiers.newMemberTier', report, false);
}

/** Tier ids named elsewhere must be the policy's. */
function checkTierIds(policy: TierPolicy | undefined, ids: readonly string[], path: string, report: Report, indexed = true): void {
  if (!policy) return;
  const tiers = policy.tiers.map((t) => t.id);
  ids.forEach((id, i) => {
    if (!tiers.includes(id)) report(indexed ? `${path}.${i}` : path, 'programme.tier_unknown', { id, tiers: tiers.join(', ') });
  });
}

function checkBenefits(s: Sections, report: Report): void {
  const benefits: readonly Benefit[] = s.benefits ?? [];
  duplicates(benefits, 'benefits', 'programme.benefit_duplicate', report);
  benefits.forEach((b, i) => {
    if (b.capacity === 0) report(`benefits.${i}.capacity`, 'programme.benefit_no_capacity', { id: b.id });
    if (b.pricePoints === 0) report(`benefits.${i}.pricePoints`, 'programme.benefit_free', { id: b.id });
    if (b.pricePoints === null && b.tiers.length === 0) report(`benefits.${i}`, 'programme.benefit_unbookable', { id: b.id });
    checkTierIds(s.tiers, b.tiers, `benefits.${i}.tiers`, report);
  });
  if (s.membership) {
    if (s.membership.priceCents === 0) report('membership.priceCents', 'programme.membership_free');
    if (s.benefits) {
      s.membership.benefits.forEach((id, i) => {
        if (!benefits.some((b) => b.id === id)) report(`membership.benefits.${i}`, 'programme.benefit_unknown', { id });
      });
    }
  }
}

function checkCadenceAndRegularity(s: Sections, report: Report): void {
  const c = s.cadence;
  if (c && c.tiers.length > 0) {
    if (c.voucherEveryVisits === null && c.voucherEachPoints === null) report('cadence', 'programme.cadence_no_trigger');
    if (c.voucherCents === 0) report('cadence.voucherCents', 'programme.cadence_free_voucher');
    checkTierIds(s.tiers, c.tiers, 'cadence.tiers', report);
  }
  const r = s.regularity;
  if (r && r.streakWeeks > r.windowWeeks) report('regularity.streakWeeks', 'programme.regularity_streak', { streak: r.streakWeeks, window: r.windowWeeks });
  // A bonus any ticket earns is one split tickets or a chewing gum a week farm.
  if (r && r.streakBonusPoints > 0 && r.minimumBasketCents === 0) report('regularity.minimumBasketCents', 'programme.regularity_no_minimum');
}

/** A promotion open to long-standing members that is worth at least as much, whenever and wherever `p` runs. */
const matchesPromotion = (q: Promotion, p: Promotion) =>
  q.multiplierPercent >= p.multiplierPercent &&
  p.weekdays.every((d) => q.weekdays.includes(d)) &&
  minutesOf(q.from) <= minutesOf(p.from) &&
  minutesOf(q.to) >= minutesOf(p.to) &&
  startsBy(q.validFrom, p.validFrom) &&
  endsAfter(q.validUntil, p.validUntil) &&
  covers(q.categories, p.categories);

/** The same article for as few points or fewer. */
const matchesReward = (q: Reward, r: Reward) => q.sku === r.sku && q.points <= r.points;

/**
 * Item 8: an offer reserved to new members needs an equal or better one open
 * to long-standing members; refused or a warning, as the document says.
 */
function checkFairness(s: Sections, report: Report): void {
  const audiences: readonly Audience[] = s.audiences ?? [];
  const severity = s.fairness?.newMemberOnly === 'warn' ? 'warning' : 'error';
  const reserved = new Set<string>();
  audiences.forEach((a, i) => {
    const tag = `${a.kind}:${a.id}`;
    if (reserved.has(tag)) report(`audiences.${i}`, 'programme.audience_duplicate', { id: a.id });
    reserved.add(tag);
  });
  const open = <T extends { id: string }>(kind: string, items: readonly T[]) => items.filter((x) => !reserved.has(`${kind}:${x.id}`));
  audiences.forEach((a, i) => {
    const list: ReadonlyArray<{ id: string }> | undefined = a.kind === 'reward' ? s.rewards : s.promotions;
    if (!list) return;
    const index = list.findIndex((x) => x.id === a.id);
    if (index < 0) {
      report(`audiences.${i}.id`, 'programme.audience_unknown', { kind: a.kind, id: a.id });
      return;
    }
    let reason: Record<string, string | number> | null = null;
    if (a.kind === 'reward') {
      const r = s.rewards![index]!;
      if (!open('reward', s.rewards!).some((q) => matchesReward(q, r))) reason = { reasonKey: 'programme.unfair_reward', id: r.id, points: r.points };
    } else {
      const p = s.promotions![index]!;
      if (!open('promotion', s.promotions!).some((q) => matchesPromotion(q, p))) reason = { reasonKey: 'programme.unfair_promotion', id: p.id, percent: p.multiplierPercent };
    }
    if (reason !== null) report(`${a.kind === 'reward' ? 'rewards' : 'promotions'}.${index}`, 'programme.unfair_new_members', reason, severity);
  });
}

/**
 * Offer rules are checked by the offers' own validator (shared/offers/rules.ts) against this document: a rule
 * naming a category, tier or benefit the programme does not have would match nothing, so it is refused; a
 * week cap below the visit cap, or a month cap below the week cap, could never be reached.
 */
function checkOffers(s: Sections, known: readonly string[] | undefined, report: Report): void {
  if (s.offers) {
    const check = validateOfferRules(s.offers, {
      categories: known ?? s.categories ?? [],
      ...(s.tiers ? { tiers: s.tiers.tiers.map((t) => t.id) } : {}),
      benefits: (s.benefits ?? []).map((b) => b.id),
    });
    if (!check.ok) {
      for (const p of check.problems) {
        const colon = p.indexOf(':');
        report(`offers.${p.slice(0, colon)}`, 'programme.offer_invalid', { detail: p.slice(colon + 1).trim() });
      }
    }
  }
  const caps = s.contactCaps;
  if (caps && (caps.perWeek < caps.perVisit || caps.perMonth < caps.perWeek)) report('contactCaps', 'programme.contact_caps_order', { ...caps });
}
