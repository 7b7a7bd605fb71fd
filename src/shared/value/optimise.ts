/**
 * Minimisation for the customer-value fits, on θ = ln(parameters): BFGS with
 * the model's gradient (analytic, or central differences of a fast
 * likelihood) when it has one, a few dozen evaluations; otherwise Nelder–Mead
 * (no gradient needed, robust to the +∞ a non-finite likelihood returns),
 * restarted from its optimum until a restart no longer improves. Either way
 * a convergence check that does not trust the search: a small central-difference
 * gradient, a positive-definite Hessian (Cholesky) and no parameter on a bound.
 */

export type Objective = (theta: readonly number[]) => number;

/** The objective and its gradient in θ at one point. */
export type ObjectiveWithGradient = (theta: readonly number[]) => { value: number; gradient: number[] };

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

interface BfgsOptions {
  maxIterations?: number;
  /** Stop when every |∂f/∂θ| is below this times max(1, |f|). */
  gradientTolerance?: number;
}

/**
 * BFGS on θ with a backtracking (Armijo) line search; points out of the θ
 * bounds or where f is not finite count as +∞ and shorten the step. Settled
 * when the gradient is small, when the predicted gain of the next step is
 * below f's rounding, or when no step along a fresh steepest-descent
 * direction decreases f any more.
 */
export function bfgs(fg: ObjectiveWithGradient, start: readonly number[], options: BfgsOptions = {}): NelderMeadResult {
  const { maxIterations = 500, gradientTolerance = 1e-10 } = options;
  const n = start.length;
  let evaluations = 0;
  const at = (theta: readonly number[]) => {
    evaluations++;
    if (theta.some((t) => !(Math.abs(t) <= THETA_BOUND))) return { value: Infinity, gradient: [] as number[] };
    const r = fg(theta);
    return Number.isFinite(r.value) && r.gradient.every(Number.isFinite) ? r : { value: Infinity, gradient: [] as number[] };
  };
  const identity = (): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  let x = [...start];
  let current = at(x);
  if (current.value === Infinity) return { theta: x, value: Infinity, evaluations, settled: false };
  let H = identity();
  let fresh = true;
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const g = current.gradient;
    if (Math.max(...g.map(Math.abs)) <= gradientTolerance * Math.max(1, Math.abs(current.value))) {
      return { theta: x, value: current.value, evaluations, settled: true };
    }
    let d = H.map((row) => -row.reduce((acc, h, j) => acc + h * g[j]!, 0));
    let slope = d.reduce((acc, di, i) => acc + di * g[i]!, 0);
    if (!(slope < 0)) {
      H = identity();
      fresh = true;
      d = g.map((gi) => -gi);
      slope = -g.reduce((acc, gi) => acc + gi * gi, 0);
    } else if (!fresh && -slope / 2 <= 1e-14 * Math.max(1, Math.abs(current.value))) {
      // The quasi-Newton step would gain less than f's own rounding (a sum over many customers): at the optimum.
      return { theta: x, value: current.value, evaluations, settled: true };
    }
    // At most one e-fold of any parameter per step.
    const longest = Math.max(...d.map(Math.abs));
    const scale = longest > 1 ? 1 / longest : 1;
    let t = scale;
    let next: ReturnType<typeof at> | null = null;
    let y: number[] = x;
    for (let k = 0; k < 60; k++) {
      y = x.map((xi, i) => xi + t * d[i]!);
      const candidate = at(y);
      if (candidate.value <= current.value + 1e-4 * t * slope) {
        next = candidate;
        break;
      }
      t *= 0.5;
    }
    if (!next || next.value >= current.value) {
      if (fresh) return { theta: x, value: current.value, evaluations, settled: true };
      H = identity();
      fresh = true;
      continue;
    }
    const step = y.map((yi, i) => yi - x[i]!);
    const change = next.gradient.map((gi, i) => gi - g[i]!);
    const sy = step.reduce((acc, si, i) => acc + si * change[i]!, 0);
    if (sy > 1e-12 * Math.sqrt(step.reduce((a, v) => a + v * v, 0) * change.reduce((a, v) => a + v * v, 0))) {
      if (fresh) {
        // Scale the first guess of the inverse Hessian to the curvature just seen.
        const yy = change.reduce((acc, v) => acc + v * v, 0);
        H = H.map((row) => row.map((h) => (h * sy) / yy));
      }
      const Hy = H.map((row) => row.reduce((acc, h, j) => acc + h * change[j]!, 0));
      const yHy = change.reduce((acc, v, i) => acc + v * Hy[i]!, 0);
      const rho = 1 / sy;
      H = H.map((row, i) =>
        row.map((h, j) => h - rho * (Hy[i]! * step[j]! + step[i]! * Hy[j]!) + (rho * rho * yHy + rho) * step[i]! * step[j]!),
      );
      fresh = false;
    }
    x = y;
    current = next;
  }
  return { theta: x, value: current.value, evaluations, settled: false };
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
  /** The search's evaluations (with a gradient: of the value and gradient together), the checks' not counted. */
  evaluations: number;
}

/** Central differences of a (fast) objective as its gradient, for BFGS where no analytic gradient exists. */
export function withNumericGradient(f: Objective, h = 1e-5): ObjectiveWithGradient {
  return (theta) => {
    const value = f(theta);
    return { value, gradient: Number.isFinite(value) ? numericGradient(f, theta, h) : [] };
  };
}

/**
 * Maximises a log-likelihood over log-parameters: BFGS when its gradient is
 * given (`llWithGradient`: ln L and ∂ ln L/∂θ), else Nelder–Mead restarted from
 * its own optimum until the value stops improving; then the checks that make
 * « converged » mean something.
 */
export function maximiseLogLikelihood(ll: Objective, start: readonly number[], names: readonly string[], llWithGradient?: ObjectiveWithGradient): Fit {
  const nll: Objective = (theta) => -ll(theta);
  const nearBound = (theta: readonly number[]) => theta.some((t) => Math.abs(t) > THETA_BOUND - 0.5);
  if (llWithGradient) {
    const run = bfgs((theta) => {
      const { value, gradient } = llWithGradient(theta);
      return { value: -value, gradient: gradient.map((v) => -v) };
    }, start);
    return checked(nll, run, names);
  }
  let run = nelderMead(nll, start);
  let evaluations = run.evaluations;
  // A search that ran away to a bound or out of evaluations is not worth restarting: it is reported below.
  for (let restart = 0; restart < 5 && run.settled && !nearBound(run.theta); restart++) {
    const again = nelderMead(nll, run.theta, { step: 0.1 });
    evaluations += again.evaluations;
    const improved = run.value - again.value;
    run = again.value <= run.value ? again : run;
    if (!(improved > 1e-9 * Math.max(1, Math.abs(run.value)))) break;
  }
  return checked(nll, { ...run, evaluations }, names);
}

/** The fit at a search's end, converged only if the search settled inside the bounds at a true maximum. */
function checked(nll: Objective, run: NelderMeadResult, names: readonly string[]): Fit {
  const { evaluations } = run;
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
