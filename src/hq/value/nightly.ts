import { newId, nextChangeVersion, type HqContext } from '../context';
import type { Sql } from '../db';
import { SEGMENTS, segmentOf, type Segment, type ValueConfig } from '../../shared/value/value-config';
import type { CustomerSummary } from '../../shared/value/summaries';
import type { ValueAggregates } from './member-scores';
import { customerSummarySql } from './summary-sql';
import { fitsJson } from './value-cli';
import { fitValueModels, predictCustomers, type ModelFits } from './value-run';

/**
 * The nightly customer-value run (docs/value.md): the chain's visits (journal
 * entries of kind `earn`, one per sale to a member) summarised in SQL, the
 * three models fitted on the distinct summaries, and per customer P(alive),
 * expected visits, expected spend, value and segment. Every customer counts in
 * the aggregates; only members whose latest profiling choice is « yes » get a
 * row of their own, which their stores' terminals receive in the pull.
 * A fit that does not converge changes no member's row: the run is recorded
 * with the reason and yesterday's scores stay.
 */

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;

/** The visits: one row per sale to a member, its day in the chain's zone and its net amount in euros. */
export function visitsRelation(timeZone: string): string {
  // The zone went through ValueConfig's pattern (letters, digits, _ + - /): safe inside quotes.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(timeZone)) throw new Error(`invalid time zone ${JSON.stringify(timeZone)}`);
  // float8 seconds, not `/ 1000.0`: that is exact numeric division, a large share of a million-member run,
  // and to_timestamp takes a float8 anyway (exact to the microsecond for these magnitudes).
  return `(SELECT member_id AS customer_id,
            (to_timestamp(wall_time::float8 / 1000) AT TIME ZONE '${timeZone}')::date AS day,
            CASE WHEN jsonb_typeof(entry->'detail'->'net_cents') = 'number'
                 THEN greatest((entry->'detail'->>'net_cents')::float8, 0) / 100 ELSE 0 END AS amount
          FROM journal_entry WHERE kind = 'earn' AND member_id IS NOT NULL)`;
}

/** The calendar day of `at` in `timeZone`, YYYY-MM-DD. */
export function localDay(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

const dayNumber = (iso: string) => Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export type RunTrigger = 'nightly' | 'manual' | 'startup';

export interface NightlyResult {
  runId: string;
  asOf: string;
  status: 'ok' | 'not_converged' | 'too_few';
  message: string | null;
  customers: number;
  scored: number;
  segments: Record<Segment, number> | null;
  ms: number;
}

interface Scored {
  id: string;
  x: number;
  firstDay: number;
  lastDay: number;
  pAlive: number;
  visits: number;
  spend: number;
  value: number;
  revenue: number;
  segment: Segment;
}

function lorenz(amounts: number[]): { points: { customerShare: number; share: number }[]; top20: number } {
  const sorted = [...amounts].sort((a, b) => b - a);
  const total = sorted.reduce((s, v) => s + v, 0);
  const cumulative = [0];
  for (const v of sorted) cumulative.push(cumulative[cumulative.length - 1]! + v);
  const at = (share: number) => (total > 0 ? cumulative[Math.round(share * sorted.length)]! / total : 0);
  const points = Array.from({ length: 21 }, (_, i) => ({ customerShare: i / 20, share: round(at(i / 20), 4) }));
  return { points, top20: round(at(0.2), 4) };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

function aggregatesOf(all: readonly Scored[], config: ValueConfig): ValueAggregates {
  const segments = Object.fromEntries(SEGMENTS.map((s) => [s, 0])) as Record<Segment, number>;
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: round(i / 10, 1), to: round((i + 1) / 10, 1), customers: 0 }));
  let revenue = 0;
  let visits = 0;
  let value = 0;
  for (const c of all) {
    segments[c.segment] += 1;
    bins[Math.min(9, Math.floor(c.pAlive * 10))]!.customers += 1;
    revenue += c.revenue;
    visits += c.visits;
    value += c.value;
  }
  const byRevenue = lorenz(all.map((c) => c.revenue));
  const byValue = lorenz(all.map((c) => c.value));
  return {
    segments,
    pAliveHistogram: bins,
    concentration: { revenue: byRevenue.points, value: byValue.points, top20RevenueShare: byRevenue.top20, top20ValueShare: byValue.top20 },
    totals: { revenue: round(revenue, 2), expectedVisits: round(visits, 1), value: round(value, 2) },
    horizonDays: { visits: config.visitsHorizonDays, value: config.valueHorizonDays },
  };
}

/** Members whose latest profiling choice is a yes. */
async function profilingMembers(sql: Sql): Promise<Set<string>> {
  const rows = await sql.query<{ customer_id: string }>(
    `SELECT customer_id FROM (
       SELECT DISTINCT ON (customer_id) customer_id, granted FROM member_consent
       WHERE purpose = 'profiling' ORDER BY customer_id, recorded_at DESC) latest
     WHERE granted`,
  );
  return new Set(rows.map((r) => r.customer_id));
}

/**
 * One run: fit, score, store. Safe to call at any time; runs never overlap within one HQ process (see ValueScheduler).
 * `asOf` (YYYY-MM-DD, default today) looks back from an earlier day: the visits after it are left out (the demo's past runs).
 */
export async function runValueNightly(ctx: HqContext, config: ValueConfig, trigger: RunTrigger, lookBackFrom?: string): Promise<NightlyResult> {
  const started = ctx.clock.now();
  const t0 = performance.now();
  const runId = newId(ctx);
  const asOf = lookBackFrom ?? localDay(started, config.timeZone);
  const asOfDay = dayNumber(asOf);
  const relation = visitsRelation(config.timeZone);

  const rows = await ctx.sql.query<{ customer_id: string; x: number; t_x: number; t: number; birth: string | Date; zbar: number | null }>(customerSummarySql(relation), [
    asOf,
    WEEK_DAYS,
  ]);
  const revenueRows = await ctx.sql.query<{ customer_id: string; revenue: number }>(
    `SELECT customer_id, sum(amount)::float8 AS revenue FROM ${relation} AS p WHERE day <= $1::date GROUP BY customer_id`,
    [asOf],
  );
  const revenueOf = new Map(revenueRows.map((r) => [r.customer_id, Number(r.revenue)]));
  const customers: CustomerSummary[] = rows.map((r) => ({
    id: r.customer_id,
    x: Number(r.x),
    tx: Number(r.t_x),
    T: Number(r.t),
    zbar: r.zbar === null ? null : Number(r.zbar),
    birthDay: asOfDay - Math.round(Number(r.t) * WEEK_DAYS),
    holdout: 0,
  }));

  const record = async (status: NightlyResult['status'], message: string | null, fits: ModelFits | null, scored: Scored[], consenting: Set<string>) => {
    const result: NightlyResult = { runId, asOf, status, message, customers: customers.length, scored: 0, segments: null, ms: 0 };
    await ctx.sql.transaction(async (tx) => {
      const aggregates = status === 'ok' ? aggregatesOf(scored, config) : null;
      const mine = scored.filter((c) => consenting.has(c.id));
      if (status === 'ok') {
        result.segments = aggregates!.segments;
        result.scored = mine.length;
        await storeScores(tx, runId, asOf, mine, scored);
      }
      await tx.query(
        `INSERT INTO value_run (run_id, run_no, started_at, finished_at, trigger, as_of, status, message, config, params, customers, scored, aggregates)
         VALUES ($1, (SELECT coalesce(max(run_no), 0) + 1 FROM value_run), $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12::jsonb)`,
        [runId, started, ctx.clock.now(), trigger, asOf, status, message, JSON.stringify(config), fits ? JSON.stringify(fitsJson(fits)) : null, customers.length, result.scored, aggregates ? JSON.stringify(aggregates) : null],
      );
    });
    result.ms = Math.round(performance.now() - t0);
    ctx.logger.info('customer value run', { runId, trigger, asOf, status, message, customers: result.customers, scored: result.scored, ms: result.ms });
    return result;
  };

  const repeaters = customers.filter((c) => c.x > 0).length;
  if (repeaters < config.minRepeatCustomers) {
    return record('too_few', `${repeaters} customers with a repeat visit, fewer than the ${config.minRepeatCustomers} a fit needs`, null, [], new Set());
  }
  const fits = fitValueModels(customers);
  const failed = (['bgnbd', 'gg'] as const).filter((m) => !fits[m].converged);
  if (failed.length > 0) return record('not_converged', `${failed.join(' and ')} did not converge: scores left as they were`, fits, [], new Set());

  const predictions = (horizonDays: number) =>
    predictCustomers(fits, customers, { unit: 'weeks', horizon: horizonDays / WEEK_DAYS, margin: config.margin, discountRate: config.discountRate });
  const visits = predictions(config.visitsHorizonDays);
  const value = predictions(config.valueHorizonDays);
  const order = value.map((_, i) => i).sort((a, b) => value[b]!.valueBgNbd - value[a]!.valueBgNbd);
  const rank = new Array<number>(order.length);
  order.forEach((i, r) => (rank[i] = r));
  const scored: Scored[] = customers.map((c, i) => {
    const firstDay = c.birthDay;
    const lastDay = firstDay + Math.round(c.tx * WEEK_DAYS);
    const pAlive = visits[i]!.pAliveBgNbd;
    return {
      id: c.id,
      x: c.x,
      firstDay,
      lastDay,
      pAlive,
      visits: visits[i]!.purchasesBgNbd,
      spend: visits[i]!.spend,
      value: value[i]!.valueBgNbd,
      revenue: revenueOf.get(c.id) ?? 0,
      segment: segmentOf(config.segments, {
        pAlive,
        valueRank: rank[i]!,
        customers: customers.length,
        repeatVisits: c.x,
        firstVisitDaysAgo: asOfDay - firstDay,
        lastVisitDaysAgo: asOfDay - lastDay,
      }),
    };
  });
  return record('ok', null, fits, scored, await profilingMembers(ctx.sql));
}

/**
 * Writes the consenting members' rows, drops the others', counts segments
 * and flows. A row's change_version moves only when what the terminals see
 * (segment, P(alive) to the hundredth, last visit) changed, so a quiet night
 * sends the stores nothing.
 */
async function storeScores(tx: Sql, runId: string, asOf: string, mine: readonly Scored[], all: readonly Scored[]): Promise<void> {
  const version = await nextChangeVersion(tx);
  const before = await tx.query<{ customer_id: string; segment: Segment }>('SELECT customer_id, segment FROM member_value');
  const previous = new Map(before.map((r) => [r.customer_id, r.segment]));
  const ids = mine.map((c) => c.id);
  await tx.query(
    `INSERT INTO member_value (customer_id, run_id, as_of, repeat_visits, first_visit, last_visit, p_alive, expected_visits, expected_spend, value, segment, previous_segment, change_version)
     SELECT u.id, $1, $2, u.x, u.first_visit, u.last_visit, u.p_alive, u.visits, u.spend, u.value, u.segment, NULL, $3
     FROM unnest($4::text[], $5::int[], $6::text[], $7::text[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::text[])
       AS u(id, x, first_visit, last_visit, p_alive, visits, spend, value, segment)
     ON CONFLICT (customer_id) DO UPDATE SET
       run_id = EXCLUDED.run_id, as_of = EXCLUDED.as_of, repeat_visits = EXCLUDED.repeat_visits, first_visit = EXCLUDED.first_visit,
       last_visit = EXCLUDED.last_visit, p_alive = EXCLUDED.p_alive, expected_visits = EXCLUDED.expected_visits,
       expected_spend = EXCLUDED.expected_spend, value = EXCLUDED.value, segment = EXCLUDED.segment,
       previous_segment = member_value.segment,
       change_version = CASE WHEN member_value.segment <> EXCLUDED.segment OR member_value.last_visit <> EXCLUDED.last_visit
                               OR round(member_value.p_alive::numeric, 2) <> round(EXCLUDED.p_alive::numeric, 2)
                             THEN EXCLUDED.change_version ELSE member_value.change_version END`,
    [
      runId,
      asOf,
      version,
      ids,
      mine.map((c) => c.x),
      mine.map((c) => isoOf(c.firstDay)),
      mine.map((c) => isoOf(c.lastDay)),
      mine.map((c) => c.pAlive),
      mine.map((c) => c.visits),
      mine.map((c) => c.spend),
      mine.map((c) => c.value),
      mine.map((c) => c.segment),
    ],
  );
  const dropped = await tx.query<{ customer_id: string }>('DELETE FROM member_value WHERE NOT (customer_id = ANY($1::text[])) RETURNING customer_id', [ids]);
  if (dropped.length > 0) {
    await tx.query(
      `INSERT INTO member_value_removed (customer_id, change_version) SELECT id, $2 FROM unnest($1::text[]) AS u(id)
       ON CONFLICT (customer_id) DO UPDATE SET change_version = EXCLUDED.change_version`,
      [dropped.map((d) => d.customer_id), version],
    );
  }
  await tx.query('DELETE FROM member_value_removed WHERE customer_id = ANY($1::text[])', [ids]);

  const counts = new Map<Segment, { customers: number; scored: number }>(SEGMENTS.map((s) => [s, { customers: 0, scored: 0 }]));
  for (const c of all) counts.get(c.segment)!.customers += 1;
  for (const c of mine) counts.get(c.segment)!.scored += 1;
  await tx.query(
    `INSERT INTO value_segment_count (run_id, as_of, segment, customers, scored)
     SELECT $1, $2, u.segment, u.customers, u.scored FROM unnest($3::text[], $4::int[], $5::int[]) AS u(segment, customers, scored)`,
    [runId, asOf, [...counts.keys()], [...counts.values()].map((c) => c.customers), [...counts.values()].map((c) => c.scored)],
  );
  const flows = new Map<string, number>();
  for (const c of mine) {
    const key = `${previous.get(c.id) ?? 'new'}>${c.segment}`;
    flows.set(key, (flows.get(key) ?? 0) + 1);
  }
  const keys = [...flows.keys()];
  await tx.query(
    `INSERT INTO value_segment_flow (run_id, from_segment, to_segment, members)
     SELECT $1, u.from_segment, u.to_segment, u.members FROM unnest($2::text[], $3::text[], $4::int[]) AS u(from_segment, to_segment, members)`,
    [runId, keys.map((k) => k.split('>')[0]), keys.map((k) => k.split('>')[1]), [...flows.values()]],
  );
}
