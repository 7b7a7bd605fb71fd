import { Accounts } from '../main/core/ledger/accounts';
import { signingPayload, type HoldGrant, type HoldRequest, type HoldVoid } from '../shared/sync/protocol';
import { authenticateTerminal } from './auth';
import { lockCustomers, touchMembers } from './card-link';
import { HqError, type HqContext } from './context';
import type { Sql } from './db';

/**
 * Online redemptions as two-phase holds (sync-ledger.md §2.7, TigerBeetle's
 * pending/post/void): a hold reserves points while the sale completes;
 * available = posted − pending never goes below zero on this path. The post
 * is the terminal's `redeem` entry naming the hold (projector.ts); a void
 * comes from the terminal; HQ's clock releases what neither settled.
 */
interface HoldRow {
  customer_id: string;
  hold_id: string;
  terminal_id: string;
  points: number;
  status: HoldGrant['status'];
  expires_at: number;
}

function grant(ctx: HqContext, row: HoldRow): HoldGrant {
  const unsigned = { holdId: row.hold_id, memberId: row.customer_id, points: row.points, expiresAt: row.expires_at, status: row.status, keyId: ctx.key.keyId };
  return { ...unsigned, signature: ctx.key.sign(unsigned) };
}

/** Releases every pending hold whose time is up, by HQ's clock. */
export async function releaseExpiredHolds(ctx: HqContext, now = ctx.clock.now()): Promise<number> {
  return ctx.sql.transaction(async (tx) => {
    // The customers' locks first, in the projector's order: a projection releases these same rows under them.
    const due = await tx.query<{ customer_id: string }>("SELECT DISTINCT customer_id FROM hold WHERE status = 'pending' AND expires_at <= $1", [now]);
    if (due.length === 0) return 0;
    const customers = due.map((r) => r.customer_id);
    await lockCustomers(tx, customers);
    const released = await tx.query<{ customer_id: string }>(
      "UPDATE hold SET status = 'released', resolved_at = $1 WHERE customer_id = ANY($2::text[]) AND status = 'pending' AND expires_at <= $1 RETURNING customer_id",
      [now, customers],
    );
    if (released.length > 0) await touchMembers(tx, released.map((r) => r.customer_id));
    return released.length;
  });
}

export async function pendingPoints(sql: Sql, customerId: string): Promise<number> {
  const rows = await sql.query<{ pending: number }>("SELECT COALESCE(sum(points), 0)::bigint AS pending FROM hold WHERE customer_id = $1 AND status = 'pending'", [customerId]);
  return rows[0]!.pending;
}

export async function requestHold(ctx: HqContext, request: HoldRequest): Promise<HoldGrant> {
  await authenticateTerminal(ctx, 'hold', request, signingPayload(request));
  await releaseExpiredHolds(ctx);
  return ctx.sql.transaction(async (tx) => {
    await lockCustomers(tx, [request.memberId]);
    const existing = await tx.query<HoldRow>('SELECT customer_id, hold_id, terminal_id, points, status, expires_at FROM hold WHERE customer_id = $1 AND hold_id = $2', [
      request.memberId,
      request.holdId,
    ]);
    if (existing[0]) {
      // A retried request gets the same grant; the same id for another amount is a client bug.
      if (existing[0].points !== request.points || existing[0].terminal_id !== request.terminalId) throw new HqError('conflict', 409, `hold ${request.holdId} exists with other terms`);
      return grant(ctx, existing[0]);
    }
    const balances = await tx.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [
      request.memberId,
      Accounts.points(request.memberId),
    ]);
    const available = (balances[0]?.balance ?? 0) - (await pendingPoints(tx, request.memberId));
    if (request.points > available) throw new HqError('insufficient_points', 409, `${request.points} points requested, ${Math.max(available, 0)} available`);
    const now = ctx.clock.now();
    const row: HoldRow = {
      customer_id: request.memberId,
      hold_id: request.holdId,
      terminal_id: request.terminalId,
      points: request.points,
      status: 'pending',
      expires_at: now + request.timeoutMs,
    };
    await tx.query(
      "INSERT INTO hold (customer_id, hold_id, terminal_id, points, status, created_at, expires_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
      [row.customer_id, row.hold_id, row.terminal_id, row.points, now, row.expires_at],
    );
    await touchMembers(tx, [request.memberId]);
    return grant(ctx, row);
  });
}

export async function voidHold(ctx: HqContext, request: HoldVoid): Promise<HoldGrant> {
  await authenticateTerminal(ctx, 'hold_void', request, signingPayload(request));
  return ctx.sql.transaction(async (tx) => {
    await lockCustomers(tx, [request.memberId]);
    const rows = await tx.query<HoldRow>(
      `UPDATE hold SET status = CASE WHEN status = 'pending' THEN 'voided' ELSE status END,
         resolved_at = CASE WHEN status = 'pending' THEN $4 ELSE resolved_at END
       WHERE customer_id = $1 AND hold_id = $2 AND terminal_id = $3
       RETURNING customer_id, hold_id, terminal_id, points, status, expires_at`,
      [request.memberId, request.holdId, request.terminalId, ctx.clock.now()],
    );
    if (!rows[0]) throw new HqError('not_found', 404, `no hold ${request.holdId} for this terminal`);
    await touchMembers(tx, [request.memberId]);
    return grant(ctx, rows[0]);
  });
}
