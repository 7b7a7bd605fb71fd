import type { Clock } from '../core/ports';

export interface RateLimit {
  /** Tokens added per minute, continuously. */
  perMinute: number;
  /** The bucket's size: requests allowed back to back. */
  burst: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (a till): each request takes one token, tokens come
 * back at `perMinute`, and at most `burst` wait. Memory only: a restart gives
 * every till a full bucket, which is no more than one burst.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Clock,
  ) {
    this.perMs = limit.perMinute / 60_000;
  }

  take(key: string): RateVerdict {
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.limit.burst, at: now };
    // A wall clock set back refills nothing rather than emptying the bucket.
    const elapsed = Math.max(now - bucket.at, 0);
    bucket.tokens = Math.min(this.limit.burst, bucket.tokens + elapsed * this.perMs);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / this.perMs) };
  }
}
