import { describe, expect, it } from 'vitest';
import { digamma, hyp2f1, lgamma, log1mExp, logHyp2f1ParetoFamily, logSumExp } from '../../src/shared/value/special-functions';
import { bfgs, cholesky, inverseDiagonal, maximiseLogLikelihood, nelderMead, numericGradient, withNumericGradient } from '../../src/shared/value/optimise';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('special functions', () => {
  it('lgamma matches factorials, Γ(1/2) = √π and the reflection formula', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 170; n++) {
      expect(rel(lgamma(n + 1), (logFactorial += Math.log(n)))).toBeLessThan(1e-13);
    }
    expect(lgamma(1)).toBeCloseTo(0, 14);
    expect(lgamma(2)).toBeCloseTo(0, 14);
    expect(rel(lgamma(0.5), 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    // Γ(x)Γ(1 − x) = π / sin(πx)
    for (const x of [0.1, 0.243, 0.37]) expect(lgamma(x) + lgamma(1 - x)).toBeCloseTo(Math.log(Math.PI / Math.sin(Math.PI * x)), 12);
    // ln Γ(x + 1) − ln Γ(x) = ln x far out, where a linear Γ overflows.
    expect(lgamma(1e6 + 1) - lgamma(1e6)).toBeCloseTo(Math.log(1e6), 7);
  });

  it('digamma is the derivative of lgamma (central differences) and ψ(1) = −γ', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 13);
    for (const x of [0.05, 0.7, 3.3, 12, 250]) {
      const h = 1e-5 * Math.max(1, x);
      expect(digamma(x)).toBeCloseTo((lgamma(x + h) - lgamma(x - h)) / (2 * h), 6);
    }
  });

  it('log-sum-exp and log(1 − e^d) keep their accuracy at the extremes', () => {
    expect(logSumExp(-1000, -1000)).toBeCloseTo(-1000 + Math.LN2, 12);
    expect(logSumExp(800, 0)).toBe(800);
    expect(logSumExp(-Infinity, 3)).toBe(3);
    expect(log1mExp(-1e-12)).toBeCloseTo(Math.log(1e-12), 6);
    expect(log1mExp(-50)).toBeCloseTo(-Math.exp(-50), 30);
  });

  it('2F1 by its series matches closed forms, up to z near 1', () => {
    for (const z of [0.1, 0.5, 0.9, 0.99]) {
      expect(rel(hyp2f1(1, 1, 2, z).value, -Math.log(1 - z) / z)).toBeLessThan(1e-12);
      expect(rel(hyp2f1(0.7, 2.5, 2.5, z).value, Math.pow(1 - z, -0.7))).toBeLessThan(1e-12);
      // A negative upper parameter: 2F1(−½, 1; 1; z) = √(1 − z).
      expect(rel(hyp2f1(-0.5, 1, 1, z).value, Math.sqrt(1 - z))).toBeLessThan(1e-10);
    }
    expect(hyp2f1(1, 1, 2, 0).value).toBe(1);
  });

  it('2F1 reports a series that does not settle instead of returning it', () => {
    const capped = hyp2f1(1, 1, 2, 0.99999, 100);
    expect(capped.converged).toBe(false);
    expect(hyp2f1(1, 1, 2, 1).converged).toBe(false);
    expect(hyp2f1(1, 1, -2, 0.5).converged).toBe(false);
  });

  it('the Pareto/NBD family 2F1(w, B; w + 1; z) in log space equals the direct series and the closed form near z = 1', () => {
    for (const [w, B, z] of [[2.3, 1.6, 0.3], [12.2, 0.7, 0.6], [1.4, 2.2, 0.8]] as const) {
      expect(rel(logHyp2f1ParetoFamily(w, B, z), Math.log(hyp2f1(w, B, w + 1, z).value))).toBeLessThan(1e-12);
    }
    // 2F1(1, 1; 2; z) = −ln(1 − z)/z, at a z where the plain series needs tens of thousands of terms.
    for (const z of [0.999, 0.9995]) expect(rel(logHyp2f1ParetoFamily(1, 1, z), Math.log(-Math.log(1 - z) / z))).toBeLessThan(1e-12);
    // Too close to 1 for the term cap: NaN (the fit treats it as an infeasible point), never a truncated sum.
    expect(logHyp2f1ParetoFamily(1, 1, 0.99999)).toBeNaN();
    expect(logHyp2f1ParetoFamily(3, 2, 0)).toBe(0);
  });
});

describe('optimiser', () => {
  it('Nelder–Mead finds the minimum of the Rosenbrock function', () => {
    const result = nelderMead((t) => 100 * (t[1]! - t[0]! ** 2) ** 2 + (1 - t[0]!) ** 2, [-1.2, 1]);
    expect(result.settled).toBe(true);
    expect(result.theta[0]).toBeCloseTo(1, 5);
    expect(result.theta[1]).toBeCloseTo(1, 5);
  });

  it('BFGS with the analytic gradient finds the minimum of the Rosenbrock function in far fewer evaluations than Nelder–Mead', () => {
    const f = (t: readonly number[]) => 100 * (t[1]! - t[0]! ** 2) ** 2 + (1 - t[0]!) ** 2;
    const fg = (t: readonly number[]) => ({
      value: f(t),
      gradient: [-400 * t[0]! * (t[1]! - t[0]! ** 2) - 2 * (1 - t[0]!), 200 * (t[1]! - t[0]! ** 2)],
    });
    const result = bfgs(fg, [-1.2, 1]);
    expect(result.settled).toBe(true);
    expect(result.theta[0]).toBeCloseTo(1, 6);
    expect(result.theta[1]).toBeCloseTo(1, 6);
    expect(result.evaluations).toBeLessThan(nelderMead(f, [-1.2, 1]).evaluations / 3);
  });

  it('BFGS steps back from points where f is not finite or θ leaves its bounds', () => {
    // Defined only for θ₀ > 0; the minimum at θ₀ = 1 is approached from a first step that overshoots into θ₀ < 0.
    const f = (t: readonly number[]) => (t[0]! > 0 ? t[0]! - Math.log(t[0]!) + (t[1]! - 2) ** 2 : NaN);
    const result = bfgs(withNumericGradient(f), [0.05, 0]);
    expect(result.settled).toBe(true);
    expect(result.theta[0]).toBeCloseTo(1, 5);
    expect(result.theta[1]).toBeCloseTo(2, 5);
  });

  it('with a gradient, a maximum at infinity and a flat direction are still not reported as converged', () => {
    const unbounded = (t: readonly number[]) => -((t[0]! - 1) ** 2) + t[1]!;
    const fit = maximiseLogLikelihood(unbounded, [0, 0], ['u', 'v'], withNumericGradient(unbounded));
    expect(fit.converged).toBe(false);
    expect(fit.reason).toMatch(/v runs to the bound/);
    const flat = (t: readonly number[]) => -((t[0]! + t[1]! - 1) ** 2);
    expect(maximiseLogLikelihood(flat, [0, 0], ['u', 'v'], withNumericGradient(flat)).converged).toBe(false);
  });

  it('central differences, Cholesky and the inverse diagonal agree with a known quadratic', () => {
    // f = ½ θᵀAθ with A = [[4, 1], [1, 3]]: gradient Aθ, A⁻¹ = [[3, −1], [−1, 4]] / 11.
    const f = (t: readonly number[]) => 0.5 * (4 * t[0]! ** 2 + 2 * t[0]! * t[1]! + 3 * t[1]! ** 2);
    const g = numericGradient(f, [0.3, -0.2]);
    expect(g[0]).toBeCloseTo(4 * 0.3 - 0.2, 8);
    expect(g[1]).toBeCloseTo(0.3 - 0.6, 8);
    const L = cholesky([[4, 1], [1, 3]])!;
    expect(inverseDiagonal(L)[0]).toBeCloseTo(3 / 11, 12);
    expect(inverseDiagonal(L)[1]).toBeCloseTo(4 / 11, 12);
    expect(cholesky([[1, 2], [2, 1]])).toBeNull();
  });

  it('a likelihood whose maximum lies at infinity is reported as not converged, naming the parameter', () => {
    // ln L increasing in the second parameter without bound: no maximum.
    const fit = maximiseLogLikelihood((t) => -((t[0]! - 1) ** 2) + t[1]!, [0, 0], ['u', 'v']);
    expect(fit.converged).toBe(false);
    expect(fit.reason).toMatch(/v runs to the bound/);
  });

  it('a flat direction (no unique maximum) is not reported as converged', () => {
    const fit = maximiseLogLikelihood((t) => -((t[0]! + t[1]! - 1) ** 2), [0, 0], ['u', 'v']);
    expect(fit.converged).toBe(false);
  });
});
