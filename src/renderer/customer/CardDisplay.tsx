import { formatCardNumber } from '../../shared/domain/card-number';
import { Barcode } from '../common/Barcode';
import { useApp } from '../common/app-context';

/** The member's card as the till scanner wants it: the number, grouped, and its EAN-13. */
export function CardDisplay({ cardNumber }: { cardNumber: string }) {
  const { t } = useApp();
  const formatted = formatCardNumber(cardNumber);
  return (
    <figure className="card">
      <figcaption className="card-label">{t('customer.card.label')}</figcaption>
      <p className="card-number" data-testid="customer-card-number">
        {formatted}
      </p>
      <Barcode className="card-barcode" testId="customer-card-barcode" value={cardNumber} label={t('customer.barcode.label', { number: formatted })} />
    </figure>
  );
}
