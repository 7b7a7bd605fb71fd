import type { Posting } from './chain';

/**
 * The chart of accounts, in integer points. Sign convention: a posting's
 * delta adds to the account's balance and every entry sums to zero, so the
 * program accounts mirror what members hold:
 *
 * - member:<id>:points     what the member can spend (never below zero);
 * - member:<id>:clawback   what the member owes (≤ 0): points reversed by a
 *                          refund after they had been spent; settled first
 *                          by the member's next credits;
 * - program:issuance       −(points issued by earning, net of reversals);
 * - program:redemption     +(points spent, net of restorations);
 * - program:expired        +(points expired);
 * - program:adjustments    −(net points granted by hand).
 */
export const Accounts = {
  issuance: 'program:issuance',
  redemption: 'program:redemption',
  expired: 'program:expired',
  adjustments: 'program:adjustments',
  points: (memberId: string) => `member:${memberId}:points`,
  clawback: (memberId: string) => `member:${memberId}:clawback`,
} as const;

export interface Credit {
  legs: Posting[];
  /** What reached the member's spendable points. */
  credited: number;
  /** What paid back their clawback debt first. */
  settled: number;
}

/** Gives `amount` points to a member from `source`, paying back any clawback debt first. */
export function creditMember(memberId: string, source: string, amount: number, debt: number): Credit {
  const settled = Math.min(amount, debt);
  const credited = amount - settled;
  return {
    legs: [
      { account: source, delta: -amount },
      { account: Accounts.clawback(memberId), delta: settled },
      { account: Accounts.points(memberId), delta: credited },
    ],
    credited,
    settled,
  };
}

export interface Debit {
  legs: Posting[];
  /** What left the member's spendable points. */
  debited: number;
  /** What they could not cover, booked as a debt on their clawback account. */
  shortfall: number;
}

/**
 * Takes `amount` points from a member into `sink`. Only a reversal may fall
 * short (the points were spent meanwhile): the rest becomes clawback debt
 * rather than a negative balance.
 */
export function debitMember(memberId: string, sink: string, amount: number, balance: number, allowShortfall: boolean): Debit {
  const debited = Math.min(amount, balance);
  const shortfall = amount - debited;
  if (shortfall > 0 && !allowShortfall) throw new Error(`debit of ${amount} points exceeds the balance of ${balance}`);
  return {
    legs: [
      { account: sink, delta: amount },
      { account: Accounts.points(memberId), delta: -debited },
      { account: Accounts.clawback(memberId), delta: -shortfall },
    ],
    debited,
    shortfall,
  };
}
