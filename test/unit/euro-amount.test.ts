import { describe, expect, it } from 'vitest';
import { formatEuros, parseEuroAmount } from '../../src/renderer/common/euro-amount';
import { clampRedeem, redeemNudge } from '../../src/renderer/cashier/manual-sale-options';

describe('parseEuroAmount', () => {
  it('reads a comma or a point as the decimal separator', () => {
    expect(parseEuroAmount('12,50')).toEqual({ ok: true, cents: 1250 });
    expect(parseEuroAmount('12.50')).toEqual({ ok: true, cents: 1250 });
    expect(parseEuroAmount('12,5')).toEqual({ ok: true, cents: 1250 });
    expect(parseEuroAmount('42')).toEqual({ ok: true, cents: 4200 });
    expect(parseEuroAmount('0,05')).toEqual({ ok: true, cents: 5 });
  });

  it('gives exact cents where a float would not', () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(parseEuroAmount('0,29')).toEqual({ ok: true, cents: 29 });
    expect(parseEuroAmount('268.28')).toEqual({ ok: true, cents: 26828 });
    expect(parseEuroAmount('1,10')).toEqual({ ok: true, cents: 110 });
  });

  it('accepts grouping spaces, surrounding blanks and a euro sign', () => {
    expect(parseEuroAmount(' 1 234,56 € ')).toEqual({ ok: true, cents: 123456 });
    expect(parseEuroAmount('1\u00a0234,56\u00a0€')).toEqual({ ok: true, cents: 123456 });
    expect(parseEuroAmount('1\u202f000')).toEqual({ ok: true, cents: 100000 });
  });

  it('refuses what is not an amount, saying why', () => {
    expect(parseEuroAmount('')).toEqual({ ok: false, problem: 'empty' });
    expect(parseEuroAmount('   ')).toEqual({ ok: false, problem: 'empty' });
    for (const bad of ['12,505', '-3', '12,', ',50', '1e3', 'abc', '12,50,1', '1.234,56', '0x10', '12 ,5a']) {
      expect(parseEuroAmount(bad), bad).toEqual({ ok: false, problem: 'format' });
    }
    expect(parseEuroAmount('0,00')).toEqual({ ok: false, problem: 'zero' });
    expect(parseEuroAmount('1000000,01')).toEqual({ ok: false, problem: 'too_large' });
    expect(parseEuroAmount('1000000')).toEqual({ ok: true, cents: 100_000_000 });
  });
});

describe('formatEuros', () => {
  it('writes integer cents in each language without going through floats', () => {
    expect(formatEuros('fr', 123456)).toBe('1\u00a0234,56\u00a0€');
    expect(formatEuros('en', 123456)).toBe('€1,234.56');
    expect(formatEuros('fr', 5)).toBe('0,05\u00a0€');
    expect(formatEuros('fr', -500)).toBe('-5,00\u00a0€');
  });
});

describe('redemption choice', () => {
  const options = { minimumPoints: 100, maximumPoints: 166, stepPoints: 1 };

  it('keeps the chosen points between the minimum and what the basket allows', () => {
    expect(clampRedeem(0, options)).toBe(0);
    expect(clampRedeem(50, options)).toBe(100);
    expect(clampRedeem(120, options)).toBe(120);
    expect(clampRedeem(500, options)).toBe(166);
    expect(clampRedeem(120, { ...options, maximumPoints: 0 })).toBe(0);
  });

  it('stays on the program’s step', () => {
    expect(clampRedeem(137, { minimumPoints: 100, maximumPoints: 300, stepPoints: 20 })).toBe(120);
    expect(redeemNudge(1)).toBe(10);
    expect(redeemNudge(4)).toBe(12);
    expect(redeemNudge(20)).toBe(20);
  });
});
