/**
 * The three fits on one set of customer summaries, the per-customer
 * predictions, and the calibration/holdout comparison of `value check`.
 * Everything is computed per distinct summary, then handed out per customer.
 */
import { bgnbdConditionalExpected, bgnbdDiscountedPurchases, bgnbdExpected, bgnbdPAlive, fitBgNbd, type BgNbdFit } from '../../shared/value/bgnbd';
import { fitGammaGamma, gammaGammaExpectedSpend, type GammaGammaFit } from '../../shared/value/gamma-gamma';
import { fitParetoNbd, paretoConditionalExpected, paretoDert, paretoExpected, paretoPAlive, type ParetoNbdFit } from '../../shared/value/pareto-nbd';
import { groupSpend, groupSummaries, type CustomerSummary, type PurchaseDay } from '../../shared/value/summaries';

export type Unit = 'days' | 'weeks';

const DAYS_PER_YEAR = 365.25;
const unitDays = (unit: Unit) => (unit === 'weeks' ? 7 : 1);

export interface ModelFits {
  bgnbd: BgNbdFit;
  pareto: ParetoNbdFit;
  gg: GammaGammaFit;
  spendCustomers: number;
  distinctTriples: number;
  repeatPurchases: number;
  ms: { bgnbd: number; pareto: number; gg: number };
}

export function fitValueModels(customers: readonly CustomerSummary[]): ModelFits {
  const grouped = groupSummaries(customers);
  const spend = groupSpend(customers);
  const timed = <T>(fn: () => T): [T, number] => {
    const start = performance.now();
    const result = fn();
    return [result, Math.round((performance.now() - start) * 10) / 10];
  };
  const [bgnbd, bgMs] = timed(() => fitBgNbd(grouped));
  const [pareto, paMs] = timed(() => fitParetoNbd(grouped));
  const [gg, ggMs] = timed(() => fitGammaGamma(spend));
  let repeatPurchases = 0;
  for (const c of customers) repeatPurchases += c.x;
  return { bgnbd, pareto, gg, spendCustomers: spend.customers, distinctTriples: grouped.size, repeatPurchases, ms: { bgnbd: bgMs, pareto: paMs, gg: ggMs } };
}

export interface PredictionOptions {
  unit: Unit;
  /** In time units. */
  horizon: number;
  margin: number;
  /** Annual discount rate, e.g. 0.1. */
  discountRate: number;
}

export interface CustomerPrediction {
  id: string;
  x: number;
  tx: number;
  T: number;
  pAliveBgNbd: number;
  pAlivePareto: number;
  /** Expected purchases over the horizon. */
  purchasesBgNbd: number;
  purchasesPareto: number;
  /** Gamma-Gamma conditional expected spend per purchase. */
  spend: number;
  /** margin × spend × BG/NBD expected purchases over the horizon, discounted week by week. */
  valueBgNbd: number;
  /** margin × spend × Pareto/NBD DERT: all future purchases, discounted continuously, no horizon. */
  valuePareto: number;
}

export function predictCustomers(fits: ModelFits, customers: readonly CustomerSummary[], o: PredictionOptions): CustomerPrediction[] {
  const bg = fits.bgnbd.model;
  const pa = fits.pareto.model;
  const unitsPerYear = DAYS_PER_YEAR / unitDays(o.unit);
  const delta = Math.log(1 + o.discountRate) / unitsPerYear;
  const weekStep = 7 / unitDays(o.unit);
  const byTriple = new Map<string, Omit<CustomerPrediction, 'id' | 'spend' | 'valueBgNbd' | 'valuePareto'> & { discountedBg: number; dert: number }>();
  return customers.map((c) => {
    const key = `${c.x}|${c.tx}|${c.T}`;
    let t = byTriple.get(key);
    if (!t) {
      t = {
        x: c.x,
        tx: c.tx,
        T: c.T,
        pAliveBgNbd: bgnbdPAlive(bg, c.x, c.tx, c.T),
        pAlivePareto: paretoPAlive(pa, c.x, c.tx, c.T),
        purchasesBgNbd: bgnbdConditionalExpected(bg, c.x, c.tx, c.T, o.horizon),
        purchasesPareto: paretoConditionalExpected(pa, c.x, c.tx, c.T, o.horizon),
        discountedBg: bgnbdDiscountedPurchases(bg, c.x, c.tx, c.T, o.horizon, weekStep, o.discountRate, unitsPerYear),
        dert: paretoDert(pa, c.x, c.tx, c.T, delta),
      };
      byTriple.set(key, t);
    }
    const spend = gammaGammaExpectedSpend(fits.gg.model, c.x, c.zbar);
    const { discountedBg, dert, ...rest } = t;
    return { id: c.id, ...rest, spend, valueBgNbd: o.margin * spend * discountedBg, valuePareto: o.margin * spend * dert };
  });
}

export interface HoldoutReport {
  calibration_end: string;
  holdout_end: string;
  /** The tracking week in which the calibration ends. */
  calibrationWeek: number;
  holdout: { actual: number; bgnbd: number; pareto: number };
  /** Cumulative repeat purchases at the end of each week since the first customer's first purchase. */
  tracking: { week: number[]; actual: number[]; bgnbd: number[]; pareto: number[] };
  /** Mean holdout purchases per customer by calibration frequency, actual and predicted. */
  conditional: { x: string; customers: number; actual: number; bgnbd: number; pareto: number }[];
}

const isoDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

export function trackHoldout(
  fits: ModelFits,
  customers: readonly CustomerSummary[],
  days: ReadonlyMap<string, readonly PurchaseDay[]>,
  o: { unit: Unit; calibrationEndDay: number; holdoutEndDay: number },
): HoldoutReport {
  const bg = fits.bgnbd.model;
  const pa = fits.pareto.model;
  const perUnit = unitDays(o.unit);
  let origin = Infinity;
  for (const c of customers) origin = Math.min(origin, c.birthDay);
  const weeks = Math.ceil((o.holdoutEndDay - origin + 1) / 7);
  // Repeat purchases of the calibration customers, counted by the week (since origin) they fall in.
  const perWeek = new Array<number>(weeks).fill(0);
  const births = new Map<number, number>();
  for (const c of customers) {
    births.set(c.birthDay, (births.get(c.birthDay) ?? 0) + 1);
    for (const d of (days.get(c.id) ?? []).slice(1)) if (d.day <= o.holdoutEndDay) perWeek[Math.floor((d.day - origin) / 7)]!++;
  }
  const tracking = { week: [] as number[], actual: [] as number[], bgnbd: [] as number[], pareto: [] as number[] };
  let cumulative = 0;
  for (let w = 1; w <= weeks; w++) {
    cumulative += perWeek[w - 1]!;
    let eb = 0;
    let ep = 0;
    // A customer born d days after the origin has had 7w − d days to buy again by the end of week w.
    for (const [birth, n] of births) {
      const t = (7 * w - (birth - origin)) / perUnit;
      if (t <= 0) continue;
      eb += n * bgnbdExpected(bg, t);
      ep += n * paretoExpected(pa, t);
    }
    tracking.week.push(w);
    tracking.actual.push(cumulative);
    tracking.bgnbd.push(eb);
    tracking.pareto.push(ep);
  }
  const holdoutLength = (o.holdoutEndDay - o.calibrationEndDay) / perUnit;
  const bins = Array.from({ length: 8 }, (_, i) => ({ x: i < 7 ? String(i) : '7+', customers: 0, actual: 0, bgnbd: 0, pareto: 0 }));
  const holdout = { actual: 0, bgnbd: 0, pareto: 0 };
  for (const c of customers) {
    const bin = bins[Math.min(c.x, 7)]!;
    const eb = bgnbdConditionalExpected(bg, c.x, c.tx, c.T, holdoutLength);
    const ep = paretoConditionalExpected(pa, c.x, c.tx, c.T, holdoutLength);
    bin.customers++;
    bin.actual += c.holdout;
    bin.bgnbd += eb;
    bin.pareto += ep;
    holdout.actual += c.holdout;
    holdout.bgnbd += eb;
    holdout.pareto += ep;
  }
  for (const b of bins) {
    if (b.customers === 0) continue;
    b.actual /= b.customers;
    b.bgnbd /= b.customers;
    b.pareto /= b.customers;
  }
  return {
    calibration_end: isoDay(o.calibrationEndDay),
    holdout_end: isoDay(o.holdoutEndDay),
    calibrationWeek: Math.floor((o.calibrationEndDay - origin) / 7) + 1,
    holdout,
    tracking,
    conditional: bins,
  };
}
