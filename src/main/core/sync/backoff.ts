import type { Random } from '../ports';

export interface BackoffPolicy {
  /** The ceiling of the first wait. */
  baseMs: number;
  /** No wait is ever longer, whatever the attempt count. */
  capMs: number;
}

export const DEFAULT_SYNC_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/** A uniform draw in [0, 1) from 32 random bits. */
export function unit(random: Random): number {
  const b = random.bytes(4);
  return ((b[0]! << 24) >>> 0) / 2 ** 32 + (b[1]! << 16) / 2 ** 32 + (b[2]! << 8) / 2 ** 32 + b[3]! / 2 ** 32;
}

/** The ceiling for failure number `attempt` (0-based): exponential, capped. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(attempt, 40));
}

/**
 * "Full jitter": a uniform wait in [0, ceiling]. After an HQ outage every
 * terminal of the chain retries, and spreading them over the whole window is
 * what keeps the reconnect storm (sync note §3, test 9) from arriving at once.
 */
export function fullJitter(attempt: number, policy: BackoffPolicy, random: Random): number {
  return Math.floor(unit(random) * (backoffCeiling(attempt, policy) + 1));
}
