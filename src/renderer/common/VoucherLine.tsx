import type { ReactNode } from 'react';
import type { VoucherView } from '../../shared/contract';
import { voucherAmount, voucherLastDay } from '../../shared/programme/cadence';
import { useApp } from './app-context';
import './vouchers.css';

/**
 * A voucher waiting for the member (issue 14 item 4): « Bon de 2 € disponible,
 * valable jusqu'au 17/12/2026 », the same words on the till and the customer
 * screen; the till adds its apply button as a child. Nothing without a voucher.
 */
export function VoucherLine({
  voucher,
  applied = false,
  className,
  testId,
  children,
}: {
  voucher: VoucherView | null | undefined;
  applied?: boolean;
  className?: string;
  testId: string;
  children?: ReactNode;
}) {
  const { t, locale } = useApp();
  if (!voucher) return null;
  const amount = voucherAmount(locale, voucher.cents);
  return (
    <div
      className={`voucher-line${applied ? ' voucher-applied' : ''}${className ? ` ${className}` : ''}`}
      data-testid={testId}
      data-voucher={voucher.voucherId}
      data-applied={applied}
    >
      <p className="voucher-title">{applied ? t('voucher.applied', { amount }) : t('voucher.available', { amount })}</p>
      <p className="voucher-until">{t('voucher.valid_until', { date: voucherLastDay(locale, voucher.expiresAt) })}</p>
      {children}
    </div>
  );
}
