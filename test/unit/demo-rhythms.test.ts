import { describe, expect, it } from 'vitest';
import { assignRhythms, HISTORY_DAYS, NEW_MEMBER_DAYS, RHYTHMS, visitDays, type Rhythm } from '../../src/main/core/seed/demo-rhythms';
import { seededUniform } from '../../src/shared/value/simulate';

const TODAY = 20_000;

const gaps = (days: readonly number[]) => days.slice(1).map((d, i) => d - days[i]!);
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
/** Spread of the gaps over their mean: near 0 for a steady rhythm. */
const unsteadiness = (days: readonly number[]) => {
  const g = gaps(days);
  const m = mean(g);
  return Math.sqrt(mean(g.map((x) => (x - m) ** 2))) / m;
};

describe('demo rhythms', () => {
  it('draws the days of each rhythm inside the two years, after joining, before today, ascending, the joining day first', () => {
    const u = seededUniform(14);
    for (const rhythm of [...RHYTHMS.map((r) => r.rhythm), 'new'] as Rhythm[]) {
      for (let k = 0; k < 50; k++) {
        const joinDay = rhythm === 'new' ? TODAY - Math.floor(u() * NEW_MEMBER_DAYS) : TODAY - 400 - Math.floor(u() * 1000);
        const days = visitDays(u, rhythm, joinDay, TODAY);
        expect(days).toEqual([...new Set(days)].sort((a, b) => a - b));
        for (const d of days) {
          expect(d).toBeGreaterThanOrEqual(Math.max(joinDay, TODAY - HISTORY_DAYS));
          expect(d).toBeLessThan(TODAY);
        }
        if (joinDay >= TODAY - HISTORY_DAYS && joinDay < TODAY) expect(days[0]).toBe(joinDay);
      }
    }
  });

  it('keeps steady rhythms steady and unsteady ones not', () => {
    const u = seededUniform(7);
    const joinDay = TODAY - 3 * 365;
    const weekly = visitDays(u, 'weekly', joinDay, TODAY);
    expect(weekly.length).toBeGreaterThan(85);
    expect(gaps(weekly).filter((g) => g >= 5 && g <= 9).length / (weekly.length - 1)).toBeGreaterThan(0.85);
    const fortnightly = visitDays(u, 'fortnightly', joinDay, TODAY);
    expect(mean(gaps(fortnightly))).toBeGreaterThan(12);
    expect(mean(gaps(fortnightly))).toBeLessThan(17);
    const monthly = visitDays(u, 'monthly', joinDay, TODAY);
    expect(monthly.length).toBeGreaterThanOrEqual(20);
    expect(monthly.length).toBeLessThanOrEqual(26);
    for (const steady of [weekly, fortnightly, monthly]) expect(unsteadiness(steady)).toBeLessThan(0.45);
    const irregular = Array.from({ length: 20 }, () => unsteadiness(visitDays(u, 'irregular', joinDay, TODAY)));
    expect(mean(irregular)).toBeGreaterThan(0.8);
  });

  it('stops the lapsed four to ten months ago and brings the returning back after months away', () => {
    const u = seededUniform(3);
    for (let k = 0; k < 30; k++) {
      const lapsed = visitDays(u, 'lapsed', TODAY - 900, TODAY);
      expect(lapsed.length).toBeGreaterThan(15);
      expect(TODAY - lapsed[lapsed.length - 1]!).toBeGreaterThanOrEqual(118);
      expect(TODAY - lapsed[lapsed.length - 1]!).toBeLessThanOrEqual(302);
      const back = visitDays(u, 'returning', TODAY - 900, TODAY);
      expect(TODAY - back[back.length - 1]!).toBeLessThanOrEqual(6);
      expect(Math.max(...gaps(back))).toBeGreaterThanOrEqual(230);
    }
  });

  it('gives every rhythm to at least one member of a small store, newcomers `new`, the long-standing ones for the lapsed and the returning', () => {
    const u = seededUniform(11);
    // Twelve members joined over four years, the last two in the past eight weeks.
    const joins = [...Array.from({ length: 10 }, (_, i) => TODAY - 1400 + i * 130), TODAY - 40, TODAY - 3];
    const rhythms = assignRhythms(u, joins, TODAY);
    expect(rhythms.slice(10)).toEqual(['new', 'new']);
    expect(new Set(rhythms.filter((r) => r !== null))).toEqual(new Set([...RHYTHMS.map((r) => r.rhythm), 'new']));
    rhythms.forEach((r, i) => {
      if (r === 'lapsed' || r === 'returning') expect(joins[i]).toBeLessThanOrEqual(TODAY - 400);
    });
  });

  it('gives a big store its shares, the same for the same draws', () => {
    const joins = Array.from({ length: 5000 }, (_, i) => TODAY - 1461 + Math.floor((i * 1461) / 5000));
    const a = assignRhythms(seededUniform(5), joins, TODAY);
    expect(assignRhythms(seededUniform(5), joins, TODAY)).toEqual(a);
    const count = (r: Rhythm) => a.filter((x) => x === r).length;
    expect(count('weekly')).toBe(10);
    expect(count('occasional')).toBe(Math.round(0.16 * (5000 - count('new'))));
    expect(count('new')).toBe(joins.filter((d) => d > TODAY - NEW_MEMBER_DAYS).length);
  });
});
