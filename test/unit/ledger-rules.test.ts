import { describe, expect, it } from 'vitest';
import { expiryFor } from '../../src/main/core/ledger/expiry-policy';
import { addMonths, localParts, startOfLocalDay } from '../../src/main/core/ledger/local-time';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import {
  activePromotions,
  computeEarn,
  discountForPoints,
  maxPointsForCents,
  parseProgramRules,
  redemptionStep,
  type BasketLine,
  type ProgramRules,
} from '../../src/main/core/ledger/rules';

/** Wednesday 18 November 2026, 10:00 in Paris. */
const WEDNESDAY = Date.UTC(2026, 10, 18, 9);

function rules(patch: Partial<ProgramRules> = {}): ProgramRules {
  return parseProgramRules({ ...DEFAULT_PROGRAM, ...patch });
}

let n = 0;
function l(unitPriceCents: number, patch: Partial<BasketLine> = {}): BasketLine {
  n += 1;
  return { lineId: `L${n}`, sku: 'S', label: 'x', category: 'epicerie', quantity: 1, unitPriceCents, discountCents: 0, taxRateBp: 2000, rewardId: null, ...patch };
}

const points = (r: ProgramRules, lines: BasketLine[], discount = 0, at = WEDNESDAY) => computeEarn(r, lines, discount, at).points;

describe('earning', () => {
  it('earns per euro on the amount excluding VAT, by the line’s own rate', () => {
    const r = rules();
    expect(points(r, [l(1200)])).toBe(10); // 10.00 € + 20 %
    expect(points(r, [l(1055, { taxRateBp: 550 })])).toBe(10); // 10.00 € + 5.5 %
    expect(points(r, [l(1100, { taxRateBp: 1000 })])).toBe(10);
    expect(points(r, [l(1021, { taxRateBp: 210 })])).toBe(10);
    expect(points(r, [l(1000, { taxRateBp: 0 })])).toBe(10);
  });

  it('earns on the amount including VAT when so configured', () => {
    expect(points(rules({ earn: { points: 1, perCents: 100, base: 'tax_included' } }), [l(1200)])).toBe(12);
  });

  it('earns on the net after line discounts', () => {
    expect(points(rules(), [l(1200, { quantity: 3, discountCents: 1200 })])).toBe(20);
  });

  it('floors once per ticket, not per line', () => {
    // Three lines worth half a point each: 1 point for the ticket, where per-line rounding would give 0.
    expect(points(rules(), [l(60), l(60), l(60)])).toBe(1);
  });

  it('computes exactly where binary floating point would not', () => {
    // 0.29 point per cent on 1.00 €: exactly 29. In floats, 100 * 0.29 = 28.999999999999996.
    expect(100 * 0.29).toBeLessThan(29);
    expect(points(rules({ earn: { points: 29, perCents: 100, base: 'tax_included' } }), [l(100)])).toBe(29);
    // The « 268.28000000000003 » case: 268.28 € paid earns 268 points, never a fraction.
    expect(points(rules({ earn: { points: 1, perCents: 100, base: 'tax_included' } }), [l(26828)])).toBe(268);
  });

  it('applies category multipliers and exclusions', () => {
    const r = rules();
    expect(points(r, [l(1200, { category: 'bio' })])).toBe(20);
    expect(points(r, [l(1200, { category: 'local' })])).toBe(15);
    for (const category of ['gift_card', 'tobacco', 'press', 'deposit']) expect(points(r, [l(1200, { category })]), category).toBe(0);
    expect(points(r, [l(1200), l(5000, { category: 'tobacco' })])).toBe(10);
  });

  it('gives no points on reward lines', () => {
    expect(points(rules(), [l(1200), l(250, { rewardId: 'cafe-offert' })])).toBe(10);
  });

  it('gives no points on the part paid with points', () => {
    // 24.00 € of which 5.00 € paid with points: points on 19.00 € incl. VAT = 15.83 € excl. VAT.
    const earn = computeEarn(rules(), [l(2400)], 500, WEDNESDAY);
    expect(earn).toMatchObject({ points: 15, eligibleCents: 2400, paidEligibleCents: 1900 });
    expect(points(rules(), [l(2400)], 2400)).toBe(0);
  });

  it('spreads the points discount over the earning lines only', () => {
    // 12.00 € groceries + 10.00 € tobacco, 6.00 € paid with points: the points paid half the groceries.
    expect(points(rules(), [l(1200), l(1000, { category: 'tobacco' })], 600)).toBe(5);
  });

  it('keeps each line’s share of the ticket as integer weights', () => {
    const earn = computeEarn(rules(), [l(1200), l(1055, { taxRateBp: 550 }), l(1000, { category: 'press', taxRateBp: 210 })], 0, WEDNESDAY);
    const [a, b, c] = earn.lines.map((x) => BigInt(x.weight));
    expect(a).toBe(b);
    expect(c).toBe(0n);
    expect(earn.lines.map((x) => x.eligibleCents)).toEqual([1200, 1055, 0]);
  });
});

describe('promotions', () => {
  const r = rules();
  const tuesday = (utcHour: number, utcMinute: number, date: [number, number, number]) => Date.UTC(date[0], date[1] - 1, date[2], utcHour, utcMinute);

  it('double the points on Tuesdays from 16:00 to 18:00, store time', () => {
    // 17 November 2026 is a Tuesday; Paris is UTC+1.
    expect(points(r, [l(1200)], 0, tuesday(15, 0, [2026, 11, 17]))).toBe(20); // 16:00
    expect(points(r, [l(1200)], 0, tuesday(16, 59, [2026, 11, 17]))).toBe(20); // 17:59
    expect(points(r, [l(1200)], 0, tuesday(14, 59, [2026, 11, 17]))).toBe(10); // 15:59
    expect(points(r, [l(1200)], 0, tuesday(17, 0, [2026, 11, 17]))).toBe(10); // 18:00
    expect(points(r, [l(1200)], 0, tuesday(15, 30, [2026, 11, 18]))).toBe(10); // Wednesday
    expect(computeEarn(r, [l(1200)], 0, tuesday(15, 30, [2026, 11, 17])).promotions).toEqual(['mardi-double']);
  });

  it('follow the local clock across the spring daylight-saving change', () => {
    // Tuesday 24 March 2026 (UTC+1) and Tuesday 31 March 2026 (UTC+2, after 29 March).
    expect(localParts(Date.UTC(2026, 2, 31, 14, 30), 'Europe/Paris')).toMatchObject({ hour: 16, minute: 30, weekday: 2 });
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 2, 24, 15, 30))).toBe(20); // 16:30 local
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 2, 31, 15, 30))).toBe(20); // 17:30 local
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 2, 24, 14, 30))).toBe(10); // 15:30 local
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 2, 31, 14, 30))).toBe(20); // 16:30 local
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 2, 24, 16, 30))).toBe(20); // 17:30 local
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 2, 31, 16, 30))).toBe(10); // 18:30 local
  });

  it('follow the local clock across the autumn change', () => {
    // Tuesday 20 October 2026 (UTC+2) and Tuesday 27 October 2026 (UTC+1, after 25 October).
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 9, 20, 14, 30))).toBe(20); // 16:30 local
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 9, 27, 14, 30))).toBe(10); // 15:30 local
    expect(points(r, [l(1200)], 0, Date.UTC(2026, 9, 27, 16, 30))).toBe(20); // 17:30 local
  });

  it('respect their validity dates and categories, and do not stack: the best one applies', () => {
    const withPromos = rules({
      promotions: [
        { id: 'bio-week', label: 'Semaine bio', multiplierPercent: 300, weekdays: [1, 2, 3, 4, 5, 6, 7], from: '00:00', to: '24:00', validFrom: '2026-11-16', validUntil: '2026-11-22', categories: ['bio'] },
        { id: 'mardi-double', label: 'Mardi', multiplierPercent: 200, weekdays: [2], from: '16:00', to: '18:00', validFrom: null, validUntil: null, categories: null },
      ],
    });
    expect(activePromotions(withPromos, WEDNESDAY).map((p) => p.id)).toEqual(['bio-week']);
    expect(points(withPromos, [l(1200, { category: 'bio' })])).toBe(60); // bio ×2 × 300 %
    expect(points(withPromos, [l(1200)])).toBe(10);
    expect(points(withPromos, [l(1200, { category: 'bio' })], 0, Date.UTC(2026, 10, 23, 9))).toBe(20); // the week is over
    const tuesdayTea = Date.UTC(2026, 10, 17, 15, 30);
    expect(computeEarn(withPromos, [l(1200, { category: 'bio' }), l(1200)], 0, tuesdayTea)).toMatchObject({ points: 80, promotions: ['bio-week', 'mardi-double'] });
  });
});

describe('redemption value', () => {
  it('turns points into whole cents', () => {
    const r = rules();
    expect(discountForPoints(r, 100)).toBe(500);
    expect(maxPointsForCents(r, 1234)).toBe(246);
    expect(redemptionStep(r)).toBe(1);
  });

  it('requires points in steps when a point is worth a fraction of a cent', () => {
    const r = rules({ redemption: { minimumPoints: 100, value: { cents: 1, points: 2 } } });
    expect(redemptionStep(r)).toBe(2);
    expect(discountForPoints(r, 101)).toBeNull();
    expect(discountForPoints(r, 102)).toBe(51);
    expect(maxPointsForCents(r, 51)).toBe(102);
  });
});

describe('expiry dates', () => {
  it('rolls 12 months in store time, valid through the end of that day', () => {
    const e = expiryFor(rules(), WEDNESDAY);
    expect(e.expiresOn).toBe('2027-11-18');
    expect(e.expiresAt).toBe(Date.UTC(2027, 10, 18, 23)); // midnight Paris, UTC+1
    expect(expiryFor(rules(), Date.UTC(2026, 5, 30, 8)).expiresAt).toBe(Date.UTC(2027, 5, 30, 22)); // summer: UTC+2
  });

  it('dates by the store day, not the UTC day', () => {
    // 31 December 2026, 23:30 in Paris is still 2026 there.
    expect(expiryFor(rules(), Date.UTC(2026, 11, 31, 22, 30)).expiresOn).toBe('2027-12-31');
    expect(expiryFor(rules(), Date.UTC(2026, 11, 31, 23, 30)).expiresOn).toBe('2028-01-01');
  });

  it('clamps to the end of shorter months', () => {
    expect(addMonths({ year: 2028, month: 2, day: 29 }, 12)).toEqual({ year: 2029, month: 2, day: 28 });
    expect(addMonths({ year: 2027, month: 3, day: 31 }, 1)).toEqual({ year: 2027, month: 4, day: 30 });
  });

  it('can run to the end of the following year', () => {
    const e = expiryFor(rules({ expiry: { mode: 'end_of_following_year' } }), Date.UTC(2026, 4, 10));
    expect(e).toEqual({ expiresOn: '2027-12-31', expiresAt: startOfLocalDay({ year: 2028, month: 1, day: 1 }, 'Europe/Paris') });
    expect(e.expiresAt).toBe(Date.UTC(2027, 11, 31, 23));
  });
});

describe('program validation', () => {
  it.each([
    ['an unknown time zone', { timeZone: 'Europe/Atlantis' }],
    ['an empty promotion window', { promotions: [{ ...DEFAULT_PROGRAM.promotions[0]!, from: '18:00', to: '16:00' }] }],
    ['twice the same reward', { rewards: [DEFAULT_PROGRAM.rewards[0]!, DEFAULT_PROGRAM.rewards[0]!] }],
    ['a fractional earn rate', { earn: { points: 0.5, perCents: 100, base: 'tax_excluded' } }],
  ])('refuses %s', (_name, patch) => {
    expect(() => parseProgramRules({ ...DEFAULT_PROGRAM, ...patch })).toThrow(/invalid program rules/);
  });
});
