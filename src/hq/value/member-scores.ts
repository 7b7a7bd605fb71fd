import type { Sql } from '../db';
import { SEGMENTS, type Segment } from '../../shared/value/value-config';

/**
 * HQ's customer-value answers as JSON (docs/value.md, « API »), read from the
 * tables the nightly run writes (migration 7). Individual rows exist only for
 * members who agreed to profiling; the aggregates count every customer.
 */

export interface ValueRunView {
  runId: string;
  startedAt: number;
  finishedAt: number;
  trigger: 'nightly' | 'manual' | 'startup';
  /** The calibration end: the store-local day the run looked back from (YYYY-MM-DD). */
  asOf: string;
  status: 'ok' | 'not_converged' | 'too_few';
  message: string | null;
  config: unknown;
  /** {bgnbd: {r, alpha, a, b, ll, converged}, pareto: {r, alpha, s, beta, ll, converged}, gg: {p, q, gamma, ll, converged}}; null when no fit. */
  params: unknown;
  /** Customers with at least one visit (all of them, consenting or not). */
  customers: number;
  /** Members with an individual row (profiling consent). */
  scored: number;
  /** See docs/value.md: segments, pAliveHistogram, concentration, totals; null when no fit. */
  aggregates: ValueAggregates | null;
}

export interface ValueAggregates {
  /** Customers per segment, every customer. */
  segments: Record<Segment, number>;
  /** Ten bins of width 0.1 from 0 to 1 (the last includes 1). */
  pAliveHistogram: { from: number; to: number; customers: number }[];
  /**
   * Lorenz points, customers sorted by value (or by past revenue) descending:
   * the top `customerShare` bring `share` of it. 0, 0.05, …, 1.
   */
  concentration: { revenue: { customerShare: number; share: number }[]; value: { customerShare: number; share: number }[]; top20RevenueShare: number; top20ValueShare: number };
  totals: { revenue: number; expectedVisits: number; value: number };
  horizonDays: { visits: number; value: number };
}

export interface SegmentHistoryPoint {
  runId: string;
  asOf: string;
  segments: Record<Segment, { customers: number; scored: number }>;
}

export interface ValueOverview {
  latest: ValueRunView | null;
  /** Segment sizes at each successful run, oldest first (at most `historyLimit`). */
  history: SegmentHistoryPoint[];
  /** Scored members moving between the previous run and the latest: from `new` when first scored. */
  flows: { from: Segment | 'new'; to: Segment; members: number }[];
}

const RUN_COLUMNS = `run_id AS "runId", started_at AS "startedAt", finished_at AS "finishedAt", trigger, as_of AS "asOf", status, message, params, customers, scored`;

/** The latest run (whatever its status), the segment sizes over time and the latest flows. */
export async function valueOverview(sql: Sql, historyLimit = 400): Promise<ValueOverview> {
  const latest = await sql.query<ValueRunView>(`SELECT ${RUN_COLUMNS}, config, aggregates FROM value_run ORDER BY run_no DESC LIMIT 1`);
  const counts = await sql.query<{ run_id: string; as_of: string; segment: Segment; customers: number; scored: number }>(
    `SELECT c.run_id, c.as_of, c.segment, c.customers, c.scored FROM value_segment_count c
     JOIN (SELECT run_id, run_no FROM value_run WHERE status = 'ok' ORDER BY run_no DESC LIMIT $1) r ON r.run_id = c.run_id
     ORDER BY r.run_no`,
    [historyLimit],
  );
  const history: SegmentHistoryPoint[] = [];
  for (const c of counts) {
    let point = history[history.length - 1];
    if (!point || point.runId !== c.run_id) {
      point = { runId: c.run_id, asOf: c.as_of, segments: Object.fromEntries(SEGMENTS.map((s) => [s, { customers: 0, scored: 0 }])) as SegmentHistoryPoint['segments'] };
      history.push(point);
    }
    point.segments[c.segment] = { customers: c.customers, scored: c.scored };
  }
  const lastOk = history[history.length - 1]?.runId ?? null;
  const flows =
    lastOk === null
      ? []
      : await sql.query<{ from: Segment | 'new'; to: Segment; members: number }>(
          'SELECT from_segment AS "from", to_segment AS "to", members FROM value_segment_flow WHERE run_id = $1 ORDER BY from_segment, to_segment',
          [lastOk],
        );
  return { latest: latest[0] ?? null, history, flows };
}

/** The last runs, newest first: when they ran, how they ended. */
export async function valueRuns(sql: Sql, limit = 30): Promise<Omit<ValueRunView, 'aggregates' | 'config'>[]> {
  return sql.query<Omit<ValueRunView, 'aggregates' | 'config'>>(`SELECT ${RUN_COLUMNS} FROM value_run ORDER BY run_no DESC LIMIT $1`, [Math.min(Math.max(limit, 1), 500)]);
}

export interface MemberScore {
  memberId: string;
  asOf: string;
  repeatVisits: number;
  firstVisit: string;
  lastVisit: string;
  pAlive: number;
  /** Over the run's visits horizon (90 days by default). */
  expectedVisits: number;
  /** Per visit, euros (Gamma-Gamma). */
  expectedSpend: number;
  /** margin × spend × discounted expected visits over the value horizon, euros. */
  value: number;
  segment: Segment;
  previousSegment: Segment | null;
}

interface ScoreRow {
  customer_id: string;
  as_of: string;
  repeat_visits: number;
  first_visit: string;
  last_visit: string;
  p_alive: number;
  expected_visits: number;
  expected_spend: number;
  value: number;
  segment: Segment;
  previous_segment: Segment | null;
}

const scoreView = (r: ScoreRow): MemberScore => ({
  memberId: r.customer_id,
  asOf: r.as_of,
  repeatVisits: r.repeat_visits,
  firstVisit: r.first_visit,
  lastVisit: r.last_visit,
  pAlive: r.p_alive,
  expectedVisits: r.expected_visits,
  expectedSpend: r.expected_spend,
  value: r.value,
  segment: r.segment,
  previousSegment: r.previous_segment,
});

export interface MemberScoreQuery {
  segment?: Segment;
  /** Members linked to this store. */
  storeId?: string;
  limit?: number;
  offset?: number;
}

/** Scored members, highest value first. */
export async function memberScores(sql: Sql, q: MemberScoreQuery = {}): Promise<{ total: number; members: MemberScore[] }> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.segment !== undefined) {
    params.push(q.segment);
    where.push(`v.segment = $${params.length}`);
  }
  if (q.storeId !== undefined) {
    params.push(q.storeId);
    where.push(`EXISTS (SELECT 1 FROM member_store s WHERE s.customer_id = v.customer_id AND s.store_id = $${params.length})`);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const total = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM member_value v ${clause}`, params);
  const limit = Math.min(Math.max(q.limit ?? 100, 1), 1000);
  const offset = Math.max(q.offset ?? 0, 0);
  const rows = await sql.query<ScoreRow>(`SELECT v.* FROM member_value v ${clause} ORDER BY v.value DESC, v.customer_id LIMIT ${limit} OFFSET ${offset}`, params);
  return { total: total[0]?.n ?? 0, members: rows.map(scoreView) };
}

/** One member's score, or null (no run yet, no visit, or no profiling consent). */
export async function memberScore(sql: Sql, memberId: string): Promise<MemberScore | null> {
  const rows = await sql.query<ScoreRow>('SELECT * FROM member_value WHERE customer_id = $1', [memberId]);
  return rows[0] ? scoreView(rows[0]) : null;
}
