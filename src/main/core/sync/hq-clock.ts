import type { Monotonic } from '../ledger/journal';
import type { Clock, Random } from '../ports';
import type { Transport, TransportResult } from './transport';

/**
 * HQ's clock as this terminal estimates it, for the `sentAt` of signed
 * requests: HQ refuses one more than ±5 min from its own clock
 * (src/hq/request-freshness.ts), and a till's clock may be a day or a year
 * off, or set back in the middle of a session.
 *
 * The estimate is anchored on the monotonic clock, not the wall clock: after
 * HQ's time was observed (the enrolment receipt's issuedAt, a verified pull,
 * member intake or card lookup answer, a `stale` refusal), HQ's time now is
 * that time plus the monotonic time elapsed since. Someone setting the
 * wall clock back or forward does not move it. Before any observation — a
 * fresh start — it is the wall clock; if that is off, HQ's `stale` refusal
 * carries HQ's time, the estimate is corrected and the request signed again
 * at once (postSigned). The error is about a round trip, far inside the window.
 * Push receipts are not observed: a duplicate batch gets the receipt HQ
 * stored, with the time of the first ingest.
 */
export class HqClock {
  private anchor: { hq: number; mono: number } | null = null;
  /** The monotonic times the last signed request left and its answer came (postSigned), until observed. */
  private exchange: { sent: number; answered: number } | null = null;

  constructor(
    private readonly wall: Clock,
    private readonly monotonic: Monotonic,
  ) {}

  now(): number {
    if (!this.anchor) return this.wall.now();
    return Math.max(0, Math.round(this.anchor.hq + (this.monotonic.now() - this.anchor.mono)));
  }

  /**
   * HQ said it was `hqTime` (in an answer just received). NTP-style, HQ's
   * time is placed at the midpoint of the request's round trip when the
   * request went through postSigned just before (clock-offset.ts): time the
   * answer spent on the wire or in a paused HQ does not count as offset.
   * An exchange older than EXCHANGE_FRESH_MS was another request's.
   */
  observe(hqTime: number): void {
    if (!Number.isSafeInteger(hqTime) || hqTime < 0) return;
    const now = this.monotonic.now();
    const x = this.exchange;
    this.exchange = null;
    const mono = x && now - x.answered <= EXCHANGE_FRESH_MS ? (x.sent + x.answered) / 2 : now;
    this.anchor = { hq: hqTime, mono };
  }

  /** A signed request left at monotonic `sent` and its answer came at `answered`. */
  exchanged(sent: number, answered: number): void {
    this.exchange = { sent, answered };
  }

  monotonicNow(): number {
    return this.monotonic.now();
  }

  /** HQ's time minus this terminal's wall clock, as estimated now; null before HQ was heard. */
  offsetMs(): number | null {
    return this.anchor ? this.now() - this.wall.now() : null;
  }
}

/** How soon after its answer an exchange's round trip is used by observe(): the caller checks the answer, then observes. */
export const EXCHANGE_FRESH_MS = 1000;

/** What every signed request carries besides its content: when (in HQ's time) and a nonce used once. */
export interface Stamp {
  sentAt: number;
  nonce: string;
}

export function stamp(hqClock: HqClock, random: Random): Stamp {
  return { sentAt: hqClock.now(), nonce: Buffer.from(random.bytes(16)).toString('base64url') };
}

/** The refusal code and HQ's time in an answer: `{ error }` on most routes, a PushAnswer on push. */
function refusalOf(result: TransportResult): { code: string; hqTime: number | null } | null {
  if (result.kind !== 'answer' || result.status === 200 || typeof result.body !== 'object' || result.body === null) return null;
  const body = result.body as { error?: { code?: unknown; hqTime?: unknown }; refusal?: { code?: unknown; hqTime?: unknown } };
  const refusal = body.error ?? body.refusal;
  if (typeof refusal?.code !== 'string') return null;
  return { code: refusal.code, hqTime: typeof refusal.hqTime === 'number' ? refusal.hqTime : null };
}

export interface SignedPost<T> {
  result: TransportResult;
  /** The request as last sent (a retry is another request: new stamp, new signature). */
  sent: T;
}

/**
 * Builds, signs and posts a request with a fresh stamp. If HQ refuses it as
 * `stale` (the estimate is corrected from HQ's time first) or as a `replay`
 * (a network that delivered it twice, a nonce that collided), it is built and
 * signed again with a new stamp and posted again at once (up to MAX_RESIGNS
 * times). Never the same bytes twice: HQ would rightly refuse them.
 */
/** Signed anew at most this many times after a `stale` or `replay` refusal. */
export const MAX_RESIGNS = 3;

export async function postSigned<T>(
  o: { transport: Transport; hqClock: HqClock; random: Random },
  path: string,
  build: (stamp: Stamp) => T,
  /** Already built with a fresh stamp (by `build`), when the caller needed it first. */
  first?: T,
): Promise<SignedPost<T>> {
  let sent = first ?? build(stamp(o.hqClock, o.random));
  const post = async (body: T): Promise<TransportResult> => {
    const leftAt = o.hqClock.monotonicNow();
    const answer = await o.transport.post(path, body);
    o.hqClock.exchanged(leftAt, o.hqClock.monotonicNow());
    return answer;
  };
  let result = await post(sent);
  // A network that duplicates can hand back the refusal of a copy more than once in a row
  // (the copy HQ took first answered elsewhere); every request here is idempotent by its own
  // ids, so signing again is safe, and bounded so that a confused HQ cannot loop us.
  for (let resign = 0; resign < MAX_RESIGNS; resign++) {
    const refusal = refusalOf(result);
    if (!refusal || (refusal.code !== 'stale' && refusal.code !== 'replay')) break;
    if (refusal.code === 'stale' && refusal.hqTime !== null) o.hqClock.observe(refusal.hqTime);
    sent = build(stamp(o.hqClock, o.random));
    result = await post(sent);
  }
  return { result, sent };
}
