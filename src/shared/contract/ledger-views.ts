import { z } from 'zod';
import { MemberId, NextReward, Timestamp } from './schemas';
import { ManagerApproval } from './ledger-inputs';
import { PreviewVoucher, RefundVouchers, SaleVouchers, VoucherId, VoucherView } from './vouchers';
import { MemberTierView } from '../tiers/member-tier';
import { RegularityView } from '../programme/regularity';

/** What the screens and the till are shown of the points ledger. Points are integers, money integer cents. */
const Points = z.number().int();

export const ExpiringPoints = z.object({
  /** 'YYYY-MM-DD', the last store-local day the points can be spent. */
  expiresOn: z.string(),
  points: Points,
});
export type ExpiringPoints = z.infer<typeof ExpiringPoints>;


export const Visit = z.object({
  at: Timestamp,
  tillId: z.string(),
  receipt: z.string(),
  pointsEarned: Points,
  pointsRedeemed: Points,
  /** A refund (whole or in part) has been recorded against this sale. */
  refunded: z.boolean(),
});
export type Visit = z.infer<typeof Visit>;

export const LedgerAccount = z.object({
  memberId: MemberId,
  balance: Points,
  pending: Points,
  available: Points,
  /** Earned points reversed after they were spent, repaid by the next credits. */
  owed: Points,
  expiring: z.array(ExpiringPoints),
  nextReward: NextReward,
  visits: z.array(Visit),
  /** The member's tier from HQ's last ranking, and what is left to reach the next after this terminal's sales since (issue 14 item 3). */
  tier: MemberTierView,
  /** The member's vouchers in date, soonest to expire first (issue 14 item 4); absent where the terminal keeps none. */
  vouchers: z.array(VoucherView).optional(),
  /** Weeks with a visit among the last 12, the streak and the next streak bonus (issue 14 item 5); null: the programme has no regularity. */
  regularity: RegularityView.nullable().optional(),
});
export type LedgerAccount = z.infer<typeof LedgerAccount>;

export const RewardOption = z.object({ rewardId: z.string(), label: z.string(), points: Points, sku: z.string(), affordable: z.boolean() });

export const SalePreviewView = z.object({
  memberId: MemberId,
  balance: Points,
  available: Points,
  pointsEarned: Points,
  pointsRedeemed: Points,
  balanceAfter: Points,
  netCents: z.number().int(),
  promotions: z.array(z.string()),
  redemption: z.object({ points: Points, discountCents: z.number().int() }),
  options: z.object({
    minimumPoints: Points,
    stepPoints: Points,
    maximumPoints: Points,
    value: z.object({ cents: z.number().int(), points: Points }),
    rewards: z.array(RewardOption),
  }),
  /** Basic members' vouchers (issue 14 item 4): offered, used by this preview, the way to the next. */
  voucher: PreviewVoucher.optional(),
});
export type SalePreviewView = z.infer<typeof SalePreviewView>;

export const SaleOutcome = z.object({
  saleId: z.string(),
  tillId: z.string(),
  receipt: z.string(),
  memberId: MemberId,
  committedAt: Timestamp,
  pointsEarned: Points,
  pointsRedeemed: Points,
  redemption: z.object({ points: Points, discountCents: z.number().int() }),
  promotions: z.array(z.string()),
  balanceBefore: Points,
  balanceAfter: Points,
  lotExpiresOn: z.string().nullable(),
  /** The voucher this sale used and the one it earned; absent when neither. */
  vouchers: SaleVouchers.optional(),
});
export type SaleOutcome = z.infer<typeof SaleOutcome>;

export const RefundOutcome = z.object({
  refundId: z.string(),
  saleId: z.string(),
  tillId: z.string(),
  receipt: z.string(),
  memberId: MemberId,
  pointsReversed: Points,
  pointsRestored: Points,
  clawback: Points,
  balanceBefore: Points,
  balanceAfter: Points,
  fullyRefunded: z.boolean(),
  /** The voucher given back and the one withdrawn by this refund; absent when neither. */
  vouchers: RefundVouchers.optional(),
});
export type RefundOutcome = z.infer<typeof RefundOutcome>;

/** A sale typed in by hand at the cashier screen, for stores whose till has no integration. */
export const ManualLine = z.strictObject({
  category: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'ledger.slug'),
  amountCents: z.number().int().min(1, 'ledger.payment_positive').max(100_000_000, 'ledger.too_large'),
  taxRateBp: z.number().int().min(0).max(10_000),
  /** A catalogue product's line (issue 14 item 2): the core checks the SKU against the catalogue and takes its label from there. */
  sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'product.code_format').optional(),
  label: z.string().min(1).max(120).regex(/^[^\p{Cc}]*$/u, 'ledger.control_chars').optional(),
});
export const ManualSale = z.strictObject({
  memberId: MemberId,
  lines: z.array(ManualLine).min(1, 'ledger.basket_empty').max(50, 'ledger.too_many_lines'),
  redeemPoints: z.number().int().min(0).max(1_000_000_000).default(0),
  /** A catalogue reward the redeemed points pay for; its label goes on the receipt. */
  rewardId: z.string().min(1).max(64).nullable().optional(),
  /** A manager's PIN, for a sale past the programme's ceilings. */
  manager: ManagerApproval.nullable().optional(),
  /** One of the member's vouchers, taken off the ticket (issue 14 item 4). */
  voucherId: VoucherId.nullable().optional(),
});
export type ManualSale = z.input<typeof ManualSale>;

/** Pushed to both screens when a member's points move, so the customer sees them arrive. */
export const PointsMoved = z.object({
  at: Timestamp,
  memberId: MemberId,
  firstName: z.string(),
  /** `void`: a till released points it had set aside; `sync`: HQ's figures moved the balance (another store, expiry). */
  reason: z.enum(['sale', 'refund', 'adjustment', 'void', 'sync']),
  /** Signed as the balance moved: a refund's are negative (points taken back, points given back). */
  pointsEarned: Points,
  pointsRedeemed: Points,
  /** The ledger's balance once this movement is written: every figure on both screens starts from it. */
  balance: Points,
  nextReward: NextReward,
  /** The ticket the movement is about; null for an adjustment or a sync. */
  tillId: z.string().nullable().default(null),
  receipt: z.string().nullable().default(null),
  /** What the points redeemed took off the ticket (a sale), in cents. */
  discountCents: z.number().int().default(0),
  /** A catalogue reward the points paid for (« Café offert »). */
  rewardLabel: z.string().nullable().default(null),
});
export type PointsMoved = z.infer<typeof PointsMoved>;

export const ZReportView = z.object({
  day: z.string(),
  /** The report as data, exactly as the ledger computed it. */
  report: z.record(z.string(), z.unknown()),
  /** The same, laid out for a 42-column receipt. */
  lines: z.array(z.string()),
});

/** What the cashier screen needs of the program: the VAT rates a basket may carry, the categories and rewards. */
export const ProgramView = z.object({
  version: z.string(),
  taxRatesBp: z.array(z.number().int()),
  /** Each category carries the VAT rate a manual line starts at (5,5 % for groceries in France). */
  categories: z.array(z.object({ slug: z.string(), multiplierPercent: z.number().int(), excluded: z.boolean(), taxRateBp: z.number().int() })),
  rewards: z.array(z.object({ rewardId: z.string(), label: z.string(), points: Points })),
  redemption: z.object({ minimumPoints: Points, value: z.object({ cents: z.number().int(), points: Points }) }),
});
export type ProgramView = z.infer<typeof ProgramView>;
