import type { Clock } from '../../main/core/ports';

/**
 * Counts failed logins per username and per client address over a sliding
 * window. Once either count reaches its limit, further attempts are refused
 * without checking the password until the oldest failure leaves the window.
 * In memory: a restart forgets, which only gives an attacker one more window.
 */
export interface LoginLimits {
  windowMs: number;
  perUsername: number;
  perAddress: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { windowMs: 15 * 60_000, perUsername: 5, perAddress: 20 };

// Bounds the memory an attacker can make HQ use by cycling usernames.
const MAX_KEYS = 10_000;

export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /** Milliseconds until an attempt is allowed for this username and address; 0 when it is allowed now. */
  retryAfterMs(username: string, address: string): number {
    return Math.max(this.waitFor(`u:${username}`, this.limits.perUsername), this.waitFor(`a:${address}`, this.limits.perAddress));
  }

  fail(username: string, address: string): void {
    for (const key of [`u:${username}`, `a:${address}`]) {
      const list = this.recent(key);
      list.push(this.clock.now());
      this.failures.delete(key);
      this.failures.set(key, list);
    }
    while (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  /** A good password clears the username's count; the address keeps its own (one success hides no spray). */
  succeed(username: string): void {
    this.failures.delete(`u:${username}`);
  }

  private recent(key: string): number[] {
    const since = this.clock.now() - this.limits.windowMs;
    return (this.failures.get(key) ?? []).filter((at) => at > since);
  }

  private waitFor(key: string, limit: number): number {
    const list = this.recent(key);
    if (list.length < limit) return 0;
    return list[list.length - limit]! + this.limits.windowMs - this.clock.now();
  }
}
