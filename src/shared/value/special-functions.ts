/**
 * The special functions the customer-value models need, in double precision
 * and in log space where a linear value would overflow (heavy buyers make
 * Γ(r + x) and (α + T)^(r + x) overflow long before the likelihood does).
 * Pure TypeScript: HQ and, later, the terminal share it.
 */

const LANCZOS_G = 7;
// Lanczos coefficients for g = 7, n = 9 (Numerical Recipes §6.1; ≈ 1e-15 relative for x ≥ 0.5).
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln |Γ(x)|; NaN at the poles (x = 0, −1, −2, …). */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0.5) {
    const sin = Math.sin(Math.PI * x);
    if (sin === 0) return NaN;
    return Math.log(Math.PI / Math.abs(sin)) - lgamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ψ(x) = d ln Γ(x) / dx, for x > 0: recurrence up to x ≥ 10, then the asymptotic series. */
export function digamma(x: number): number {
  if (!(x > 0)) return NaN;
  let result = 0;
  let y = x;
  while (y < 10) {
    result -= 1 / y;
    y += 1;
  }
  const inv2 = 1 / (y * y);
  return (
    result +
    Math.log(y) -
    0.5 / y -
    inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
  );
}

/** ln B(a, b). */
export function lbeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** ln(e^u + e^v) without overflow. */
export function logSumExp(u: number, v: number): number {
  if (u === -Infinity) return v;
  if (v === -Infinity) return u;
  const m = Math.max(u, v);
  return m + Math.log1p(Math.exp(-Math.abs(u - v)));
}

/** ln(1 − e^d) for d < 0, accurate both when d → 0⁻ and when d ≪ 0. */
export function log1mExp(d: number): number {
  return d > -Math.LN2 ? Math.log(-Math.expm1(d)) : Math.log1p(-Math.exp(d));
}

export interface SeriesResult {
  value: number;
  converged: boolean;
  terms: number;
}

export const SERIES_MAX_TERMS = 200_000;

/**
 * Gauss's hypergeometric 2F1(A, B; C; z) by its power series, for 0 ≤ z < 1
 * (the only range the models need). Early terms may grow when A·B ≫ C, and
 * negative A or B flip signs, so the stop test waits for the term ratio to
 * fall below 1 and bounds the tail by term·ρ/(1 − ρ) with ρ the larger of
 * the current ratio and z (the limit the ratios tend to). Non-convergence
 * within the cap is reported, never hidden.
 */
export function hyp2f1(A: number, B: number, C: number, z: number, maxTerms = SERIES_MAX_TERMS): SeriesResult {
  if (!(z >= 0 && z < 1) || !Number.isFinite(A + B + C)) return { value: NaN, converged: false, terms: 0 };
  if (C <= 0 && Number.isInteger(C)) return { value: NaN, converged: false, terms: 0 };
  let term = 1;
  let sum = 1;
  for (let j = 0; j < maxTerms; j++) {
    const ratio = ((A + j) * (B + j)) / ((C + j) * (j + 1)) * z;
    term *= ratio;
    sum += term;
    if (term === 0) return { value: sum, converged: true, terms: j + 1 };
    const rho = Math.max(Math.abs(ratio), z);
    if (Math.abs(ratio) < 1 && (Math.abs(term) * rho) / (1 - rho) <= 1e-16 * Math.abs(sum)) {
      return { value: sum, converged: true, terms: j + 1 };
    }
    if (!Number.isFinite(sum)) break;
  }
  return { value: sum, converged: false, terms: maxTerms };
}

/**
 * ln 2F1(w, B; w + 1; z) for the family the Pareto/NBD likelihood uses
 * (w > 0, 0 < B < w + 1, 0 ≤ z < 1), through the identity
 *   2F1(w, B; w + 1; z) = (1 − z)^(1 − B) · Σ_j (w + 1 − B)_j / (w + 1)_j · z^j,
 * whose terms are positive (w + 1 − B is r + x or s + 1 by the branch) with
 * ratios below z, and whose prefactor is kept in log space, so z close to 1
 * costs terms, not accuracy. NaN when the series does not settle within the cap.
 */
export function logHyp2f1ParetoFamily(w: number, B: number, z: number, maxTerms = SERIES_MAX_TERMS): number {
  if (z === 0) return 0;
  const c = w + 1 - B;
  if (!(z > 0 && z < 1) || !(c > 0 && B > 0)) return NaN;
  let term = 1;
  let sum = 1;
  let j = 0;
  for (; j < maxTerms; j++) {
    term *= ((c + j) / (w + 1 + j)) * z;
    sum += term;
    if ((term * z) / (1 - z) <= 1e-16 * sum) break;
  }
  if (j === maxTerms) return NaN;
  return (1 - B) * Math.log1p(-z) + Math.log(sum);
}

/** A series that did not settle: predictions refuse rather than return a wrong number. */
export class SeriesNotConvergedError extends Error {
  constructor(what: string) {
    super(`${what}: the hypergeometric series did not converge within ${SERIES_MAX_TERMS} terms (horizon too long for these parameters?)`);
    this.name = 'SeriesNotConvergedError';
  }
}

/** 2F1 that throws when its series does not settle. */
export function hyp2f1OrThrow(A: number, B: number, C: number, z: number, what: string): number {
  const result = hyp2f1(A, B, C, z);
  if (!result.converged) throw new SeriesNotConvergedError(what);
  return result.value;
}
