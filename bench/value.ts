/**
 * Customer value at scale: `npm run bench -- value [--customers N] [--seed S]`
 * (or VALUE_BENCH_CUSTOMERS). Simulates N customers from known BG/NBD and
 * Gamma-Gamma parameters over two years, loads their transactions into a
 * throwaway PostgreSQL server (Debian's binaries), computes their (x, t_x, T)
 * there with HQ's SQL (src/hq/value/summary-sql.ts), fits BG/NBD and
 * Pareto/NBD on the distinct summaries, and predicts P(alive) and expected
 * purchases for every customer. Last line: one JSON object.
 */
import { parseArgs } from 'node:util';
import { openPostgres, type Sql } from '../src/hq/db';
import { customerSummarySql, groupedSummarySql } from '../src/hq/value/summary-sql';
import { bgnbdConditionalExpected, bgnbdPAlive, fitBgNbd, type BgNbdParams } from '../src/shared/value/bgnbd';
import type { GammaGammaParams } from '../src/shared/value/gamma-gamma';
import { fitParetoNbd } from '../src/shared/value/pareto-nbd';
import { gammaVariate, seededUniform, simulateBgNbd } from '../src/shared/value/simulate';
import { groupSummaries } from '../src/shared/value/summaries';
import { postgresUnavailable, startPostgresCluster } from '../test/fakes/postgres-cluster';

/** Weeks: the CDNOW estimates of Fader, Hardie and Lee (2005), about three purchases a year while alive. */
const TRUE_BGNBD: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };
const TRUE_GG: GammaGammaParams = { p: 6, q: 4, gamma: 14 };
const DAYS = 730;
const CALIBRATION_END = '2026-06-30';
const BATCH = 200_000;

const seconds = (ms: number) => Math.round(ms) / 1000;

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const result = await fn();
  return [result, seconds(performance.now() - start)];
}

/**
 * Transactions, batch by batch: customer ids 1…N, first purchases in weekly
 * cohorts over the first 21 months (so T takes few values), repeat purchases
 * on the day of their simulated time. Rounding those to whole weeks would make
 * the distinct (x, t_x, T) fewer and the fits faster, but merges purchases of
 * one week and biases α by some 40 %: the bench keeps days.
 */
async function load(sql: Sql, customers: number, seed: number): Promise<{ transactions: number }> {
  const u = seededUniform(seed);
  let ids: number[] = [];
  let days: number[] = [];
  let amounts: number[] = [];
  let transactions = 0;
  const flush = async () => {
    if (ids.length === 0) return;
    await sql.query(
      `INSERT INTO bench_tx (customer_id, day, amount) SELECT c, $4::date - (d || ' days')::interval, a FROM unnest($1::int[], $2::int[], $3::float8[]) AS u(c, d, a)`,
      [ids, days, amounts, CALIBRATION_END],
    );
    transactions += ids.length;
    ids = [];
    days = [];
    amounts = [];
  };
  for (let c = 1; c <= customers; c++) {
    // Weeks before the calibration end of the first purchase: 13 … 104.
    const weeks = 13 + Math.floor(u() * (DAYS / 7 - 12));
    const age = weeks * 7;
    const sim = simulateBgNbd(u, TRUE_BGNBD, weeks);
    const nu = gammaVariate(u, TRUE_GG.q, TRUE_GG.gamma);
    ids.push(c);
    days.push(age);
    amounts.push(gammaVariate(u, TRUE_GG.p, nu));
    for (const t of sim.times) {
      ids.push(c);
      // Never on the first purchase's day (that would merge them): a repeat purchase is at least a day later.
      days.push(Math.max(0, age - Math.max(1, Math.round(t * 7))));
      amounts.push(gammaVariate(u, TRUE_GG.p, nu));
    }
    if (ids.length >= BATCH) await flush();
  }
  await flush();
  return { transactions };
}

export async function runValueBench(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { customers: { type: 'string' }, seed: { type: 'string', default: '15' } } });
  const customers = Number(values.customers ?? process.env.VALUE_BENCH_CUSTOMERS ?? 1_000_000);
  if (!Number.isInteger(customers) || customers < 100) throw new Error('--customers is a whole number of at least 100');
  const unavailable = postgresUnavailable();
  if (unavailable) throw new Error(`the value bench needs a PostgreSQL server: ${unavailable}`);
  const cluster = await startPostgresCluster('fidele-bench-value-');
  const sql = await openPostgres(cluster.url('postgres'));
  try {
    await sql.exec('CREATE UNLOGGED TABLE bench_tx (customer_id int NOT NULL, day date NOT NULL, amount float8 NOT NULL)');
    const [{ transactions }, loadS] = await timed(() => load(sql, customers, Number(values.seed)));
    await sql.exec('ANALYZE bench_tx');
    console.log(`${customers} customers, ${transactions} transactions loaded in ${loadS} s (BG/NBD ${JSON.stringify(TRUE_BGNBD)}, weeks)`);

    // Per customer, as the nightly run reads them, and grouped, as the fits take them.
    const [rows, summaryS] = await timed(() => sql.query<{ x: number; t_x: number; t: number }>(customerSummarySql('bench_tx'), [CALIBRATION_END, 7]));
    const [grouped, groupedS] = await timed(() => sql.query<{ x: number; t_x: number; t: number; n: number }>(groupedSummarySql('bench_tx'), [CALIBRATION_END, 7]));
    console.log(`summaries in SQL: ${rows.length} customers in ${summaryS} s; ${grouped.length} distinct (x, t_x, T) in ${groupedS} s`);
    const g = groupSummaries(grouped.map((r) => ({ x: r.x, tx: r.t_x, T: r.t, n: r.n })));

    const [bg, fitBgS] = await timed(() => fitBgNbd(g));
    const [pareto, fitParetoS] = await timed(() => fitParetoNbd(g));
    const errors = (Object.keys(TRUE_BGNBD) as (keyof BgNbdParams)[]).map((k) => Math.abs(bg.model[k] - TRUE_BGNBD[k]) / TRUE_BGNBD[k]);
    const maxError = Math.max(...errors);
    console.log(`BG/NBD ${JSON.stringify(bg.model)} converged ${bg.converged} in ${fitBgS} s; largest relative error ${maxError.toFixed(4)}`);
    console.log(`Pareto/NBD ${JSON.stringify(pareto.model)} converged ${pareto.converged} in ${fitParetoS} s`);

    // Every customer's P(alive) and expected purchases over 13 weeks, computed once per distinct summary.
    const [predicted, predictS] = await timed(() => {
      // t_x and T are whole days over 7: (x, days of t_x, days of T) packed in one number is the summary's key.
      const cache = new Map<number, number>();
      const pAlive = new Float64Array(rows.length);
      const expected = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) {
        const r = rows[i]!;
        const key = (r.x * 4096 + Math.round(r.t_x * 7)) * 4096 + Math.round(r.t * 7);
        const at = cache.get(key);
        if (at === undefined) {
          cache.set(key, i);
          pAlive[i] = bgnbdPAlive(bg.model, r.x, r.t_x, r.t);
          expected[i] = bgnbdConditionalExpected(bg.model, r.x, r.t_x, r.t, 13);
        } else {
          pAlive[i] = pAlive[at]!;
          expected[i] = expected[at]!;
        }
      }
      let sum = 0;
      for (const e of expected) sum += e;
      return { sum };
    });
    console.log(`predictions for ${rows.length} customers in ${predictS} s (expected purchases over 13 weeks: ${predicted.sum.toFixed(0)})`);
    console.log(
      JSON.stringify({
        customers,
        transactions,
        distinct_summaries: grouped.length,
        load_s: loadS,
        summary_s: summaryS,
        grouped_summary_s: groupedS,
        fit_bgnbd_s: fitBgS,
        fit_pareto_s: fitParetoS,
        bgnbd_converged: bg.converged,
        pareto_converged: pareto.converged,
        param_max_rel_error: Math.round(maxError * 10_000) / 10_000,
        predict_s: predictS,
        true: TRUE_BGNBD,
        fitted: bg.model,
      }),
    );
  } finally {
    await sql.close();
    cluster.stop();
  }
}
