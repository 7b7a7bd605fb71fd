/**
 * Customers simulated from known model parameters, in continuous time, for
 * parameter-recovery tests, the benchmark and demo data. The uniform source
 * is injected so every run is reproducible.
 */
import type { BgNbdParams } from './bgnbd';
import type { GammaGammaParams } from './gamma-gamma';
import type { ParetoNbdParams } from './pareto-nbd';

export type Uniform = () => number;

/** mulberry32: a small seeded generator of uniforms in [0, 1). */
export function seededUniform(seed: number): Uniform {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normal(u: Uniform): number {
  return Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

/** Gamma(shape, rate) by Marsaglia–Tsang, boosted by U^(1/shape) for shape < 1. */
export function gammaVariate(u: Uniform, shape: number, rate: number): number {
  if (shape < 1) return gammaVariate(u, shape + 1, rate) * Math.pow(1 - u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(u);
    const v = Math.pow(1 + c * z, 3);
    if (v <= 0) continue;
    if (Math.log(1 - u()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

const exponential = (u: Uniform, rate: number) => -Math.log(1 - u()) / rate;

export interface SimulatedCustomer {
  x: number;
  tx: number;
  T: number;
  /** The repeat purchase times in (0, T]. */
  times: number[];
  /** Repeat purchase times after T (up to the holdout length asked for), for checks of predictions. */
  after: number[];
}

/** Poisson(λ) purchases on (0, end], stopping after any one with probability `dropout`; those after T kept apart. */
function purchases(u: Uniform, lambda: number, T: number, end: number, dropout: number): SimulatedCustomer {
  let t = 0;
  let x = 0;
  let tx = 0;
  const after: number[] = [];
  const times: number[] = [];
  for (;;) {
    t += exponential(u, lambda);
    if (t > end) break;
    if (t <= T) {
      x++;
      tx = t;
      times.push(t);
    } else {
      after.push(t);
    }
    if (dropout > 0 && u() < dropout) break;
  }
  return { x, tx, T, times, after };
}

/**
 * BG/NBD customers observed for T: repeat purchases at Poisson rate λ until
 * the dropout (probability p after each repeat purchase). Purchases in
 * (T, T + holdout] are kept apart.
 */
export function simulateBgNbd(u: Uniform, { r, alpha, a, b }: BgNbdParams, T: number, holdout = 0): SimulatedCustomer {
  const lambda = gammaVariate(u, r, alpha);
  const ga = gammaVariate(u, a, 1);
  const p = ga / (ga + gammaVariate(u, b, 1));
  return purchases(u, lambda, T, T + holdout, p);
}

/** Pareto/NBD customers: Poisson(λ) purchases over an exponential lifetime of rate μ. */
export function simulateParetoNbd(u: Uniform, { r, alpha, s, beta }: ParetoNbdParams, T: number, holdout = 0): SimulatedCustomer {
  const lambda = gammaVariate(u, r, alpha);
  const life = exponential(u, gammaVariate(u, s, beta));
  const end = Math.min(life, T + holdout);
  return purchases(u, lambda, T, end, 0);
}

/** The mean of x purchase values drawn from one Gamma-Gamma customer. */
export function simulateSpend(u: Uniform, { p, q, gamma }: GammaGammaParams, x: number): number {
  const nu = gammaVariate(u, q, gamma);
  let sum = 0;
  for (let i = 0; i < x; i++) sum += gammaVariate(u, p, nu);
  return sum / x;
}
