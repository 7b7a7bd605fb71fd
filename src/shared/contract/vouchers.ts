import { z } from 'zod';

/**
 * Basic members' vouchers as the screens, the till and the receipt see them
 * (issue 14 item 4): issued by a sale, offered at the next checkout, used once
 * (src/main/core/vouchers). Money in integer cents, times epoch ms.
 */
export const VoucherView = z.object({
  voucherId: z.string(),
  cents: z.number().int().positive(),
  issuedAt: z.number().int().nonnegative(),
  /** The first instant it is no longer accepted. */
  expiresAt: z.number().int().nonnegative(),
});
export type VoucherView = z.infer<typeof VoucherView>;

/** What a voucher id looks like on the wire: the issuing sale's id behind a prefix. */
export const VoucherId = z.string().regex(/^v-[A-Za-z0-9-]{1,64}$/, 'ledger.voucher_id');

/** How far the member is from the next voucher (of `cents`): visits and points still needed (null: that count is not used). */
export const VoucherProgress = z.object({ visits: z.number().int().nullable(), points: z.number().int().nullable(), cents: z.number().int() });
export type VoucherProgress = z.infer<typeof VoucherProgress>;

/** In a sale's preview: the voucher the member may use now, the one this preview uses, and how far the next is. */
export const PreviewVoucher = z.object({
  offered: VoucherView.nullable(),
  applied: VoucherView.nullable(),
  /** Null: the member does not collect vouchers (gold accumulates points instead). */
  next: VoucherProgress.nullable(),
});
export type PreviewVoucher = z.infer<typeof PreviewVoucher>;

/** In a committed sale: the voucher it used and the one it earned. */
export const SaleVouchers = z.object({ applied: VoucherView.nullable(), issued: VoucherView.nullable() });
export type SaleVouchers = z.infer<typeof SaleVouchers>;

/** In a refund: the voucher given back (the refunded sale had used it) and the one withdrawn (the refunded sale had issued it). */
export const RefundVouchers = z.object({ restored: VoucherView.nullable(), withdrawn: VoucherView.nullable() });
export type RefundVouchers = z.infer<typeof RefundVouchers>;
