import { checkCardNumber } from '../../../shared/domain/card-number';
import { CardLookupAnswer, PROTOCOL_VERSION, type CardLookupRequest } from '../../../shared/sync/protocol';
import type { Random } from '../ports';
import type { Enrolment } from './enrolment';
import { postSigned, type HqClock, type Stamp } from './hq-clock';
import type { TerminalKey } from './keys';
import { verifySigned } from './signing';
import type { Transport } from './transport';

/**
 * Asks HQ who holds a card this terminal does not know (POST
 * /v1/members/lookup, src/hq/member-lookup.ts). When HQ finds them it links
 * them to this terminal's store, so the next pull brings the member and
 * their chain-wide balance; this only says whether that is worth a pull.
 *
 * The answer counts only when it verifies with the HQ key pinned at
 * enrolment and names the card asked about. Everything else is
 * `unavailable`, with a reason the caller maps to HQ's reachability:
 * `unreachable`, `timeout`, `garbage` and `server_error` mean HQ did not
 * answer usefully; `refused` (HQ said no: revoked, rate limited, invalid
 * card) and `bad_signature` (an answer that is not HQ's word) do not.
 */
export type CardLookupOutcome =
  | { kind: 'found'; memberId: string }
  | { kind: 'not_found' }
  | { kind: 'unavailable'; reason: CardLookupUnavailable; message: string };

export type CardLookupUnavailable = 'unreachable' | 'timeout' | 'garbage' | 'server_error' | 'refused' | 'bad_signature';

export interface CardLookupOptions {
  transport: Transport;
  key: TerminalKey;
  enrolment: Enrolment;
  hqClock: HqClock;
  random: Random;
}

export async function lookupCardAtHq(o: CardLookupOptions, cardNumber: string): Promise<CardLookupOutcome> {
  const check = checkCardNumber(cardNumber);
  // Not a card number: no one holds it, and HQ need not hear of it.
  if (!check.ok) return { kind: 'not_found' };
  const { result } = await postSigned(o, '/v1/members/lookup', (stamp: Stamp): CardLookupRequest => {
    const unsigned: Omit<CardLookupRequest, 'signature'> = {
      protocolVersion: PROTOCOL_VERSION,
      terminalId: o.enrolment.terminalId,
      cardNumber: check.cardNumber,
      ...stamp,
      keyId: o.key.keyId,
    };
    return { ...unsigned, signature: o.key.sign(unsigned) };
  });
  if (result.kind === 'timeout') return { kind: 'unavailable', reason: 'timeout', message: 'HQ did not answer in time' };
  if (result.kind === 'unreachable') return { kind: 'unavailable', reason: 'unreachable', message: result.detail };
  if (result.kind === 'garbage') return { kind: 'unavailable', reason: 'garbage', message: `HQ answered ${result.status} without JSON: ${result.detail}` };
  if (result.status >= 500) return { kind: 'unavailable', reason: 'server_error', message: `HQ answered ${result.status}` };
  if (result.status !== 200) {
    const error = (result.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof error?.code === 'string' ? error.code : `http_${result.status}`;
    const message = typeof error?.message === 'string' ? error.message : 'no reason given';
    return { kind: 'unavailable', reason: 'refused', message: `${code}: ${message}`.slice(0, 300) };
  }
  const parsed = CardLookupAnswer.safeParse(result.body);
  if (!parsed.success) return { kind: 'unavailable', reason: 'garbage', message: `not a card lookup answer: ${parsed.error.issues[0]?.message ?? ''}` };
  const answer = parsed.data;
  if (answer.keyId !== o.enrolment.hqKeyId || !verifySigned(o.enrolment.hqPublicKey, answer)) {
    return { kind: 'unavailable', reason: 'bad_signature', message: 'card lookup answer is not signed by the enrolled HQ key' };
  }
  // A genuine answer about another card (a replayed one) says nothing about this one.
  if (answer.cardNumber !== check.cardNumber) return { kind: 'unavailable', reason: 'bad_signature', message: `answer is about card ${answer.cardNumber}` };
  o.hqClock.observe(answer.hqTime);
  return answer.found && answer.memberId !== null ? { kind: 'found', memberId: answer.memberId } : { kind: 'not_found' };
}
