import { newId, type HqContext } from '../context';
import type { Sql } from '../db';
import { localDay } from '../value/nightly';
import { cumulativePpm, PPM, type TierPolicy } from '../../shared/programme/tiers';
import { publishTierRun } from './tier-pull';

/**
 * The nightly ranking into tiers (issue 14 item 3), the rule of
 * src/shared/programme/tiers.ts done set-wise in one statement: each member's
 * spend and regular weeks over the 52 weeks to `asOf` from the visits the
 * customer-value run reads (value/nightly.ts visitsRelation: one `earn` entry
 * per sale to a member, its net amount), the score, one ROW_NUMBER over it,
 * the cut-offs from the member count, hysteresis against the tiers held, the
 * update (and insert for new members), and the counts per tier from the rows written. Every member is
 * ranked, those without a visit in the window with a score of 0 (last, by id).
 * Distribution-ready: member_tier is keyed by customer_id like HQ's other
 * member tables; the runs and their counts are small reference tables.
 */

/** The ranking transaction's work_mem: a million members' scores sort in memory with this. */
export const RANKING_WORK_MEM = '256MB';

/** 52 weeks: the spend and the week count cover the same days. */
export const WINDOW_DAYS = 364;

export interface TierRunResult {
  runId: string;
  asOf: string;
  firstRun: boolean;
  members: number;
  /** Members per tier, best first, every tier of the policy (0 when empty). */
  counts: { tier: string; members: number; heldByMargin: number; movedIn: number }[];
  ms: number;
}

/** 52 weeks, so a member's regular weeks fit in the bits of one bigint. */
const WEEKS = WINDOW_DAYS / 7;

/**
 * The 53 instants (ms) that bound the 52 weeks to `asOf`, ascending: local midnight in `timeZone` of the
 * day after `asOf`, and of every 7th day before. An entry at `wall_time` is in the window when
 * bounds[1] <= wall_time < bounds[53], and `width_bucket(wall_time, bounds)` (1..52) names its week; its
 * local day is inside the week exactly when its instant is, so this is the week of visitsRelation's day
 * without converting every entry's time to a day.
 */
export async function windowBounds(sql: Sql, asOf: string, timeZone: string): Promise<string[]> {
  const rows = await sql.query<{ bounds: (string | number)[] }>(
    `SELECT array_agg((extract(epoch FROM (($1::date + 1 - 7 * k)::timestamp AT TIME ZONE $2::text)) * 1000)::bigint ORDER BY k DESC) AS bounds
     FROM generate_series(0, ${WEEKS}) AS k`,
    [asOf, timeZone],
  );
  return rows[0]!.bounds.map(String);
}

/**
 * Each member's spend (cents) and regular weeks over the 52 weeks, from the `earn` entries terminals
 * push (one per sale to a member, its net amount, as value/nightly.ts visitsRelation reads it).
 * $1 the window's bounds (windowBounds). One hash aggregate by member: the weeks with a visit are bits
 * of a bigint (bit_or, then bit_count), which grouping by member and week first took twice as long for.
 * The bounds are values the planner sees, so it estimates the window's share of the journal.
 */
export function activitySql(): string {
  return `
      SELECT member_id AS customer_id,
             sum(round((CASE WHEN jsonb_typeof(entry->'detail'->'net_cents') = 'number'
                             THEN greatest((entry->'detail'->>'net_cents')::float8, 0) / 100 ELSE 0 END) * 100))::bigint AS spend_cents,
             bit_count(bit_or(1::bigint << width_bucket(wall_time, $1::bigint[]))::bit(64))::int AS weeks
      FROM journal_entry
      WHERE kind = 'earn' AND member_id IS NOT NULL AND wall_time >= ($1::bigint[])[1] AND wall_time < ($1::bigint[])[${WEEKS + 1}]
      GROUP BY member_id`;
}

/**
 * The ranking statement. $1 the window's bounds (windowBounds), $2 run id, $3 ranked-at (ms), $4 regularity weight,
 * $5 cumulative shares (millionths), $6 margin (millionths), $7 tier ids best first,
 * $8 first run, $9 the new members' tier index (0-based), $10 runs below to drop.
 */
export function rankingSql(): string {
  return `
    WITH activity AS (${activitySql()}
    ), scored AS (
      SELECT m.customer_id, coalesce(a.spend_cents, 0) AS spend_cents, coalesce(a.weeks, 0) AS weeks,
             coalesce(a.spend_cents, 0) + $4::bigint * coalesce(a.weeks, 0) AS score
      FROM member m LEFT JOIN activity a ON a.customer_id = m.customer_id
    ), ordered AS (
      SELECT s.*, row_number() OVER (ORDER BY s.score DESC, s.customer_id COLLATE "C") AS pos FROM scored s
    ), sizes AS (
      SELECT array_agg((t.n * u.c + ${PPM / 2}) / ${PPM} ORDER BY u.i) AS bounds,
             array_agg(least(t.n, (t.n * (u.c + $6::bigint) + ${PPM / 2}) / ${PPM}) ORDER BY u.i) AS holds,
             (array_agg((t.n * u.c + ${PPM / 2}) / ${PPM} + 1 ORDER BY u.i))[1:cardinality($5::bigint[]) - 1] AS starts
      FROM (SELECT count(*)::bigint AS n FROM member) AS t, unnest($5::bigint[]) WITH ORDINALITY AS u(c, i)
    ), cut AS (
      -- The last member of each tier by rank, as two arrays: read by position, no join (and no sort) per member.
      SELECT array_agg(o.pos ORDER BY o.pos) AS at, array_agg(o.score ORDER BY o.pos) AS score FROM ordered o, sizes z WHERE o.pos = ANY(z.bounds)
    ), placed AS (
      SELECT o.*, width_bucket(o.pos, z.starts) AS k,
             CASE WHEN prev.customer_id IS NULL THEN CASE WHEN $8::boolean THEN NULL ELSE $9::int END
                  ELSE array_position($7::text[], prev.tier) - 1 END AS h,
             coalesce(prev.below_runs, 0) AS prev_below, prev.tier AS prev_tier, prev.tier_since AS prev_since,
             prev.customer_id IS NOT NULL AS had_row, prev.ctid AS prev_ctid
      FROM ordered o CROSS JOIN sizes z LEFT JOIN member_tier prev ON prev.customer_id = o.customer_id
    ), decided AS (
      SELECT p.*,
             CASE WHEN p.h IS NULL OR p.k <= p.h THEN p.k
                  WHEN p.pos <= z.holds[p.h + 1] OR p.prev_below + 1 < $10::int THEN p.h
                  ELSE p.k END AS t,
             CASE WHEN p.h IS NOT NULL AND p.k > p.h AND p.pos > z.holds[p.h + 1] AND p.prev_below + 1 < $10::int
                  THEN p.prev_below + 1 ELSE 0 END AS below
      FROM placed p CROSS JOIN sizes z
    ), rows AS (
      SELECT d.customer_id, ($7::text[])[d.t + 1] AS tier, ($7::text[])[d.k + 1] AS rank_tier, d.prev_tier, d.pos, d.score,
             d.spend_cents, d.weeks, d.below, d.had_row, d.prev_ctid,
             CASE WHEN d.t = 0 OR z.bounds[d.t] = 0 THEN NULL ELSE greatest(1, c.score[array_position(c.at, z.bounds[d.t])] - d.score + 1) END AS gap,
             CASE WHEN d.prev_tier = ($7::text[])[d.t + 1] THEN d.prev_since ELSE $3::bigint END AS since
      FROM decided d CROSS JOIN sizes z CROSS JOIN cut c
    ), updated AS (
      -- Every member already ranked: one joined UPDATE, far cheaper than a million ON CONFLICT probes, on the row
      -- version the hysteresis read (its ctid: only rankings, one at a time, update member_tier; an erasure's delete
      -- since leaves nothing to update, as by customer_id).
      UPDATE member_tier m SET tier = r.tier, rank_tier = r.rank_tier, previous_tier = r.prev_tier, member_rank = r.pos,
             score = r.score, spend_cents = r.spend_cents, regular_weeks = r.weeks, below_runs = r.below,
             next_tier_gap_cents = r.gap, tier_since = r.since, ranked_at = $3::bigint, run_id = $2::text
      FROM rows r WHERE r.had_row AND m.ctid = r.prev_ctid
    ), inserted AS (
      INSERT INTO member_tier (customer_id, tier, rank_tier, previous_tier, member_rank, score, spend_cents, regular_weeks,
                               below_runs, next_tier_gap_cents, tier_since, ranked_at, run_id)
      SELECT r.customer_id, r.tier, r.rank_tier, r.prev_tier, r.pos, r.score, r.spend_cents, r.weeks, r.below, r.gap, r.since, $3::bigint, $2::text
      FROM rows r WHERE NOT r.had_row
    ), counted AS (
      -- From the rows written (each one updated or inserted), not from a RETURNING of a million rows.
      SELECT tier, count(*)::int AS members, (count(*) FILTER (WHERE tier <> rank_tier))::int AS held,
             (count(*) FILTER (WHERE prev_tier IS DISTINCT FROM tier))::int AS moved_in
      FROM rows GROUP BY tier
    )
    INSERT INTO tier_run_count (run_id, tier, position, members, held_by_margin, moved_in)
    SELECT $2::text, u.id, u.i, coalesce(c.members, 0), coalesce(c.held, 0), coalesce(c.moved_in, 0)
    FROM unnest($7::text[]) WITH ORDINALITY AS u(id, i) LEFT JOIN counted c ON c.tier = u.id
    RETURNING tier, members, held_by_margin, moved_in`;
}

export type TierTrigger = 'nightly' | 'manual';

/**
 * One run, in one transaction (runs on one PostgreSQL server wait for each
 * other). `purchases` defaults to HQ's visits; the bench passes the same.
 */
export async function runTierRanking(
  ctx: Pick<HqContext, 'sql' | 'clock' | 'random' | 'logger'>,
  policy: TierPolicy,
  options: { timeZone: string; trigger?: TierTrigger; asOf?: string },
): Promise<TierRunResult> {
  const started = ctx.clock.now();
  const t0 = performance.now();
  const runId = newId(ctx);
  const asOf = options.asOf ?? localDay(started, options.timeZone);
  const ids = policy.tiers.map((t) => t.id);
  const result = await ctx.sql.transaction(async (tx) => {
    if (tx.kind === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(4242014)');
    // One nightly batch: its sorts and hashes over every member stay in memory rather than spilling.
    await tx.exec(`SET LOCAL work_mem = '${RANKING_WORK_MEM}'`);
    const firstRun = (await tx.query('SELECT 1 FROM tier_run LIMIT 1')).length === 0;
    const rows = await tx.query<{ tier: string; members: number; held_by_margin: number; moved_in: number }>(rankingSql(), [
      await windowBounds(tx, asOf, options.timeZone),
      runId,
      started,
      policy.regularityWeight,
      cumulativePpm(policy),
      Math.round(policy.hysteresisMargin * PPM),
      ids,
      firstRun,
      ids.indexOf(policy.newMemberTier),
      policy.consecutiveRunsToDrop,
    ]);
    // Members erased since the last run keep no tier.
    await tx.query('DELETE FROM member_tier WHERE run_id <> $1', [runId]);
    const counts = ids.map((tier) => {
      const r = rows.find((row) => row.tier === tier)!;
      return { tier, members: Number(r.members), heldByMargin: Number(r.held_by_margin), movedIn: Number(r.moved_in) };
    });
    const members = counts.reduce((s, c) => s + c.members, 0);
    await tx.query(
      `INSERT INTO tier_run (run_id, run_no, started_at, finished_at, trigger, as_of, first_run, members, policy)
       VALUES ($1, (SELECT coalesce(max(run_no), 0) + 1 FROM tier_run), $2, $3, $4, $5, $6, $7, $8::jsonb)`,
      [runId, started, ctx.clock.now(), options.trigger ?? 'manual', asOf, firstRun, members, JSON.stringify(policy)],
    );
    // The store's terminals get the new tiers with their next pull (tier-pull.ts).
    await publishTierRun(tx, runId);
    return { runId, asOf, firstRun, members, counts, ms: 0 };
  });
  result.ms = Math.round(performance.now() - t0);
  ctx.logger.info('tier ranking', { runId, asOf, members: result.members, counts: result.counts.map((c) => `${c.tier} ${c.members}`).join(', '), ms: result.ms });
  return result;
}

/** The latest run and its counts per tier, for the console; null before the first run. */
export async function tierSummary(sql: Sql): Promise<{
  runId: string;
  runNo: number;
  asOf: string;
  rankedAt: number;
  members: number;
  tiers: { tier: string; members: number; share: number; heldByMargin: number; movedIn: number }[];
} | null> {
  const runs = await sql.query<{ run_id: string; run_no: string | number; as_of: string; started_at: string | number; members: number }>(
    'SELECT run_id, run_no, as_of, started_at, members FROM tier_run ORDER BY run_no DESC LIMIT 1',
  );
  const run = runs[0];
  if (!run) return null;
  const counts = await sql.query<{ tier: string; members: number; held_by_margin: number; moved_in: number }>(
    'SELECT tier, members, held_by_margin, moved_in FROM tier_run_count WHERE run_id = $1 ORDER BY position',
    [run.run_id],
  );
  const members = Number(run.members);
  return {
    runId: run.run_id,
    runNo: Number(run.run_no),
    asOf: run.as_of,
    rankedAt: Number(run.started_at),
    members,
    tiers: counts.map((c) => ({
      tier: c.tier,
      members: Number(c.members),
      share: members > 0 ? Math.round((Number(c.members) / members) * 10_000) / 10_000 : 0,
      heldByMargin: Number(c.held_by_margin),
      movedIn: Number(c.moved_in),
    })),
  };
}
