import type { PreviewVoucher, SaleVouchers } from '../../shared/contract';
import { nextVoucherWords, voucherAmount } from '../../shared/programme/cadence';
import { useApp } from '../common/app-context';
import { VoucherLine } from '../common/VoucherLine';

/**
 * The member's voucher at the till's checkout (issue 14 item 4): « Bon de 2 €
 * disponible » with the button that takes it off this ticket (or puts it
 * back), and how far the next one is. The core checks it again at commit.
 */
export function VoucherOffer({ voucher, applied, onChange }: { voucher: PreviewVoucher; applied: boolean; onChange(use: boolean): void }) {
  const { t, locale } = useApp();
  const next = nextVoucherWords(t, locale, voucher.next?.cents ?? 0, voucher.next);
  return (
    <div className="voucher-offer" data-testid="cashier-voucher">
      <VoucherLine voucher={voucher.applied ?? voucher.offered} applied={applied && voucher.applied !== null} testId="cashier-voucher-line">
        <button type="button" className="voucher-action" aria-pressed={applied} onClick={() => onChange(!applied)} data-testid="cashier-voucher-apply">
          {applied ? t('voucher.remove') : t('voucher.apply')}
        </button>
      </VoucherLine>
      {next && (
        <p className="voucher-next" data-testid="cashier-voucher-next">
          {next}
        </p>
      )}
    </div>
  );
}

/** What a committed sale did with vouchers, in the till's confirmation list. */
export function VoucherOutcome({ vouchers }: { vouchers: SaleVouchers | undefined }) {
  const { t, locale } = useApp();
  return (
    <>
      {vouchers?.applied && <li data-testid="cashier-manual-result-voucher-used">{t('voucher.applied', { amount: voucherAmount(locale, vouchers.applied.cents) })}</li>}
      {vouchers?.issued && <li data-testid="cashier-manual-result-voucher-earned">{t('voucher.earned', { amount: voucherAmount(locale, vouchers.issued.cents) })}</li>}
    </>
  );
}
