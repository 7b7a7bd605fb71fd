import { audit, HqError, type HqContext } from './context';
import type { Sql } from './db';

/**
 * Freshness and replay protection for every signed terminal request (pull,
 * holds, hold voids, member intake, card lookups, push), checked once the
 * signature has verified, so nothing here is ever written for a sender HQ
 * does not know:
 *
 *  - `sentAt` must be within ±W of HQ's clock (policy.freshnessWindowMs,
 *    5 min): a request captured and sent again later — or one dated 1970 — is
 *    refused `stale`, with HQ's time in the refusal. Terminals sign `sentAt`
 *    in HQ's time as they estimate it (src/main/core/sync/hq-clock.ts), so a
 *    terminal whose own clock is a year off corrects itself from that refusal
 *    and signs again at once;
 *  - the (terminal, nonce) pair must be new: a request replayed within the
 *    window is refused `replay`. Nonces are kept in `request_nonce` for 2W
 *    after HQ saw them — past that their sentAt is out of the window anyway —
 *    and pruned by the maintenance timer. They live in the database, not in
 *    memory, so restarting HQ does not reopen the window, and several HQ
 *    processes on one PostgreSQL share them. One insert per request, on a key
 *    that includes terminal_id (distribution-ready).
 *
 * Why a nonce rather than a per-terminal counter: pushes, pulls, holds and
 * lookups leave a terminal concurrently and may be retried, reordered or lost
 * on the way; a counter would have to be strictly increasing across all of
 * them and would refuse a legitimate request that overtook another. Pushes
 * keep their own idempotency by seq: a resend is a new request (fresh nonce)
 * that gets the same receipt.
 */
export function checkSentAt(ctx: HqContext, terminalId: string, sentAt: number): void {
  const now = ctx.clock.now();
  const window = ctx.policy.freshnessWindowMs;
  if (Math.abs(now - sentAt) > window) {
    throw new HqError('stale', 401, `request from ${terminalId} signed at ${sentAt}, HQ's clock says ${now}: outside ±${window} ms; sign it again in HQ's time`, null, now);
  }
}

/** Records the nonce, or refuses (and audits: the terminal is authenticated) a request HQ has already taken. */
export async function claimNonce(ctx: HqContext, sql: Sql, action: string, terminalId: string, nonce: string): Promise<void> {
  const now = ctx.clock.now();
  const rows = await sql.query<{ nonce: string }>(
    'INSERT INTO request_nonce (terminal_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT (terminal_id, nonce) DO NOTHING RETURNING nonce',
    [terminalId, nonce, now + 2 * ctx.policy.freshnessWindowMs],
  );
  if (rows.length > 0) return;
  const error = new HqError('replay', 409, `request ${nonce} from ${terminalId} was already taken: a replay`);
  await audit(ctx, sql, { terminalId, action, code: error.code, message: error.message });
  throw error;
}

/** Both checks, in order: a stale request does not use up its nonce. */
export async function checkFresh(ctx: HqContext, sql: Sql, action: string, terminalId: string, request: { sentAt: number; nonce: string }): Promise<void> {
  checkSentAt(ctx, terminalId, request.sentAt);
  await claimNonce(ctx, sql, action, terminalId, request.nonce);
}

/** Forgets nonces whose requests are out of the window anyway (the maintenance timer). */
export async function pruneNonces(ctx: HqContext, now = ctx.clock.now()): Promise<number> {
  const rows = await ctx.sql.query<{ n: number }>('WITH gone AS (DELETE FROM request_nonce WHERE expires_at < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone', [now]);
  return rows[0]?.n ?? 0;
}
