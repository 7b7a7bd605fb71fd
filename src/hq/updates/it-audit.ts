import { newId, type HqContext } from '../context';
import type { Sql } from '../db';

/**
 * Every IT action on releases goes to HQ's audit table (the fleet's), under
 * no terminal: who did what, when. These rows are actions, not refusals, so
 * the fleet's refusal log leaves them out (fleet.ts NOT_REFUSALS).
 */
export const RELEASE_AUDIT_ACTION = 'release';
export const RELEASE_AUDIT_CODES = ['published', 'rollout', 'paused', 'resumed', 'widened', 'cohort', 'window', 'min_version', 'key'] as const;
export type ReleaseAuditCode = (typeof RELEASE_AUDIT_CODES)[number];
export const RELEASE_AUDITS: ReadonlyArray<readonly [string, string]> = RELEASE_AUDIT_CODES.map((c) => [RELEASE_AUDIT_ACTION, c] as const);

export async function auditIt(ctx: HqContext, sql: Sql, code: ReleaseAuditCode, by: string, message: string, detail: Record<string, unknown> = {}): Promise<void> {
  await sql.query('INSERT INTO audit (terminal_id, audit_id, at, action, code, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    '',
    newId(ctx),
    ctx.clock.now(),
    RELEASE_AUDIT_ACTION,
    code,
    `${message} (${by})`.slice(0, 500),
    JSON.stringify({ ...detail, by }),
  ]);
}
