/**
 * BG/NBD (Fader, Hardie & Lee 2005, « Counting your customers the easy way »):
 * while alive a customer buys at Poisson rate λ ~ Gamma(r, α); after each
 * repeat purchase they drop out with probability p ~ Beta(a, b).
 * Everything is computed in log space; predictions use the Euler form of 2F1
 * so a heavy buyer's x stays out of the series' upper parameters.
 */
import { maximiseLogLikelihood, type Fit } from './optimise';
import { digamma, hyp2f1OrThrow, lgamma, logSumExp } from './special-functions';
import { distinctValues, headsByX, totals, type GroupedSummaries } from './summaries';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export const BGNBD_NAMES = ['r', 'alpha', 'a', 'b'] as const;

/** ln L of one customer (x, t_x, T). */
export function bgnbdLogLikelihoodOne({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
  const lnA1 = lgamma(r + x) - lgamma(r) + r * Math.log(alpha);
  const lnA2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  const lnA3 = -(r + x) * Math.log(alpha + T);
  if (x === 0) return lnA1 + lnA2 + lnA3;
  const lnA4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return lnA1 + lnA2 + logSumExp(lnA3, lnA4);
}

/**
 * Σ n · ln L over grouped summaries and its gradient in θ = ln(r, α, a, b),
 * prepared once per fit: terms depending only on x (Γ and ψ ratios) are
 * computed once per distinct x per evaluation, ln(α + t_x) and ln(α + T) once
 * per distinct t_x and T, leaving one exp and one log1p per summary.
 */
export function bgnbdObjective(g: GroupedSummaries): (p: BgNbdParams) => { ll: number; gradient: number[] } {
  const tx = distinctValues(g.tx, g.size);
  const T = distinctValues(g.T, g.size);
  const lnTx = new Float64Array(tx.values.length);
  const invTx = new Float64Array(tx.values.length);
  const lnT = new Float64Array(T.values.length);
  const invT = new Float64Array(T.values.length);
  return ({ r, alpha, a, b }) => {
    for (let k = 0; k < tx.values.length; k++) {
      lnTx[k] = Math.log(alpha + tx.values[k]!);
      invTx[k] = 1 / (alpha + tx.values[k]!);
    }
    for (let k = 0; k < T.values.length; k++) {
      lnT[k] = Math.log(alpha + T.values[k]!);
      invT[k] = 1 / (alpha + T.values[k]!);
    }
    // x is a small integer shared by many triples: its Γ and ψ terms are computed once per distinct x, not per triple.
    const head = headsByX(g, (x) => lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x));
    const dHeadR = headsByX(g, (x) => digamma(r + x));
    const dHeadAB = headsByX(g, (x) => digamma(a + b + x));
    const dHeadB = headsByX(g, (x) => digamma(b + x));
    const lnBx1 = headsByX(g, (x) => (x === 0 ? NaN : Math.log(b + x - 1)));
    const base = -lgamma(r) + r * Math.log(alpha) + lgamma(a + b) - lgamma(b);
    const lnA = Math.log(a);
    let sum = 0;
    let n = 0;
    // Σ n ψ-heads, Σ n · ∂tail.
    let sR = 0;
    let sAB = 0;
    let sB = 0;
    let tR = 0;
    let tAlpha = 0;
    let tA = 0;
    let tB = 0;
    for (let i = 0; i < g.size; i++) {
      const x = g.x[i]!;
      const w = g.n[i]!;
      const kT = T.index[i]!;
      const lnA3 = -(r + x) * lnT[kT]!;
      let tail = lnA3;
      // Weights of the two terms of the logSumExp in the tail (the second is 0 without repeat purchase).
      let w3 = 1;
      let w4 = 0;
      let lnAtx = 0;
      let invAtx = 0;
      if (x > 0) {
        const kx = tx.index[i]!;
        lnAtx = lnTx[kx]!;
        invAtx = invTx[kx]!;
        const lnA4 = lnA - lnBx1[x]! - (r + x) * lnAtx;
        const e = Math.exp(-Math.abs(lnA3 - lnA4));
        tail = Math.max(lnA3, lnA4) + Math.log1p(e);
        const big = 1 / (1 + e);
        const small = e / (1 + e);
        w3 = lnA3 >= lnA4 ? big : small;
        w4 = 1 - w3;
        tA += (w * w4) / a;
        tB -= (w * w4) / (b + x - 1);
      }
      sum += w * (head[x]! + tail);
      n += w;
      sR += w * dHeadR[x]!;
      sAB += w * dHeadAB[x]!;
      sB += w * dHeadB[x]!;
      tR -= w * (w3 * lnT[kT]! + w4 * lnAtx);
      tAlpha -= w * (r + x) * (w3 * invT[kT]! + w4 * invAtx);
    }
    const psiAB = digamma(a + b);
    const dr = sR + n * (Math.log(alpha) - digamma(r)) + tR;
    const dAlpha = (n * r) / alpha + tAlpha;
    const da = n * psiAB - sAB + tA;
    const db = n * (psiAB - digamma(b)) + sB - sAB + tB;
    // Chain rule to θ = ln(parameter): ∂/∂θ = parameter · ∂/∂parameter.
    return { ll: sum + n * base, gradient: [r * dr, alpha * dAlpha, a * da, b * db] };
  };
}

/** Σ n · ln L over grouped summaries. */
export function bgnbdLogLikelihood(p: BgNbdParams, g: GroupedSummaries): number {
  return bgnbdObjective(g)(p).ll;
}

const fromTheta = (t: readonly number[]): BgNbdParams => ({ r: Math.exp(t[0]!), alpha: Math.exp(t[1]!), a: Math.exp(t[2]!), b: Math.exp(t[3]!) });

export interface BgNbdFit extends Fit {
  model: BgNbdParams;
}

/** Maximum-likelihood fit (BFGS with the analytic gradient) from r = 1, α = ΣT/Σx (a mean rate of Σx/ΣT), a = 1, b = 3. */
export function fitBgNbd(g: GroupedSummaries): BgNbdFit {
  const { sumX, sumT } = totals(g);
  const alpha0 = sumX > 0 ? sumT / sumX : sumT / Math.max(1, g.customers);
  const objective = bgnbdObjective(g);
  const fit = maximiseLogLikelihood(
    (t) => objective(fromTheta(t)).ll,
    [0, Math.log(alpha0), 0, Math.log(3)],
    BGNBD_NAMES,
    (t) => {
      const { ll, gradient } = objective(fromTheta(t));
      return { value: ll, gradient };
    },
  );
  return { ...fit, model: fromTheta(fit.params.map(Math.log)) };
}

/** P(alive | x, t_x, T); 1 for a customer without repeat purchase (the model cannot have lost them yet). */
export function bgnbdPAlive({ r, alpha, a, b }: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** (a + b + x − 1)/(a − 1) · [1 − (1 − z)^(a − 1) · 2F1(a + b − r − 1, a − 1; a + b + x − 1; z)], with a ≈ 1 (0/0) taken as the mean of a ± 1e-6. */
function bracket(p: BgNbdParams, x: number, z: number, what: string): number {
  if (Math.abs(p.a - 1) < 1e-7) return (bracket({ ...p, a: 1 + 1e-6 }, x, z, what) + bracket({ ...p, a: 1 - 1e-6 }, x, z, what)) / 2;
  const { r, a, b } = p;
  const f = hyp2f1OrThrow(a + b - r - 1, a - 1, a + b + x - 1, z, what);
  return ((a + b + x - 1) / (a - 1)) * (1 - Math.exp((a - 1) * Math.log1p(-z)) * f);
}

/** E[X(t)]: expected repeat purchases in (0, t] of a customer just born. */
export function bgnbdExpected(p: BgNbdParams, t: number): number {
  if (t <= 0) return 0;
  return bracket(p, 0, t / (p.alpha + t), 'BG/NBD E[X(t)]');
}

/** E[X(T, T + t] | x, t_x, T]: expected purchases over the next t (FHL 2005, eq. 10). */
export function bgnbdConditionalExpected(p: BgNbdParams, x: number, tx: number, T: number, t: number): number {
  if (t <= 0) return 0;
  return bgnbdPAlive(p, x, tx, T) * bracket(p, x, t / (p.alpha + T + t), 'BG/NBD conditional expectation');
}

/**
 * Discounted expected purchases over (T, T + horizon]: no closed form exists
 * for the BG/NBD, so the expected purchases of each step of `step` time units
 * are discounted at the step's end, Σ_i (CET(iΔ) − CET((i − 1)Δ)) / (1 + d)^(years at iΔ).
 */
export function bgnbdDiscountedPurchases(p: BgNbdParams, x: number, tx: number, T: number, horizon: number, step: number, annualRate: number, unitsPerYear: number): number {
  let previous = 0;
  let total = 0;
  for (let i = 1; (i - 1) * step < horizon; i++) {
    const end = Math.min(i * step, horizon);
    const cet = bgnbdConditionalExpected(p, x, tx, T, end);
    total += (cet - previous) / Math.pow(1 + annualRate, end / unitsPerYear);
    previous = cet;
  }
  return total;
}
