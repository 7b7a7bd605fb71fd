import type { Locale } from '../../../shared/contract';
import type { SaleVouchers } from '../../../shared/contract/vouchers';
import { receiptRow, receiptWrap, RECEIPT_WIDTH } from '../../../shared/domain/receipt-layout';
import { voucherAmount, voucherLastDay } from '../../../shared/programme/cadence';

type Words = (key: string, params?: Record<string, string | number>) => string;

/** The receipt's voucher lines (issue 14 item 4): the voucher the sale used, the one it earned and until when. */
export function voucherReceiptLines(t: Words, locale: Locale, vouchers: SaleVouchers | undefined, timeZone: string, columns = RECEIPT_WIDTH): string[] {
  const lines: string[] = [];
  if (vouchers?.applied) lines.push(receiptRow(t('voucher.receipt.used'), `-${voucherAmount(locale, vouchers.applied.cents)}`, columns));
  if (vouchers?.issued) {
    const { cents, expiresAt } = vouchers.issued;
    lines.push(...receiptWrap(t('voucher.receipt.earned', { amount: voucherAmount(locale, cents), date: voucherLastDay(locale, expiresAt, timeZone) }), columns));
  }
  return lines;
}
