import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { bonusDue, regularityScore, regularityView, replayTickets, streakAt, weekOf, type RegularitySettings } from '../../src/shared/programme/regularity';
import { validateProgramme } from '../../src/shared/programme/validate';

/** Issue 14 item 5: the regularity model, in store-local weeks. */

const TZ = 'Europe/Paris';
const settings: RegularitySettings = { windowWeeks: 12, streakWeeks: 4, streakBonusPoints: 20, minimumBasketCents: 1000 };
/** Monday 4 January 2027, 10:00 in Paris. */
const MONDAY = Date.parse('2027-01-04T10:00:00+01:00');
const DAY = 86_400_000;
const at = (week: number, day = 0, hour = 0) => MONDAY + (week * 7 + day) * DAY + hour * 3_600_000;
const weeksOf = (...ws: number[]) => new Set(ws.map((w) => weekOf(at(w), TZ)));

describe('regularity model', () => {
  it('counts weeks Monday to Sunday in store time', () => {
    const monday = weekOf(Date.parse('2027-01-04T00:30:00+01:00'), TZ);
    expect(weekOf(Date.parse('2027-01-10T23:30:00+01:00'), TZ)).toBe(monday);
    // Sunday 23:30 in Paris is still Sunday, though it is Monday nowhere yet in UTC terms either way: the store's clock decides.
    expect(weekOf(Date.parse('2027-01-03T23:59:00+01:00'), TZ)).toBe(monday - 1);
    expect(weekOf(Date.parse('2027-01-11T00:00:00+01:00'), TZ)).toBe(monday + 1);
  });

  it('a streak runs up to this week, or up to last week while this one is still open', () => {
    const w = weekOf(at(3), TZ);
    expect(streakAt(weeksOf(0, 1, 2), w)).toBe(3);
    expect(streakAt(weeksOf(0, 1, 2, 3), w)).toBe(4);
    expect(streakAt(weeksOf(0, 2, 3), w)).toBe(2);
    expect(streakAt(weeksOf(0, 1), w)).toBe(0);
  });

  it('scores frequent steady visits above the same number of bunched ones', () => {
    const w = weekOf(at(11), TZ);
    expect(regularityScore(weeksOf(...Array.from({ length: 12 }, (_, i) => i)), w, 12)).toBe(100);
    expect(regularityScore(new Set(), w, 12)).toBe(0);
    const steady = regularityScore(weeksOf(1, 4, 7, 10), w, 12);
    const bunched = regularityScore(weeksOf(0, 1, 2, 11), w, 12);
    expect(steady).toBeGreaterThan(bunched);
    expect(steady).toBe(Math.round(70 * (4 / 12) + 30));
  });

  it('the bonus falls due on the fourth week in a row, once, and again four weeks later', () => {
    const tickets = [0, 1, 2, 3, 3, 4, 5, 6, 7].map((w) => ({ at: at(w, 2), basketCents: 1500 }));
    expect(replayTickets(settings, TZ, tickets).bonuses).toEqual([0, 0, 0, 20, 0, 0, 0, 0, 20]);
  });

  it('a broken streak starts again from nothing', () => {
    const tickets = [0, 1, 2, 4, 5, 6, 7].map((w) => ({ at: at(w), basketCents: 1500 }));
    expect(replayTickets(settings, TZ, tickets).bonuses).toEqual([0, 0, 0, 0, 0, 0, 20]);
  });

  it('a ticket under the minimum basket is no visit; tickets of the same day are one', () => {
    const small = [0, 1, 2, 3].flatMap((w) => [0, 1, 2].map((h) => ({ at: at(w, 1, h), basketCents: 999 })));
    expect(replayTickets(settings, TZ, small).weeks.size).toBe(0);
    const sameDay = [0, 0, 0].map((_, h) => ({ at: at(0, 1, h), basketCents: 5000 }));
    expect(replayTickets(settings, TZ, sameDay).weeks.size).toBe(1);
  });

  it('never due in a week that already had its bonus, nor without a qualifying visit that week', () => {
    const weeks = weeksOf(0, 1, 2, 3);
    const w3 = weekOf(at(3), TZ);
    expect(bonusDue(settings, weeks, new Set(), w3)).toBe(true);
    expect(bonusDue(settings, weeks, new Set([w3]), w3)).toBe(false);
    expect(bonusDue(settings, weeks, new Set(), w3 + 1)).toBe(false);
    expect(bonusDue({ ...settings, streakBonusPoints: 0 }, weeks, new Set(), w3)).toBe(false);
  });

  it('says how many weeks are left to the next bonus', () => {
    const w = weekOf(at(3), TZ);
    const before = regularityView(settings, weeksOf(0, 1, 2), new Set(), w);
    expect(before).toMatchObject({ streak: 3, visitedThisWeek: false, weeksWithVisit: 3, nextBonus: { inWeeks: 1, points: 20 } });
    const after = regularityView(settings, weeksOf(0, 1, 2, 3), new Set([w]), w);
    expect(after).toMatchObject({ streak: 4, visitedThisWeek: true, weeksWithVisit: 4, nextBonus: { inWeeks: 4, points: 20 } });
    expect(regularityView({ ...settings, streakBonusPoints: 0 }, weeksOf(0), new Set(), w).nextBonus).toBeNull();
  });
});

describe('regularity in the programme document', () => {
  const doc = DEFAULT_PROGRAMME_DOCUMENT;
  const problems = (regularity: unknown) =>
    validateProgramme({ ...doc, regularity }).problems.filter((p) => p.path.startsWith('regularity')).map((p) => `${p.path} ${p.key}`);

  it('refuses a bonus anyone earns with an empty ticket', () => {
    expect(problems({ ...doc.regularity, minimumBasketCents: 0 })).toEqual(['regularity.minimumBasketCents programme.regularity_no_minimum']);
    expect(problems({ ...doc.regularity, minimumBasketCents: 0, streakBonusPoints: 0 })).toEqual([]);
  });

  it('refuses values out of range, each with its path', () => {
    expect(problems({ windowWeeks: 0, streakWeeks: 4.5, streakBonusPoints: -1, minimumBasketCents: 1000 }).sort()).toEqual([
      'regularity.streakBonusPoints programme.field_invalid',
      'regularity.streakWeeks programme.field_invalid',
      'regularity.windowWeeks programme.field_invalid',
    ]);
    expect(problems({ ...doc.regularity, extra: 1 })).toEqual(['regularity.extra programme.unknown_field']);
  });

  it('accepts the default', () => {
    expect(problems(doc.regularity)).toEqual([]);
    expect(validateProgramme(doc).ok).toBe(true);
  });
});
