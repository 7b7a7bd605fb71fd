import { INCIDENT_KINDS, INCIDENT_OUTCOMES } from '../shared/domain/relationship-health';
import type { IncidentFactWire } from '../shared/sync/relationship-item';
import { HqError, type HqContext } from './context';

/**
 * What HQ tells marketing and customer service about customers' incidents
 * (issue 12, item 7): how many of each kind per ISO week, how they ended, how
 * long they took to resolve, what customers scored their visits, per store.
 * Weeks and days are the stores' (Europe/Paris); the SQL runs the same on
 * PGlite and PostgreSQL.
 */
export const REPORT_ZONE = 'Europe/Paris';
const DAY_MS = 86_400_000;
/** A longer range would only make an unreadable chart; the API refuses it rather than guess. */
export const MAX_RANGE_DAYS = 731;
/** The range when none is asked for: the last twelve weeks, today included. */
export const DEFAULT_RANGE_DAYS = 84;

export const SUMMARY_OUTCOMES = [...INCIDENT_OUTCOMES, 'open'] as const;
export type SummaryOutcome = (typeof SUMMARY_OUTCOMES)[number];

export interface SummaryQuery {
  from: string;
  to: string;
  store: string | null;
}

export interface ResolutionTime {
  resolved: number;
  medianMs: number | null;
  /** « 2 j 4 h », « 35 min »: the median as a person reads it. */
  human: string | null;
}

export interface SatisfactionWeek {
  week: string;
  answers: number;
  mean: number;
  /** Answers of 4 or 5, as a share of the week's answers (0 to 1). */
  satisfiedShare: number;
}

export interface StoreRow {
  storeId: string;
  incidents: number;
  outcomes: Record<SummaryOutcome, number>;
  resolution: ResolutionTime;
  satisfaction: { answers: number; mean: number | null; satisfiedShare: number | null };
}

export interface IncidentSummary {
  range: SummaryQuery;
  /** The ISO weeks of the range, in order ('2026-W11'), so a chart has a slot for an empty week. */
  weeks: string[];
  kinds: readonly string[];
  total: number;
  byKindWeek: Array<{ week: string; kind: string; count: number }>;
  byKind: Record<string, number>;
  outcomes: Record<SummaryOutcome, number>;
  resolution: ResolutionTime;
  satisfaction: SatisfactionWeek[];
  stores: StoreRow[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const STORE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/** The store-local date of an instant, 'YYYY-MM-DD'. */
export function localDate(ms: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: REPORT_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(ms));
}

/** The query string as the API and the page take it: refused with a clear message when it is not one. */
export function parseSummaryQuery(raw: Record<string, unknown>, now: number): SummaryQuery {
  const text = (name: string): string | undefined => {
    const v = raw[name];
    if (v === undefined || v === '') return undefined;
    if (typeof v !== 'string') throw new HqError('malformed', 400, `${name} is given once`);
    return v;
  };
  const to = text('to') ?? localDate(now);
  const from = text('from') ?? localDate(Date.parse(`${to}T12:00:00Z`) - (DEFAULT_RANGE_DAYS - 1) * DAY_MS);
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (!validDate(value)) throw new HqError('malformed', 400, `${name} must be a date YYYY-MM-DD`);
  }
  const days = (Date.parse(to) - Date.parse(from)) / DAY_MS + 1;
  if (days < 1) throw new HqError('malformed', 400, 'from must not be after to');
  if (days > MAX_RANGE_DAYS) throw new HqError('malformed', 400, `the range is at most ${MAX_RANGE_DAYS} days`);
  const store = text('store') ?? null;
  if (store !== null && !STORE.test(store)) throw new HqError('malformed', 400, 'store must be a store id');
  return { from, to, store };
}

/** « 2 j 4 h », « 3 h 20 min », « 45 s ». */
export function humanDuration(ms: number, locale: 'fr' | 'en' = 'fr'): string {
  const d = locale === 'fr' ? 'j' : 'd';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 === 0 ? `${h} h` : `${h} h ${min % 60} min`;
  const days = Math.floor(h / 24);
  return h % 24 === 0 ? `${days} ${d}` : `${days} ${d} ${h % 24} h`;
}

const emptyOutcomes = (): Record<SummaryOutcome, number> => Object.fromEntries(SUMMARY_OUTCOMES.map((o) => [o, 0])) as Record<SummaryOutcome, number>;
const num = (v: unknown): number => Number(v ?? 0);
const nullableNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

function resolution(resolved: number, median: number | null): ResolutionTime {
  const medianMs = median === null ? null : Math.round(median);
  return { resolved, medianMs, human: medianMs === null ? null : humanDuration(medianMs) };
}

/** Incidents opened in the range (and in the store when one is named), and survey answers given in it. */
export async function incidentSummary(ctx: HqContext, q: SummaryQuery): Promise<IncidentSummary> {
  const bounds = await ctx.sql.query<{ from_ms: string; to_ms: string; weeks: string[] }>(
    `SELECT (extract(epoch FROM ($1::date::timestamp AT TIME ZONE '${REPORT_ZONE}')) * 1000)::bigint AS from_ms,
            (extract(epoch FROM (($2::date + 1)::timestamp AT TIME ZONE '${REPORT_ZONE}')) * 1000)::bigint AS to_ms,
            ARRAY(SELECT DISTINCT to_char(d, 'IYYY-"W"IW') FROM generate_series($1::date::timestamp, $2::date::timestamp, interval '1 day') d ORDER BY 1) AS weeks`,
    [q.from, q.to],
  );
  const { from_ms, to_ms, weeks } = bounds[0]!;
  const week = (col: string) => `to_char(to_timestamp(${col} / 1000.0) AT TIME ZONE '${REPORT_ZONE}', 'IYYY-"W"IW')`;
  const inRange = `opened_at >= $1 AND opened_at < $2 AND ($3::text IS NULL OR store_id = $3)`;
  const params = [from_ms, to_ms, q.store];

  const byKindWeek = await ctx.sql.query<{ week: string; kind: string; n: number }>(
    `SELECT ${week('opened_at')} AS week, kind, count(*)::int AS n FROM customer_incident WHERE ${inRange} GROUP BY 1, 2 ORDER BY 1, 2`,
    params,
  );
  const perStore = await ctx.sql.query<{ store_id: string; outcome: string; n: number }>(
    `SELECT store_id, coalesce(outcome, 'open') AS outcome, count(*)::int AS n FROM customer_incident WHERE ${inRange} GROUP BY 1, 2`,
    params,
  );
  // GROUPING SETS gives each store's median and the whole range's in one pass; store_id is null on the total.
  const medians = await ctx.sql.query<{ store_id: string | null; resolved: number; median: number | null }>(
    `SELECT store_id, count(*)::int AS resolved, percentile_cont(0.5) WITHIN GROUP (ORDER BY resolved_at - opened_at) AS median
     FROM customer_incident WHERE ${inRange} AND status = 'resolved' GROUP BY GROUPING SETS ((store_id), ())`,
    params,
  );
  // journal_entry has no store: the terminal that wrote the answer has one.
  const answers = await ctx.sql.query<{ week: string | null; store_id: string | null; n: number; mean: number | null; satisfied: number }>(
    `SELECT ${week('j.wall_time')} AS week, t.store_id, count(*)::int AS n, avg((j.entry->'detail'->>'score')::int)::float8 AS mean,
            count(*) FILTER (WHERE (j.entry->'detail'->>'score')::int >= 4)::int AS satisfied
     FROM journal_entry j JOIN terminal t ON t.terminal_id = j.terminal_id
     WHERE j.kind = 'survey_answer' AND j.wall_time >= $1 AND j.wall_time < $2 AND ($3::text IS NULL OR t.store_id = $3)
       AND (j.entry->'detail'->>'score') IN ('1', '2', '3', '4', '5')
     GROUP BY GROUPING SETS ((${week('j.wall_time')}), (t.store_id))`,
    params,
  );

  const outcomes = emptyOutcomes();
  const byKind: Record<string, number> = Object.fromEntries(INCIDENT_KINDS.map((k) => [k, 0]));
  for (const r of byKindWeek) byKind[r.kind] = (byKind[r.kind] ?? 0) + num(r.n);
  const stores = new Map<string, StoreRow>();
  const storeRow = (storeId: string): StoreRow => {
    let row = stores.get(storeId);
    if (!row) {
      row = { storeId, incidents: 0, outcomes: emptyOutcomes(), resolution: resolution(0, null), satisfaction: { answers: 0, mean: null, satisfiedShare: null } };
      stores.set(storeId, row);
    }
    return row;
  };
  for (const r of perStore) {
    const row = storeRow(r.store_id);
    const o = r.outcome as SummaryOutcome;
    row.incidents += num(r.n);
    row.outcomes[o] += num(r.n);
    outcomes[o] += num(r.n);
  }
  let total = resolution(0, null);
  for (const m of medians) {
    const value = resolution(num(m.resolved), nullableNum(m.median));
    if (m.store_id === null) total = value;
    else storeRow(m.store_id).resolution = value;
  }
  const satisfaction: SatisfactionWeek[] = [];
  for (const a of answers) {
    const n = num(a.n);
    const mean = round(num(a.mean));
    const share = round(num(a.satisfied) / n, 4);
    if (a.week !== null) satisfaction.push({ week: a.week, answers: n, mean, satisfiedShare: share });
    else if (a.store_id !== null) storeRow(a.store_id).satisfaction = { answers: n, mean, satisfiedShare: share };
  }
  satisfaction.sort((x, y) => (x.week < y.week ? -1 : 1));
  return {
    range: q,
    weeks,
    kinds: INCIDENT_KINDS,
    total: Object.values(outcomes).reduce((s, n) => s + n, 0),
    byKindWeek: byKindWeek.map((r) => ({ week: r.week, kind: r.kind, count: num(r.n) })),
    byKind,
    outcomes,
    resolution: total,
    satisfaction,
    stores: [...stores.values()].sort((x, y) => (x.storeId < y.storeId ? -1 : 1)),
  };
}

export interface TimelineFact {
  at: number;
  incidentId: string;
  type: IncidentFactWire['type'];
  storeId: string;
  terminalId: string;
  kind: string | null;
  severity: number | null;
  channel: string | null;
  receipt: string | null;
  outcome: string | null;
  /** The resolve's gesture (points, voucher, refund reference, apology); notes never leave the terminal. */
  gesture: unknown;
}

const MEMBER_ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}$/;

/** A member's incidents as they happened, every store's, oldest first, with how each one ended. */
export async function memberIncidentTimeline(
  ctx: HqContext,
  memberId: string,
): Promise<{ memberId: string; incidents: Array<{ incidentId: string; storeId: string; kind: string; status: string; outcome: string | null }>; facts: TimelineFact[] }> {
  if (!MEMBER_ID.test(memberId)) throw new HqError('malformed', 400, 'not a member id');
  const facts = await ctx.sql.query<{ fact: IncidentFactWire; store_id: string; terminal_id: string; gesture: unknown }>(
    'SELECT fact, store_id, terminal_id, gesture FROM customer_incident_fact WHERE customer_id = $1 ORDER BY at, entry_id',
    [memberId],
  );
  const incidents = await ctx.sql.query<{ incident_id: string; store_id: string; kind: string; status: string; outcome: string | null }>(
    'SELECT incident_id, store_id, kind, status, outcome FROM customer_incident WHERE customer_id = $1 ORDER BY opened_at, incident_id',
    [memberId],
  );
  return {
    memberId,
    incidents: incidents.map((i) => ({ incidentId: i.incident_id, storeId: i.store_id, kind: i.kind, status: i.status, outcome: i.outcome })),
    facts: facts.map(({ fact: f, store_id, terminal_id, gesture }) => ({
      at: f.at,
      incidentId: f.incidentId,
      type: f.type,
      storeId: store_id,
      terminalId: terminal_id,
      kind: f.type === 'resolve' ? null : f.kind,
      severity: f.type === 'resolve' ? null : f.severity,
      channel: f.type === 'open' ? f.channel : null,
      receipt: f.type === 'open' ? f.receipt : null,
      outcome: f.type === 'resolve' ? f.outcome : null,
      gesture: f.type === 'resolve' ? gesture : null,
    })),
  };
}
