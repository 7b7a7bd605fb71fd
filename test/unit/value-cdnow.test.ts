import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseDate, parseTransactions, purchaseDays } from '../../src/hq/value/transactions';
import { fitBgNbd, type BgNbdFit } from '../../src/shared/value/bgnbd';
import { fitGammaGamma } from '../../src/shared/value/gamma-gamma';
import { fitParetoNbd } from '../../src/shared/value/pareto-nbd';
import { groupSpend, groupSummaries, summariseCustomer, type CustomerSummary, type GroupedSummaries } from '../../src/shared/value/summaries';

/**
 * The CDNOW sample (2,357 customers, calibration to 1997-09-30 inclusive, in
 * weeks) against the published fits: BG/NBD and Pareto/NBD in Fader, Hardie
 * & Lee (2005, Marketing Science), Gamma-Gamma in Fader & Hardie's note on
 * the 946 repeat customers.
 */
const CDNOW = resolve(__dirname, '../../../shared/datasets/cdnow');

function summaries(unitDays: number): CustomerSummary[] {
  const days = purchaseDays(parseTransactions(readFileSync(`${CDNOW}/CDNOW_sample.txt`, 'utf8'), 'cdnow-sample'));
  return [...days].map(([id, d]) => summariseCustomer(id, d, parseDate('1997-09-30')!, unitDays)!);
}

let weeks: CustomerSummary[];
let grouped: GroupedSummaries;
let bg: BgNbdFit;

beforeAll(() => {
  weeks = summaries(7);
  grouped = groupSummaries(weeks);
  bg = fitBgNbd(grouped);
});

describe('CDNOW sample, calibration to 1997-09-30, weeks', () => {
  it('summaries match the shipped cdnow_customers_summary_with_transactions.csv', () => {
    expect(weeks).toHaveLength(2357);
    expect(grouped.size).toBe(1016);
    const shipped = readFileSync(`${CDNOW}/cdnow_customers_summary_with_transactions.csv`, 'utf8').trim().split(/\r?\n/).slice(1);
    const byId = new Map(weeks.map((c) => [Number(c.id), c]));
    for (const row of shipped) {
      const [id, x, tx, T, zbar] = row.split(',').map(Number) as [number, number, number, number, number];
      const c = byId.get(id)!;
      expect(c.x).toBe(x);
      expect(Math.abs(c.tx - tx)).toBeLessThan(0.0051);
      expect(Math.abs(c.T - T)).toBeLessThan(0.0051);
      expect(Math.abs((c.zbar ?? 0) - zbar)).toBeLessThan(0.0051);
    }
  });

  it('BG/NBD: r 0.243, α 4.414, a 0.793, b 2.426, LL −9582.4', () => {
    expect(bg.converged).toBe(true);
    const { r, alpha, a, b } = bg.model;
    expect(r).toBeCloseTo(0.243, 3);
    expect(alpha).toBeCloseTo(4.414, 2);
    expect(a).toBeCloseTo(0.793, 3);
    expect(b).toBeCloseTo(2.426, 2);
    expect(bg.ll).toBeCloseTo(-9582.4, 1);
  });

  it('Pareto/NBD: r 0.55, α 10.58, s 0.61, β 11.67, LL −9595.0', () => {
    const fit = fitParetoNbd(grouped);
    expect(fit.converged).toBe(true);
    const { r, alpha, s, beta } = fit.model;
    expect(r).toBeCloseTo(0.55, 2);
    expect(alpha).toBeCloseTo(10.58, 1);
    expect(s).toBeCloseTo(0.61, 2);
    // β sits on a flat ridge with s (its standard error is about 6): asserted loosely.
    expect(beta).toBeCloseTo(11.67, 0);
    expect(fit.ll).toBeCloseTo(-9595.0, 0);
  });

  it('Gamma-Gamma on the 946 repeat customers: p 6.25, q 3.74, γ 15.44', () => {
    const spend = groupSpend(weeks);
    expect(spend.customers).toBe(946);
    const fit = fitGammaGamma(spend);
    expect(fit.converged).toBe(true);
    expect(fit.model.p).toBeCloseTo(6.25, 2);
    expect(fit.model.q).toBeCloseTo(3.74, 2);
    expect(fit.model.gamma).toBeCloseTo(15.44, 1);
  });

  it('in days: α × 7, the other parameters unchanged, LL − Σx·ln 7', () => {
    const days = fitBgNbd(groupSummaries(summaries(1)));
    expect(days.converged).toBe(true);
    expect(days.model.alpha / bg.model.alpha).toBeCloseTo(7, 3);
    expect(days.model.r).toBeCloseTo(bg.model.r, 4);
    expect(days.model.a).toBeCloseTo(bg.model.a, 3);
    expect(days.model.b).toBeCloseTo(bg.model.b, 2);
    const sumX = weeks.reduce((s, c) => s + c.x, 0);
    expect(days.ll).toBeCloseTo(bg.ll - sumX * Math.log(7), 3);
  });

  it('a thousand times the customers costs the same fit: the likelihood runs on distinct summaries', () => {
    const many = { ...grouped, n: grouped.n.map((n) => n * 1000), customers: grouped.customers * 1000 };
    const start = performance.now();
    const fit = fitBgNbd(many);
    const ms = performance.now() - start;
    expect(fit.converged).toBe(true);
    expect(fit.model.r).toBeCloseTo(bg.model.r, 4);
    expect(fit.ll / 1000).toBeCloseTo(bg.ll, 3);
    // 2,357,000 customers in 1,016 summaries: well under the time of one pass over the customers one by one.
    expect(ms).toBeLessThan(5000);
  });
});
