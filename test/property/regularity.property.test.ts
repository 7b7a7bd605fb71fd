import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { replayTickets, weekOf, type RegularitySettings, type Ticket } from '../../src/shared/programme/regularity';

/**
 * Issue 14 item 5: the regularity rules cannot be gamed by splitting tickets,
 * and give the same answer for the same tickets whatever order they come in.
 */

const TZ = 'Europe/Paris';
const START = Date.parse('2027-01-04T08:00:00+01:00');
const DAY = 86_400_000;

const settingsArb: fc.Arbitrary<RegularitySettings> = fc
  .record({ windowWeeks: fc.integer({ min: 1, max: 16 }), streakWeeks: fc.integer({ min: 1, max: 8 }), streakBonusPoints: fc.integer({ min: 1, max: 100 }), minimumBasketCents: fc.integer({ min: 1, max: 5000 }) })
  .map((s) => ({ ...s, windowWeeks: Math.max(s.windowWeeks, s.streakWeeks) }));

/** A basket bought at `at`, and how it could be split into several tickets over the same day. */
const basketArb = fc.record({
  day: fc.integer({ min: 0, max: 90 }),
  minute: fc.integer({ min: 0, max: 600 }),
  cents: fc.integer({ min: 0, max: 8000 }),
  cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 4 }),
});
type Basket = { day: number; minute: number; cents: number; cuts: number[] };

const whole = (b: Basket): Ticket => ({ at: START + b.day * DAY + b.minute * 60_000, basketCents: b.cents });

/** The same basket as 1 + cuts.length tickets a minute apart the same day, their amounts adding up to the whole. */
function split(b: Basket): Ticket[] {
  const points = [...new Set(b.cuts.map((c) => Math.floor(c * b.cents)))].sort((x, y) => x - y);
  const bounds = [0, ...points, b.cents];
  return bounds.slice(1).map((end, i) => ({ at: whole(b).at + i * 60_000, basketCents: end - bounds[i]! }));
}

const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('regularity properties', () => {
  it('splitting baskets into several tickets never earns more weeks, streak or bonus than one ticket each', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(basketArb, { maxLength: 30 }), (settings, baskets) => {
        const one = replayTickets(settings, TZ, baskets.map(whole));
        const many = replayTickets(settings, TZ, baskets.flatMap(split));
        for (const w of many.weeks) expect(one.weeks.has(w)).toBe(true);
        expect(many.bonusWeeks.size).toBeLessThanOrEqual(one.bonusWeeks.size);
        expect(total(many.bonuses)).toBeLessThanOrEqual(total(one.bonuses));
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic: the same tickets in any order give the same weeks and bonuses', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(basketArb, { maxLength: 30 }), fc.integer(), (settings, baskets, seed) => {
        const tickets = baskets.map(whole);
        const shuffled = [...tickets].sort((a, b) => ((a.at * 31 + seed) % 97) - ((b.at * 31 + seed) % 97));
        const a = replayTickets(settings, TZ, tickets);
        const b = replayTickets(settings, TZ, shuffled);
        expect([...b.weeks].sort()).toEqual([...a.weeks].sort());
        expect([...b.bonusWeeks].sort()).toEqual([...a.bonusWeeks].sort());
        expect(total(b.bonuses)).toBe(total(a.bonuses));
      }),
      { numRuns: 200 },
    );
  });

  it('grants at most one bonus per week and one per streakWeeks weeks of a streak', () => {
    fc.assert(
      fc.property(settingsArb, fc.array(basketArb, { maxLength: 40 }), (settings, baskets) => {
        const replay = replayTickets(settings, TZ, baskets.map(whole));
        expect(replay.bonuses.filter((b) => b > 0)).toHaveLength(replay.bonusWeeks.size);
        const bonusWeeks = [...replay.bonusWeeks].sort((a, b) => a - b);
        for (let i = 1; i < bonusWeeks.length; i++) expect(bonusWeeks[i]! - bonusWeeks[i - 1]!).toBeGreaterThanOrEqual(settings.streakWeeks);
        for (const w of bonusWeeks) for (let k = 0; k < settings.streakWeeks; k++) expect(replay.weeks.has(w - k)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('counts weeks of the store calendar: tickets of one local day share a week', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 23 }), (day, hour) => {
        const midnight = Date.parse('2027-01-04T00:00:00+01:00') + day * DAY;
        // Noon is the same local day as any other hour of it, across daylight-saving changes too.
        const noon = midnight + 12 * 3_600_000;
        const other = noon + (hour - 12) * 3_600_000;
        const sameDay = new Date(other).toLocaleDateString('en-CA', { timeZone: TZ }) === new Date(noon).toLocaleDateString('en-CA', { timeZone: TZ });
        if (sameDay) expect(weekOf(other, TZ)).toBe(weekOf(noon, TZ));
      }),
    );
  });
});
