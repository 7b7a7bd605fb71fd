import { Accounts } from './accounts';
import type { LedgerContext } from './context';
import type { ExpiringPoints } from './lots';

/**
 * A member's points across the whole chain, as HQ last sent them in a pull:
 * HQ's balance with every terminal's entries projected through `asOfSeq` of
 * THIS terminal's stream, and HQ's open lots.
 */
export interface ChainPosition {
  balance: number;
  asOfSeq: number;
  lots: ExpiringPoints[];
}

/** The sync's pulled positions; null for a member HQ has not sent (or before enrolment). */
export type ChainPositions = (memberId: string) => ChainPosition | null;

export const NO_CHAIN: ChainPositions = () => null;

/**
 * What a member can spend here: HQ's chain-wide balance plus what this
 * terminal journaled since HQ's checkpoint, or this terminal's own balance
 * for a member HQ has not sent. The local `member:<id>:points` account is
 * then this terminal's share of the balance, and goes below zero when points
 * earned in another store are spent here; HQ adds the shares up.
 */
export function spendablePoints(ctx: Pick<LedgerContext, 'journal' | 'chain'>, memberId: string): number {
  const account = Accounts.points(memberId);
  const chain = ctx.chain(memberId);
  if (!chain) return ctx.journal.balance(account);
  return chain.balance + ctx.journal.postedSince(memberId, account, chain.asOfSeq);
}

/** The points by expiry date: HQ's lots plus what was earned here since, less what was spent here since (soonest first); else the local lots. */
export function expiringPoints(ctx: Pick<LedgerContext, 'journal' | 'chain' | 'lots' | 'clock'>, memberId: string): ExpiringPoints[] {
  const chain = ctx.chain(memberId);
  const now = ctx.clock.now();
  if (!chain) return ctx.lots.expiring(memberId, now);
  const earned = ctx.lots.openedSince(memberId, chain.asOfSeq, now);
  const byDay = new Map<string, number>();
  for (const lot of [...chain.lots, ...earned]) byDay.set(lot.expiresOn, (byDay.get(lot.expiresOn) ?? 0) + lot.points);
  const earnedSince = earned.reduce((sum, l) => sum + l.points, 0);
  let spentSince = Math.max(0, earnedSince - ctx.journal.postedSince(memberId, Accounts.points(memberId), chain.asOfSeq));
  const out: ExpiringPoints[] = [];
  for (const [expiresOn, points] of [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const taken = Math.min(points, spentSince);
    spentSince -= taken;
    if (points > taken) out.push({ expiresOn, points: points - taken });
  }
  return out;
}
