/**
 * Sufficient statistics of the « buy till you die » models. A customer enters
 * the BG/NBD and Pareto/NBD likelihoods only through (x, t_x, T) and the
 * Gamma-Gamma one only through (x, z̄), so customers sharing them are fitted
 * once with a weight: a million customers cost what their distinct summaries cost.
 */

/** One purchase: a customer-day (same-day transactions already merged). */
export interface PurchaseDay {
  /** Whole days since any fixed origin (1970-01-01 at the CLI). */
  day: number;
  amount: number;
}

export interface CustomerSummary {
  id: string;
  /** Repeat purchase-days in calibration (the first purchase is not counted). */
  x: number;
  /** From the first purchase to the last repeat one, in the time unit (0 when x = 0). */
  tx: number;
  /** From the first purchase to the calibration end, in the time unit. */
  T: number;
  /** Mean amount of the repeat purchase-days in calibration (the first excluded); null when x = 0. */
  zbar: number | null;
  /** Day of the first purchase. */
  birthDay: number;
  /** Purchase-days after the calibration end, up to the holdout end (inclusive). */
  holdout: number;
}

/**
 * The summary of one customer from their purchase-days sorted by day, or
 * null when their first purchase is after the calibration end (no calibration data).
 * The calibration end is inclusive: a purchase on that day is in calibration.
 */
export function summariseCustomer(id: string, days: readonly PurchaseDay[], calibrationEndDay: number, unitDays: number, holdoutEndDay = Infinity): CustomerSummary | null {
  const first = days[0];
  if (!first || first.day > calibrationEndDay) return null;
  let x = 0;
  let last = first.day;
  let spend = 0;
  let holdout = 0;
  for (let i = 1; i < days.length; i++) {
    const d = days[i]!;
    if (d.day <= calibrationEndDay) {
      x++;
      last = d.day;
      spend += d.amount;
    } else if (d.day <= holdoutEndDay) {
      holdout++;
    }
  }
  return {
    id,
    x,
    tx: (last - first.day) / unitDays,
    T: (calibrationEndDay - first.day) / unitDays,
    zbar: x > 0 ? spend / x : null,
    birthDay: first.day,
    holdout,
  };
}

/** Distinct (x, t_x, T) with how many customers share each. */
export interface GroupedSummaries {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  n: Float64Array;
  /** Distinct triples. */
  size: number;
  /** Σ n. */
  customers: number;
}

/** f(x) for every x from 0 to the largest in the summaries, indexed by x (x is a count, so a whole number). */
export function headsByX(g: GroupedSummaries, f: (x: number) => number): Float64Array {
  let max = 0;
  for (let i = 0; i < g.size; i++) max = Math.max(max, g.x[i]!);
  const out = new Float64Array(max + 1);
  for (let x = 0; x <= max; x++) out[x] = f(x);
  return out;
}

export interface Triple {
  x: number;
  tx: number;
  T: number;
  n?: number;
}

/** Distinct values of `columns` among the rows, each with its summed weight n (default 1). */
function groupColumns<K extends string>(rows: Iterable<Partial<Record<K, number>> & { n?: number }>, columns: readonly K[]) {
  const index = new Map<string, number>();
  const values = columns.map(() => [] as number[]);
  const ns: number[] = [];
  let customers = 0;
  for (const r of rows) {
    const weight = r.n ?? 1;
    customers += weight;
    const row = columns.map((c) => r[c] as number);
    const key = row.join('|');
    const at = index.get(key);
    if (at !== undefined) {
      ns[at] = ns[at]! + weight;
      continue;
    }
    index.set(key, ns.length);
    row.forEach((v, i) => values[i]!.push(v));
    ns.push(weight);
  }
  return { columns: values.map((v) => Float64Array.from(v)), n: Float64Array.from(ns), size: ns.length, customers };
}

/** Groups triples (each with weight n, default 1) into distinct ones. */
export function groupSummaries(rows: Iterable<Triple>): GroupedSummaries {
  const { columns: [x, tx, T], ...rest } = groupColumns(rows, ['x', 'tx', 'T'] as const);
  return { x: x!, tx: tx!, T: T!, ...rest };
}

/** Distinct (x, z̄) of the customers with at least one repeat purchase of positive mean value. */
export interface GroupedSpend {
  x: Float64Array;
  zbar: Float64Array;
  n: Float64Array;
  size: number;
  customers: number;
}

export function groupSpend(rows: Iterable<{ x: number; zbar: number | null; n?: number }>): GroupedSpend {
  // The Gamma-Gamma density lives on z̄ > 0: customers whose repeat purchases were all free are left out.
  const spenders = [...rows].filter((r): r is { x: number; zbar: number; n?: number } => r.x >= 1 && r.zbar !== null && r.zbar > 0);
  const { columns: [x, zbar], ...rest } = groupColumns(spenders, ['x', 'zbar'] as const);
  return { x: x!, zbar: zbar!, ...rest };
}

/** Σ n·x and Σ n·T: the starting points of the fits take a mean purchase rate from them. */
export function totals(g: GroupedSummaries): { sumX: number; sumT: number } {
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < g.size; i++) {
    sumX += g.n[i]! * g.x[i]!;
    sumT += g.n[i]! * g.T[i]!;
  }
  return { sumX, sumT };
}

/** The distinct values of a column and, per row, the position of its value among them. */
export interface Distinct {
  values: Float64Array;
  index: Int32Array;
}

/**
 * Distinct (x, v) pairs of two columns, by the rows' values: terms of a
 * likelihood depending only on (x, t_x) or (x, T) are computed once per pair
 * per evaluation rather than once per summary (far fewer pairs than triples).
 */
export function distinctPairs(x: Float64Array, v: Float64Array, size: number): Distinct & { x: Float64Array } {
  const at = new Map<string, number>();
  const xs: number[] = [];
  const vs: number[] = [];
  const index = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const key = `${x[i]}|${v[i]}`;
    let k = at.get(key);
    if (k === undefined) {
      k = xs.length;
      at.set(key, k);
      xs.push(x[i]!);
      vs.push(v[i]!);
    }
    index[i] = k;
  }
  return { x: Float64Array.from(xs), values: Float64Array.from(vs), index };
}

/** Distinct values of one column (see distinctPairs). */
export function distinctValues(v: Float64Array, size: number): Distinct {
  const { values, index } = distinctPairs(new Float64Array(size), v, size);
  return { values, index };
}
