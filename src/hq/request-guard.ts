import type { Clock, Logger } from '../main/core/ports';

/**
 * What HQ keeps of requests it refused before knowing who sent them (unknown
 * terminal, bad signature, malformed body, wrong enrolment code): counts, in
 * memory, never a row per request. A database row per refusal, carrying the
 * terminal id the sender wrote, let anyone fill HQ's disk; these structures
 * are bounded whatever arrives:
 *
 *  - refusal counts per (minute, action, code), the last hour only. Actions
 *    and codes are HQ's own words (route names, HqError codes), never taken
 *    from the request, so the keys are a small fixed set;
 *  - failures per client address in a one-minute window; past the limit the
 *    address is answered 429 (Retry-After) without any work. At most
 *    MAX_ADDRESSES addresses are tracked: expired windows go first, then the
 *    oldest. A flood from many addresses can evict a guessing address early,
 *    which only resets its window: the codes' entropy is what protects them,
 *    the limit makes guessing slow and visible.
 *
 * Refusals of authenticated requests (a known terminal whose signature
 * verified) are still audited in the database where they happen: that
 * terminal id is HQ's own.
 */
export type FailureBucket = 'enrol' | 'unauthenticated';

export interface RefusalCount {
  /** Start of the minute (HQ's clock, epoch ms). */
  minute: number;
  action: string;
  code: string;
  count: number;
}

const MINUTE_MS = 60_000;
const KEEP_MINUTES = 60;
const MAX_ADDRESSES = 10_000;
const MAX_COUNT_KEYS = 5_000;

interface AddressWindow {
  start: number;
  failures: Record<FailureBucket, number>;
}

export class RequestGuard {
  private readonly addresses = new Map<string, AddressWindow>();
  private readonly counts = new Map<string, RefusalCount>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: () => Record<FailureBucket, number>,
    private readonly logger: Logger,
  ) {}

  /** How long this address must wait before HQ reads another request in this bucket (ms), or 0. */
  blockedFor(address: string, bucket: FailureBucket): number {
    const now = this.clock.now();
    const window = this.addresses.get(address);
    if (!window || now - window.start >= MINUTE_MS || now < window.start) return 0;
    return window.failures[bucket] >= this.limits()[bucket] ? window.start + MINUTE_MS - now : 0;
  }

  /**
   * Counts a refusal under (action, code); when `bucket` is given, also
   * against the sender's address (requests that proved nothing about who sent them).
   */
  refused(action: string, code: string, address: string | null, bucket: FailureBucket | null): void {
    const now = this.clock.now();
    this.count(now, action, code);
    if (address === null || bucket === null) return;
    let window = this.addresses.get(address);
    if (!window || now - window.start >= MINUTE_MS || now < window.start) {
      this.addresses.delete(address);
      this.makeRoom(now);
      window = { start: now, failures: { enrol: 0, unauthenticated: 0 } };
      this.addresses.set(address, window);
    }
    window.failures[bucket] += 1;
  }

  /** The last hour's refusal counts, newest minute first. */
  refusals(): RefusalCount[] {
    this.prune(this.clock.now());
    return [...this.counts.values()].sort((a, b) => b.minute - a.minute || a.action.localeCompare(b.action) || a.code.localeCompare(b.code)).map((c) => ({ ...c }));
  }

  private count(now: number, action: string, code: string): void {
    const minute = now - (now % MINUTE_MS);
    const key = `${minute}|${action}|${code}`;
    const known = this.counts.get(key);
    if (known) {
      known.count += 1;
      return;
    }
    this.prune(now);
    if (this.counts.size >= MAX_COUNT_KEYS) return;
    this.counts.set(key, { minute, action, code, count: 1 });
    // One line per kind of refusal and minute: logs are a disk too.
    this.logger.warn('hq refusal', { action, code, minute });
  }

  private prune(now: number): void {
    const oldest = now - KEEP_MINUTES * MINUTE_MS;
    for (const [key, c] of this.counts) if (c.minute < oldest || c.minute > now + MINUTE_MS) this.counts.delete(key);
  }

  private makeRoom(now: number): void {
    if (this.addresses.size < MAX_ADDRESSES) return;
    for (const [address, w] of this.addresses) if (now - w.start >= MINUTE_MS || now < w.start) this.addresses.delete(address);
    // Map order is insertion order: the first key is the oldest window.
    while (this.addresses.size >= MAX_ADDRESSES) this.addresses.delete(this.addresses.keys().next().value!);
  }
}
