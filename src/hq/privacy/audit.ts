import { newId, type HqContext } from '../context';
import type { Sql } from '../db';

/**
 * HQ's privacy audit log (issue 17 item 6): every time someone at HQ opens,
 * corrects, exports or erases one member's data, a row, in the transaction
 * that does it. A member's request carries one `requestId` from the first
 * step to the last (self-service's code check, the staff member's view, the
 * erasure), so customer service can follow it whole. Append-only (HQ
 * migration 16's trigger). `detail` names what was done, never the data
 * itself: no name, no email, no phone — after an erasure the log still holds
 * the member's id, which nothing at HQ links to a person any more.
 */
export const PRIVACY_ACTIONS = ['view', 'rectify', 'export', 'erase', 'erase_refused', 'consent', 'notice', 'access'] as const;
export type PrivacyAction = (typeof PRIVACY_ACTIONS)[number];

export interface PrivacyAuditEvent {
  customerId: string;
  /** Who acted: a staff username, `self-service:<terminalId>` for the customer at a screen, `retention` for the automatic run. */
  actor: string;
  /** In what capacity: a staff role (`service`…), `customer`, `system`. */
  actorRole: string;
  action: PrivacyAction;
  /** Ties the steps of one request together; null for a step on its own. */
  requestId?: string | null;
  /** What was done (fields changed by name, points forfeited, a receipt id): never personal data. */
  detail?: Record<string, string | number | boolean | null | readonly string[]>;
}

export interface PrivacyAuditRow {
  auditId: string;
  at: number;
  customerId: string;
  actor: string;
  actorRole: string;
  action: string;
  requestId: string | null;
  detail: Record<string, unknown>;
}

const TEXT_MAX = 128;

/** Writes one event through `sql` (the caller's transaction, so the event and what it records commit together). */
export async function recordPrivacyAudit(ctx: Pick<HqContext, 'clock' | 'random'>, sql: Sql, event: PrivacyAuditEvent): Promise<string> {
  const auditId = newId(ctx);
  await sql.query(
    'INSERT INTO privacy_audit (customer_id, audit_id, at, actor, actor_role, action, request_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
    [
      event.customerId.slice(0, TEXT_MAX),
      auditId,
      ctx.clock.now(),
      event.actor.slice(0, TEXT_MAX),
      event.actorRole.slice(0, TEXT_MAX),
      event.action,
      event.requestId?.slice(0, TEXT_MAX) ?? null,
      JSON.stringify(event.detail ?? {}),
    ],
  );
  return auditId;
}

export interface AuditQuery {
  customerId?: string | null;
  requestId?: string | null;
  action?: string | null;
  limit?: number;
}

/** The log, latest first, narrowed to one member or one request when asked. */
export async function readPrivacyAudit(ctx: Pick<HqContext, 'sql'>, q: AuditQuery = {}): Promise<PrivacyAuditRow[]> {
  const limit = Math.min(Math.max(Math.trunc(q.limit ?? 200), 1), 1000);
  const rows = await ctx.sql.query<{
    audit_id: string;
    at: number;
    customer_id: string;
    actor: string;
    actor_role: string;
    action: string;
    request_id: string | null;
    detail: Record<string, unknown>;
  }>(
    `SELECT audit_id, at, customer_id, actor, actor_role, action, request_id, detail FROM privacy_audit
     WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR request_id = $2) AND ($3::text IS NULL OR action = $3)
     ORDER BY at DESC, audit_id DESC LIMIT $4`,
    [q.customerId ?? null, q.requestId ?? null, q.action ?? null, limit],
  );
  return rows.map((r) => ({
    auditId: r.audit_id,
    at: Number(r.at),
    customerId: r.customer_id,
    actor: r.actor,
    actorRole: r.actor_role,
    action: r.action,
    requestId: r.request_id,
    detail: r.detail,
  }));
}
