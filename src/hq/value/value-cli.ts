/**
 * `npm run hq -- value fit|check`: the customer-value models on a transaction
 * file, no database. `fit` prints the three fits (last line: one JSON object)
 * and, with --predictions, writes each customer's scores; `check` fits on the
 * calibration period and compares with the holdout that follows it.
 * Bad input, or a model that does not converge, ends with a message naming the
 * line or the reason, exit status 1, and no predictions file.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fitValueModels, predictCustomers, trackHoldout, type ModelFits, type Unit } from './value-run';
import { formatDay, INPUT_FORMATS, parseDate, parseTransactions, purchaseDays, ValueInputError, type InputFormat } from './transactions';
import { summariseCustomer, type CustomerSummary } from '../../shared/value/summaries';

export const VALUE_USAGE =
  'usage: hq value fit|check --input FILE --format csv|cdnow-master|cdnow-sample --calibration-end YYYY-MM-DD --unit days|weeks\n' +
  '                [--predictions OUT.csv] [--horizon N (52 weeks / 365 days)] [--margin 0.3] [--discount-rate 0.1 (annual)]';

interface Options {
  command: 'fit' | 'check';
  input: string;
  format: InputFormat;
  calibrationEnd: string;
  unit: Unit;
  predictions?: string;
  horizon?: number;
  margin: number;
  discountRate: number;
}

function parseOptions(argv: readonly string[]): Options {
  const [command, ...rest] = argv;
  if (command !== 'fit' && command !== 'check') throw new UsageError(`unknown value command « ${command ?? ''} »`);
  const values = new Map<string, string>();
  for (let i = 0; i < rest.length; i += 2) {
    const name = rest[i]!;
    const value = rest[i + 1];
    if (!name.startsWith('--') || value === undefined) throw new UsageError(`unexpected argument « ${name} »`);
    values.set(name.slice(2), value);
  }
  const known = ['input', 'format', 'calibration-end', 'unit', 'predictions', 'horizon', 'margin', 'discount-rate'];
  for (const name of values.keys()) if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
  const required = (name: string) => {
    const v = values.get(name);
    if (!v) throw new UsageError(`--${name} is required`);
    return v;
  };
  const format = required('format');
  if (!INPUT_FORMATS.includes(format as InputFormat)) throw new UsageError(`--format must be one of ${INPUT_FORMATS.join(', ')}`);
  const unit = required('unit');
  if (unit !== 'days' && unit !== 'weeks') throw new UsageError('--unit must be days or weeks');
  const number = (name: string, fallback: number | undefined, ok: (v: number) => boolean, what: string) => {
    const raw = values.get(name);
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!/^\d+(\.\d+)?$/.test(raw) || !ok(v)) throw new UsageError(`--${name} must be ${what}`);
    return v;
  };
  if (command === 'check' && values.has('predictions')) throw new UsageError('--predictions goes with value fit');
  return {
    command,
    input: required('input'),
    format: format as InputFormat,
    calibrationEnd: required('calibration-end'),
    unit,
    predictions: values.get('predictions'),
    horizon: number('horizon', undefined, (v) => v > 0, 'a positive number of time units'),
    margin: number('margin', 0.3, (v) => v > 0 && v <= 1, 'a fraction in (0, 1]')!,
    discountRate: number('discount-rate', 0.1, (v) => v >= 0 && v < 10, 'an annual rate such as 0.1')!,
  };
}

class UsageError extends Error {}

interface Loaded {
  customers: CustomerSummary[];
  days: Map<string, { day: number; amount: number }[]>;
  calibrationEndDay: number;
  holdoutEndDay: number;
}

function load(o: Options): Loaded {
  let text: string;
  try {
    text = readFileSync(o.input, 'utf8');
  } catch (error) {
    throw new ValueInputError(`cannot read ${o.input}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const calibrationEndDay = parseDate(o.calibrationEnd);
  if (calibrationEndDay === null) throw new ValueInputError(`--calibration-end « ${o.calibrationEnd} » is not a calendar date YYYY-MM-DD`);
  const transactions = parseTransactions(text, o.format);
  let first = Infinity;
  let last = -Infinity;
  for (const t of transactions) {
    first = Math.min(first, t.day);
    last = Math.max(last, t.day);
  }
  const span = `${formatDay(first)} … ${formatDay(last)}`;
  if (calibrationEndDay < first || calibrationEndDay > last) throw new ValueInputError(`the calibration end ${o.calibrationEnd} is outside the data (${span})`);
  if (o.command === 'check' && calibrationEndDay >= last) throw new ValueInputError(`no holdout: the data end on the calibration end ${o.calibrationEnd} (${span})`);
  const days = purchaseDays(transactions);
  const unitDays = o.unit === 'weeks' ? 7 : 1;
  const customers: CustomerSummary[] = [];
  for (const [id, d] of days) {
    const s = summariseCustomer(id, d, calibrationEndDay, unitDays, last);
    if (s) customers.push(s);
  }
  if (customers.length < 2) {
    throw new ValueInputError(`${customers.length === 1 ? 'a single customer' : 'no customer'} bought by the calibration end ${o.calibrationEnd}: the models describe a population and need many customers`);
  }
  return { customers, days, calibrationEndDay, holdoutEndDay: last };
}

const round = (v: number, digits = 6) => Number(v.toPrecision(digits));

/** The three fits as the JSON line reports them: parameters only for a fit that converged. */
export function fitsJson(fits: ModelFits) {
  const one = <T extends object>(fit: { model: T; ll: number; converged: boolean; reason?: string }, extra: object = {}) =>
    fit.converged
      ? { ...Object.fromEntries(Object.entries(fit.model).map(([k, v]) => [k, round(v as number, 8)])), ll: round(fit.ll, 10), converged: true, ...extra }
      : { ...Object.fromEntries(Object.keys(fit.model).map((k) => [k, null])), ll: null, converged: false, reason: fit.reason, ...extra };
  return { bgnbd: one(fits.bgnbd), pareto: one(fits.pareto), gg: one(fits.gg, { customers: fits.spendCustomers }) };
}

function describeFits(fits: ModelFits, print: (line: string) => void): void {
  const show = (name: string, fit: { params: number[]; se: number[]; ll: number; converged: boolean; reason?: string }, names: readonly string[], ms: number) => {
    if (!fit.converged) {
      print(`${name}: DID NOT CONVERGE (${fit.reason})`);
      return;
    }
    const ps = names.map((n, i) => `${n} = ${fit.params[i]!.toFixed(4)} (± ${fit.se[i]!.toFixed(4)})`).join(', ');
    print(`${name}: ${ps}; log-likelihood ${fit.ll.toFixed(4)}; ${ms.toFixed(0)} ms`);
  };
  show('BG/NBD', fits.bgnbd, ['r', 'alpha', 'a', 'b'], fits.ms.bgnbd);
  show('Pareto/NBD', fits.pareto, ['r', 'alpha', 's', 'beta'], fits.ms.pareto);
  show(`Gamma-Gamma (${fits.spendCustomers} repeat customers)`, fits.gg, ['p', 'q', 'gamma'], fits.ms.gg);
}

function failed(fits: ModelFits): string | null {
  const bad = (['bgnbd', 'pareto', 'gg'] as const).filter((k) => !fits[k].converged);
  if (bad.length === 0) return null;
  return bad.map((k) => `${{ bgnbd: 'BG/NBD', pareto: 'Pareto/NBD', gg: 'Gamma-Gamma' }[k]} did not converge: ${fits[k].reason}`).join('; ');
}

const csvCell = (v: string | number) => (typeof v === 'number' ? String(round(v, 8)) : /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Writes next to the target and renames: a reader sees the whole file or none. */
function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new ValueInputError(`cannot write ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function runFit(o: Options, print: (line: string) => void): number {
  const { customers } = load(o);
  const fits = fitValueModels(customers);
  print(`${customers.length} customers, ${fits.distinctTriples} distinct (x, t_x, T) in ${o.unit}, ${fits.repeatPurchases} repeat purchases by ${o.calibrationEnd}`);
  describeFits(fits, print);
  const problem = failed(fits);
  let predictionsNote: object = {};
  if (!problem && o.predictions) {
    const horizon = o.horizon ?? (o.unit === 'weeks' ? 52 : 365);
    const rows = predictCustomers(fits, customers, { unit: o.unit, horizon, margin: o.margin, discountRate: o.discountRate });
    const header = ['customer_id', 'x', 't_x', 'T', 'p_alive_bgnbd', 'p_alive_pareto', 'expected_purchases_bgnbd', 'expected_purchases_pareto', 'expected_spend', 'value_bgnbd', 'value_pareto'];
    const body = rows.map((r) => [r.id, r.x, r.tx, r.T, r.pAliveBgNbd, r.pAlivePareto, r.purchasesBgNbd, r.purchasesPareto, r.spend, r.valueBgNbd, r.valuePareto].map(csvCell).join(','));
    writeAtomically(o.predictions, `${header.join(',')}\n${body.join('\n')}\n`);
    print(`predictions for ${rows.length} customers written to ${o.predictions} (horizon ${horizon} ${o.unit}, margin ${o.margin}, annual discount rate ${o.discountRate})`);
    predictionsNote = { predictions: { file: o.predictions, horizon, margin: o.margin, discount_rate: o.discountRate } };
  }
  print(JSON.stringify({ customers: customers.length, ...fitsJson(fits), timings_ms: fits.ms, ...predictionsNote }));
  if (problem) throw new ValueInputError(`${problem}${o.predictions ? '; no predictions written' : ''}`);
  return 0;
}

function runCheck(o: Options, print: (line: string) => void): number {
  const loaded = load(o);
  const fits = fitValueModels(loaded.customers);
  describeFits(fits, print);
  const problem = failed(fits);
  if (problem) {
    print(JSON.stringify({ customers: loaded.customers.length, ...fitsJson(fits) }));
    throw new ValueInputError(problem);
  }
  const report = trackHoldout(fits, loaded.customers, loaded.days, { unit: o.unit, calibrationEndDay: loaded.calibrationEndDay, holdoutEndDay: loaded.holdoutEndDay });
  print(`calibration to ${o.calibrationEnd}, holdout to ${formatDay(loaded.holdoutEndDay)}: ${report.holdout.actual} repeat purchases in the holdout, BG/NBD ${report.holdout.bgnbd.toFixed(1)}, Pareto/NBD ${report.holdout.pareto.toFixed(1)}`);
  print('week  cumulative repeat purchases: actual  BG/NBD  Pareto/NBD');
  report.tracking.week.forEach((w, i) => {
    const mark = w === report.calibrationWeek ? '  ← calibration end' : '';
    print(`${String(w).padStart(4)}  ${String(report.tracking.actual[i]).padStart(38)}  ${report.tracking.bgnbd[i]!.toFixed(1).padStart(6)}  ${report.tracking.pareto[i]!.toFixed(1).padStart(10)}${mark}`);
  });
  print('x (calibration)  customers  mean holdout purchases: actual  BG/NBD  Pareto/NBD');
  for (const c of report.conditional) {
    print(`${c.x.padStart(15)}  ${String(c.customers).padStart(9)}  ${c.actual.toFixed(3).padStart(30)}  ${c.bgnbd.toFixed(3).padStart(6)}  ${c.pareto.toFixed(3).padStart(10)}`);
  }
  print(JSON.stringify({ customers: loaded.customers.length, ...fitsJson(fits), ...report }));
  return 0;
}

/** Runs `value …`; returns the exit status. Messages go to stderr, results to `print`. */
export function runValueCommand(argv: readonly string[], print: (line: string) => void = (l) => console.log(l), fail: (line: string) => void = (l) => console.error(l)): number {
  let options: Options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    fail(`${(error as Error).message}\n${VALUE_USAGE}`);
    return 2;
  }
  try {
    return options.command === 'fit' ? runFit(options, print) : runCheck(options, print);
  } catch (error) {
    if (!(error instanceof ValueInputError) && !(error instanceof Error && error.name === 'SeriesNotConvergedError')) throw error;
    fail(`value ${options.command}: ${error.message}`);
    return 1;
  }
}
