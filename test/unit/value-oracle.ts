/**
 * Independent oracles for the customer-value tests: expectations over the
 * models' mixing distributions by brute-force quadrature, normalised
 * numerically, so they share no closed form (no Γ, B or 2F1) with the code
 * under test.
 */

/** ∫ f(y) dy over [lo, hi] by the trapezoid rule: geometric convergence for the smooth, thin-tailed integrands below. */
export function trapezoid(f: (y: number) => number, lo: number, hi: number, h: number): number {
  const n = Math.ceil((hi - lo) / h);
  const step = (hi - lo) / n;
  let sum = (f(lo) + f(hi)) / 2;
  for (let i = 1; i < n; i++) sum += f(lo + i * step);
  return sum * step;
}

/** Nodes and weights (in log space of the variable) of a Gamma(shape, rate) prior: λ = e^y, weight ∝ λ^shape e^(−rate λ). */
export function gammaNodes(shape: number, rate: number, h = 0.15): { value: number[]; weight: number[] } {
  const lo = Math.log(1 / rate) - 40 / Math.min(shape, 1);
  const hi = Math.log(80 / rate);
  const value: number[] = [];
  const weight: number[] = [];
  let total = 0;
  for (let y = lo; y <= hi; y += h) {
    const v = Math.exp(y);
    const w = Math.exp(shape * (y + Math.log(rate)) - rate * v);
    value.push(v);
    weight.push(w);
    total += w;
  }
  return { value, weight: weight.map((w) => w / total) };
}

/** Nodes and weights of a Beta(a, b) prior, by p = logistic(y): weight ∝ p^a (1 − p)^b. */
export function betaNodes(a: number, b: number, h = 0.15): { value: number[]; weight: number[] } {
  const lo = -40 / Math.min(a, 1);
  const hi = 40 / Math.min(b, 1);
  const value: number[] = [];
  const weight: number[] = [];
  let total = 0;
  for (let y = lo; y <= hi; y += h) {
    const p = 1 / (1 + Math.exp(-y));
    const w = Math.exp(-a * Math.log1p(Math.exp(-y)) - b * Math.log1p(Math.exp(y)));
    value.push(p);
    weight.push(w);
    total += w;
  }
  return { value, weight: weight.map((w) => w / total) };
}

/** E[f(u, v)] with u, v independent under the given node sets. */
export function expect2(
  U: { value: number[]; weight: number[] },
  V: { value: number[]; weight: number[] },
  f: (u: number, v: number) => number,
): number {
  let sum = 0;
  for (let i = 0; i < U.value.length; i++) {
    const wu = U.weight[i]!;
    if (wu < 1e-300) continue;
    let inner = 0;
    for (let j = 0; j < V.value.length; j++) inner += V.weight[j]! * f(U.value[i]!, V.value[j]!);
    sum += wu * inner;
  }
  return sum;
}

/** ∫_lo^hi f by composite Gauss–Legendre (5 points) on n panels. */
export function gaussLegendre(f: (t: number) => number, lo: number, hi: number, n = 400): number {
  const x = [0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640, 0.9061798459386640];
  const w = [0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891];
  const h = (hi - lo) / n;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const mid = lo + (k + 0.5) * h;
    for (let i = 0; i < 5; i++) sum += w[i]! * f(mid + (x[i]! * h) / 2);
  }
  return (sum * h) / 2;
}
