import type { HqContext } from '../context';
import { eraseMember } from '../privacy/erasure';
import { endSessions } from './challenge';

/** One erasure as self-service asks it: the member proven at a screen of `terminalId`. */
export interface SelfErasureRequest {
  customerId: string;
  terminalId: string;
  /** Ties this request's steps together in HQ's privacy audit. */
  requestId: string;
  /** The card shown at the screen: HQ erases nothing if it is not the member's. */
  cardNumber: string;
  /** The points the customer was shown as forfeited: HQ erases nothing if they changed since. */
  confirmedForfeit: number;
}

/** What erases a person at HQ (src/hq/privacy/, the erasure engineer's): answers the receipt kept without personal data. */
export type MemberEraser = (ctx: HqContext, request: SelfErasureRequest) => Promise<{ receiptId: string }>;

const erasers = new WeakMap<HqContext, MemberEraser>();

/**
 * The seam between self-service and HQ's erasure: self-service proves who
 * asks and hands the request over; the erasure itself (points forfeited,
 * tombstones to the terminals, the card blocked) is HQ's eraseMember. A test
 * may put another eraser here.
 */
export function useMemberEraser(ctx: HqContext, eraser: MemberEraser): void {
  erasers.set(ctx, eraser);
}

export async function eraseSelf(ctx: HqContext, request: SelfErasureRequest): Promise<{ receiptId: string }> {
  const eraser = erasers.get(ctx) ?? defaultEraser;
  const receipt = await eraser(ctx, request);
  // The proof dies with the person: whatever token a screen still holds opens nothing now.
  await endSessions(ctx.sql, request.customerId);
  await ctx.sql.query('DELETE FROM privacy_export_link WHERE customer_id = $1', [request.customerId]);
  await ctx.sql.query('DELETE FROM privacy_outbox WHERE customer_id = $1', [request.customerId]);
  await ctx.sql.query('DELETE FROM privacy_challenge WHERE customer_id = $1', [request.customerId]);
  await ctx.sql.query('DELETE FROM privacy_guard WHERE customer_id = $1', [request.customerId]);
  return receipt;
}

/** HQ's erasure (src/hq/privacy/erasure.ts): the customer at the screen asked it, their card and the points shown checked there. */
const defaultEraser: MemberEraser = async (ctx, request) => {
  const receipt = await eraseMember(ctx, {
    memberId: request.customerId,
    cardNumber: request.cardNumber,
    confirmedForfeit: request.confirmedForfeit,
    cause: 'request',
    channel: 'customer-screen',
    by: { actor: `self-service:${request.terminalId}`, role: 'customer' },
    requestId: request.requestId,
  });
  return { receiptId: receipt.receiptId };
};
