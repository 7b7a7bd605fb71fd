import { AppFailure } from '../../../shared/contract';
import { uuidv7 } from '../ids';
import { isProvisionalMember } from '../members/provisional';
import { Accounts, creditMember, debitMember } from './accounts';
import type { PinGuard } from './adjustment';
import { requireWithinCeilings } from './ceilings';
import { spendablePoints } from './chain-view';
import { checkBasket, type RewardUse } from './basket';
import { bodyHash } from './canonical';
import type { EntryKind } from './chain';
import type { LedgerContext } from './context';
import { expiryFor } from './expiry-policy';
import { computeEarn, discountForPoints, journalLines, maxPointsForCents, redemptionStep } from './rules';
import { requireAvailable, saleKey } from './redemption';
import { HoldInput, parseInput, PreviewInput, SaleInput, SaleKey } from './schemas';
import type { PreviewVoucher, SaleVouchers } from '../../../shared/contract/vouchers';
import { earnDiscountCents, voucherToUse } from '../vouchers/sale-hooks';
import { saleRegularityDetail, type SaleRegularity } from '../regularity/regularity-book';

export interface EntryRef {
  seq: number;
  entryId: string;
  kind: EntryKind;
  entryHash: string;
}

export interface SaleResult {
  saleId: string;
  tillId: string;
  receipt: string;
  memberId: string;
  committedAt: number;
  rulesVersion: string;
  pointsEarned: number;
  /** Partial redemption: points turned into a discount on the ticket. */
  redemption: { points: number; discountCents: number };
  rewards: RewardUse[];
  /** Every point spent on this sale: the partial redemption plus the rewards. */
  pointsRedeemed: number;
  /** Earned points that paid back an earlier clawback instead of reaching the balance. */
  clawbackSettled: number;
  promotions: string[];
  balanceBefore: number;
  balanceAfter: number;
  /** When this sale's points expire, if it credited any. */
  lotExpiresOn: string | null;
  entries: EntryRef[];
  /** The voucher this sale used and the one it earned (issue 14 item 4); absent when neither. */
  vouchers?: SaleVouchers;
  /** A visit over the minimum basket, and the streak bonus counted in pointsEarned (regularity/regularity-book.ts); absent: no visit. */
  regularity?: SaleRegularity;
}

export interface RedemptionOptions {
  minimumPoints: number;
  stepPoints: number;
  /** The most points this basket can take as a discount now (0: none possible). */
  maximumPoints: number;
  value: { cents: number; points: number };
  rewards: Array<{ rewardId: string; label: string; points: number; sku: string; affordable: boolean }>;
}

export interface SalePreview {
  memberId: string;
  balance: number;
  pending: number;
  available: number;
  pointsEarned: number;
  promotions: string[];
  netCents: number;
  eligibleCents: number;
  paidEligibleCents: number;
  redemption: { points: number; discountCents: number };
  rewards: RewardUse[];
  pointsRedeemed: number;
  /** The balance if this sale were committed now (after any clawback settlement). */
  balanceAfter: number;
  offline: boolean;
  options: RedemptionOptions;
  /** The member's vouchers: the one offered, the one this preview uses, the way to the next; absent on a ledger without vouchers. */
  voucher?: PreviewVoucher;
}

function requireMember(ctx: LedgerContext, memberId: string): void {
  if (!ctx.store.memberExists(memberId)) throw new AppFailure('not_found', 'no such member', [{ path: 'memberId', message: 'ledger.member_unknown' }]);
}

/** A card earned on offline that HQ has not linked to its customer: nobody knows its balance, so nothing is spent from it. */
function refuseProvisionalRedemption(ctx: LedgerContext, memberId: string): void {
  if (isProvisionalMember(ctx.db, memberId)) {
    throw new AppFailure('conflict', 'this card is not linked to a customer yet: it can earn points, not spend them', [
      { path: 'redeemPoints', message: 'ledger.provisional_no_redeem' },
    ]);
  }
}

function memberPosition(ctx: LedgerContext, memberId: string, key: string | null) {
  const balance = spendablePoints(ctx, memberId);
  const debt = ctx.journal.owed(memberId);
  const pending = ctx.holds.pendingFor(memberId, key);
  return { balance, debt, pending, available: Math.max(balance - pending, 0) };
}

function redemptionOptions(ctx: LedgerContext, memberId: string, available: number, eligibleCents: number, rewardPoints: number): RedemptionOptions {
  const { rules } = ctx;
  const allowance = isProvisionalMember(ctx.db, memberId) ? 0 : ctx.offline.allowance(memberId);
  const step = redemptionStep(rules);
  const room = Math.min(available, allowance) - rewardPoints;
  let maximum = Math.min(room, maxPointsForCents(rules, eligibleCents));
  maximum -= maximum % step;
  if (maximum < rules.redemption.minimumPoints) maximum = 0;
  return {
    minimumPoints: rules.redemption.minimumPoints,
    stepPoints: step,
    maximumPoints: Math.max(maximum, 0),
    value: { ...rules.redemption.value },
    rewards: rules.rewards.map((r) => ({ rewardId: r.id, label: r.label, points: r.points, sku: r.sku, affordable: r.points <= room })),
  };
}

/** What a sale would do, computed exactly as commit would, writing nothing. */
export function previewSale(ctx: LedgerContext, raw: unknown): SalePreview {
  const input = parseInput(PreviewInput, raw, 'sale preview');
  requireMember(ctx, input.memberId);
  const voucher = voucherToUse(ctx, input.memberId, input.voucherId, ctx.clock.now());
  const basket = checkBasket(ctx.rules, input, voucher?.cents ?? 0);
  const position = memberPosition(ctx, input.memberId, saleKey(input.tillId, input.receipt));
  const spent = basket.redeemPoints + basket.rewardPoints;
  if (spent > 0) {
    refuseProvisionalRedemption(ctx, input.memberId);
    requireAvailable(spent, position.balance, position.pending);
    ctx.offline.check(input.memberId, spent);
  }
  const earn = computeEarn(ctx.rules, basket.lines, earnDiscountCents(basket), ctx.clock.now());
  requireWithinCeilings(ctx, { ...input, lines: basket.lines, netCents: earn.netCents, points: earn.points }, null);
  // The streak bonus this basket would complete, as commit would grant it.
  const bonus = ctx.regularity?.forSale(input.memberId, earn.eligibleCents, ctx.clock.now(), ctx.rules)?.bonusPoints ?? 0;
  const settled = Math.min(earn.points + bonus, position.debt);
  return {
    memberId: input.memberId,
    balance: position.balance,
    pending: position.pending,
    available: position.available,
    pointsEarned: earn.points + bonus,
    promotions: earn.promotions,
    netCents: earn.netCents,
    eligibleCents: earn.eligibleCents,
    paidEligibleCents: earn.paidEligibleCents,
    redemption: { points: basket.redeemPoints, discountCents: basket.discountCents },
    rewards: basket.rewards,
    pointsRedeemed: spent,
    balanceAfter: position.balance - spent + earn.points + bonus - settled,
    offline: ctx.offline.isOffline(),
    options: redemptionOptions(ctx, input.memberId, position.available, basket.eligibleCents, basket.rewardPoints),
    ...(ctx.vouchers ? { voucher: ctx.vouchers.preview(input.memberId, voucher, ctx.clock.now(), ctx.rules.version) } : {}),
  };
}

export interface HoldResult {
  memberId: string;
  points: number;
  discountCents: number;
  rewards: RewardUse[];
  /** What the member still has available once this hold counts. */
  availableAfter: number;
  holdTimeoutMs: number;
}

/**
 * Reserves points for a sale the customer is paying for, so another sale
 * cannot spend them meanwhile. Memory only: committing consumes it, voiding
 * (or a restart, or the timeout) forgets it.
 */
export function holdRedemption(ctx: LedgerContext, raw: unknown): HoldResult {
  const input = parseInput(HoldInput, raw, 'redemption hold');
  const key = saleKey(input.tillId, input.receipt);
  if (ctx.store.sale(input.tillId, input.receipt)) throw new AppFailure('conflict', 'this sale is already committed');
  requireMember(ctx, input.memberId);
  const rewards: RewardUse[] = [];
  for (const [i, r] of input.rewards.entries()) {
    const reward = ctx.rules.rewards.find((x) => x.id === r.rewardId);
    if (!reward) throw new AppFailure('bad_input', 'unknown reward', [{ path: `rewards.${i}.rewardId`, message: 'ledger.reward_unknown' }]);
    rewards.push({ rewardId: reward.id, quantity: r.quantity, points: reward.points * r.quantity });
  }
  let discountCents = 0;
  if (input.redeemPoints > 0) {
    const discount = discountForPoints(ctx.rules, input.redeemPoints);
    if (input.redeemPoints < ctx.rules.redemption.minimumPoints) {
      throw new AppFailure('bad_input', 'fewer points than the minimum', [{ path: 'redeemPoints', message: 'ledger.redeem_below_minimum' }]);
    }
    if (discount === null) {
      throw new AppFailure('bad_input', `points come in steps of ${redemptionStep(ctx.rules)}`, [{ path: 'redeemPoints', message: 'ledger.redeem_step' }]);
    }
    discountCents = discount;
  }
  const points = input.redeemPoints + rewards.reduce((sum, r) => sum + r.points, 0);
  const position = memberPosition(ctx, input.memberId, key);
  if (points > 0) refuseProvisionalRedemption(ctx, input.memberId);
  requireAvailable(points, position.balance, position.pending);
  ctx.offline.check(input.memberId, points);
  ctx.holds.set(key, { memberId: input.memberId, points, discountCents, rewards });
  return {
    memberId: input.memberId,
    points,
    discountCents,
    rewards,
    availableAfter: position.available - points,
    holdTimeoutMs: ctx.policy.holdTimeoutMs,
  };
}

/** Drops an uncommitted sale: its hold goes, and nothing is written anywhere. */
export function voidSale(ctx: LedgerContext, raw: unknown): { releasedPoints: number } {
  const key = parseInput(SaleKey, raw, 'sale reference');
  if (ctx.store.sale(key.tillId, key.receipt)) throw new AppFailure('conflict', 'this sale is committed: refund it instead');
  const hold = ctx.holds.release(saleKey(key.tillId, key.receipt));
  return { releasedPoints: hold?.points ?? 0 };
}

export interface CommitOptions {
  /**
   * The HQ hold that reserved this sale's points (sync/holds.ts): recorded in
   * the redeem entry as `detail.hold_id`, which is how HQ's projector posts it.
   */
  holdId?: string;
}

/**
 * Commits a sale under the till's receipt number, once: the redemption and
 * the earning are one group of entries, written with the lots and balances in
 * one transaction. The same receipt with the same body returns the first
 * result; with another body it is a conflict. Past a ceiling of the
 * programme it needs a manager's PIN (ceilings.ts).
 */
export function commitSale(ctx: LedgerContext, raw: unknown, options: CommitOptions, pins: PinGuard): SaleResult {
  const input = parseInput(SaleInput, raw, 'sale');
  // The approval is not part of the sale: the PIN is never stored, and a sale from before ceilings existed hashes as it did.
  const { manager: _approval, ...hashed } = input;
  const hash = bodyHash(hashed);
  const key = saleKey(input.tillId, input.receipt);
  const result = ctx.write((): SaleResult => {
    const existing = ctx.store.sale(input.tillId, input.receipt);
    if (existing) {
      if (existing.body_hash === hash) return JSON.parse(existing.result) as SaleResult;
      throw new AppFailure('conflict', 'this receipt number was already committed with another basket', [{ path: 'receipt', message: 'ledger.receipt_reused' }]);
    }
    requireMember(ctx, input.memberId);
    const voucher = voucherToUse(ctx, input.memberId, input.voucherId, ctx.clock.now());
    const basket = checkBasket(ctx.rules, input, voucher?.cents ?? 0);
    const { journal, lots, rules } = ctx;
    const memberId = input.memberId;
    const position = memberPosition(ctx, memberId, key);
    const spent = basket.redeemPoints + basket.rewardPoints;
    if (spent > 0) {
      refuseProvisionalRedemption(ctx, memberId);
      requireAvailable(spent, position.balance, position.pending);
      // Points HQ reserved are not spent on the allowance, even if HQ went away since the grant.
      if (options.holdId === undefined) ctx.offline.check(memberId, spent);
    }

    const now = ctx.clock.now();
    const earn = computeEarn(rules, basket.lines, earnDiscountCents(basket), now);
    requireWithinCeilings(ctx, { ...input, lines: basket.lines, netCents: earn.netCents, points: earn.points }, pins);
    // A visit over the minimum basket, and the streak bonus it completes: the programme's, outside the ceilings on what a till mints.
    const regularity = ctx.regularity?.forSale(memberId, earn.eligibleCents, now, rules) ?? null;
    const earned = earn.points + (regularity?.bonusPoints ?? 0);
    const saleId = uuidv7(ctx.clock, ctx.random);
    const business = { groupId: saleId, memberId, tillId: input.tillId, receipt: input.receipt };
    const entries: EntryRef[] = [];

    // Spend before earning: points earned on this ticket cannot pay for it.
    let redeemEntryId: string | null = null;
    if (spent > 0) {
      const allowanceId = options.holdId === undefined ? ctx.offline.allowanceId() : null;
      const taken = lots.take(memberId, spent, null, ctx.chain(memberId) !== null);
      const debit = debitMember(memberId, Accounts.redemption, spent, position.balance, false);
      const entry = journal.append({
        ...business,
        kind: 'redeem',
        postings: debit.legs,
        detail: {
          sale_id: saleId,
          points: basket.redeemPoints,
          discount_cents: basket.discountCents,
          rewards: basket.rewards.map((r) => ({ reward_id: r.rewardId, quantity: r.quantity, points: r.points })),
          lots: taken,
          ...(options.holdId !== undefined ? { hold_id: options.holdId } : {}),
          ...(allowanceId !== null ? { allowance_id: allowanceId } : {}),
        },
      });
      redeemEntryId = entry.entryId;
      entries.push(entry);
      if (ctx.offline.isOffline()) ctx.offline.checkpoint();
    }

    const paidCents = earn.netCents - basket.discountCents - basket.voucherCents;
    const voucherRecord = ctx.vouchers?.recordSale({ saleId, memberId, applied: voucher, paidCents, points: earn.points, at: now, rulesVersion: rules.version }) ?? null;
    const vouchers = voucherRecord?.vouchers ?? null;
    const credit = creditMember(memberId, Accounts.issuance, earned, position.debt);
    const expiry = expiryFor(rules, now);
    const earnEntry = journal.append({
      ...business,
      kind: 'earn',
      postings: credit.legs,
      detail: {
        sale_id: saleId,
        points: earned,
        net_cents: earn.netCents,
        eligible_cents: earn.eligibleCents,
        paid_eligible_cents: earn.paidEligibleCents,
        promotions: earn.promotions,
        clawback_settled: credit.settled,
        lot_expires_on: credit.credited > 0 ? expiry.expiresOn : null,
        lines: journalLines(basket.lines),
        ...(regularity ? { regularity: saleRegularityDetail(regularity) } : {}),
        ...voucherRecord?.detail,
      },
    });
    entries.push(earnEntry);
    lots.open(earnEntry.entryId, memberId, credit.credited, earnEntry.seq, expiry);

    const result: SaleResult = {
      saleId,
      tillId: input.tillId,
      receipt: input.receipt,
      memberId,
      committedAt: now,
      rulesVersion: rules.version,
      pointsEarned: earned,
      redemption: { points: basket.redeemPoints, discountCents: basket.discountCents },
      rewards: basket.rewards,
      pointsRedeemed: spent,
      clawbackSettled: credit.settled,
      promotions: earn.promotions,
      balanceBefore: position.balance,
      balanceAfter: spendablePoints(ctx, memberId),
      lotExpiresOn: credit.credited > 0 ? expiry.expiresOn : null,
      entries: entries.map(({ seq, entryId, kind, entryHash }) => ({ seq, entryId, kind, entryHash })),
      ...(regularity ? { regularity } : {}),
      ...(vouchers ? { vouchers } : {}),
    };
    ctx.store.insertSale({
      till_id: input.tillId,
      receipt: input.receipt,
      sale_id: saleId,
      member_id: memberId,
      body_hash: hash,
      committed_at: now,
      // The basket's points, which refunds share out by line; a streak bonus goes back whole or not at all (refund.ts).
      earned: earn.points,
      redeemed_points: basket.redeemPoints,
      redeem_entry_id: redeemEntryId,
      earn_entry_id: earnEntry.entryId,
      lines: JSON.stringify(earn.lines),
      result: JSON.stringify(result),
    });
    return result;
  });
  ctx.holds.release(key);
  ctx.vouchers?.settle(result.saleId);
  // After the commit (a rolled-back sale must leave no visit behind); a replay adds the same sale again, which changes nothing.
  ctx.regularity?.saleCommitted(result.memberId, result.saleId, result.regularity);
  return result;
}
