import type { OfflineAllowance } from '../shared/sync/protocol';
import { signingPayload } from '../shared/sync/protocol';
import { newId, nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';

/** Signs a fresh offline allowance for a terminal and makes it the one pull serves. */
export async function issueAllowance(ctx: HqContext, tx: Sql, terminalId: string): Promise<OfflineAllowance> {
  const p = ctx.policy.allowance;
  const unsigned = {
    allowanceId: newId(ctx),
    terminalId,
    maxPointsPerTransaction: p.maxPointsPerTransaction,
    maxPointsPerCustomerPerSession: p.maxPointsPerCustomerPerSession,
    maxPointsTotal: p.maxPointsTotal,
    maxOfflineDurationMs: p.maxOfflineDurationMs,
    policyVersion: p.policyVersion,
    expiresAt: ctx.clock.now() + p.validityMs,
    keyId: ctx.key.keyId,
  };
  const allowance: OfflineAllowance = { ...unsigned, signature: ctx.key.sign(unsigned) };
  const version = await nextChangeVersion(tx);
  await tx.query(
    `INSERT INTO allowance (terminal_id, allowance, change_version) VALUES ($1, $2, $3)
     ON CONFLICT (terminal_id) DO UPDATE SET allowance = EXCLUDED.allowance, change_version = EXCLUDED.change_version`,
    [terminalId, JSON.stringify(allowance), version],
  );
  return allowance;
}

/** The terminal's allowance, renewed once half its validity has passed (HQ time decides). */
export async function currentAllowance(ctx: HqContext, terminalId: string): Promise<OfflineAllowance> {
  const rows = await ctx.sql.query<{ allowance: OfflineAllowance }>('SELECT allowance FROM allowance WHERE terminal_id = $1', [terminalId]);
  const current = rows[0]?.allowance;
  if (current && current.expiresAt - ctx.clock.now() > ctx.policy.allowance.validityMs / 2 && current.signature === ctx.key.sign(signingPayload(current))) {
    return current;
  }
  return ctx.sql.transaction((tx) => issueAllowance(ctx, tx, terminalId));
}
