import { AppFailure, type FieldIssue } from '../../../shared/contract';
import { discountForPoints, isEarningLine, lineNetCents, type BasketLine, type ProgramRules } from './rules';
import type { PreviewInput, SaleInput } from './schemas';

export interface RewardUse {
  rewardId: string;
  quantity: number;
  points: number;
}

export interface CheckedBasket {
  lines: BasketLine[];
  /** Sum of the lines after their own discounts. */
  netCents: number;
  /** The part points may pay for and that earns: lines neither excluded nor rewards. */
  eligibleCents: number;
  redeemPoints: number;
  discountCents: number;
  rewards: RewardUse[];
  rewardPoints: number;
  /** A member's voucher taken off the ticket (vouchers/voucher-book.ts): like the points discount, not a payment. */
  voucherCents: number;
}

/**
 * The program-dependent checks on a basket the schema already accepted:
 * known VAT rates and rewards, discounts within prices, a points discount the
 * ticket can absorb, and payments that add up. Every problem is reported at
 * once, with the path of the field.
 */
export function checkBasket(rules: ProgramRules, input: SaleInput | PreviewInput, voucherCents = 0): CheckedBasket {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const rewards = new Map<string, RewardUse>();
  let netCents = 0;
  let eligibleCents = 0;

  input.lines.forEach((line, i) => {
    if (seen.has(line.lineId)) issues.push({ path: `lines.${i}.lineId`, message: 'ledger.line_id_duplicate' });
    seen.add(line.lineId);
    if (!rules.taxRatesBp.includes(line.taxRateBp)) issues.push({ path: `lines.${i}.taxRateBp`, message: 'ledger.tax_rate_unknown' });
    if (line.discountCents > line.quantity * line.unitPriceCents) {
      issues.push({ path: `lines.${i}.discountCents`, message: 'ledger.discount_exceeds_price' });
    }
    if (line.rewardId !== null) {
      const reward = rules.rewards.find((r) => r.id === line.rewardId);
      if (!reward) {
        issues.push({ path: `lines.${i}.rewardId`, message: 'ledger.reward_unknown' });
      } else {
        const use = rewards.get(reward.id) ?? { rewardId: reward.id, quantity: 0, points: 0 };
        use.quantity += line.quantity;
        use.points += line.quantity * reward.points;
        rewards.set(reward.id, use);
      }
    }
    const net = lineNetCents(line);
    netCents += net;
    if (isEarningLine(rules, line)) eligibleCents += Math.max(net, 0);
  });

  const redeemPoints = input.redeemPoints;
  let discountCents = 0;
  if (redeemPoints > 0) {
    const discount = discountForPoints(rules, redeemPoints);
    if (redeemPoints < rules.redemption.minimumPoints) {
      issues.push({ path: 'redeemPoints', message: 'ledger.redeem_below_minimum' });
    } else if (discount === null) {
      issues.push({ path: 'redeemPoints', message: 'ledger.redeem_step' });
    } else if (discount > eligibleCents) {
      issues.push({ path: 'redeemPoints', message: 'ledger.redeem_exceeds_basket' });
    } else {
      discountCents = discount;
    }
  }

  if (voucherCents > 0 && issues.length === 0 && voucherCents > netCents - discountCents) issues.push({ path: 'voucherId', message: 'ledger.voucher_exceeds_basket' });

  if (input.payments !== null && issues.length === 0) {
    const paid = input.payments.reduce((sum, p) => sum + p.amountCents, 0);
    if (paid !== netCents - discountCents - voucherCents) issues.push({ path: 'payments', message: 'ledger.payments_mismatch' });
  }

  if (issues.length > 0) throw new AppFailure('bad_input', 'malformed basket', issues);
  const rewardList = [...rewards.values()].sort((a, b) => (a.rewardId < b.rewardId ? -1 : 1));
  return {
    lines: input.lines,
    netCents,
    eligibleCents,
    redeemPoints,
    discountCents,
    rewards: rewardList,
    rewardPoints: rewardList.reduce((sum, r) => sum + r.points, 0),
    voucherCents,
  };
}
