import { useId } from 'react';
import type { SalePreviewView } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp } from '../common/app-context';
import { formatEuros } from '../common/euro-amount';
import { clampRedeem, redeemNudge } from './manual-sale-options';

interface RedeemPickerProps {
  options: SalePreviewView['options'];
  available: number;
  /** Points chosen; 0 when the member keeps them. */
  value: number;
  /** The discount the ledger priced for `value`, or null while it is being priced again. */
  discountCents: number | null;
  onChange(points: number): void;
}

/**
 * How many points the member spends on this sale: none, or from the program's
 * minimum up to what the basket and the balance allow, in the program's steps.
 */
export function RedeemPicker({ options, available, value, discountCents, onChange }: RedeemPickerProps) {
  const { t, locale } = useApp();
  const headingId = useId();
  const sliderId = useId();
  const { minimumPoints: min, maximumPoints: max, stepPoints } = options;
  const pts = (n: number) => t('cashier.points.value', { points: formatPoints(locale, n) });

  if (max < min) {
    return (
      <section className="redeem redeem-unavailable" aria-labelledby={headingId}>
        <h4 id={headingId}>{t('cashier.redeem.title')}</h4>
        <p className="muted">{t('cashier.redeem.minimum', { min: formatPoints(locale, min), available: formatPoints(locale, available) })}</p>
      </section>
    );
  }

  const nudge = redeemNudge(stepPoints);
  const set = (points: number) => onChange(clampRedeem(points, options));
  const using = value > 0;

  return (
    <section className="redeem" aria-labelledby={headingId} data-testid="cashier-redeem">
      <h4 id={headingId}>{t('cashier.redeem.title')}</h4>
      <div className="redeem-mode" role="group" aria-labelledby={headingId}>
        <button type="button" aria-pressed={!using} onClick={() => onChange(0)}>
          {t('cashier.redeem.none')}
        </button>
        <button type="button" aria-pressed={using} onClick={() => set(using ? value : min)}>
          {t('cashier.redeem.use')}
        </button>
      </div>
      {using && (
        <div className="redeem-stepper">
          <button type="button" className="redeem-nudge" aria-label={t('cashier.redeem.less')} disabled={value <= min} onClick={() => set(value - nudge)}>
            <span aria-hidden="true">−</span>
          </button>
          <div className="redeem-slider">
            <label htmlFor={sliderId}>{t('cashier.redeem.points')}</label>
            <input
              id={sliderId}
              type="range"
              min={min}
              max={max}
              step={stepPoints}
              value={value}
              aria-valuetext={pts(value)}
              onChange={(e) => set(Number(e.target.value))}
            />
            <span className="muted redeem-range">{t('cashier.redeem.range', { min: formatPoints(locale, min), max: formatPoints(locale, max) })}</span>
          </div>
          <button type="button" className="redeem-nudge" aria-label={t('cashier.redeem.more')} disabled={value >= max} onClick={() => set(value + nudge)}>
            <span aria-hidden="true">+</span>
          </button>
          <button type="button" disabled={value >= max} onClick={() => set(max)}>
            {t('cashier.redeem.max')}
          </button>
          <p className="redeem-value" aria-live="polite">
            <strong data-testid="cashier-redeem-points">{pts(value)}</strong>
            <span className="redeem-discount">
              <span>{t('cashier.redeem.discount')}</span>
              <strong data-testid="cashier-redeem-discount">{discountCents === null ? '…' : formatEuros(locale, discountCents)}</strong>
            </span>
          </p>
        </div>
      )}
    </section>
  );
}
