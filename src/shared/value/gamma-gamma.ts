/**
 * Gamma-Gamma spend model (Colombo & Jiang 1999; Fader & Hardie's note 025):
 * a customer's purchase values are Gamma(p, ν), ν ~ Gamma(q, γ) across
 * customers, so the mean z̄ of x purchases is Gamma(px, νx) given ν. Fitted on
 * the customers with at least one repeat purchase, z̄ the mean of their repeat
 * purchases (the first excluded).
 */
import { maximiseLogLikelihood, type Fit } from './optimise';
import { lgamma } from './special-functions';
import type { GroupedSpend } from './summaries';

export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

export const GG_NAMES = ['p', 'q', 'gamma'] as const;

/** ln f(z̄ | x) of one customer (x ≥ 1, z̄ > 0). */
export function gammaGammaLogLikelihoodOne({ p, q, gamma }: GammaGammaParams, x: number, zbar: number): number {
  const px = p * x;
  return lgamma(px + q) - lgamma(px) - lgamma(q) + q * Math.log(gamma) + px * Math.log(x) + (px - 1) * Math.log(zbar) - (px + q) * Math.log(gamma + x * zbar);
}

export function gammaGammaLogLikelihood(params: GammaGammaParams, g: GroupedSpend): number {
  let sum = 0;
  for (let i = 0; i < g.size; i++) sum += g.n[i]! * gammaGammaLogLikelihoodOne(params, g.x[i]!, g.zbar[i]!);
  return sum;
}

const fromTheta = (t: readonly number[]): GammaGammaParams => ({ p: Math.exp(t[0]!), q: Math.exp(t[1]!), gamma: Math.exp(t[2]!) });

export interface GammaGammaFit extends Fit {
  model: GammaGammaParams;
}

/** Maximum-likelihood fit from p = 1, q = 2, γ = mean z̄ (a population mean spend of γ·p/(q − 1) = mean z̄). */
export function fitGammaGamma(g: GroupedSpend): GammaGammaFit {
  let sum = 0;
  for (let i = 0; i < g.size; i++) sum += g.n[i]! * g.zbar[i]!;
  const mean = sum / Math.max(1, g.customers);
  const fit = maximiseLogLikelihood((t) => gammaGammaLogLikelihood(fromTheta(t), g), [0, Math.log(2), Math.log(Math.max(mean, 1e-6))], GG_NAMES);
  const model = fromTheta(fit.params.map(Math.log));
  if (fit.converged && !(model.q > 1)) {
    return { ...fit, model, converged: false, reason: `q = ${model.q.toPrecision(3)} ≤ 1: the population's mean spend is infinite, no expected spend can be given` };
  }
  return { ...fit, model };
}

/**
 * E[M | x, z̄] = p(γ + x z̄)/(px + q − 1): a weighted mean of the population
 * mean pγ/(q − 1) and the customer's own z̄, the weight growing with x.
 * A customer without repeat purchase (x = 0) gets the population mean.
 */
export function gammaGammaExpectedSpend({ p, q, gamma }: GammaGammaParams, x: number, zbar: number | null): number {
  if (x === 0 || zbar === null) return (p * gamma) / (q - 1);
  return (p * (gamma + x * zbar)) / (p * x + q - 1);
}
