/**
 * How the demo store's members shop (issue 14 item 9): a rhythm per member
 * and the days of their visits over the two years to today, steady ones
 * (every week, every fortnight, every month, on their own weekday and hour)
 * beside unsteady ones (bursts and long gaps, regulars who stopped, one who
 * came back, occasional visitors, newcomers). Pure: a seeded draw in, day
 * numbers out (days since the epoch, UTC), so tests can hold the rhythms to
 * what they claim.
 */

export type Rhythm = 'weekly' | 'fortnightly' | 'monthly' | 'irregular' | 'lapsed' | 'returning' | 'occasional' | 'new';

/** A draw in [0, 1). */
export type Uniform = () => number;

/** Two years of history. */
export const HISTORY_DAYS = 730;
/** Members who joined in the last eight weeks are the store's newcomers. */
export const NEW_MEMBER_DAYS = 56;
/** Who can have stopped or come back: members of more than a year and a month. */
const LONG_STANDING_DAYS = 400;

export interface RhythmSpec {
  rhythm: Rhythm;
  /** Share of the store's members with this rhythm (at least one member when the store has an eligible one). */
  share: number;
  /** The basket's target, in cents: small and often, or big and seldom. */
  basketCents: readonly [number, number];
  /** Members who joined at least this many days ago can have it. */
  minTenureDays: number;
  /** What the start banner says of a card with this rhythm. */
  note: string;
}

/**
 * The mix: few steady regulars (they make most of the sales), many occasional
 * visitors, the rest never seen in two years. About 1.1 sales per member
 * (5,500 for the 5,000 of `npm start`), which keeps a first start quick.
 */
export const RHYTHMS: readonly RhythmSpec[] = [
  { rhythm: 'weekly', share: 0.002, basketCents: [1_200, 4_500], minTenureDays: NEW_MEMBER_DAYS, note: 'chaque semaine, même jour' },
  { rhythm: 'fortnightly', share: 0.004, basketCents: [2_500, 7_500], minTenureDays: NEW_MEMBER_DAYS, note: 'toutes les deux semaines' },
  { rhythm: 'monthly', share: 0.008, basketCents: [5_000, 15_000], minTenureDays: NEW_MEMBER_DAYS, note: 'une grosse course par mois' },
  { rhythm: 'irregular', share: 0.01, basketCents: [800, 9_000], minTenureDays: NEW_MEMBER_DAYS, note: 'par à-coups, irrégulier' },
  { rhythm: 'lapsed', share: 0.004, basketCents: [1_500, 5_000], minTenureDays: LONG_STANDING_DAYS, note: 'habitué qui ne vient plus' },
  { rhythm: 'returning', share: 0.002, basketCents: [2_000, 6_000], minTenureDays: LONG_STANDING_DAYS, note: 'revenu après des mois d’absence' },
  { rhythm: 'occasional', share: 0.16, basketCents: [1_500, 6_000], minTenureDays: NEW_MEMBER_DAYS, note: 'de temps en temps' },
];

export const NEW_MEMBERS: RhythmSpec = { rhythm: 'new', share: 1, basketCents: [1_500, 5_000], minTenureDays: 0, note: 'inscrit ces dernières semaines' };

export const specOf = (rhythm: Rhythm): RhythmSpec => RHYTHMS.find((r) => r.rhythm === rhythm) ?? NEW_MEMBERS;

const between = (u: Uniform, lo: number, hi: number): number => lo + Math.floor(u() * (hi - lo + 1));

/**
 * Gives each member a rhythm: newcomers are `new`; of the others, each rhythm
 * takes its share (at least one member, so a dozen-member store still shows
 * them all), drawn among those who joined early enough for it. `joinDays` in
 * the store's order; the result in the same order, null for no history.
 */
export function assignRhythms(u: Uniform, joinDays: readonly number[], today: number): (Rhythm | null)[] {
  const result: (Rhythm | null)[] = joinDays.map((day) => (day > today - NEW_MEMBER_DAYS ? 'new' : null));
  const free = new Set(joinDays.flatMap((_, i) => (result[i] === null ? [i] : [])));
  const settled = joinDays.length - free.size;
  // Rarest and most demanding first, so they still find long-standing members.
  for (const spec of [...RHYTHMS].sort((a, b) => b.minTenureDays - a.minTenureDays || a.share - b.share)) {
    const eligible = [...free].filter((i) => joinDays[i]! <= today - spec.minTenureDays);
    const want = Math.min(eligible.length, Math.max(1, Math.round(spec.share * (joinDays.length - settled))));
    for (let k = 0; k < want; k++) {
      const pick = between(u, k, eligible.length - 1);
      [eligible[k], eligible[pick]] = [eligible[pick]!, eligible[k]!];
      result[eligible[k]!] = spec.rhythm;
      free.delete(eligible[k]!);
    }
  }
  return result;
}

/** Every `step` days (give or take `jitter`), skipping one now and then (holidays), from `from` to before `until`. */
function steady(u: Uniform, from: number, until: number, step: number, jitter: number, skip: number): number[] {
  const days: number[] = [];
  for (let day = from + between(u, 0, step - 1); day < until; day += step) {
    if (u() < skip) continue;
    days.push(Math.min(until - 1, Math.max(from, day + between(u, -jitter, jitter))));
  }
  return days;
}

/** Bursts of a few visits days apart, then weeks without. */
function bursts(u: Uniform, from: number, until: number): number[] {
  const days: number[] = [];
  for (let day = from + between(u, 0, 30); day < until; day += 25 + Math.floor(-Math.log(1 - u()) * 45)) {
    const size = between(u, 1, 3);
    for (let k = 0, d = day; k < size && d < until; k++, d += between(u, 1, 5)) days.push(d);
    day = days[days.length - 1] ?? day;
  }
  return days;
}

/**
 * The days a member visits, ascending, none before they joined or two years
 * ago, none from `today` on. A member who joined within the two years bought
 * something the day they joined (enrolment happens at the till).
 */
export function visitDays(u: Uniform, rhythm: Rhythm, joinDay: number, today: number): number[] {
  const from = Math.max(joinDay, today - HISTORY_DAYS);
  const days = joinDay >= today - HISTORY_DAYS ? [joinDay] : [];
  const after = from + 1;
  switch (rhythm) {
    case 'weekly':
      days.push(...steady(u, after, today, 7, 1, 0.06));
      break;
    case 'fortnightly':
      days.push(...steady(u, after, today, 14, 2, 0.05));
      break;
    case 'monthly':
      days.push(...steady(u, after, today, 30, 3, 0.04));
      break;
    case 'irregular':
      days.push(...bursts(u, after, today));
      break;
    case 'lapsed':
      // A fortnightly regular who stopped four to ten months ago.
      days.push(...steady(u, after, today - between(u, 120, 300), 14, 2, 0.05));
      break;
    case 'returning': {
      // A fortnightly regular gone for eight months or more, back these last three weeks.
      const gone = today - between(u, 260, 330);
      days.push(...steady(u, after, gone, 14, 2, 0.05), today - between(u, 12, 20), today - between(u, 1, 6));
      break;
    }
    case 'occasional':
      // Once or twice (counting the day they joined), more likely lately than long ago.
      for (let k = days.length > 0 ? between(u, 0, 1) : between(u, 1, 2); k > 0; k--) days.push(u() < 0.7 ? between(u, Math.max(after, today - 364), today - 1) : between(u, after, today - 1));
      break;
    case 'new':
      for (let k = between(u, 0, 3); k > 0; k--) days.push(between(u, after, today - 1));
      break;
  }
  return [...new Set(days.filter((d) => d >= from && d < today))].sort((a, b) => a - b);
}
