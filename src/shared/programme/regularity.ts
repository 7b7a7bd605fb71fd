import { z } from 'zod';
import type { Regularity } from './document';

/**
 * Regularity (issue 14 item 5; mission anchors §3 idea 2): reward coming
 * back, not only spending. Everything counts in store-local weeks (Monday to
 * Sunday): a week "has a visit" when at least one ticket of the member that
 * week reached the programme's minimum basket. Counting weeks, not tickets, is
 * what makes splitting pointless: two tickets the same day (or the same week)
 * are one week, and each piece of a split basket is smaller than the whole, so
 * it qualifies only if the whole would have.
 *
 * - score (0–100): 70 for the share of the last `windowWeeks` weeks with a
 *   visit, 30 for the steadiness of the gaps between those weeks (1 minus
 *   their mean absolute deviation over their mean);
 * - streak: the weeks in a row with a visit up to this week, or up to last
 *   week while this week can still keep it alive;
 * - bonus: `streakBonusPoints` once every `streakWeeks` weeks of a streak,
 *   granted by the first qualifying ticket of the week that completes them and
 *   never twice in one week (the terminal records the week it was granted in,
 *   so replays and later tickets of that week find it).
 *
 * Pure and deterministic: time comes in as epoch milliseconds, the zone from
 * the programme.
 */

export type RegularitySettings = Regularity;

/** Where a member stands, as both screens, the account view and the receipt show it. */
export const RegularityView = z.object({
  /** Weeks with a qualifying visit among the last `windowWeeks`, this one included. */
  weeksWithVisit: z.number().int().min(0),
  windowWeeks: z.number().int().min(1),
  /** Each of those weeks, oldest first: whether it had a visit (the row of marks on the screens). */
  weeks: z.array(z.boolean()).max(52),
  /** Weeks in a row with a visit: « 3 semaines d'affilée ! ». */
  streak: z.number().int().min(0),
  /** 0–100. */
  score: z.number().int().min(0).max(100),
  /** This week already counts. */
  visitedThisWeek: z.boolean(),
  /** The smallest ticket that counts as a visit. */
  minimumBasketCents: z.number().int().min(0),
  /** Qualifying weeks still to come (0: the next qualifying ticket this week) before the bonus; null when the programme gives none. */
  nextBonus: z.object({ inWeeks: z.number().int().min(0), points: z.number().int().min(1) }).nullable(),
});
export type RegularityView = z.infer<typeof RegularityView>;

const formatters = new Map<string, Intl.DateTimeFormat>();

function dayFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' });
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * Every zone's offset is a whole number of quarter hours, so a local midnight
 * never falls inside a quarter hour of UTC: the day found for one instant
 * holds for its whole quarter, and a sale's path asks Intl once a quarter.
 */
const QUARTER_HOUR_MS = 900_000;
const lastDays = new Map<string, { quarter: number; day: number }>();

/** Days since 1970-01-01 of the store-local calendar day at `at`. */
export function localDayNumber(at: number, timeZone: string): number {
  const quarter = Math.floor(at / QUARTER_HOUR_MS);
  const last = lastDays.get(timeZone);
  if (last?.quarter === quarter) return last.day;
  const parts = dayFormatter(timeZone).formatToParts(new Date(at));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const day = Math.floor(Date.UTC(get('year'), get('month') - 1, get('day')) / 86_400_000);
  lastDays.set(timeZone, { quarter, day });
  return day;
}

/** Store-local week number: weeks since Monday 1969-12-29, so every week starts on a Monday. */
export function weekOf(at: number, timeZone: string): number {
  return Math.floor((localDayNumber(at, timeZone) + 3) / 7);
}

export const qualifies = (settings: RegularitySettings, basketCents: number): boolean => basketCents >= settings.minimumBasketCents;

/** Weeks in a row with a visit ending at `week` (0 when `week` has none). */
export function runEndingAt(weeks: ReadonlySet<number>, week: number): number {
  let n = 0;
  while (weeks.has(week - n)) n++;
  return n;
}

/** The current streak: up to this week if it has a visit, else up to last week (still alive until Sunday). */
export function streakAt(weeks: ReadonlySet<number>, week: number): number {
  return weeks.has(week) ? runEndingAt(weeks, week) : runEndingAt(weeks, week - 1);
}

/** 0–100 from the weeks with a visit among the `windowWeeks` ending at `week`. */
export function regularityScore(weeks: ReadonlySet<number>, week: number, windowWeeks: number): number {
  const inWindow: number[] = [];
  for (let w = week - windowWeeks + 1; w <= week; w++) if (weeks.has(w)) inWindow.push(w);
  if (inWindow.length === 0) return 0;
  const coverage = inWindow.length / windowWeeks;
  const gaps = inWindow.slice(1).map((w, i) => w - inWindow[i]!);
  // One visit has no gap to judge: it is as steady as it is frequent.
  let steadiness = coverage;
  if (gaps.length > 0) {
    const sum = gaps.reduce((a, b) => a + b, 0);
    // Mean absolute deviation over the mean, kept in integers: Σ|n·g − S| / (n·S).
    const spread = gaps.reduce((a, g) => a + Math.abs(gaps.length * g - sum), 0) / (gaps.length * sum);
    steadiness = Math.max(0, 1 - spread);
  }
  return Math.round(70 * coverage + 30 * steadiness);
}

/**
 * Qualifying weeks since the last bonus of the streak ending at `week`
 * (`week` counted if it has a visit): the bonus falls due when this reaches
 * `streakWeeks`. A bonus outside the streak does not count: a broken streak
 * starts again from nothing.
 */
function weeksTowardsBonus(weeks: ReadonlySet<number>, bonusWeeks: ReadonlySet<number>, week: number): number {
  const end = weeks.has(week) ? week : week - 1;
  const run = runEndingAt(weeks, end);
  for (let i = 0; i < run; i++) if (bonusWeeks.has(end - i)) return i;
  return run;
}

/**
 * Whether a qualifying ticket in `week` earns the streak bonus, given the
 * member's qualifying weeks (`week` among them) and the weeks a bonus was
 * already granted in.
 */
export function bonusDue(settings: RegularitySettings, weeks: ReadonlySet<number>, bonusWeeks: ReadonlySet<number>, week: number): boolean {
  if (settings.streakBonusPoints === 0 || !weeks.has(week) || bonusWeeks.has(week)) return false;
  return weeksTowardsBonus(weeks, bonusWeeks, week) >= settings.streakWeeks;
}

export function regularityView(settings: RegularitySettings, weeks: ReadonlySet<number>, bonusWeeks: ReadonlySet<number>, week: number): RegularityView {
  const visitedThisWeek = weeks.has(week);
  let nextBonus: RegularityView['nextBonus'] = null;
  if (settings.streakBonusPoints > 0) {
    const done = weeksTowardsBonus(weeks, bonusWeeks, week);
    // 0: the next qualifying ticket this week earns it. A week without a visit yet needs that visit at least.
    const inWeeks = visitedThisWeek ? Math.max(settings.streakWeeks - done, 0) : Math.max(settings.streakWeeks - done, 1);
    nextBonus = { inWeeks, points: settings.streakBonusPoints };
  }
  const marks = Array.from({ length: settings.windowWeeks }, (_, i) => weeks.has(week - settings.windowWeeks + 1 + i));
  return {
    weeksWithVisit: marks.filter(Boolean).length,
    windowWeeks: settings.windowWeeks,
    weeks: marks,
    streak: streakAt(weeks, week),
    score: regularityScore(weeks, week, settings.windowWeeks),
    visitedThisWeek,
    minimumBasketCents: settings.minimumBasketCents,
    nextBonus,
  };
}

/** One ticket as the model sees it. */
export interface Ticket {
  at: number;
  basketCents: number;
}

export interface Replay {
  weeks: Set<number>;
  bonusWeeks: Set<number>;
  /** Bonus points each ticket earned, in time order. */
  bonuses: number[];
}

/**
 * Tickets in time order through the rules above, as the terminal applies them
 * one sale at a time: what the property tests hold the terminal to.
 */
export function replayTickets(settings: RegularitySettings, timeZone: string, tickets: readonly Ticket[]): Replay {
  const weeks = new Set<number>();
  const bonusWeeks = new Set<number>();
  const bonuses: number[] = [];
  for (const t of [...tickets].sort((a, b) => a.at - b.at)) {
    if (!qualifies(settings, t.basketCents)) {
      bonuses.push(0);
      continue;
    }
    const week = weekOf(t.at, timeZone);
    weeks.add(week);
    const due = bonusDue(settings, weeks, bonusWeeks, week);
    if (due) bonusWeeks.add(week);
    bonuses.push(due ? settings.streakBonusPoints : 0);
  }
  return { weeks, bonusWeeks, bonuses };
}

type Words = (key: string, params?: Record<string, string | number>) => string;

/**
 * The words both screens and the receipt use: « 3 semaines d'affilée ! » from
 * two weeks in a row, the weeks with a visit in the window, and what the next
 * bonus asks.
 */
export function regularityWords(t: Words, view: RegularityView): { streak: string | null; weeks: string; next: string | null } {
  const streak = view.streak >= 2 ? t('regularity.streak', { weeks: view.streak }) : null;
  const weeks = t('regularity.weeks', { weeks: view.weeksWithVisit, window: view.windowWeeks });
  let next: string | null = null;
  if (view.nextBonus) {
    const { inWeeks, points } = view.nextBonus;
    next = inWeeks === 0 ? t('regularity.next_now', { points }) : inWeeks === 1 ? t('regularity.next_one', { points }) : t('regularity.next', { weeks: inWeeks, points });
  }
  return { streak, weeks, next };
}
