import { useId } from 'react';
import { formatCardNumber } from '../../shared/domain/card-number';
import { useApp } from '../common/app-context';

/** Shown while the customer fills in the form on their screen: the till must not identify anyone meanwhile. */
export function EnrolmentBanner({ presetCardNumber, onCancel }: { presetCardNumber: string | null; onCancel(): void }) {
  const { t } = useApp();
  const headingId = useId();
  return (
    <section className="enrolling-banner" aria-labelledby={headingId}>
      <div>
        <h2 id={headingId}>{t('cashier.enrolling.title')}</h2>
        <p>
          {presetCardNumber ? t('cashier.enrolling.card', { card: formatCardNumber(presetCardNumber) }) : t('cashier.enrolling.no_card')}
        </p>
      </div>
      <button type="button" onClick={onCancel}>
        {t('cashier.enrolling.cancel')}
      </button>
    </section>
  );
}
