import { z } from 'zod';
import { causeKey, CauseRecord } from '../../shared/social/cause';
import { Slug } from '../../shared/programme/rules-schema';
import type { WireEntry } from '../../shared/sync/protocol';
import { nextChangeVersion, type HqContext } from '../context';
import type { Sql } from '../db';

/**
 * Causes at HQ (issue 16 item 4): marketing defines them (name, description,
 * image, goal), opens and closes them; terminals get each as `cause:<id>` in
 * the pull's program bucket with HQ's chain-wide total. Every `donate` entry
 * ingested adds to its cause's total, whatever the cause's status when it
 * arrives: the member gave while it was open at the till, and the points
 * have left their balance. A refund of the sale that earned donated points
 * does not take the donation back: the refund claws back from the member.
 */
export const CauseInput = z.strictObject({
  id: Slug,
  name: z.string().trim().min(1).max(80),
  description: z.string().trim().max(500),
  imageUrl: CauseRecord.shape.imageUrl,
  goalPoints: z.number().int().min(0).max(1_000_000_000),
  status: z.enum(['open', 'closed']).default('open'),
});
export type CauseInput = z.input<typeof CauseInput>;

interface CauseRow {
  cause_id: string;
  name: string;
  description: string;
  image_url: string | null;
  goal_points: number;
  status: 'open' | 'closed';
  total_points: number;
  donations: number;
  updated_at: number;
}

const recordOf = (r: CauseRow, at: number): CauseRecord => ({
  id: r.cause_id,
  name: r.name,
  description: r.description,
  imageUrl: r.image_url,
  goalPoints: Number(r.goal_points),
  status: r.status,
  totalPoints: Number(r.total_points),
  totalAt: at,
});

export interface CauseSummary extends CauseRecord {
  donations: number;
}

/** Creates the cause or replaces its wording, goal and status; its total stays. */
export async function saveCause(ctx: HqContext, raw: unknown): Promise<{ ok: true; cause: CauseSummary } | { ok: false; problems: string[] }> {
  const parsed = CauseInput.safeParse(raw);
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  const c = parsed.data;
  const now = ctx.clock.now();
  return ctx.sql.transaction(async (tx) => {
    const version = await nextChangeVersion(tx);
    const rows = await tx.query<CauseRow>(
      `INSERT INTO social_cause (cause_id, name, description, image_url, goal_points, status, created_at, updated_at, change_version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)
       ON CONFLICT (cause_id) DO UPDATE SET name = EXCLUDED.name, description = EXCLUDED.description, image_url = EXCLUDED.image_url,
         goal_points = EXCLUDED.goal_points, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at, change_version = EXCLUDED.change_version
       RETURNING *`,
      [c.id, c.name, c.description, c.imageUrl, c.goalPoints, c.status, now, version],
    );
    return { ok: true as const, cause: { ...recordOf(rows[0]!, now), donations: Number(rows[0]!.donations) } };
  });
}

export async function listCauses(ctx: HqContext): Promise<CauseSummary[]> {
  const now = ctx.clock.now();
  const rows = await ctx.sql.query<CauseRow>("SELECT * FROM social_cause ORDER BY status = 'closed', name");
  return rows.map((r) => ({ ...recordOf(r, now), donations: Number(r.donations) }));
}

/** The causes changed after `since`, for the pull's program bucket. */
export async function causePuts(tx: Sql, since: number, now: number): Promise<Array<{ key: string; value: unknown }>> {
  const rows = await tx.query<CauseRow>('SELECT * FROM social_cause WHERE change_version > $1 ORDER BY cause_id', [since]);
  return rows.map((r) => ({ key: causeKey(r.cause_id), value: recordOf(r, now) }));
}

/** Inside the push's transaction: each donation adds to its cause's total, and the cause reaches the terminals again. */
export async function projectDonations(tx: Sql, donations: readonly WireEntry[]): Promise<void> {
  const byCause = new Map<string, { points: number; n: number }>();
  for (const e of donations) {
    const cause = e.detail.cause_id;
    const points = e.detail.points;
    if (typeof cause !== 'string' || typeof points !== 'number') continue;
    const t = byCause.get(cause) ?? { points: 0, n: 0 };
    t.points += points;
    t.n += 1;
    byCause.set(cause, t);
  }
  if (byCause.size === 0) return;
  const version = await nextChangeVersion(tx);
  const ids = [...byCause.keys()];
  await tx.query(
    `UPDATE social_cause c SET total_points = c.total_points + t.points, donations = c.donations + t.n, change_version = $4
     FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS t(cause_id, points, n) WHERE c.cause_id = t.cause_id`,
    [ids, ids.map((id) => byCause.get(id)!.points), ids.map((id) => byCause.get(id)!.n), version],
  );
}
