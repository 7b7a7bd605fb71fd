/**
 * Pareto/NBD (Schmittlein, Morrison & Colombo 1987): Poisson purchases at
 * rate λ ~ Gamma(r, α) while alive, an exponential lifetime of rate
 * μ ~ Gamma(s, β). The likelihood's « died between t_x and T » term A0 is a
 * difference of two 2F1 values; it is kept in log space as
 *   ln A0 = −w ln(m + t_x) + ln F1 + ln(1 − e^D),  D = ln F2 − ln F1 + w ln((m + t_x)/(m + T)),
 * so that neither heavy buyers (overflowing powers) nor t_x → T (cancellation) lose it.
 */
import { maximiseLogLikelihood, withNumericGradient, type Fit } from './optimise';
import { lgamma, log1mExp, logHyp2f1ParetoFamily, logSumExp, SERIES_MAX_TERMS } from './special-functions';
import { distinctPairs, distinctValues, headsByX, totals, type GroupedSummaries } from './summaries';

export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export const PARETO_NAMES = ['r', 'alpha', 's', 'beta'] as const;

/**
 * Series terms allowed per 2F1 while fitting: arguments near 1 (α/β far from 1)
 * would cost up to SERIES_MAX_TERMS each; such points count as infeasible for the search instead.
 */
const FIT_MAX_TERMS = 3_000;

/** ln A0, or −∞ when the customer cannot have died after their last purchase (t_x = T). NaN if a series fails. */
export function paretoLogA0({ r, alpha, s, beta }: ParetoNbdParams, x: number, tx: number, T: number, maxTerms = SERIES_MAX_TERMS): number {
  const w = r + s + x;
  const m = Math.max(alpha, beta);
  // The branch keeps the argument in [0, 1).
  const B = alpha >= beta ? s + 1 : r + x;
  const diff = Math.abs(alpha - beta);
  const lnF1 = logHyp2f1ParetoFamily(w, B, diff / (m + tx), maxTerms);
  if (Number.isNaN(lnF1)) return NaN;
  const lnF2 = logHyp2f1ParetoFamily(w, B, diff / (m + T), maxTerms);
  const lnMtx = Math.log(m + tx);
  const D = lnF2 - lnF1 + w * (lnMtx - Math.log(m + T));
  if (Number.isNaN(D)) return NaN;
  if (D >= 0) return -Infinity;
  return -w * lnMtx + lnF1 + log1mExp(D);
}

/** ln L of one customer without its ln Γ(r + x) − ln Γ(r) + r ln α + s ln β. */
function paretoLogLikelihoodTail(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const dead = Math.log(s) - Math.log(r + s + x) + paretoLogA0(p, x, tx, T, FIT_MAX_TERMS);
  return logSumExp(alive, dead);
}

/** ln L of one customer (x, t_x, T). */
export function paretoLogLikelihoodOne(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = p;
  return lgamma(r + x) - lgamma(r) + r * Math.log(alpha) + s * Math.log(beta) + paretoLogLikelihoodTail(p, x, tx, T);
}

/**
 * Σ n · ln L over grouped summaries, prepared once per fit. Per evaluation
 * the two 2F1 of ln A0 are computed once per distinct (x, t_x) and per
 * distinct (x, T) (far fewer than the triples), the logarithms once per
 * distinct t_x and T; each summary then costs a few additions and three
 * elementary functions. The value of paretoLogLikelihoodOne summed, up to
 * rounding; NaN when a series does not settle (the point is infeasible).
 */
export function paretoObjective(g: GroupedSummaries): (p: ParetoNbdParams) => number {
  const atTx = distinctPairs(g.x, g.tx, g.size);
  const atXT = distinctPairs(g.x, g.T, g.size);
  const T = distinctValues(g.T, g.size);
  const lnF1 = new Float64Array(atTx.values.length);
  const lnMtx = new Float64Array(atTx.values.length);
  const lnF2 = new Float64Array(atXT.values.length);
  const lnMT = new Float64Array(T.values.length);
  const alive = new Float64Array(T.values.length);
  return (p) => {
    const { r, alpha, s, beta } = p;
    const m = Math.max(alpha, beta);
    // The branch keeps the argument in [0, 1).
    const upper = (x: number) => (alpha >= beta ? s + 1 : r + x);
    const diff = Math.abs(alpha - beta);
    for (let k = 0; k < atTx.values.length; k++) {
      const x = atTx.x[k]!;
      const tx = atTx.values[k]!;
      lnF1[k] = logHyp2f1ParetoFamily(r + s + x, upper(x), diff / (m + tx), FIT_MAX_TERMS);
      // One customer out of reach makes the point infeasible: no need to pay for the others' series.
      if (Number.isNaN(lnF1[k])) return NaN;
      lnMtx[k] = Math.log(m + tx);
    }
    for (let k = 0; k < atXT.values.length; k++) {
      const x = atXT.x[k]!;
      lnF2[k] = logHyp2f1ParetoFamily(r + s + x, upper(x), diff / (m + atXT.values[k]!), FIT_MAX_TERMS);
      if (Number.isNaN(lnF2[k])) return NaN;
    }
    for (let k = 0; k < T.values.length; k++) {
      lnMT[k] = Math.log(m + T.values[k]!);
      alive[k] = s * Math.log(beta + T.values[k]!);
    }
    const lnAlphaT = T.values.map((t) => Math.log(alpha + t));
    const head = headsByX(g, (x) => lgamma(r + x));
    const lnDeadWeight = headsByX(g, (x) => Math.log(s) - Math.log(r + s + x));
    const base = -lgamma(r) + r * Math.log(alpha) + s * Math.log(beta);
    let sum = 0;
    for (let i = 0; i < g.size; i++) {
      const x = g.x[i]!;
      const w = r + s + x;
      const k1 = atTx.index[i]!;
      const kT = T.index[i]!;
      const D = lnF2[atXT.index[i]!]! - lnF1[k1]! + w * (lnMtx[k1]! - lnMT[kT]!);
      // ln(e^u + e^v (1 − e^D)), u alive and v + ln(1 − e^D) dead, with one exp, one expm1 and one log:
      // every term is positive, so nothing cancels, and expm1 keeps 1 − e^D exact as t_x → T.
      const u = -(r + x) * lnAlphaT[kT]! - alive[kT]!;
      const v = lnDeadWeight[x]! - w * lnMtx[k1]! + lnF1[k1]!;
      const died = D >= 0 ? 0 : -Math.expm1(D);
      const e = Math.exp(-Math.abs(u - v));
      const tail = u >= v ? u + Math.log1p(e * died) : v + Math.log(e + died);
      sum += g.n[i]! * (base + head[x]! + tail);
    }
    return sum;
  };
}

/** Σ n · ln L over grouped summaries. */
export function paretoLogLikelihood(p: ParetoNbdParams, g: GroupedSummaries): number {
  return paretoObjective(g)(p);
}

const fromTheta = (t: readonly number[]): ParetoNbdParams => ({ r: Math.exp(t[0]!), alpha: Math.exp(t[1]!), s: Math.exp(t[2]!), beta: Math.exp(t[3]!) });

export interface ParetoNbdFit extends Fit {
  model: ParetoNbdParams;
}

/**
 * Maximum-likelihood fit from r = 1, α = ΣT/Σx, s = 1, β = mean T: BFGS on
 * central differences of the prepared likelihood (an analytic gradient would
 * need the 2F1's derivatives in its parameters; the differences cost eight
 * cheap evaluations).
 */
export function fitParetoNbd(g: GroupedSummaries): ParetoNbdFit {
  const { sumX, sumT } = totals(g);
  const meanT = sumT / Math.max(1, g.customers);
  const alpha0 = sumX > 0 ? sumT / sumX : meanT;
  const objective = paretoObjective(g);
  const ll = (t: readonly number[]) => objective(fromTheta(t));
  const fit = maximiseLogLikelihood(ll, [0, Math.log(alpha0), 0, Math.log(Math.max(meanT, 1e-3))], PARETO_NAMES, withNumericGradient(ll));
  return { ...fit, model: fromTheta(fit.params.map(Math.log)) };
}

/** P(alive | x, t_x, T). */
export function paretoPAlive(p: ParetoNbdParams, x: number, tx: number, T: number): number {
  const lnA0 = paretoLogA0(p, x, tx, T);
  if (lnA0 === -Infinity) return 1;
  const { r, alpha, s, beta } = p;
  return 1 / (1 + (s / (r + s + x)) * Math.exp((r + x) * Math.log(alpha + T) + s * Math.log(beta + T) + lnA0));
}

/** g(k, u) = (1 − (1 + u)^−k) / k, → ln(1 + u) as k → 0 (s = 1). */
function g(k: number, u: number): number {
  const l = Math.log1p(u);
  if (Math.abs(k) < 1e-8) return l * (1 - (k * l) / 2);
  return -Math.expm1(-k * l) / k;
}

/** E[X(t)] of a customer just born. */
export function paretoExpected({ r, alpha, s, beta }: ParetoNbdParams, t: number): number {
  if (t <= 0) return 0;
  return (r / alpha) * beta * g(s - 1, t / beta);
}

/** Expected purchases over (T, T + t] given (x, t_x, T). */
export function paretoConditionalExpected(p: ParetoNbdParams, x: number, tx: number, T: number, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, beta, s } = p;
  return paretoPAlive(p, x, tx, T) * ((r + x) / (alpha + T)) * (beta + T) * g(s - 1, t / (beta + T));
}

/**
 * ∫_0^∞ e^(−ζu) (1 + u)^(−s) du, the discounting integral of the DERT, by the
 * trapezoid rule after u = e^y: the integrand becomes analytic with
 * exponentially thin tails on both sides, where the rule converges
 * geometrically (≈ 1e-12 at this step).
 */
export function discountIntegral(zeta: number, s: number): number {
  const h = 0.02;
  const yMin = -40;
  const yMax = Math.log(800 / zeta);
  let sum = 0;
  for (let y = yMin; y <= yMax; y += h) {
    const u = Math.exp(y);
    sum += Math.exp(y - zeta * u - s * Math.log1p(u));
  }
  return sum * h;
}

/**
 * Discounted expected residual transactions (FHL 2005, JMR): the expected
 * purchases over an unbounded future, each discounted continuously at δ per
 * time unit (δ = ln(1 + annual rate) / units per year).
 */
export function paretoDert(p: ParetoNbdParams, x: number, tx: number, T: number, delta: number): number {
  const { r, alpha, beta, s } = p;
  return paretoPAlive(p, x, tx, T) * ((r + x) / (alpha + T)) * (beta + T) * discountIntegral(delta * (beta + T), s);
}
