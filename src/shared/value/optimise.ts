/**
 * Minimisation for the customer-value fits: Nelder–Mead on θ = ln(parameters)
 * (no gradient needed, robust to the +∞ a non-finite likelihood returns),
 * restarted from its optimum until a restart no longer improves, then a
 * convergence check that does not trust the simplex: a small central-difference
 * gradient, a positive-definite Hessian (Cholesky) and no parameter on a bound.
 */

export type Objective = (theta: readonly number[]) => number;

/** |θ| ≤ 12: parameters between e^−12 and e^12 (≈ 6e-6 … 1.6e5). */
export const THETA_BOUND = 12;

export interface NelderMeadResult {
  theta: number[];
  value: number;
  evaluations: number;
  /** Stopped by its tolerances rather than by the evaluation cap. */
  settled: boolean;
}

interface NelderMeadOptions {
  step?: number;
  maxEvaluations?: number;
  xTolerance?: number;
  fTolerance?: number;
}

function guarded(f: Objective): Objective {
  return (theta) => {
    for (const t of theta) if (!(Math.abs(t) <= THETA_BOUND)) return Infinity;
    const v = f(theta);
    return Number.isFinite(v) ? v : Infinity;
  };
}

export function nelderMead(f: Objective, start: readonly number[], options: NelderMeadOptions = {}): NelderMeadResult {
  const { step = 0.5, maxEvaluations = 4_000, xTolerance = 1e-9, fTolerance = 1e-12 } = options;
  const g = guarded(f);
  const n = start.length;
  let evaluations = 0;
  const evaluate = (x: number[]) => {
    evaluations++;
    return g(x);
  };
  const simplex: { x: number[]; f: number }[] = [];
  simplex.push({ x: [...start], f: evaluate([...start]) });
  for (let i = 0; i < n; i++) {
    const x = [...start];
    x[i] = x[i]! + step;
    simplex.push({ x, f: evaluate(x) });
  }
  const combine = (a: number[], b: number[], t: number) => a.map((ai, k) => ai + t * (b[k]! - ai));
  let settled = false;
  while (evaluations < maxEvaluations) {
    simplex.sort((p, q) => p.f - q.f);
    const best = simplex[0]!;
    const worst = simplex[n]!;
    let spread = 0;
    for (const p of simplex) for (let k = 0; k < n; k++) spread = Math.max(spread, Math.abs(p.x[k]! - best.x[k]!));
    if (Number.isFinite(worst.f) && spread <= xTolerance && worst.f - best.f <= fTolerance * Math.max(1, Math.abs(best.f))) {
      settled = true;
      break;
    }
    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) centroid[k] = centroid[k]! + simplex[i]!.x[k]! / n;
    const reflected = combine(centroid, worst.x, -1);
    const fr = evaluate(reflected);
    if (fr < best.f) {
      const expanded = combine(centroid, worst.x, -2);
      const fe = evaluate(expanded);
      simplex[n] = fe < fr ? { x: expanded, f: fe } : { x: reflected, f: fr };
      continue;
    }
    if (fr < simplex[n - 1]!.f) {
      simplex[n] = { x: reflected, f: fr };
      continue;
    }
    const outside = fr < worst.f;
    const contracted = combine(centroid, worst.x, outside ? -0.5 : 0.5);
    const fc = evaluate(contracted);
    if (fc < (outside ? fr : worst.f)) {
      simplex[n] = { x: contracted, f: fc };
      continue;
    }
    for (let i = 1; i <= n; i++) {
      const x = combine(best.x, simplex[i]!.x, 0.5);
      simplex[i] = { x, f: evaluate(x) };
    }
  }
  simplex.sort((p, q) => p.f - q.f);
  return { theta: simplex[0]!.x, value: simplex[0]!.f, evaluations, settled };
}

/** Central-difference gradient. */
export function numericGradient(f: Objective, theta: readonly number[], h = 1e-5): number[] {
  return theta.map((_, i) => {
    const up = [...theta];
    const down = [...theta];
    up[i] = up[i]! + h;
    down[i] = down[i]! - h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** Central-difference Hessian. */
export function numericHessian(f: Objective, theta: readonly number[], h = 1e-4): number[][] {
  const n = theta.length;
  const at = (di: number, i: number, dj: number, j: number) => {
    const x = [...theta];
    x[i] = x[i]! + di * h;
    x[j] = x[j]! + dj * h;
    return f(x);
  };
  const f0 = f(theta);
  const H = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    H[i]![i] = (at(1, i, 0, i) - 2 * f0 + at(-1, i, 0, i)) / (h * h);
    for (let j = i + 1; j < n; j++) {
      const v = (at(1, i, 1, j) - at(1, i, -1, j) - at(-1, i, 1, j) + at(-1, i, -1, j)) / (4 * h * h);
      H[i]![j] = v;
      H[j]![i] = v;
    }
  }
  return H;
}

/** Lower-triangular L with L·Lᵀ = A, or null when A is not (numerically) positive definite. */
export function cholesky(A: readonly (readonly number[])[]): number[][] | null {
  const n = A.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i]![j]!;
      for (let k = 0; k < j; k++) s -= L[i]![k]! * L[j]![k]!;
      if (i === j) {
        if (!(s > 0)) return null;
        L[i]![i] = Math.sqrt(s);
      } else {
        L[i]![j] = s / L[j]![j]!;
      }
    }
  }
  return L;
}

/** Diagonal of A⁻¹ from A's Cholesky factor. */
export function inverseDiagonal(L: readonly (readonly number[])[]): number[] {
  const n = L.length;
  const diag = new Array<number>(n).fill(0);
  for (let col = 0; col < n; col++) {
    // Solve L y = e_col, then Lᵀ v = y; v is column `col` of A⁻¹.
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = i === col ? 1 : 0;
      for (let k = 0; k < i; k++) s -= L[i]![k]! * y[k]!;
      y[i] = s / L[i]![i]!;
    }
    const v = new Array<number>(n).fill(0);
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!;
      for (let k = i + 1; k < n; k++) s -= L[k]![i]! * v[k]!;
      v[i] = s / L[i]![i]!;
    }
    diag[col] = v[col]!;
  }
  return diag;
}

export interface Fit {
  /** exp(θ) at the optimum, in the model's parameter order. */
  params: number[];
  /** Maximised log-likelihood (summed over customers). */
  ll: number;
  converged: boolean;
  /** Why the fit is not a result, when it is not. */
  reason?: string;
  /** Delta-method standard errors of the parameters (NaN when the Hessian is not positive definite). */
  se: number[];
  evaluations: number;
}

/**
 * Maximises a log-likelihood over log-parameters: Nelder–Mead restarted from
 * its own optimum until the value stops improving, then the checks that make
 * « converged » mean something.
 */
export function maximiseLogLikelihood(ll: Objective, start: readonly number[], names: readonly string[]): Fit {
  const nll: Objective = (theta) => -ll(theta);
  let run = nelderMead(nll, start);
  let evaluations = run.evaluations;
  const nearBound = (theta: readonly number[]) => theta.some((t) => Math.abs(t) > THETA_BOUND - 0.5);
  // A search that ran away to a bound or out of evaluations is not worth restarting: it is reported below.
  for (let restart = 0; restart < 5 && run.settled && !nearBound(run.theta); restart++) {
    const again = nelderMead(nll, run.theta, { step: 0.1 });
    evaluations += again.evaluations;
    const improved = run.value - again.value;
    run = again.value <= run.value ? again : run;
    if (!(improved > 1e-9 * Math.max(1, Math.abs(run.value)))) break;
  }
  const params = run.theta.map(Math.exp);
  const base = { params, ll: -run.value, evaluations };
  const fail = (reason: string): Fit => ({ ...base, converged: false, reason, se: params.map(() => NaN) });
  if (!Number.isFinite(run.value)) return fail('the log-likelihood is not finite anywhere the search went');
  const onBound = run.theta.findIndex((t) => Math.abs(t) > THETA_BOUND - 0.5);
  if (onBound >= 0) return fail(`${names[onBound]} runs to the bound of its range (${params[onBound]!.toPrecision(3)}): not identified by these data`);
  if (!run.settled) return fail(`the search did not settle within ${evaluations} evaluations`);
  const g = numericGradient(nll, run.theta);
  const gmax = Math.max(...g.map(Math.abs));
  if (!(gmax <= 1e-3 * Math.max(1, Math.sqrt(Math.abs(run.value))))) return fail(`the gradient at the optimum is not small (${gmax.toExponential(2)})`);
  const L = cholesky(numericHessian(nll, run.theta));
  if (!L) return fail('the Hessian at the optimum is not positive definite (flat or saddle)');
  const varTheta = inverseDiagonal(L);
  // Delta method: d param / d θ = param.
  return { ...base, converged: true, se: params.map((p, i) => p * Math.sqrt(varTheta[i]!)) };
}
