import { AppFailure, type FieldIssue } from '../../../shared/contract';
import { uuidv7 } from '../ids';
import { spendablePoints } from './chain-view';
import { Accounts, creditMember, debitMember } from './accounts';
import { bodyHash } from './canonical';
import type { LedgerContext } from './context';
import { expiryFor, expiryOn, type Expiry } from './expiry-policy';
import type { LotTake } from './lots';
import { add, floor, mul, rat, toSafeNumber, ZERO, type Rational } from './rational';
import type { LineFacts } from './rules';
import type { EntryRef, SaleResult } from './sale';
import { parseInput, RefundInput } from './schemas';
import { refundRegularity, refundRegularityDetail, type RefundRegularity } from '../regularity/regularity-book';
import type { SaleRow } from './store';
import type { RefundVouchers } from '../../../shared/contract/vouchers';
import { refundVoucherDetail } from '../vouchers/sale-hooks';

export interface RefundLine {
  lineId: string;
  quantity: number;
}

export interface RefundResult {
  refundId: string;
  saleId: string;
  tillId: string;
  receipt: string;
  memberId: string;
  refundedAt: number;
  lines: RefundLine[];
  /** Earned points taken back. */
  pointsReversed: number;
  /** Of which the member could not cover and now owes (clawback). */
  clawback: number;
  /** Redeemed points given back (partial redemption share plus refunded rewards). */
  pointsRestored: number;
  clawbackSettled: number;
  balanceBefore: number;
  balanceAfter: number;
  /** Every line of the sale has now been refunded. */
  fullyRefunded: boolean;
  entries: EntryRef[];
  /** The voucher given back and the one withdrawn, when this refund leaves nothing of a sale that used or issued one (issue 14 item 4). */
  vouchers?: RefundVouchers;
  /** The visit this refund took under its minimum basket, and the streak bonus taken back with it (counted in pointsReversed). */
  regularity?: RefundRegularity;
}

/**
 * The share of `total` that `refunded` quantities stand for, by each line's
 * weight, floored. Evaluated on cumulative quantities, so successive partial
 * refunds telescope: each takes floor(after) − floor(before), the sum never
 * exceeds `total`, and refunding everything takes exactly `total`.
 */
function cumulativeShare(total: number, lines: readonly LineFacts[], weightOf: (l: LineFacts) => bigint, refunded: ReadonlyMap<string, number>): number {
  if (total === 0) return 0;
  let whole: Rational = ZERO;
  let part: Rational = ZERO;
  for (const line of lines) {
    const w = weightOf(line);
    whole = add(whole, rat(w));
    part = add(part, rat(w * BigInt(refunded.get(line.lineId) ?? 0), line.quantity));
  }
  if (whole.n === 0n) return 0;
  return toSafeNumber(floor(mul(mul(part, rat(total)), rat(whole.d, whole.n))));
}

function requestedQuantities(input: RefundInput, lines: readonly LineFacts[], before: ReadonlyMap<string, number>): Map<string, number> {
  const requested = new Map<string, number>();
  if (input.lines === 'all') {
    for (const line of lines) {
      const left = line.quantity - (before.get(line.lineId) ?? 0);
      if (left > 0) requested.set(line.lineId, left);
    }
    if (requested.size === 0) throw new AppFailure('conflict', 'this sale is already fully refunded', [{ path: 'lines', message: 'ledger.refund_exceeds_remaining' }]);
    return requested;
  }
  const bad: FieldIssue[] = [];
  let beyondRemaining = false;
  input.lines.forEach((r, i) => {
    const line = lines.find((l) => l.lineId === r.lineId);
    if (!line) bad.push({ path: `lines.${i}.lineId`, message: 'ledger.line_unknown' });
    else if (requested.has(r.lineId)) bad.push({ path: `lines.${i}.lineId`, message: 'ledger.line_id_duplicate' });
    else if (r.quantity > line.quantity) bad.push({ path: `lines.${i}.quantity`, message: 'ledger.refund_exceeds_sold' });
    else if ((before.get(r.lineId) ?? 0) + r.quantity > line.quantity) beyondRemaining = true;
    requested.set(r.lineId, r.quantity);
  });
  if (bad.length > 0) throw new AppFailure('bad_input', 'refund does not match the sale', bad);
  if (beyondRemaining) throw new AppFailure('conflict', 'refund exceeds what is left to refund', [{ path: 'lines', message: 'ledger.refund_exceeds_remaining' }]);
  return requested;
}

/** Restored points keep the latest expiry among the lots they were spent from: a refund does not make points younger. */
function restoredExpiry(ctx: LedgerContext, sale: SaleRow): Expiry {
  const redeem = sale.redeem_entry_id ? ctx.journal.entryById(sale.redeem_entry_id) : null;
  const taken = (redeem?.detail.lots ?? []) as unknown as LotTake[];
  let latest: string | null = null;
  for (const [lotId] of taken) {
    const lot = ctx.lots.get(sale.member_id, lotId);
    if (lot && (latest === null || lot.expires_on > latest)) latest = lot.expires_on;
  }
  return latest ? expiryOn(ctx.rules, latest) : expiryFor(ctx.rules, ctx.clock.now());
}

/**
 * Refunds a committed sale, whole or by line, once per refund id. Redeemed
 * points come back first (in proportion to the eligible money refunded, plus
 * refunded reward lines exactly), then earned points are taken back in
 * proportion to the refunded lines' share of the earning. What the member has
 * already spent is not taken below zero: it becomes clawback debt.
 */
export function refundSale(ctx: LedgerContext, raw: unknown): RefundResult {
  const input = parseInput(RefundInput, raw, 'refund');
  const hash = bodyHash(input);
  const refunded = ctx.write((): RefundResult => {
    const existing = ctx.store.refund(input.refundId);
    if (existing) {
      if (existing.body_hash === hash) return JSON.parse(existing.result) as RefundResult;
      throw new AppFailure('conflict', 'this refund id was already used for another refund', [{ path: 'refundId', message: 'ledger.refund_id_reused' }]);
    }
    const sale = ctx.store.sale(input.sale.tillId, input.sale.receipt);
    if (!sale) throw new AppFailure('not_found', 'no committed sale with this receipt', [{ path: 'sale', message: 'ledger.sale_unknown' }]);
    const lines = JSON.parse(sale.lines) as LineFacts[];
    const saleResult = JSON.parse(sale.result) as SaleResult;

    const before = new Map<string, number>();
    let visitUndone = false;
    for (const prior of ctx.store.refundsOf(sale.till_id, sale.receipt)) {
      for (const l of JSON.parse(prior.lines) as RefundLine[]) before.set(l.lineId, (before.get(l.lineId) ?? 0) + l.quantity);
      if (saleResult.regularity) visitUndone ||= (JSON.parse(prior.result) as RefundResult).regularity !== undefined;
    }
    const requested = requestedQuantities(input, lines, before);
    const after = new Map(before);
    for (const [lineId, q] of requested) after.set(lineId, (after.get(lineId) ?? 0) + q);

    const byWeight = (l: LineFacts) => BigInt(l.weight);
    const byEligible = (l: LineFacts) => BigInt(l.eligibleCents);
    // A visit taken under its minimum basket no longer counts, and its streak bonus goes back whole (regularity/regularity-book.ts).
    const undone = saleResult.regularity ? refundRegularity(sale.sale_id, saleResult.regularity, lines, after, visitUndone) : null;
    const reverse =
      cumulativeShare(sale.earned, lines, byWeight, after) - cumulativeShare(sale.earned, lines, byWeight, before) + (undone?.bonusReversed ?? 0);
    const partialRestore =
      cumulativeShare(sale.redeemed_points, lines, byEligible, after) - cumulativeShare(sale.redeemed_points, lines, byEligible, before);
    const rewardRestore = lines.reduce((sum, l) => sum + l.rewardPoints * (requested.get(l.lineId) ?? 0), 0);
    const restore = partialRestore + rewardRestore;

    const { journal, lots } = ctx;
    const memberId = sale.member_id;
    const refundGroup = uuidv7(ctx.clock, ctx.random);
    const business = { groupId: refundGroup, memberId, tillId: sale.till_id, receipt: sale.receipt };
    const refundLines = [...requested].map(([lineId, quantity]) => ({ lineId, quantity }));
    const balanceBefore = spendablePoints(ctx, memberId);
    const entries: EntryRef[] = [];

    // Give back first, then take back: a refund that does both never creates a transient debt.
    let settled = 0;
    if (restore > 0) {
      const credit = creditMember(memberId, Accounts.redemption, restore, journal.owed(memberId));
      const expiry = restoredExpiry(ctx, sale);
      settled = credit.settled;
      const entry = journal.append({
        ...business,
        kind: 'refund_redeem',
        postings: credit.legs,
        detail: {
          refund_id: input.refundId,
          sale_id: sale.sale_id,
          of_entry: sale.redeem_entry_id,
          points: restore,
          partial_points: partialRestore,
          reward_points: rewardRestore,
          clawback_settled: credit.settled,
          lot_expires_on: credit.credited > 0 ? expiry.expiresOn : null,
        },
      });
      lots.open(entry.entryId, memberId, credit.credited, entry.seq, expiry);
      entries.push(entry);
    }

    const fullyRefunded = lines.every((l) => (after.get(l.lineId) ?? 0) === l.quantity);
    const vouchers = ctx.vouchers?.recordRefund({ refundId: input.refundId, memberId, vouchers: saleResult.vouchers, fullyRefunded, at: ctx.clock.now() }) ?? null;
    const debit = debitMember(memberId, Accounts.issuance, reverse, spendablePoints(ctx, memberId), true);
    const taken = lots.take(memberId, debit.debited, sale.earn_entry_id, ctx.chain(memberId) !== null);
    const reversal = journal.append({
      ...business,
      kind: 'refund_earn',
      postings: debit.legs,
      detail: {
        refund_id: input.refundId,
        sale_id: sale.sale_id,
        of_entry: sale.earn_entry_id,
        points: reverse,
        clawback: debit.shortfall,
        lines: refundLines.map((l) => ({ line_id: l.lineId, quantity: l.quantity })),
        lots: taken,
        ...refundVoucherDetail(vouchers),
        ...(undone ? { regularity: refundRegularityDetail(undone) } : {}),
      },
    });
    entries.push(reversal);

    const now = ctx.clock.now();
    const result: RefundResult = {
      refundId: input.refundId,
      saleId: saleResult.saleId,
      tillId: sale.till_id,
      receipt: sale.receipt,
      memberId,
      refundedAt: now,
      lines: refundLines,
      pointsReversed: reverse,
      clawback: debit.shortfall,
      pointsRestored: restore,
      clawbackSettled: settled,
      balanceBefore,
      balanceAfter: spendablePoints(ctx, memberId),
      fullyRefunded,
      entries: entries.map(({ seq, entryId, kind, entryHash }) => ({ seq, entryId, kind, entryHash })),
      ...(vouchers ? { vouchers } : {}),
      ...(undone ? { regularity: undone } : {}),
    };
    ctx.store.insertRefund({
      refund_id: input.refundId,
      till_id: sale.till_id,
      receipt: sale.receipt,
      body_hash: hash,
      refunded_at: now,
      lines: JSON.stringify(refundLines),
      earn_reversed: reverse,
      redeem_restored: restore,
      result: JSON.stringify(result),
    });
    return result;
  });
  ctx.regularity?.refundCommitted(refunded.memberId, refunded.regularity);
  ctx.vouchers?.settle(refunded.refundId);
  return refunded;
}
