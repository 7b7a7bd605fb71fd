import type { Db } from '../db/database';

/**
 * The points gestures a member was granted since their previous sale on this
 * terminal, up to the sale being printed: the receipt lists them so its « new
 * balance » adds up. Only the points; the incident's kind and note stay off paper.
 */
export function pointsGesturesBefore(db: Db, memberId: string, sale: { tillId: string; receipt: string; committedAt: number }): number[] {
  const rows = db
    .prepare<[{ member: string; till: string; receipt: string; at: number }], { gesture: string }>(
      `SELECT gesture FROM incident
       WHERE member_id = @member AND status = 'resolved' AND gesture IS NOT NULL
         AND resolved_at > coalesce((SELECT max(wall_time) FROM ledger_entry
              WHERE member_id = @member AND kind = 'earn' AND NOT (till_id IS @till AND receipt IS @receipt) AND wall_time <= @at), -1)
         AND resolved_at <= @at
       ORDER BY resolved_at, incident_id`,
    )
    .all({ member: memberId, till: sale.tillId, receipt: sale.receipt, at: sale.committedAt });
  const points: number[] = [];
  for (const { gesture } of rows) {
    const g = JSON.parse(gesture) as { type?: unknown; points?: unknown };
    if (g.type === 'points' && typeof g.points === 'number' && g.points > 0) points.push(g.points);
  }
  return points;
}
