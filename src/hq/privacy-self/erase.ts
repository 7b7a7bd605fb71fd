import type { HqContext } from '../context';
import { endSessions, PrivacySelfError } from './challenge';

/** One erasure as self-service asks it: the member proven at a screen of `terminalId`. */
export interface SelfErasureRequest {
  customerId: string;
  terminalId: string;
  /** Ties this request's steps together in HQ's privacy audit. */
  requestId: string;
}

/** What erases a person at HQ (src/hq/privacy/, the erasure engineer's): answers the receipt kept without personal data. */
export type MemberEraser = (ctx: HqContext, request: SelfErasureRequest) => Promise<{ receiptId: string }>;

const erasers = new WeakMap<HqContext, MemberEraser>();

/**
 * The seam between self-service and HQ's erasure: self-service proves who
 * asks and hands the request over; the erasure itself (pseudonyms in the
 * journals, tombstones to the terminals, the card blocked) is not written here.
 */
export function useMemberEraser(ctx: HqContext, eraser: MemberEraser): void {
  erasers.set(ctx, eraser);
}

export async function eraseSelf(ctx: HqContext, request: SelfErasureRequest): Promise<{ receiptId: string }> {
  const eraser = erasers.get(ctx) ?? defaultEraser;
  if (!eraser) throw new PrivacySelfError('erasure_unavailable', 503, 'erasure is not available at HQ yet: ask at the till');
  const receipt = await eraser(ctx, request);
  // The proof dies with the person: whatever token a screen still holds opens nothing now.
  await endSessions(ctx.sql, request.customerId);
  await ctx.sql.query('DELETE FROM privacy_export_link WHERE customer_id = $1', [request.customerId]);
  await ctx.sql.query('DELETE FROM privacy_outbox WHERE customer_id = $1', [request.customerId]);
  await ctx.sql.query('DELETE FROM privacy_challenge WHERE customer_id = $1', [request.customerId]);
  await ctx.sql.query('DELETE FROM privacy_guard WHERE customer_id = $1', [request.customerId]);
  return receipt;
}

/** HQ's own erasure, once src/hq/privacy provides it (integrated below); null until then. */
const defaultEraser: MemberEraser | null = null;
