import { useEffect, useId, useRef, useState } from 'react';
import type { RefundOutcome, Visit } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { formatVisitTime } from './points-text';

const visitKey = (v: Pick<Visit, 'tillId' | 'receipt'>) => `${v.tillId}/${v.receipt}`;

interface VisitListProps {
  visits: Visit[] | null;
  /** False while no refund can be written (a damaged journal): the visits are listed without the button. */
  refundable: boolean;
  onRefunded(outcome: RefundOutcome): void;
}

/**
 * The member's last visits, each refundable as a whole after a confirmation:
 * a refund takes back the points the sale earned and returns those it spent.
 */
export function VisitList({ visits, refundable, onRefunded }: VisitListProps) {
  const { t } = useApp();
  const headingId = useId();
  // What this screen just refunded shows at once, before the account is read again.
  const [refunded, setRefunded] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState<string | null>(null);

  return (
    <section className="visits" aria-labelledby={headingId}>
      <h3 id={headingId} className="section-title">
        {t('cashier.visits.title')}
      </h3>
      {visits && visits.length === 0 && <p className="muted">{t('cashier.visits.none')}</p>}
      {visits && visits.length > 0 && (
        <ul className="visit-list" data-testid="cashier-visits">
          {visits.map((visit) => {
            const key = visitKey(visit);
            return (
              <VisitRow
                key={key}
                visit={visit}
                refunded={visit.refunded || refunded.has(key)}
                refundable={refundable}
                confirming={confirming === key}
                onAsk={() => setConfirming(key)}
                onCancel={() => setConfirming(null)}
                onDone={(outcome) => {
                  setConfirming(null);
                  if (outcome.fullyRefunded) setRefunded((before) => new Set(before).add(key));
                  onRefunded(outcome);
                }}
              />
            );
          })}
        </ul>
      )}
    </section>
  );
}

interface VisitRowProps {
  visit: Visit;
  refunded: boolean;
  refundable: boolean;
  confirming: boolean;
  onAsk(): void;
  onCancel(): void;
  onDone(outcome: RefundOutcome): void;
}

function VisitRow({ visit, refunded, refundable, confirming, onAsk, onCancel, onDone }: VisitRowProps) {
  const { api, t, locale } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const askRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);

  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) askRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);

  async function refund() {
    setBusy(true);
    setError(null);
    try {
      const outcome = await api.call('ledger.refund', {
        refundId: crypto.randomUUID(),
        sale: { tillId: visit.tillId, receipt: visit.receipt },
        lines: 'all',
      });
      onDone(outcome);
    } catch (failure) {
      setError(failure);
      onCancel();
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="visit" data-testid="cashier-visit" data-receipt={visit.receipt}>
      <div className="visit-main">
        <span className="visit-time">{formatVisitTime(locale, visit.at)}</span>
        <span className="visit-receipt mono">{t('cashier.visits.receipt', { receipt: visit.receipt })}</span>
        <span className="visit-points">
          {visit.pointsEarned !== 0 && (
            <span className="visit-earned">{t('cashier.visits.earned', { points: formatPoints(locale, visit.pointsEarned) })}</span>
          )}
          {visit.pointsRedeemed !== 0 && (
            <span className="visit-redeemed">{t('cashier.visits.redeemed', { points: formatPoints(locale, visit.pointsRedeemed) })}</span>
          )}
        </span>
        {refunded ? (
          <span className="visit-refunded">{t('cashier.visits.refunded')}</span>
        ) : (
          !confirming &&
          refundable && (
            <button
              ref={askRef}
              type="button"
              className="visit-refund"
              aria-label={t('cashier.visits.refund_label', { receipt: visit.receipt })}
              onClick={onAsk}
            >
              {t('cashier.visits.refund')}
            </button>
          )
        )}
      </div>
      {confirming && refundable && (
        <div
          className="visit-confirm"
          role="group"
          aria-label={t('cashier.visits.refund_label', { receipt: visit.receipt })}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && !busy) {
              e.stopPropagation();
              onCancel();
            }
          }}
        >
          <p>{t('cashier.visits.confirm', { receipt: visit.receipt })}</p>
          <div className="visit-confirm-actions">
            <button ref={confirmRef} type="button" className="primary" disabled={busy} onClick={() => void refund()}>
              {busy ? t('cashier.visits.refunding') : t('cashier.visits.confirm_yes')}
            </button>
            <button type="button" disabled={busy} onClick={onCancel}>
              {t('cashier.visits.confirm_no')}
            </button>
          </div>
        </div>
      )}
      {error !== null && (
        <p className="visit-error" role="alert">
          {errorText(error, t).join(' ')}
        </p>
      )}
    </li>
  );
}
