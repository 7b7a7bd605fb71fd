import { HqError } from '../context';
import type { Sql } from '../db';
import { SEGMENTS } from '../../shared/value/value-config';
import { summariseCustomer, type CustomerSummary, type PurchaseDay } from '../../shared/value/summaries';
import type { ValueAggregates } from '../value/member-scores';
import { visitsRelation } from '../value/nightly';
import { fitValueModels, trackHoldout } from '../value/value-run';

/**
 * The head office's dashboard charts (docs/hq-api.md, « Dashboard »), each
 * answered as one table: `columns` and `rows` of plain numbers and words, the
 * same rows the console draws, lists as a table and offers as CSV. The SQL
 * is plain PostgreSQL (window functions, FILTER, generate_series), the same
 * on PGlite and on a PostgreSQL server.
 */

export interface ChartQuery {
  /** First day, YYYY-MM-DD, inclusive. */
  from: string;
  /** Last day, YYYY-MM-DD, inclusive. */
  to: string;
  /** Only the members linked to this store (member_store), or its incidents; null for the whole chain. */
  store: string | null;
  /** The calibration chart only: its calibration end, YYYY-MM-DD (inside from..to). */
  calibrationEnd: string | null;
  /** The chain's time zone: a visit's, an incident's or a posting's day is taken there. */
  timeZone: string;
}

export type Cell = number | string;

export interface ChartAnswer {
  chart: string;
  from: string;
  to: string;
  store: string | null;
  /** Row keys in the table's order. */
  columns: string[];
  rows: Record<string, Cell>[];
  /** What a chart says besides its rows (the top 20 %'s share, the run's day…). */
  facts: Record<string, Cell | null>;
}

/**
 * Tiers by rank of rolling 12-month spend: the top 20 % gold, the next 60 %
 * basic, the last 20 % occasional. Fixed here for now; the programme will
 * make the cut-offs configurable (docs/hq-api.md).
 */
export const TIER_CUTS = { gold: 0.2, basic: 0.8 } as const;

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** `AND <column> IN (the store's members)` with the store as parameter $n, or nothing for the whole chain. */
function storeMembers(q: ChartQuery, column: string, n: number): { clause: string; params: string[] } {
  return q.store === null ? { clause: '', params: [] } : { clause: ` AND ${column} IN (SELECT customer_id FROM member_store WHERE store_id = $${n})`, params: [q.store] };
}

/** A local day (YYYY-MM-DD as a date) of an epoch-ms column, in the chain's zone. */
function localDate(column: string, timeZone: string): string {
  visitsRelation(timeZone); // validates the zone's spelling before it goes inside quotes
  return `(to_timestamp(${column} / 1000.0) AT TIME ZONE '${timeZone}')::date`;
}

/** Mondays from the week of `from` to the week of `to`, YYYY-MM-DD. */
function mondays(from: string, to: string): string[] {
  const start = dayOf(from) - ((new Date(`${from}T00:00:00Z`).getUTCDay() + 6) % 7);
  const out: string[] = [];
  for (let d = start; d <= dayOf(to); d += 7) out.push(isoOf(d));
  return out;
}

async function concentration(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  const store = storeMembers(q, 'v.customer_id', 3);
  const rows = await sql.query<{ i: number; n: number; total: number; cumulative: number }>(
    `WITH revenue AS (
       SELECT v.customer_id, sum(v.amount)::float8 AS revenue FROM ${visitsRelation(q.timeZone)} AS v
       WHERE v.day BETWEEN $1::date AND $2::date${store.clause}
       GROUP BY v.customer_id
     ), ranked AS (
       SELECT row_number() OVER (ORDER BY revenue DESC, customer_id) AS k,
              sum(revenue) OVER (ORDER BY revenue DESC, customer_id ROWS UNBOUNDED PRECEDING) AS cumulative
       FROM revenue
     ), totals AS (SELECT count(*)::int AS n, coalesce(sum(revenue), 0)::float8 AS total FROM revenue)
     SELECT s.i::int AS i, t.n, t.total,
            coalesce((SELECT r.cumulative FROM ranked r WHERE r.k = round(s.i * t.n / 20.0)), 0)::float8 AS cumulative
     FROM generate_series(0, 20) AS s(i) CROSS JOIN totals t
     ORDER BY s.i`,
    [q.from, q.to, ...store.params],
  );
  const total = Number(rows[0]?.total ?? 0);
  const points = rows.map((r) => ({ customerShare: round(r.i / 20, 2), revenueShare: total > 0 ? round(Number(r.cumulative) / total, 4) : 0 }));
  return {
    ...frame('concentration', q, ['customerShare', 'revenueShare']),
    rows: points,
    facts: { customers: Number(rows[0]?.n ?? 0), revenue: round(total, 2), top20Share: points[4]?.revenueShare ?? 0 },
  };
}

async function tiers(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  const store = storeMembers(q, 'v.customer_id', 5);
  const rows = await sql.query<{ month: string; gold: number; basic: number; occasional: number }>(
    `WITH months AS (
       SELECT least((g.m + interval '1 month' - interval '1 day')::date, $2::date) AS month_end
       FROM generate_series(date_trunc('month', $1::timestamp), date_trunc('month', $2::timestamp), interval '1 month') AS g(m)
     ), spend AS (
       SELECT mo.month_end, v.customer_id, sum(v.amount) AS spend
       FROM months mo JOIN ${visitsRelation(q.timeZone)} AS v
         ON v.day > (mo.month_end - interval '12 months')::date AND v.day <= mo.month_end
       WHERE true${store.clause}
       GROUP BY mo.month_end, v.customer_id
     ), ranked AS (
       SELECT month_end, row_number() OVER (PARTITION BY month_end ORDER BY spend DESC, customer_id) AS k,
              count(*) OVER (PARTITION BY month_end) AS n
       FROM spend
     )
     SELECT to_char(mo.month_end, 'YYYY-MM') AS month,
            count(r.k) FILTER (WHERE r.k <= $3::float8 * r.n)::int AS gold,
            count(r.k) FILTER (WHERE r.k > $3::float8 * r.n AND r.k <= $4::float8 * r.n)::int AS basic,
            count(r.k) FILTER (WHERE r.k > $4::float8 * r.n)::int AS occasional
     FROM months mo LEFT JOIN ranked r ON r.month_end = mo.month_end
     GROUP BY mo.month_end ORDER BY mo.month_end`,
    [q.from, q.to, TIER_CUTS.gold, TIER_CUTS.basic, ...store.params],
  );
  return {
    ...frame('tiers', q, ['month', 'gold', 'basic', 'occasional']),
    rows: rows.map((r) => ({ month: r.month, gold: r.gold, basic: r.basic, occasional: r.occasional })),
    facts: { goldShare: TIER_CUTS.gold, basicShare: round(TIER_CUTS.basic - TIER_CUTS.gold, 2) },
  };
}

/** Model charts describe the whole chain: a store filter is refused rather than silently ignored. */
function chainOnly(q: ChartQuery, chart: string): void {
  if (q.store !== null) throw new HqError('malformed', 400, `the ${chart} chart is for the whole chain: the nightly run scores customers, not stores (no store filter)`);
}

async function segments(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  chainOnly(q, 'segments');
  const rows = await sql.query<{ as_of: string; segment: string; customers: number }>(
    `SELECT c.as_of, c.segment, c.customers FROM value_segment_count c
     JOIN (SELECT DISTINCT ON (as_of) run_id, as_of FROM value_run
           WHERE status = 'ok' AND as_of BETWEEN $1 AND $2 ORDER BY as_of, run_no DESC) r ON r.run_id = c.run_id
     ORDER BY c.as_of, c.segment`,
    [q.from, q.to],
  );
  const byDay = new Map<string, Record<string, Cell>>();
  for (const r of rows) {
    let row = byDay.get(r.as_of);
    if (!row) byDay.set(r.as_of, (row = { asOf: r.as_of, ...Object.fromEntries(SEGMENTS.map((s) => [s, 0])) }));
    row[r.segment] = r.customers;
  }
  return { ...frame('segments', q, ['asOf', ...SEGMENTS]), rows: [...byDay.values()], facts: { runs: byDay.size } };
}

/** The latest successful run whose day is in the range, or null. */
async function latestRun(sql: Sql, q: ChartQuery): Promise<{ run_id: string; as_of: string; aggregates: ValueAggregates | null } | null> {
  const rows = await sql.query<{ run_id: string; as_of: string; aggregates: ValueAggregates | null }>(
    `SELECT run_id, as_of, aggregates FROM value_run WHERE status = 'ok' AND as_of BETWEEN $1 AND $2 ORDER BY run_no DESC LIMIT 1`,
    [q.from, q.to],
  );
  return rows[0] ?? null;
}

async function flows(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  chainOnly(q, 'flows');
  const run = await latestRun(sql, q);
  const rows = run
    ? await sql.query<{ from: string; to: string; members: number }>(
        'SELECT from_segment AS "from", to_segment AS "to", members FROM value_segment_flow WHERE run_id = $1 ORDER BY from_segment, to_segment',
        [run.run_id],
      )
    : [];
  return { ...frame('flows', q, ['from', 'to', 'members']), rows: rows.map((r) => ({ from: r.from, to: r.to, members: r.members })), facts: { asOf: run?.as_of ?? null } };
}

async function pAlive(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  chainOnly(q, 'P(alive)');
  const run = await latestRun(sql, q);
  const bins = run?.aggregates?.pAliveHistogram ?? [];
  return { ...frame('palive', q, ['from', 'to', 'customers']), rows: bins.map((b) => ({ from: b.from, to: b.to, customers: b.customers })), facts: { asOf: run?.as_of ?? null } };
}

/** Fitting costs what the distinct summaries cost, but a chart is not a night's run: a bound on its input. */
export const CALIBRATION_MAX_CUSTOMERS = 200_000;

async function calibration(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  const store = storeMembers(q, 'v.customer_id', 3);
  const end = q.calibrationEnd ?? isoOf(dayOf(q.from) + Math.round(((dayOf(q.to) - dayOf(q.from)) * 2) / 3));
  if (end < q.from || end >= q.to) throw new HqError('malformed', 400, `calibrationEnd ${end} must be on or after from (${q.from}) and before to (${q.to}): the holdout is what follows it`);
  const visits = await sql.query<{ customer_id: string; day: string; amount: number }>(
    `SELECT v.customer_id, to_char(v.day, 'YYYY-MM-DD') AS day, sum(v.amount)::float8 AS amount FROM ${visitsRelation(q.timeZone)} AS v
     WHERE v.day BETWEEN $1::date AND $2::date${store.clause}
     GROUP BY v.customer_id, v.day ORDER BY v.customer_id, v.day`,
    [q.from, q.to, ...store.params],
  );
  const days = new Map<string, PurchaseDay[]>();
  for (const v of visits) {
    let list = days.get(v.customer_id);
    if (!list) days.set(v.customer_id, (list = []));
    list.push({ day: dayOf(v.day), amount: Number(v.amount) });
  }
  if (days.size > CALIBRATION_MAX_CUSTOMERS) throw new HqError('too_large', 413, `${days.size} customers in the range: narrow it (at most ${CALIBRATION_MAX_CUSTOMERS})`);
  const calibrationEndDay = dayOf(end);
  const customers: CustomerSummary[] = [];
  for (const [id, list] of days) {
    const s = summariseCustomer(id, list, calibrationEndDay, 7, dayOf(q.to));
    if (s) customers.push(s);
  }
  if (customers.filter((c) => c.x > 0).length < 2) throw new HqError('no_fit', 422, `too few customers with a repeat visit before ${end} to fit the models`);
  const fits = fitValueModels(customers);
  // BG/NBD is the model the nightly run scores with: without it there is nothing to show. Pareto/NBD is drawn beside it when it converged.
  if (!fits.bgnbd.converged) throw new HqError('no_fit', 422, `the BG/NBD fit did not converge on this range (${fits.bgnbd.reason ?? 'no reason given'}): no prediction to show`);
  const withPareto = fits.pareto.converged;
  const report = trackHoldout(fits, customers, days, { unit: 'weeks', calibrationEndDay, holdoutEndDay: dayOf(q.to) });
  const origin = Math.min(...customers.map((c) => c.birthDay));
  const rows = report.tracking.week.map((week, i) => ({
    week,
    weekEnd: isoOf(origin + 7 * week - 1),
    actual: report.tracking.actual[i]!,
    bgnbd: round(report.tracking.bgnbd[i]!, 1),
    ...(withPareto ? { pareto: round(report.tracking.pareto[i]!, 1) } : {}),
  }));
  return {
    ...frame('calibration', q, ['week', 'weekEnd', 'actual', 'bgnbd', ...(withPareto ? ['pareto'] : [])]),
    rows,
    facts: {
      calibrationEnd: end,
      calibrationWeek: report.calibrationWeek,
      customers: customers.length,
      holdoutActual: report.holdout.actual,
      holdoutBgnbd: round(report.holdout.bgnbd, 1),
      holdoutPareto: withPareto ? round(report.holdout.pareto, 1) : null,
      paretoNote: withPareto ? null : `Pareto/NBD did not converge: ${fits.pareto.reason ?? ''}`,
    },
  };
}

async function incidents(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  const day = localDate('opened_at', q.timeZone);
  const rows = await sql.query<{ week: string; kind: string; incidents: number }>(
    `SELECT to_char(date_trunc('week', ${day}::timestamp), 'YYYY-MM-DD') AS week, kind, count(*)::int AS incidents
     FROM customer_incident WHERE ${day} BETWEEN $1::date AND $2::date${q.store === null ? '' : ' AND store_id = $3'}
     GROUP BY 1, 2 ORDER BY 1, 2`,
    q.store === null ? [q.from, q.to] : [q.from, q.to, q.store],
  );
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  const byWeek = new Map<string, Record<string, Cell>>(mondays(q.from, q.to).map((w) => [w, { week: w, ...Object.fromEntries(kinds.map((k) => [k, 0])) }]));
  for (const r of rows) byWeek.get(r.week)![r.kind] = r.incidents;
  return { ...frame('incidents', q, ['week', ...kinds]), rows: [...byWeek.values()], facts: { incidents: rows.reduce((s, r) => s + r.incidents, 0) } };
}

async function points(sql: Sql, q: ChartQuery): Promise<ChartAnswer> {
  const day = localDate('posted_at', q.timeZone);
  const store = storeMembers(q, 'customer_id', 3);
  // Program accounts mirror the members' (src/main/core/ledger/accounts.ts): issuance goes negative as points are issued.
  const rows = await sql.query<{ week: string; issued: number; redeemed: number; expired: number }>(
    `SELECT to_char(date_trunc('week', ${day}::timestamp), 'YYYY-MM-DD') AS week,
            coalesce(-sum(delta) FILTER (WHERE account = 'program:issuance'), 0)::float8 AS issued,
            coalesce(sum(delta) FILTER (WHERE account = 'program:redemption'), 0)::float8 AS redeemed,
            coalesce(sum(delta) FILTER (WHERE account = 'program:expired'), 0)::float8 AS expired
     FROM posting
     WHERE account IN ('program:issuance', 'program:redemption', 'program:expired') AND ${day} BETWEEN $1::date AND $2::date${store.clause}
     GROUP BY 1 ORDER BY 1`,
    [q.from, q.to, ...store.params],
  );
  const byWeek = new Map<string, Record<string, Cell>>(mondays(q.from, q.to).map((w) => [w, { week: w, issued: 0, redeemed: 0, expired: 0 }]));
  for (const r of rows) byWeek.set(r.week, { week: r.week, issued: Number(r.issued), redeemed: Number(r.redeemed), expired: Number(r.expired) });
  return { ...frame('points', q, ['week', 'issued', 'redeemed', 'expired']), rows: [...byWeek.values()], facts: {} };
}

function frame(chart: string, q: ChartQuery, columns: string[]): Omit<ChartAnswer, 'rows' | 'facts'> {
  return { chart, from: q.from, to: q.to, store: q.store, columns };
}

export const CHARTS: Readonly<Record<string, (sql: Sql, q: ChartQuery) => Promise<ChartAnswer>>> = {
  concentration,
  tiers,
  segments,
  flows,
  palive: pAlive,
  calibration,
  incidents,
  points,
};

/** Stores for the filter: every store HQ knows. */
export async function dashboardStores(sql: Sql): Promise<{ stores: { storeId: string; name: string }[] }> {
  const rows = await sql.query<{ storeId: string; name: string | null }>('SELECT store_id AS "storeId", name FROM store ORDER BY store_id');
  return { stores: rows.map((r) => ({ storeId: r.storeId, name: r.name ?? r.storeId })) };
}

/** RFC 4180 CSV of a chart's table, header first. */
export function chartCsv(answer: ChartAnswer): string {
  const cell = (v: Cell | undefined) => {
    const text = v === undefined ? '' : String(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [answer.columns.map(cell).join(','), ...answer.rows.map((r) => answer.columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
