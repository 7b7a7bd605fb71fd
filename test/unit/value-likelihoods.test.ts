import { describe, expect, it } from 'vitest';
import {
  bgnbdConditionalExpected,
  bgnbdDiscountedPurchases,
  bgnbdExpected,
  bgnbdLogLikelihood,
  bgnbdLogLikelihoodOne,
  bgnbdObjective,
  bgnbdPAlive,
  type BgNbdParams,
} from '../../src/shared/value/bgnbd';
import { gammaGammaExpectedSpend, gammaGammaLogLikelihoodOne, type GammaGammaParams } from '../../src/shared/value/gamma-gamma';
import {
  paretoConditionalExpected,
  paretoDert,
  paretoExpected,
  paretoLogA0,
  paretoLogLikelihood,
  paretoLogLikelihoodOne,
  paretoPAlive,
  type ParetoNbdParams,
} from '../../src/shared/value/pareto-nbd';
import { numericGradient } from '../../src/shared/value/optimise';
import { hyp2f1 } from '../../src/shared/value/special-functions';
import { groupSummaries } from '../../src/shared/value/summaries';
import { betaNodes, expect2, gammaNodes, gaussLegendre, trapezoid } from './value-oracle';

/**
 * Each likelihood and prediction against an independent derivation: the
 * individual-level model integrated numerically over its mixing
 * distributions (no Γ, B or 2F1 in the oracle), closed forms on tiny cases,
 * Monte-Carlo-free identities.
 */
const BG: BgNbdParams = { r: 0.8, alpha: 4.4, a: 0.79, b: 2.4 };
const PA: ParetoNbdParams = { r: 0.55, alpha: 10.6, s: 0.61, beta: 11.7 };
const PA_ALPHA_SMALL: ParetoNbdParams = { r: 1.3, alpha: 3.2, s: 0.9, beta: 14 };
const CASES = [
  [0, 0, 38.9],
  [1, 1.7, 38.9],
  [2, 30.4, 38.9],
  [7, 12, 30],
  [12, 29.9, 30],
] as const;

describe('BG/NBD', () => {
  const lambda = gammaNodes(BG.r, BG.alpha);
  const p = betaNodes(BG.a, BG.b);
  // Individual level: alive at T after x repeat purchases, or dropped out at the last one.
  const individual = (x: number, tx: number, T: number) => (l: number, q: number) =>
    Math.pow(1 - q, x) * Math.pow(l, x) * Math.exp(-l * T) + (x > 0 ? q * Math.pow(1 - q, x - 1) * Math.pow(l, x) * Math.exp(-l * tx) : 0);

  it('with no repeat purchase, L = (α/(α + T))^r in closed form', () => {
    for (const T of [0.5, 10, 38.86, 500]) expect(bgnbdLogLikelihoodOne(BG, 0, 0, T)).toBeCloseTo(BG.r * Math.log(BG.alpha / (BG.alpha + T)), 12);
  });

  it('the likelihood equals the individual model integrated over Gamma(r, α) × Beta(a, b)', () => {
    for (const [x, tx, T] of CASES) {
      const direct = Math.log(expect2(lambda, p, individual(x, tx, T)));
      expect(bgnbdLogLikelihoodOne(BG, x, tx, T)).toBeCloseTo(direct, 8);
    }
  });

  it('P(alive) and the conditional expectation equal their posterior integrals', () => {
    for (const [x, tx, T] of CASES) {
      const L = expect2(lambda, p, individual(x, tx, T));
      const alive = (l: number, q: number) => Math.pow(1 - q, x) * Math.pow(l, x) * Math.exp(-l * T);
      expect(bgnbdPAlive(BG, x, tx, T)).toBeCloseTo(expect2(lambda, p, alive) / L, 8);
      // An alive customer expects (1 − e^(−λpt))/p purchases in t (dropout at rate λp).
      const t = 39;
      const cet = expect2(lambda, p, (l, q) => alive(l, q) * (-Math.expm1(-l * q * t) / q)) / L;
      expect(bgnbdConditionalExpected(BG, x, tx, T, t)).toBeCloseTo(cet, 7);
    }
  });

  it('E[X(t)] of a newly born customer equals its integral, and grows from 0', () => {
    for (const t of [1, 10, 39, 78]) {
      expect(bgnbdExpected(BG, t)).toBeCloseTo(expect2(lambda, p, (l, q) => -Math.expm1(-l * q * t) / q), 7);
    }
    expect(bgnbdExpected(BG, 0)).toBe(0);
    expect(bgnbdExpected(BG, 1e-9)).toBeLessThan(1e-8);
  });

  it('the Euler form of the conditional expectation equals the direct 2F1 form (FHL eq. 10) for moderate x', () => {
    for (const [x, tx, T] of CASES) {
      const t = 52;
      const z = t / (BG.alpha + T + t);
      const { r, alpha, a, b } = BG;
      const f = hyp2f1(r + x, b + x, a + b + x - 1, z).value;
      const direct = (bgnbdPAlive(BG, x, tx, T) * (a + b + x - 1) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * f);
      expect(bgnbdConditionalExpected(BG, x, tx, T, t)).toBeCloseTo(direct, 9);
    }
  });

  it('a = 1 (0/0 in the prefactor) gives the limit, not NaN', () => {
    const near = bgnbdConditionalExpected({ ...BG, a: 1 + 1e-4 }, 3, 20, 38, 52);
    const at = bgnbdConditionalExpected({ ...BG, a: 1 }, 3, 20, 38, 52);
    expect(Number.isFinite(at)).toBe(true);
    expect(at).toBeCloseTo(near, 3);
  });

  it('a heavy buyer (x = 500, t_x ≪ T) keeps a finite likelihood and P(alive) in [0, 1]', () => {
    const ll = bgnbdLogLikelihoodOne(BG, 500, 2, 39);
    expect(Number.isFinite(ll)).toBe(true);
    const alive = bgnbdPAlive(BG, 500, 2, 39);
    expect(alive).toBeGreaterThanOrEqual(0);
    expect(alive).toBeLessThan(1e-10);
    expect(Number.isFinite(bgnbdConditionalExpected(BG, 500, 38, 39, 52))).toBe(true);
  });

  it('the discounted sum is below the undiscounted expectation and equals it at a zero rate', () => {
    const [x, tx, T] = [4, 30, 38.9];
    const plain = bgnbdConditionalExpected(BG, x, tx, T, 52);
    expect(bgnbdDiscountedPurchases(BG, x, tx, T, 52, 1, 0, 52.18)).toBeCloseTo(plain, 12);
    const discounted = bgnbdDiscountedPurchases(BG, x, tx, T, 52, 1, 0.1, 52.18);
    expect(discounted).toBeLessThan(plain);
    expect(discounted).toBeGreaterThan(plain / 1.1);
  });

  it('grouped and ungrouped likelihoods agree', () => {
    const rows = [...CASES, ...CASES, [0, 0, 38.9] as const].map(([x, tx, T]) => ({ x, tx, T }));
    const grouped = groupSummaries(rows);
    expect(grouped.size).toBe(CASES.length);
    const sum = rows.reduce((s, r) => s + bgnbdLogLikelihoodOne(BG, r.x, r.tx, r.T), 0);
    expect(bgnbdLogLikelihood(BG, grouped)).toBeCloseTo(sum, 9);
  });

  it('the analytic gradient in θ = ln(r, α, a, b) equals central differences of the summed likelihood, heavy buyers and weights included', () => {
    const rows = [...CASES, [500, 2, 39] as const, [3, 0.3, 12] as const].map(([x, tx, T], i) => ({ x, tx, T, n: i + 1 }));
    const grouped = groupSummaries(rows);
    const objective = bgnbdObjective(grouped);
    const sumOfOnes = (t: readonly number[]) => {
      const P = { r: Math.exp(t[0]!), alpha: Math.exp(t[1]!), a: Math.exp(t[2]!), b: Math.exp(t[3]!) };
      return rows.reduce((s, r) => s + r.n * bgnbdLogLikelihoodOne(P, r.x, r.tx, r.T), 0);
    };
    for (const P of [BG, { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, { r: 3, alpha: 0.5, a: 1.7, b: 0.4 }]) {
      const theta = [P.r, P.alpha, P.a, P.b].map(Math.log);
      const { ll, gradient } = objective(P);
      expect(ll).toBeCloseTo(sumOfOnes(theta), 8);
      const numeric = numericGradient(sumOfOnes, theta, 1e-5);
      gradient.forEach((gi, i) => expect(Math.abs(gi - numeric[i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric[i]!))));
    }
  });
});

describe('Pareto/NBD', () => {
  // Individual level: alive to T, or died at some time in (t_x, T] (density μe^(−μτ), λ-purchases stopping there).
  const individual = (x: number, tx: number, T: number) => (l: number, m: number) =>
    Math.pow(l, x) * Math.exp(-(l + m) * T) + ((Math.pow(l, x) * m) / (l + m)) * (Math.exp(-(l + m) * tx) - Math.exp(-(l + m) * T));

  for (const [name, P] of [['α ≥ β branch', { ...PA, alpha: 13.1 }], ['α < β branch', PA], ['α ≪ β', PA_ALPHA_SMALL]] as const) {
    it(`the likelihood, P(alive) and the conditional expectation equal their double integrals over Gamma(r, α) × Gamma(s, β) (${name})`, () => {
      const lambda = gammaNodes(P.r, P.alpha);
      const mu = gammaNodes(P.s, P.beta);
      for (const [x, tx, T] of CASES) {
        const L = expect2(lambda, mu, individual(x, tx, T));
        expect(paretoLogLikelihoodOne(P, x, tx, T)).toBeCloseTo(Math.log(L), 7);
        const alive = (l: number, m: number) => Math.pow(l, x) * Math.exp(-(l + m) * T);
        expect(paretoPAlive(P, x, tx, T)).toBeCloseTo(expect2(lambda, mu, alive) / L, 7);
        const t = 39;
        const cet = expect2(lambda, mu, (l, m) => alive(l, m) * (l / m) * -Math.expm1(-m * t)) / L;
        expect(paretoConditionalExpected(P, x, tx, T, t)).toBeCloseTo(cet, 6);
      }
    });
  }

  it('A0 equals w·∫(α + τ)^−(r+x) (β + τ)^−(s+1) dτ over (t_x, T], also as t_x → T', () => {
    for (const P of [PA, PA_ALPHA_SMALL, { ...PA, alpha: 20 }, { ...PA, beta: PA.alpha }]) {
      for (const [x, tx, T] of [[1, 1.7, 38.9], [7, 12, 30], [200, 3, 39], [3, 38.899, 38.9]] as const) {
        const w = P.r + P.s + x;
        const integral = w * gaussLegendre((tau) => Math.exp(-(P.r + x) * Math.log(P.alpha + tau) - (P.s + 1) * Math.log(P.beta + tau)), tx, T, 2000);
        expect(paretoLogA0(P, x, tx, T) / Math.log(integral)).toBeCloseTo(1, 10);
      }
    }
    expect(paretoLogA0(PA, 4, 30, 30)).toBe(-Infinity);
  });

  it('E[X(t)] of a newly born customer equals its integral, s = 1 included', () => {
    for (const P of [PA, { ...PA, s: 1 }]) {
      const lambda = gammaNodes(P.r, P.alpha);
      const mu = gammaNodes(P.s, P.beta);
      for (const t of [1, 39, 78]) expect(paretoExpected(P, t)).toBeCloseTo(expect2(lambda, mu, (l, m) => (l / m) * -Math.expm1(-m * t)), 6);
    }
  });

  it('the DERT equals ∫ δe^(−δτ) E[X(T, T + τ]] dτ (integration by parts of the discounted purchase rate)', () => {
    const delta = Math.log(1.1) / 52.18;
    for (const [x, tx, T] of CASES) {
      const byParts = trapezoid((y) => {
        const tau = Math.exp(y);
        return delta * Math.exp(-delta * tau) * paretoConditionalExpected(PA, x, tx, T, tau) * tau;
      }, -30, Math.log(40 / delta), 0.01);
      expect(paretoDert(PA, x, tx, T, delta)).toBeCloseTo(byParts, 6);
    }
  });

  it('a heavy buyer (x = 500, t_x ≪ T) keeps a finite likelihood; grouped and ungrouped likelihoods agree', () => {
    expect(Number.isFinite(paretoLogLikelihoodOne(PA, 500, 2, 39))).toBe(true);
    expect(paretoPAlive(PA, 500, 2, 39)).toBeLessThan(1e-10);
    const rows = [...CASES, ...CASES].map(([x, tx, T]) => ({ x, tx, T }));
    const sum = rows.reduce((s, r) => s + paretoLogLikelihoodOne(PA, r.x, r.tx, r.T), 0);
    expect(paretoLogLikelihood(PA, groupSummaries(rows))).toBeCloseTo(sum, 9);
  });

  it('the prepared likelihood (2F1 once per distinct (x, t_x) and (x, T)) equals the sum of the individual ones, t_x = T and both branches included', () => {
    const rows = [...CASES, [4, 30, 30] as const, [500, 2, 39] as const, [2, 1.7, 30] as const, [2, 30.4, 38.9] as const].map(([x, tx, T], i) => ({ x, tx, T, n: i + 1 }));
    const grouped = groupSummaries(rows);
    for (const P of [PA, PA_ALPHA_SMALL, { ...PA, alpha: 13.1 }, { ...PA, beta: PA.alpha }]) {
      const sum = rows.reduce((s, r) => s + r.n * paretoLogLikelihoodOne(P, r.x, r.tx, r.T), 0);
      expect(Math.abs(paretoLogLikelihood(P, grouped) - sum)).toBeLessThan(1e-11 * Math.abs(sum));
    }
  });
});

describe('Gamma-Gamma', () => {
  const GG: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };
  // Given ν, z̄ ~ Gamma(px, νx): unnormalised in z̄ only through z̄^(px−1) e^(−νx z̄) and (νx)^(px); ν's prior ν^(q−1)e^(−γν).
  const nu = gammaNodes(GG.q, GG.gamma, 0.05);
  const mixture = (x: number, zbar: number, h: (v: number) => number = () => 1) =>
    nu.value.reduce((s, v, i) => s + nu.weight[i]! * Math.exp(GG.p * x * Math.log(v * x) + (GG.p * x - 1) * Math.log(zbar) - v * x * zbar) * h(v), 0);

  it('the density of z̄ integrates to 1', () => {
    for (const x of [1, 3, 12]) {
      const total = trapezoid((y) => Math.exp(y + gammaGammaLogLikelihoodOne(GG, x, Math.exp(y))), -20, 12, 0.01);
      expect(total).toBeCloseTo(1, 10);
    }
  });

  it('its shape in z̄ equals the Gamma mixture integrated over ν', () => {
    for (const x of [1, 4]) {
      const [z1, z2] = [8.5, 31.2];
      expect(gammaGammaLogLikelihoodOne(GG, x, z1) - gammaGammaLogLikelihoodOne(GG, x, z2)).toBeCloseTo(Math.log(mixture(x, z1) / mixture(x, z2)), 8);
    }
  });

  it('E[M | x, z̄] is the posterior mean of p/ν, and the population mean pγ/(q − 1) without repeat purchase', () => {
    for (const [x, zbar] of [[1, 11.77], [2, 22.35], [9, 40]] as const) {
      expect(gammaGammaExpectedSpend(GG, x, zbar)).toBeCloseTo(mixture(x, zbar, (v) => GG.p / v) / mixture(x, zbar), 7);
    }
    expect(gammaGammaExpectedSpend(GG, 0, null)).toBeCloseTo((GG.p * GG.gamma) / (GG.q - 1), 12);
  });
});
