import { SeatAnswer, type SeatRequest } from '../../../shared/programme/benefits';
import { PROTOCOL_VERSION } from '../../../shared/sync/protocol';
import { HQ_CALL_BUDGET_MS, within } from '../sync/budget';
import type { Sync } from '../sync/sync-service';
import type { TransportResult } from '../sync/transport';

/**
 * The terminal's side of HQ's seat counter (src/hq/benefits/seats.ts): one
 * signed request, answered within the till's budget. HQ saying no (full, no
 * such benefit) is a refusal; anything else that is not an answer is HQ
 * being away, and the booking falls back on the seats allotted to the store.
 */
export type SeatAsk = Pick<SeatRequest, 'action' | 'benefitId' | 'bookingId' | 'memberId' | 'seats' | 'fromAllotment'>;

export type SeatOutcome = { kind: 'answer'; answer: SeatAnswer } | { kind: 'refused'; code: string; message: string } | { kind: 'unavailable'; reason: string };

export type SeatClient = (ask: SeatAsk) => Promise<SeatOutcome>;

export function readSeatAnswer(result: TransportResult | null): SeatOutcome {
  if (result === null) return { kind: 'unavailable', reason: 'not enrolled with HQ' };
  if (result.kind === 'timeout' || result.kind === 'unreachable') return { kind: 'unavailable', reason: `HQ ${result.kind}` };
  if (result.kind === 'garbage' || result.status >= 500 || result.status === 429) return { kind: 'unavailable', reason: `HQ answered ${result.status}` };
  if (result.status !== 200) {
    const error = (result.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    return { kind: 'refused', code: typeof error?.code === 'string' ? error.code : `http_${result.status}`, message: typeof error?.message === 'string' ? error.message : 'no reason given' };
  }
  const parsed = SeatAnswer.safeParse(result.body);
  return parsed.success ? { kind: 'answer', answer: parsed.data } : { kind: 'unavailable', reason: 'HQ answered something that is not a seat answer' };
}

/** Seat requests through the sync client's signed post; null without an HQ. */
export function hqSeatClient(sync: () => Pick<Sync, 'signedPost'> | null): SeatClient {
  return async (ask) => {
    const client = sync();
    if (!client) return { kind: 'unavailable', reason: 'no HQ configured' };
    const post = client.signedPost('/v1/benefits/seats', (stamp, key, enrolment): SeatRequest => {
      const unsigned = { protocolVersion: PROTOCOL_VERSION as 1, terminalId: enrolment.terminalId, ...ask, ...stamp, keyId: key.keyId };
      return { ...unsigned, signature: key.sign(unsigned) };
    });
    const result = await within<TransportResult | null>(post, AbortSignal.timeout(HQ_CALL_BUDGET_MS), () => ({ kind: 'timeout' }));
    return readSeatAnswer(result);
  };
}
