import { createHash } from 'node:crypto';
import { HqError, newId, type HqContext } from './context';
import type { Sql } from './db';
import type { AnomalyFilter, AnomalyReport, SyncAnomaly } from '../shared/sync/anomalies';

/**
 * HQ's technical sync anomalies: overdrafts, frozen streams, card and member
 * conflicts, clock skew, entry id collisions — for IT staff. Not customers'
 * incidents (complaints, recorded at the till: customer-incidents.ts).
 */
export interface SyncAnomalyInput {
  /** The customer it concerns, or `terminal:<id>` for a terminal's own trouble. */
  customerId: string;
  /** Stable for the cause, so the same trouble seen again is one anomaly. */
  anomalyId: string;
  terminalId: string;
  kind: string;
  detail: Record<string, unknown>;
  at: number;
}

/** Records an anomaly for IT staff, once per (customer, anomaly id). */
export async function raiseSyncAnomaly(tx: Sql, anomaly: SyncAnomalyInput): Promise<void> {
  await tx.query(
    `INSERT INTO sync_anomaly (customer_id, anomaly_id, terminal_id, kind, entry_id, detail, created_at) VALUES ($1, $2, $3, $4, NULL, $5, $6)
     ON CONFLICT (customer_id, anomaly_id) DO NOTHING`,
    [anomaly.customerId, anomaly.anomalyId, anomaly.terminalId, anomaly.kind, JSON.stringify(anomaly.detail), anomaly.at],
  );
}

export { ANOMALY_STATUSES, type AnomalyFilter } from '../shared/sync/anomalies';

export const MAX_ANOMALIES_LISTED = 500;

/**
 * An anomaly's id in URLs: the first 128 bits of SHA-256 over its key
 * (customer, anomaly id), short enough for a path segment whatever the key's
 * length. HQ finds the row by recomputing it in SQL (ANOMALY_REF_SQL): a
 * scan, which is fine for a table that grows by the odd anomaly, not per sale.
 */
export function anomalyRef(customerId: string, anomalyId: string): string {
  return createHash('sha256').update(`${customerId}\n${anomalyId}`, 'utf8').digest('hex').slice(0, 32);
}

const ANOMALY_REF_SQL = "left(encode(sha256(convert_to(customer_id || chr(10) || anomaly_id, 'UTF8')), 'hex'), 32)";
const REF_SHAPE = /^[0-9a-f]{32}$/;

interface AnomalyRow {
  customer_id: string;
  anomaly_id: string;
  terminal_id: string | null;
  kind: string;
  entry_id: string | null;
  detail: Record<string, unknown>;
  status: string;
  created_at: number;
  handled_at: number | null;
  handled_by: string | null;
}

function toAnomaly(r: AnomalyRow): SyncAnomaly {
  return {
    id: anomalyRef(r.customer_id, r.anomaly_id),
    kind: r.kind,
    terminalId: r.terminal_id,
    customerId: r.customer_id,
    entryId: r.entry_id,
    detail: r.detail,
    createdAt: Number(r.created_at),
    status: r.status === 'open' ? 'open' : 'handled',
    handledAt: r.handled_at === null ? null : Number(r.handled_at),
    handledBy: r.handled_by,
  };
}

const COLUMNS = 'customer_id, anomaly_id, terminal_id, kind, entry_id, detail, status, created_at, handled_at, handled_by';

/** Counts by kind (every anomaly), and the newest anomalies with the status asked for. */
export async function listSyncAnomalies(ctx: Pick<HqContext, 'sql' | 'clock'>, filter: AnomalyFilter, limit = MAX_ANOMALIES_LISTED): Promise<AnomalyReport> {
  const counts = await ctx.sql.query<{ kind: string; open: number; handled: number; oldest_open_at: number | null }>(
    `SELECT kind, count(*) FILTER (WHERE status = 'open')::int AS open, count(*) FILTER (WHERE status <> 'open')::int AS handled,
            min(created_at) FILTER (WHERE status = 'open') AS oldest_open_at
     FROM sync_anomaly GROUP BY kind ORDER BY count(*) FILTER (WHERE status = 'open') DESC, kind`,
  );
  const rows = await ctx.sql.query<AnomalyRow>(
    `SELECT ${COLUMNS} FROM sync_anomaly
     WHERE $1 = 'all' OR ($1 = 'open' AND status = 'open') OR ($1 = 'handled' AND status <> 'open')
     ORDER BY created_at DESC, customer_id, anomaly_id LIMIT $2`,
    [filter, limit],
  );
  return {
    now: ctx.clock.now(),
    counts: counts.map((c) => ({ kind: c.kind, open: c.open, handled: c.handled, oldestOpenAt: c.oldest_open_at === null ? null : Number(c.oldest_open_at) })),
    anomalies: rows.map(toAnomaly),
  };
}

/**
 * Marks an anomaly handled, once: who and when on the row, and an audit
 * record in the same transaction. Marking one already handled changes
 * nothing and says by whom it was.
 */
export async function markAnomalyHandled(ctx: HqContext, id: string, by: string): Promise<{ anomaly: SyncAnomaly; changed: boolean }> {
  if (!REF_SHAPE.test(id)) throw new HqError('not_found', 404, 'no such anomaly');
  return ctx.sql.transaction(async (tx) => {
    const now = ctx.clock.now();
    const updated = await tx.query<AnomalyRow>(
      `UPDATE sync_anomaly SET status = 'handled', handled_at = $2, handled_by = $3
       WHERE ${ANOMALY_REF_SQL} = $1 AND status = 'open' RETURNING ${COLUMNS}`,
      [id, now, by],
    );
    if (updated[0]) {
      const a = updated[0];
      await tx.query('INSERT INTO audit (terminal_id, audit_id, at, action, code, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        a.terminal_id ?? '',
        newId(ctx),
        now,
        ANOMALY_HANDLED.action,
        ANOMALY_HANDLED.code,
        `${a.kind} ${a.anomaly_id} marked handled by ${by}`.slice(0, 500),
        JSON.stringify({ customerId: a.customer_id, anomalyId: a.anomaly_id, kind: a.kind, by }),
      ]);
      ctx.logger.info('sync anomaly handled', { kind: a.kind, anomalyId: a.anomaly_id, terminalId: a.terminal_id, by });
      return { anomaly: toAnomaly(a), changed: true };
    }
    const existing = await tx.query<AnomalyRow>(`SELECT ${COLUMNS} FROM sync_anomaly WHERE ${ANOMALY_REF_SQL} = $1`, [id]);
    if (!existing[0]) throw new HqError('not_found', 404, 'no such anomaly');
    return { anomaly: toAnomaly(existing[0]), changed: false };
  });
}

/** The audit record of a staff member marking an anomaly handled: an action, not a refusal (fleet.ts). */
export const ANOMALY_HANDLED = { action: 'anomaly', code: 'handled' } as const;
