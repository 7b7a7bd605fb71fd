import { describe, expect, it } from 'vitest';
import {
  advanceCadence,
  cadenceRuleOf,
  collectsVouchers,
  DEFAULT_CADENCE_RULE,
  NO_PROGRESS,
  nextVoucherWords,
  toNextVoucher,
  voucherAmount,
  voucherExpiresAt,
  voucherLastDay,
  type CadenceRule,
} from '../../src/shared/programme/cadence';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { translate } from '../../src/shared/i18n/messages';

/** The programme's cadence (issue 14 item 4): when a basic member's sale earns a voucher. */

const rule = (cadence: Partial<CadenceRule['cadence']> = {}, minimumBasketCents = 1000): CadenceRule => ({
  cadence: { ...DEFAULT_CADENCE_RULE.cadence, ...cadence },
  newMemberTier: 'basic',
  minimumBasketCents,
});

/** Runs sales of `paid` cents earning `points` each; returns the 1-based sales that issued a voucher. */
function issuing(r: CadenceRule, sales: ReadonlyArray<[paid: number, points: number]>): number[] {
  let progress = NO_PROGRESS;
  const issued: number[] = [];
  sales.forEach(([paid, points], i) => {
    const step = advanceCadence(r, progress, paid, points);
    progress = step.progress;
    if (step.issue) issued.push(i + 1);
  });
  return issued;
}

describe('issuance cadence', () => {
  it('the default programme: 2 € every 5th visit or each 50 points, 30 days, basic members only', () => {
    expect(DEFAULT_CADENCE_RULE).toEqual({
      cadence: { voucherEveryVisits: 5, voucherEachPoints: 50, voucherCents: 200, validityDays: 30, tiers: ['basic'] },
      newMemberTier: 'basic',
      minimumBasketCents: 1000,
    });
    expect(collectsVouchers(DEFAULT_CADENCE_RULE, 'basic')).toBe(true);
    expect(collectsVouchers(DEFAULT_CADENCE_RULE, 'gold')).toBe(false);
    expect(collectsVouchers(DEFAULT_CADENCE_RULE, 'occasionnel')).toBe(false);
  });

  it('every 5th visit, counting again after each voucher', () => {
    const visits = Array.from({ length: 12 }, () => [1500, 0] as [number, number]);
    expect(issuing(rule({ voucherEachPoints: null }), visits)).toEqual([5, 10]);
  });

  it('each 50 points, whichever comes first, and both counts start again', () => {
    // 20 points a visit: the points reach 50 at the 3rd visit, before the 5th.
    expect(issuing(rule(), Array.from({ length: 7 }, () => [2400, 20] as [number, number]))).toEqual([3, 6]);
    // 10 points a visit: both triggers meet at the 5th.
    expect(issuing(rule(), Array.from({ length: 10 }, () => [1200, 10] as [number, number]))).toEqual([5, 10]);
  });

  it('one voucher per sale however big, the surplus points not carried', () => {
    expect(issuing(rule(), [[60_000, 500], [1200, 10], [1200, 10]])).toEqual([1]);
  });

  it('visits under the minimum basket do not count towards the visits', () => {
    const split = Array.from({ length: 20 }, () => [999, 0] as [number, number]);
    expect(issuing(rule({ voucherEachPoints: null }), split)).toEqual([]);
    expect(issuing(rule({ voucherEachPoints: null }, 0), [[1, 0], [1, 0], [1, 0], [1, 0], [1, 0]])).toEqual([5]);
    // A ticket paid entirely with a voucher or points is no visit, even with no minimum.
    expect(advanceCadence(rule({}, 0), NO_PROGRESS, 0, 0).progress).toEqual({ visits: 0, points: 0 });
  });

  it('a cadence with no trigger, a free voucher or no tier gives nothing', () => {
    expect(collectsVouchers(rule({ voucherEveryVisits: null, voucherEachPoints: null }), 'basic')).toBe(false);
    expect(collectsVouchers(rule({ voucherCents: 0 }), 'basic')).toBe(false);
    expect(collectsVouchers(rule({ tiers: [] }), 'basic')).toBe(false);
    expect(collectsVouchers(null, 'basic')).toBe(false);
  });

  it('what is left before the next voucher', () => {
    expect(toNextVoucher(DEFAULT_CADENCE_RULE, { visits: 3, points: 42 })).toEqual({ visits: 2, points: 8 });
    expect(toNextVoucher(rule({ voucherEachPoints: null }), { visits: 1, points: 0 })).toEqual({ visits: 4, points: null });
  });
});

describe('reading the cadence of a programme version', () => {
  it('takes the document’s cadence, its tier for new members and its minimum basket', () => {
    const doc = {
      ...DEFAULT_PROGRAMME_DOCUMENT,
      cadence: { voucherEveryVisits: null, voucherEachPoints: 80, voucherCents: 300, validityDays: 14, tiers: ['silver'] },
      tiers: { ...DEFAULT_PROGRAMME_DOCUMENT.tiers, newMemberTier: 'occasionnel' },
      regularity: { ...DEFAULT_PROGRAMME_DOCUMENT.regularity, minimumBasketCents: 500 },
    };
    expect(cadenceRuleOf(doc)).toEqual({ cadence: doc.cadence, newMemberTier: 'occasionnel', minimumBasketCents: 500 });
  });

  it('a document whose cadence this terminal cannot read gives no vouchers rather than guessed ones', () => {
    expect(cadenceRuleOf({ ...DEFAULT_PROGRAMME_DOCUMENT, cadence: { voucherCents: 200 } })).toBeNull();
    expect(cadenceRuleOf({ version: 'x' })).toBeNull();
    expect(cadenceRuleOf(null)).toBeNull();
  });
});

describe('expiry and words', () => {
  it('a voucher is accepted for validityDays from its issue, its last day in the store’s time zone', () => {
    const issuedAt = Date.UTC(2026, 10, 18, 9, 0);
    const expiresAt = voucherExpiresAt(DEFAULT_CADENCE_RULE, issuedAt);
    expect(expiresAt).toBe(issuedAt + 30 * 86_400_000);
    expect(voucherLastDay('fr', expiresAt)).toBe('18/12/2026');
    expect(voucherLastDay('en', expiresAt)).toBe('2026-12-18');
    // Issued at 00:30 in Paris (23:30 UTC the day before): the last day is Paris's.
    expect(voucherLastDay('fr', Date.UTC(2026, 10, 30, 23, 30) + 1)).toBe('01/12/2026');
  });

  it('says amounts as people do, in French and in English', () => {
    expect(voucherAmount('fr', 200)).toBe('2 €');
    expect(voucherAmount('fr', 250)).toBe('2,50 €');
    expect(voucherAmount('en', 200)).toBe('€2');
    const t = (key: string, params?: Readonly<Record<string, string | number>>) => translate('fr', key, params);
    expect(t('voucher.available', { amount: voucherAmount('fr', 200) })).toBe('Bon de 2 € disponible');
    expect(nextVoucherWords(t, 'fr', 200, { visits: 2, points: 8 })).toBe('Prochain bon de 2 € : encore 2 passages ou 8 pts');
    expect(nextVoucherWords(t, 'fr', 200, null)).toBeNull();
  });
});
