import { AppFailure } from '../../../shared/contract';
import type { Monotonic } from './journal';

/**
 * Points held by sales not yet committed: the customer chose to redeem, the
 * till has not finished. Held in memory on purpose: an uncommitted sale must
 * leave no trace, so a void (or a restart) simply forgets it. A hold lapses
 * after `timeoutMs` on the monotonic clock.
 */
export interface Hold {
  memberId: string;
  points: number;
  discountCents: number;
  rewards: Array<{ rewardId: string; quantity: number; points: number }>;
  createdAt: number;
}

export function saleKey(tillId: string, receipt: string): string {
  return `${tillId}\u0000${receipt}`;
}

export class Holds {
  private readonly holds = new Map<string, Hold>();

  constructor(
    private readonly monotonic: Monotonic,
    private readonly timeoutMs: number,
  ) {}

  get(key: string): Hold | null {
    this.prune();
    return this.holds.get(key) ?? null;
  }

  set(key: string, hold: Omit<Hold, 'createdAt'>): Hold {
    const full = { ...hold, createdAt: this.monotonic.now() };
    this.holds.set(key, full);
    return full;
  }

  release(key: string): Hold | null {
    const hold = this.get(key);
    this.holds.delete(key);
    return hold;
  }

  /** Points held for this member by other sales than `exceptKey`. */
  pendingFor(memberId: string, exceptKey: string | null = null): number {
    this.prune();
    let total = 0;
    for (const [key, hold] of this.holds) if (hold.memberId === memberId && key !== exceptKey) total += hold.points;
    return total;
  }

  private prune(): void {
    const now = this.monotonic.now();
    for (const [key, hold] of this.holds) if (now - hold.createdAt >= this.timeoutMs) this.holds.delete(key);
  }
}

/** Refuses a redemption the member cannot cover: available = balance − points held by other sales. */
export function requireAvailable(points: number, balance: number, pending: number, path = 'redeemPoints'): void {
  const available = Math.max(balance - pending, 0);
  if (points > available) {
    throw new AppFailure('conflict', `redeeming ${points} points but only ${available} are available`, [
      { path, message: 'ledger.insufficient_points' },
    ]);
  }
}
