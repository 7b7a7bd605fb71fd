import type { OfferConsent, OfferRule } from './rules';
import { requiredConsents } from './rules';

/**
 * Which offers a member is shown at the till (issue 16 items 3 and 5), at
 * every preview of the sale, so it must take well under a millisecond or two:
 * the rule set is compiled once (memoised by its identity) into an index from
 * category and SKU to the rules that name them, and a basket only looks at the
 * rules its own lines point to, plus the few without a basket condition.
 */

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;
const MONTH_MS = 30 * DAY_MS;

export interface BasketLine {
  sku: string;
  category: string;
  quantity: number;
  /** The line's net amount, after its discount. */
  netCents: number;
}

export interface MemberFacts {
  tier: string | null;
  consents: { personalisedOffers: boolean; profiling: boolean };
  /** Epoch ms of the member's last visit before this one; null when none is known. */
  lastVisitAt: number | null;
  /** Share of the member's visits (0…1) in which each category was bought. */
  categoryShares: Readonly<Record<string, number>>;
  /** « Moins de sollicitations »: the member asked to be left alone. */
  fewerContacts: boolean;
}

export interface ContactPressure {
  /** Offers shown to the member in the last month (at least), each once. */
  shown: ReadonlyArray<{ ruleId: string; at: number }>;
  /** Other contacts across channels (a survey asked, a message) in the last month. */
  otherContacts: readonly number[];
  /**
   * Rules already shown during this visit and not answered: shown again as
   * the basket changes without counting again (they were counted once).
   */
  currentVisit: ReadonlySet<string>;
  /** Rules shown during this visit and answered (« Ça m'intéresse » or « Non merci »): not shown again in it. */
  answeredThisVisit: ReadonlySet<string>;
}

export interface ContactCaps {
  /** Offers shown on one visit, however often its basket is previewed. */
  perVisit: number;
  /** Contacts of any kind (offers included) per member in any 7 and 30 days. */
  perWeek: number;
  perMonth: number;
}

export interface LocalNow {
  at: number;
  /** ISO weekday in the store's time zone, 1 = Monday. */
  weekday: number;
  hour: number;
}

export interface ShownOffer {
  ruleId: string;
  label: OfferRule['label'];
  offer: OfferRule['offer'];
  priority: number;
  /** False when it was already shown earlier in this visit (not to be counted again). */
  fresh: boolean;
}

export interface CashierHint {
  kind: 'cross_sell' | 'up_sell';
  ruleId: string;
  text: { fr: string; en: string };
}

export interface Evaluation {
  offers: ShownOffer[];
  hint: CashierHint | null;
}

interface CompiledRule {
  rule: OfferRule;
  needsProfiling: boolean;
  tiers: ReadonlySet<string> | null;
}

interface CompiledSet {
  rules: CompiledRule[];
  byCategory: Map<string, number[]>;
  bySku: Map<string, number[]>;
  /** Rules without a basket condition: every basket is a candidate. */
  always: number[];
  /** Per evaluation stamps: the rules a basket reaches through its categories and SKUs, whatever their number of lines. */
  stamps: Uint32Array;
  generation: number;
}

const compiled = new WeakMap<readonly OfferRule[], CompiledSet>();

/** The index of a rule set, built once per set (a new programme is a new array). */
export function compileOffers(rules: readonly OfferRule[]): CompiledSet {
  let set = compiled.get(rules);
  if (set) return set;
  set = { rules: [], byCategory: new Map(), bySku: new Map(), always: [], stamps: new Uint32Array(rules.length), generation: 0 };
  // Positions in priority order: a basket walks its candidates best first and stops once the visit's offers are found.
  const ranked = [...rules].sort((a, b) => (before(a, b) ? -1 : 1));
  const add = (map: Map<string, number[]>, key: string, i: number) => {
    const list = map.get(key);
    if (!list) map.set(key, [i]);
    else if (list[list.length - 1] !== i) list.push(i);
  };
  ranked.forEach((rule, i) => {
    set.rules.push({
      rule,
      needsProfiling: requiredConsents(rule).includes('profiling' satisfies OfferConsent),
      tiers: rule.conditions.tiers ? new Set(rule.conditions.tiers) : null,
    });
    const basket = rule.conditions.basket;
    if (!basket) set.always.push(i);
    else {
      for (const c of basket.categories) add(set.byCategory, c.category, i);
      for (const s of basket.skus) add(set.bySku, s.sku, i);
    }
  });
  compiled.set(rules, set);
  return set;
}

interface Totals {
  quantity: number;
  cents: number;
}

export interface EvaluateInput {
  rules: readonly OfferRule[];
  lines: readonly BasketLine[];
  member: MemberFacts;
  pressure: ContactPressure;
  caps: ContactCaps;
  now: LocalNow;
}

/** A near miss closer than this share of the threshold is worth an up-sell hint. */
const UP_SELL_GAP = 0.25;

/**
 * How many more contacts of any kind (an offer shown, a survey asked) the caps allow a member now, from the
 * times of their contacts: the week's and the month's caps both hold, whatever the channel.
 */
export function contactRoom(contacts: readonly number[], caps: Pick<ContactCaps, 'perWeek' | 'perMonth'>, now: number): number {
  let week = 0;
  let month = 0;
  for (const at of contacts) {
    if (at > now - WEEK_MS) week++;
    if (at > now - MONTH_MS) month++;
  }
  return Math.max(0, Math.min(caps.perWeek - week, caps.perMonth - month));
}

export function evaluateOffers(input: EvaluateInput): Evaluation {
  const { member, pressure, caps, now } = input;
  const none: Evaluation = { offers: [], hint: null };
  if (!member.consents.personalisedOffers || member.fewerContacts || caps.perVisit <= 0) return none;
  const set = compileOffers(input.rules);
  if (set.rules.length === 0) return none;

  const categories = new Map<string, Totals>();
  const skus = new Map<string, Totals>();
  for (const line of input.lines) {
    accumulate(categories, line.category, line);
    accumulate(skus, line.sku, line);
  }

  set.generation = (set.generation + 1) >>> 0;
  if (set.generation === 0) {
    set.stamps.fill(0);
    set.generation = 1;
  }
  // A candidate is stamped with this evaluation's generation; positions are ranks, so walking them in order is best first.
  const generation = set.generation;
  const stamps = set.stamps;
  const reach = (list: number[] | undefined) => {
    if (list) for (const i of list) stamps[i] = generation;
  };
  for (const key of categories.keys()) reach(set.byCategory.get(key));
  for (const key of skus.keys()) reach(set.bySku.get(key));
  reach(set.always);

  const shownByRule = new Map<string, number[]>();
  for (const s of pressure.shown) {
    const list = shownByRule.get(s.ruleId);
    if (list) list.push(s.at);
    else shownByRule.set(s.ruleId, [s.at]);
  }

  // Offers already counted in this visit keep their place; new ones need room under every cap.
  let room = contactRoom([...pressure.shown.map((s) => s.at), ...pressure.otherContacts], caps, now.at);
  // An offer shown earlier in the visit and gone with a changed basket was still seen: it keeps its slot.
  let visitRoom = caps.perVisit - pressure.currentVisit.size - pressure.answeredThisVisit.size;
  // Past the week's or month's contacts with nothing carried from this visit: nothing to show, nothing to suggest.
  if (room <= 0 && pressure.currentVisit.size === 0) return none;
  const offers: ShownOffer[] = [];
  let top: OfferRule | null = null;
  let nearMiss: { rule: OfferRule; gap: number } | null = null;
  for (let i = 0; i < set.rules.length && offers.length < caps.perVisit; i++) {
    if (stamps[i] !== generation) continue;
    const c = set.rules[i]!;
    const rule = c.rule;
    if (c.needsProfiling && !member.consents.profiling) continue;
    if (c.tiers && (member.tier === null || !c.tiers.has(member.tier))) continue;
    if (!timeMatches(rule, now)) continue;
    if (rule.conditions.history && !historyMatches(rule.conditions.history, member, now.at)) continue;
    if (pressure.answeredThisVisit.has(rule.id)) continue;
    const fresh = !pressure.currentVisit.has(rule.id);
    if (fresh && !capAllows(rule, shownByRule.get(rule.id), now.at)) continue;
    const basket = rule.conditions.basket;
    if (basket) {
      const gap = basketGap(basket, categories, skus);
      if (gap > 0) {
        // Walked best first: the first of the smallest gap is the best near miss.
        if (gap <= UP_SELL_GAP && (!nearMiss || gap < nearMiss.gap)) nearMiss = { rule, gap };
        continue;
      }
    }
    if (fresh) {
      if (room <= 0 || visitRoom <= 0) continue;
      room--;
      visitRoom--;
    }
    top ??= rule;
    offers.push({ ruleId: rule.id, label: rule.label, offer: rule.offer, priority: rule.priority, fresh });
  }
  return { offers, hint: hintFor(top, nearMiss?.rule ?? null, room) };
}

function accumulate(map: Map<string, Totals>, key: string, line: BasketLine): void {
  const t = map.get(key);
  if (t) {
    t.quantity += line.quantity;
    t.cents += line.netCents;
  } else map.set(key, { quantity: line.quantity, cents: line.netCents });
}

/** Higher priority first, then by id, so every till shows the same offers for the same basket. */
function before(a: OfferRule, b: OfferRule): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.id < b.id;
}

function timeMatches(rule: OfferRule, now: LocalNow): boolean {
  const time = rule.conditions.time;
  if (!time) return true;
  if (time.validFrom !== undefined && now.at < time.validFrom) return false;
  if (time.validUntil !== undefined && now.at >= time.validUntil) return false;
  if (time.weekdays && !time.weekdays.includes(now.weekday)) return false;
  if (time.hours) {
    const { from, to } = time.hours;
    const inside = from < to ? now.hour >= from && now.hour < to : now.hour >= from || now.hour < to;
    if (!inside) return false;
  }
  return true;
}

function historyMatches(history: NonNullable<OfferRule['conditions']['history']>, member: MemberFacts, now: number): boolean {
  const days = history.daysSinceLastVisit;
  if (days) {
    // Without a known last visit, a rule about how long ago it was cannot be said to hold.
    if (member.lastVisitAt === null) return false;
    const since = Math.floor((now - member.lastVisitAt) / DAY_MS);
    if (days.min !== undefined && since < days.min) return false;
    if (days.max !== undefined && since > days.max) return false;
  }
  for (const c of history.usuallyBuys) if ((member.categoryShares[c] ?? 0) < history.usualShare) return false;
  for (const c of history.usuallyNotBuys) if ((member.categoryShares[c] ?? 0) >= history.usualShare) return false;
  return true;
}

function capAllows(rule: OfferRule, shown: number[] | undefined, now: number): boolean {
  if (!shown) return true;
  const since = now - rule.cap.days * DAY_MS;
  let n = 0;
  for (const at of shown) if (at > since) n++;
  return n < rule.cap.times;
}

/**
 * 0 when the basket meets the condition; otherwise how far it is, as the
 * smallest missing share of a threshold among the items that would satisfy it
 * (`any`) or the largest (`all`); 1 when an item is missing altogether.
 */
function basketGap(basket: NonNullable<OfferRule['conditions']['basket']>, categories: Map<string, Totals>, skus: Map<string, Totals>): number {
  let best = 1;
  let worst = 0;
  const consider = (t: Totals | undefined, minQuantity: number | undefined, minCents: number | undefined) => {
    let gap = t ? 0 : 1;
    if (t && minQuantity !== undefined && t.quantity < minQuantity) gap = Math.max(gap, (minQuantity - t.quantity) / minQuantity);
    if (t && minCents !== undefined && t.cents < minCents) gap = Math.max(gap, (minCents - t.cents) / minCents);
    if (gap < best) best = gap;
    if (gap > worst) worst = gap;
  };
  for (const c of basket.categories) consider(categories.get(c.category), c.minQuantity, c.minCents);
  for (const s of basket.skus) consider(skus.get(s.sku), s.minQuantity, s.minCents);
  return basket.match === 'all' ? worst : best;
}

function hintFor(top: OfferRule | null, nearMiss: OfferRule | null, room: number): CashierHint | null {
  if (top) {
    if (top.hint) return { kind: top.hint.kind, ruleId: top.id, text: top.hint.text };
    return { kind: 'cross_sell', ruleId: top.id, text: { fr: `Proposer : ${top.label.fr}`, en: `Suggest: ${top.label.en}` } };
  }
  // A near miss is a suggestion too: only when the member could still be shown an offer.
  if (nearMiss && room > 0) {
    const text = nearMiss.hint?.kind === 'up_sell' ? nearMiss.hint.text : { fr: `Encore un peu pour : ${nearMiss.label.fr}`, en: `A little more for: ${nearMiss.label.en}` };
    return { kind: 'up_sell', ruleId: nearMiss.id, text };
  }
  return null;
}
