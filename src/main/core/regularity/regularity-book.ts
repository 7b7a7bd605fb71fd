import type { ChainedEntry } from '../ledger/chain';
import type { ProgramRules } from '../../../shared/programme/rules-schema';
import {
  bonusDue,
  qualifies,
  regularityView,
  runEndingAt,
  weekOf,
  type RegularitySettings,
  type RegularityView,
} from '../../../shared/programme/regularity';

/**
 * Regularity at the terminal (issue 14 item 5): for each member, the store
 * weeks in which one of their tickets reached the minimum basket, and the
 * weeks a streak bonus was granted in, kept in memory. A member's weeks are
 * read once from their journal (Ledger.history, never SQL on the journal's
 * tables), the first time a screen or a sale asks; after that a sale reads
 * nothing: the sale path's speed is a benchmark target.
 *
 * The journal is the record: a qualifying sale's earn entry carries
 * `detail.regularity` (its week, the streak, the bonus points credited with
 * it, the minimum basket it was judged by), and a refund that takes the basket
 * back under that minimum carries `detail.regularity` on its refund_earn
 * entry (the week the visit no longer counts in, the bonus taken back). The
 * memory is rebuilt from those alone, so a restart, or a replayed sale,
 * grants nothing twice.
 */

/** What a qualifying sale does to the member's regularity, as its earn entry and its result record it. */
export interface SaleRegularity {
  week: number;
  /** Weeks in a row with a visit, this one included. */
  streak: number;
  /** Credited with the sale's points, in its earn entry. */
  bonusPoints: number;
  /** The basket that counted (earning money, after line discounts) and the minimum it was judged by. */
  basketCents: number;
  minimumBasketCents: number;
}

/** A refund that took a qualifying sale back under its minimum basket. */
export interface RefundRegularity {
  saleId: string;
  week: number;
  /** The sale's streak bonus, taken back with its points. */
  bonusReversed: number;
}

/** The ledger's view of the book: asked inside a sale's or a refund's transaction, told once it committed. */
export interface RegularityHook {
  /** What a sale of `basketCents` at `at` does; null when it is no visit (under the minimum, or no regularity in the programme). */
  forSale(memberId: string, basketCents: number, at: number, rules: ProgramRules): SaleRegularity | null;
  saleCommitted(memberId: string, saleId: string, regularity: SaleRegularity | undefined): void;
  refundCommitted(memberId: string, refund: RefundRegularity | undefined): void;
}

/**
 * What a refund does to a sale that counted as a visit: when what is left of
 * its basket falls under the minimum it was judged by, the visit no longer
 * counts and its bonus, if it earned one, is taken back with its points
 * (otherwise buying, collecting the bonus and returning everything would farm
 * it). A partial refund that leaves the basket at the minimum changes nothing.
 * Bonuses later sales earned on a streak this visit was part of stay: they
 * were earned by visits that still count.
 */
export function refundRegularity(
  saleId: string,
  regularity: SaleRegularity,
  lines: ReadonlyArray<{ lineId: string; quantity: number; eligibleCents: number }>,
  refunded: ReadonlyMap<string, number>,
  alreadyUndone: boolean,
): RefundRegularity | null {
  if (alreadyUndone) return null;
  // Whole cents of each line still sold, rounded up: the member keeps the benefit of a fraction of a cent.
  const left = lines.reduce((sum, l) => sum + Math.ceil((l.eligibleCents * (l.quantity - (refunded.get(l.lineId) ?? 0))) / l.quantity), 0);
  if (left >= regularity.minimumBasketCents) return null;
  return { saleId, week: regularity.week, bonusReversed: regularity.bonusPoints };
}

interface MemberWeeks {
  /** Week → the sales that made it a visit. */
  weeks: Map<number, Set<string>>;
  /** Week → the sale that earned its bonus. */
  bonuses: Map<number, string>;
}

export interface RegularityBookOptions {
  /** The programme's regularity for a rules version; null: none in that version. */
  settingsFor: (rules: ProgramRules) => RegularitySettings | null;
  /** The member's latest journal entries, newest first (Ledger.history). */
  history: (memberId: string, limit: number) => ChainedEntry[];
  /** Members kept in memory at most; the least recently loaded go first. */
  maxMembers?: number;
}

/** Weeks of history read back: the longest window (52) and a streak as long, with room. */
const HORIZON_WEEKS = 110;
const FIRST_PAGE = 256;

const record = (value: unknown): Record<string, unknown> | null => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null);
const integer = (value: unknown): number | null => (typeof value === 'number' && Number.isSafeInteger(value) ? value : null);

export class RegularityBook implements RegularityHook {
  private readonly members = new Map<string, MemberWeeks>();

  constructor(private readonly o: RegularityBookOptions) {}

  forSale(memberId: string, basketCents: number, at: number, rules: ProgramRules): SaleRegularity | null {
    const settings = this.o.settingsFor(rules);
    if (!settings || !qualifies(settings, basketCents)) return null;
    const member = this.member(memberId, at, rules, settings);
    const week = weekOf(at, rules.timeZone);
    const weeks = new Set(member.weeks.keys()).add(week);
    const due = bonusDue(settings, weeks, new Set(member.bonuses.keys()), week);
    return { week, streak: runEndingAt(weeks, week), bonusPoints: due ? settings.streakBonusPoints : 0, basketCents, minimumBasketCents: settings.minimumBasketCents };
  }

  saleCommitted(memberId: string, saleId: string, regularity: SaleRegularity | undefined): void {
    const member = this.members.get(memberId);
    // A member not in memory is read from the journal, sale included, when next asked.
    if (!member || !regularity) return;
    addVisit(member, saleId, regularity.week, regularity.bonusPoints);
  }

  refundCommitted(memberId: string, refund: RefundRegularity | undefined): void {
    const member = this.members.get(memberId);
    if (member && refund) removeVisit(member, refund.saleId, refund.week);
  }

  /** Where the member stands at `at`, for the screens and the receipt; null when the programme has no regularity. */
  view(memberId: string, at: number, rules: ProgramRules): RegularityView | null {
    const settings = this.o.settingsFor(rules);
    if (!settings) return null;
    const member = this.member(memberId, at, rules, settings);
    return regularityView(settings, new Set(member.weeks.keys()), new Set(member.bonuses.keys()), weekOf(at, rules.timeZone));
  }

  /** Forgets every member: the next question reads the journal again (after a restore, or in tests). */
  clear(): void {
    this.members.clear();
  }

  private member(memberId: string, at: number, rules: ProgramRules, settings: RegularitySettings): MemberWeeks {
    let member = this.members.get(memberId);
    if (!member) {
      member = this.load(memberId, at, rules.timeZone, settings);
      if (this.members.size >= (this.o.maxMembers ?? 50_000)) this.members.delete(this.members.keys().next().value!);
      this.members.set(memberId, member);
    }
    return member;
  }

  /**
   * The member's visits since the horizon, from their journal: the weeks and
   * bonuses entries record, and for sales from before regularity existed, the
   * week of the sale and its earning money against today's minimum.
   */
  private load(memberId: string, at: number, timeZone: string, settings: RegularitySettings): MemberWeeks {
    const horizon = weekOf(at, timeZone) - HORIZON_WEEKS;
    let entries: ChainedEntry[];
    for (let limit = FIRST_PAGE; ; limit *= 4) {
      entries = this.o.history(memberId, limit);
      const oldest = entries.at(-1);
      if (entries.length < limit || !oldest || weekOf(oldest.wall_time, timeZone) < horizon) break;
    }
    const undone = new Set<string>();
    for (const e of entries) {
      const r = record(e.detail.regularity);
      if (e.kind === 'refund_earn' && r && typeof e.detail.sale_id === 'string') undone.add(e.detail.sale_id);
    }
    const member: MemberWeeks = { weeks: new Map(), bonuses: new Map() };
    for (const e of [...entries].reverse()) {
      const saleId = e.detail.sale_id;
      if (e.kind !== 'earn' || typeof saleId !== 'string' || undone.has(saleId)) continue;
      const r = record(e.detail.regularity);
      const week = r ? integer(r.week) : weekOf(e.wall_time, timeZone);
      if (week === null || week < horizon) continue;
      if (r) addVisit(member, saleId, week, integer(r.bonus_points) ?? 0);
      else if (qualifies(settings, integer(e.detail.eligible_cents) ?? 0)) addVisit(member, saleId, week, 0);
    }
    return member;
  }
}

function addVisit(member: MemberWeeks, saleId: string, week: number, bonusPoints: number): void {
  const sales = member.weeks.get(week) ?? new Set<string>();
  sales.add(saleId);
  member.weeks.set(week, sales);
  if (bonusPoints > 0) member.bonuses.set(week, saleId);
}

function removeVisit(member: MemberWeeks, saleId: string, week: number): void {
  const sales = member.weeks.get(week);
  sales?.delete(saleId);
  if (sales && sales.size === 0) member.weeks.delete(week);
  if (member.bonuses.get(week) === saleId) member.bonuses.delete(week);
}

/** The `detail.regularity` of a qualifying sale's earn entry. */
export const saleRegularityDetail = (r: SaleRegularity) => ({
  week: r.week,
  streak: r.streak,
  bonus_points: r.bonusPoints,
  basket_cents: r.basketCents,
  minimum_cents: r.minimumBasketCents,
});

/** The `detail.regularity` of a refund_earn entry that undid a visit. */
export const refundRegularityDetail = (r: RefundRegularity) => ({ week: r.week, bonus_reversed: r.bonusReversed });
