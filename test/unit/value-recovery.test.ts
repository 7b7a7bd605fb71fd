import { describe, expect, it } from 'vitest';
import { bgnbdConditionalExpected, bgnbdLogLikelihood, fitBgNbd, type BgNbdParams } from '../../src/shared/value/bgnbd';
import { fitGammaGamma, gammaGammaLogLikelihood, type GammaGammaParams } from '../../src/shared/value/gamma-gamma';
import { fitParetoNbd, paretoConditionalExpected, paretoLogLikelihood, type ParetoNbdParams } from '../../src/shared/value/pareto-nbd';
import { seededUniform, simulateBgNbd, simulateParetoNbd, simulateSpend } from '../../src/shared/value/simulate';
import { groupSpend, groupSummaries } from '../../src/shared/value/summaries';

/**
 * Customers simulated from known parameters (seeded), fitted back: each
 * parameter within three standard errors of the truth, the truth no more
 * likely than the estimate, and predictions that track the simulated holdout.
 */
const values = (o: object) => Object.values(o) as number[];

function expectRecovered(fit: { converged: boolean; params: number[]; se: number[]; ll: number }, truth: object, llTruth: number) {
  expect(fit.converged).toBe(true);
  values(truth).forEach((v, i) => {
    expect(Number.isFinite(fit.se[i]!)).toBe(true);
    expect(Math.abs(fit.params[i]! - v)).toBeLessThan(3 * fit.se[i]!);
  });
  expect(llTruth).toBeLessThanOrEqual(fit.ll);
}

/** Births spread over 12 weeks, calibration ending at week 39, as in the CDNOW cohort. */
const calibrationLength = (u: () => number) => 39 - 12 * u();

describe('parameter recovery from simulated customers', () => {
  it('BG/NBD', () => {
    const truth: BgNbdParams = { r: 0.5, alpha: 6, a: 0.7, b: 2.8 };
    const u = seededUniform(42);
    const customers = Array.from({ length: 8000 }, () => simulateBgNbd(u, truth, calibrationLength(u), 39));
    const grouped = groupSummaries(customers);
    const fit = fitBgNbd(grouped);
    expectRecovered(fit, truth, bgnbdLogLikelihood(truth, grouped));
    // The holdout the simulation kept apart, against the model's conditional expectations.
    const actual = customers.reduce((s, c) => s + c.after.length, 0);
    const predicted = customers.reduce((s, c) => s + bgnbdConditionalExpected(fit.model, c.x, c.tx, c.T, 39), 0);
    expect(Math.abs(predicted - actual) / actual).toBeLessThan(0.05);
  });

  it('Pareto/NBD', () => {
    const truth: ParetoNbdParams = { r: 0.6, alpha: 8, s: 0.8, beta: 10 };
    const u = seededUniform(7);
    const customers = Array.from({ length: 4000 }, () => simulateParetoNbd(u, truth, calibrationLength(u), 39));
    const grouped = groupSummaries(customers);
    const fit = fitParetoNbd(grouped);
    expectRecovered(fit, truth, paretoLogLikelihood(truth, grouped));
  });

  it('Pareto/NBD conditional expectations track a simulated holdout', () => {
    const truth: ParetoNbdParams = { r: 0.6, alpha: 8, s: 0.8, beta: 10 };
    const u = seededUniform(8);
    const customers = Array.from({ length: 20000 }, () => simulateParetoNbd(u, truth, calibrationLength(u), 39));
    const actual = customers.reduce((s, c) => s + c.after.length, 0);
    const predicted = customers.reduce((s, c) => s + paretoConditionalExpected(truth, c.x, c.tx, c.T, 39), 0);
    expect(Math.abs(predicted - actual) / actual).toBeLessThan(0.03);
  });

  it('Gamma-Gamma', () => {
    const truth: GammaGammaParams = { p: 4, q: 3.5, gamma: 20 };
    const u = seededUniform(3);
    const rows = Array.from({ length: 3000 }, () => {
      const x = 1 + Math.floor(-Math.log(1 - u()) * 3);
      return { x, zbar: simulateSpend(u, truth, x) };
    });
    const grouped = groupSpend(rows);
    const fit = fitGammaGamma(grouped);
    expectRecovered(fit, truth, gammaGammaLogLikelihood(truth, grouped));
  });

  it('customers with no repeat purchase identify no dropout: neither model is reported as converged', () => {
    const u = seededUniform(5);
    const grouped = groupSummaries(Array.from({ length: 500 }, () => ({ x: 0, tx: 0, T: Math.round(calibrationLength(u)) })));
    const bg = fitBgNbd(grouped);
    const pareto = fitParetoNbd(grouped);
    expect(bg.converged).toBe(false);
    expect(bg.reason).toBeTruthy();
    expect(pareto.converged).toBe(false);
    expect(pareto.reason).toBeTruthy();
  });
});
