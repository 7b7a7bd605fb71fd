import { useId } from 'react';
import type { CardProblem } from '../../shared/contract';
import { formatCardNumber } from '../../shared/domain/card-number';
import { useApp } from '../common/app-context';

export type ScanOutcome = { kind: 'unknown_card'; cardNumber: string } | { kind: 'invalid'; problem: CardProblem; code: string | null };

interface ScanMessageProps {
  outcome: ScanOutcome;
  /** Start an enrolment, with the blank card to hand over or without one. */
  onEnrol(presetCardNumber: string | null): void;
}

/** A card nobody holds (ready to enrol) or a code that is not one of our cards. */
export function ScanMessage({ outcome, onEnrol }: ScanMessageProps) {
  const { t } = useApp();
  const headingId = useId();
  if (outcome.kind === 'unknown_card') {
    return (
      <section className="panel scan-message scan-unknown" data-testid="cashier-scan-message" aria-labelledby={headingId}>
        <h2 id={headingId}>{t('cashier.unknown.title', { card: formatCardNumber(outcome.cardNumber) })}</h2>
        <p>{t('cashier.unknown.body')}</p>
        <div className="panel-actions">
          <button type="button" className="primary" onClick={() => onEnrol(outcome.cardNumber)}>
            {t('cashier.unknown.enrol')}
          </button>
        </div>
      </section>
    );
  }
  return (
    <section className="panel scan-message scan-invalid" data-testid="cashier-scan-message" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('cashier.invalid.title')}</h2>
      <p className="scan-problem">{t(`card.${outcome.problem}`)}</p>
      {outcome.code !== null && <p className="muted mono-wrap">{t('cashier.invalid.code', { code: outcome.code })}</p>}
      <div className="panel-actions">
        <button type="button" onClick={() => onEnrol(null)}>
          {t('cashier.invalid.enrol')}
        </button>
      </div>
    </section>
  );
}
