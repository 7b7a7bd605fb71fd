import { z } from 'zod';
import { isWellFormedText } from '../domain/text';
import { MemberId } from './schemas';
import { VoucherId } from './vouchers';

/**
 * The shapes the till sends for the points ledger, checked before anything
 * else, by the till API and the screens' contract alike. Rules that depend on
 * the program (known tax rates, rewards, sums) live in the core (ledger/basket.ts).
 */
const NO_CONTROL = /^[^\p{Cc}]*$/u;
const Text = (max: number) =>
  z
    .string()
    .max(max, 'ledger.text_too_long')
    .regex(NO_CONTROL, 'ledger.control_chars')
    .refine(isWellFormedText, 'ledger.malformed_text')
    .transform((s) => s.normalize('NFC'));

export const TillId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/, 'ledger.till_id');
export const ReceiptNumber = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'ledger.receipt');
/** Client-made idempotency keys (a UUID is typical). */
export const RequestKey = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, 'ledger.request_key');
const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'ledger.slug');
const Cents = z.number().int('ledger.integer_cents').min(0, 'ledger.negative').max(100_000_000, 'ledger.too_large');

export const SaleLine = z.strictObject({
  lineId: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'ledger.line_id'),
  sku: Text(64).pipe(z.string().min(1, 'ledger.sku_empty')),
  label: Text(120),
  category: Slug,
  quantity: z.number().int('ledger.integer_quantity').min(1, 'ledger.quantity_positive').max(9999, 'ledger.too_large'),
  unitPriceCents: Cents,
  discountCents: Cents.default(0),
  taxRateBp: z.number().int().min(0).max(10_000),
  rewardId: Slug.nullable().default(null),
});
export type SaleLine = z.infer<typeof SaleLine>;

export const PAYMENT_METHODS = ['cash', 'card', 'cheque', 'voucher', 'gift_card', 'meal_voucher', 'other'] as const;

export const Payment = z.strictObject({
  method: z.enum(PAYMENT_METHODS),
  amountCents: Cents.pipe(z.number().min(1, 'ledger.payment_positive')),
});

/** A manager's approval at the till: who, and their PIN, checked against the terminal's hash and never stored. */
export const ManagerApproval = z.strictObject({
  id: Text(64).pipe(z.string().min(1)),
  pin: z.string().regex(/^\d{4,12}$/, 'ledger.pin_format'),
});
export type ManagerApproval = z.infer<typeof ManagerApproval>;

const SaleKeyShape = { tillId: TillId, receipt: ReceiptNumber };
export const SaleKey = z.strictObject(SaleKeyShape);
export type SaleKey = z.infer<typeof SaleKey>;

export const SaleInput = z.strictObject({
  ...SaleKeyShape,
  memberId: MemberId,
  lines: z.array(SaleLine).min(1, 'ledger.basket_empty').max(500, 'ledger.too_many_lines'),
  /** What the customer paid with money; the points discount is not a payment. */
  payments: z.array(Payment).max(20),
  /** Partial redemption: points turned into a discount on this ticket. */
  redeemPoints: z.number().int().min(0).max(1_000_000_000).default(0),
  /** Needed only past the programme's ceilings (a huge ticket, a line or the points of the sale). */
  manager: ManagerApproval.nullable().optional(),
  /** A voucher of the member's taken off this ticket (issue 14 item 4); absent from sales that use none, so their hash is as before. */
  voucherId: VoucherId.optional(),
});
export type SaleInput = z.infer<typeof SaleInput>;

/** A preview may come before the payments are known. */
export const PreviewInput = SaleInput.extend({ payments: z.array(Payment).max(20).nullable().default(null) });
export type PreviewInput = z.infer<typeof PreviewInput>;

export const HoldInput = z.strictObject({
  ...SaleKeyShape,
  memberId: MemberId,
  redeemPoints: z.number().int().min(0).max(1_000_000_000).default(0),
  rewards: z
    .array(z.strictObject({ rewardId: Slug, quantity: z.number().int().min(1).max(99) }))
    .max(20)
    .default([]),
});
export type HoldInput = z.infer<typeof HoldInput>;

export const RefundInput = z.strictObject({
  refundId: RequestKey,
  sale: SaleKey,
  /** 'all' refunds whatever is left of the sale. */
  lines: z.union([
    z.literal('all'),
    z
      .array(z.strictObject({ lineId: z.string().regex(/^[A-Za-z0-9._-]{1,32}$/, 'ledger.line_id'), quantity: z.number().int().min(1).max(9999) }))
      .min(1)
      .max(500),
  ]),
});
export type RefundInput = z.infer<typeof RefundInput>;

export const AdjustInput = z.strictObject({
  adjustmentId: RequestKey,
  memberId: MemberId,
  points: z
    .number()
    .int()
    .min(-1_000_000)
    .max(1_000_000)
    .refine((n) => n !== 0, 'ledger.adjust_zero'),
  reason: Text(200).pipe(z.string().trim().min(3, 'ledger.reason_required')),
  /** Who asks for it (the cashier's id). */
  actor: Text(64).pipe(z.string().min(1, 'ledger.actor_required')),
  manager: ManagerApproval.nullable().default(null),
});
export type AdjustInput = z.infer<typeof AdjustInput>;

