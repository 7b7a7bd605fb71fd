import { AppFailure } from '../../../shared/contract';
import type { RefundVouchers, SaleVouchers, VoucherView } from '../../../shared/contract/vouchers';
import type { CheckedBasket } from '../ledger/basket';
import type { CanonicalValue } from '../ledger/canonical';
import type { LedgerContext } from '../ledger/context';

/**
 * What the ledger's sale and refund call to take vouchers into account, kept
 * here so sale.ts and refund.ts carry one line each. A sale that names no
 * voucher, by a member who earns none, adds nothing to its entries.
 */

/** The voucher a sale or preview names, checked; a ledger without vouchers refuses one rather than ignoring it. */
export function voucherToUse(ctx: LedgerContext, memberId: string, voucherId: string | undefined, at: number): VoucherView | null {
  if (voucherId === undefined) return null;
  if (!ctx.vouchers) throw new AppFailure('bad_input', 'this terminal takes no vouchers', [{ path: 'voucherId', message: 'ledger.voucher_unknown' }]);
  return ctx.vouchers.use(memberId, voucherId, at);
}

/** Money the customer did not pay for the earning lines: the points discount, and the voucher up to what those lines cost. */
export const earnDiscountCents = (basket: CheckedBasket): number =>
  basket.discountCents + Math.max(Math.min(basket.voucherCents, basket.eligibleCents - basket.discountCents), 0);

const voucherDetail = (v: VoucherView): { [key: string]: CanonicalValue } => ({ voucher_id: v.voucherId, cents: v.cents, expires_at: v.expiresAt });

/** In the sale's earn entry: how HQ learns a voucher was used or issued. */
export function saleVoucherDetail(vouchers: SaleVouchers | null): { [key: string]: CanonicalValue } {
  if (!vouchers) return {};
  return {
    ...(vouchers.applied ? { voucher_applied: voucherDetail(vouchers.applied) } : {}),
    ...(vouchers.issued ? { voucher_issued: voucherDetail(vouchers.issued) } : {}),
  };
}

/** In the refund's entry: the voucher given back, the one withdrawn. */
export function refundVoucherDetail(vouchers: RefundVouchers | null): { [key: string]: CanonicalValue } {
  if (!vouchers) return {};
  return {
    ...(vouchers.restored ? { voucher_restored: voucherDetail(vouchers.restored) } : {}),
    ...(vouchers.withdrawn ? { voucher_withdrawn: voucherDetail(vouchers.withdrawn) } : {}),
  };
}
