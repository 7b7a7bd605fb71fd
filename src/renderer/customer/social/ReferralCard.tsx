import type { ReferralCard as Card } from '../../../shared/contract';
import { useApp } from '../../common/app-context';
import { QrCode } from '../../common/QrCode';
import './social.css';

/** « Parrainez un ami »: the member's code and its QR, for a friend to give when they enrol (issue 16 item 1). */
export function ReferralCard({ referral, compact = false }: { referral: Card; compact?: boolean }) {
  const { t } = useApp();
  // Beside the new card and its wallet QR, where the confirmation has no room for more lines.
  if (compact) {
    return (
      <figure className="referral-figure" data-testid="customer-referral">
        <QrCode className="referral-qr" testId="customer-referral-qr" value={referral.qr} label={t('social.referral.code', { code: referral.code })} />
        <figcaption className="referral-caption" data-testid="customer-referral-code">
          {t('social.referral.code', { code: referral.code })}
        </figcaption>
      </figure>
    );
  }
  return (
    <section className="referral-card" aria-labelledby="referral-title" data-testid="customer-referral">
      <QrCode className="referral-qr" testId="customer-referral-qr" value={referral.qr} label={t('social.referral.code', { code: referral.code })} />
      <div>
        <h2 id="referral-title" className="referral-title">
          {t('social.referral.title')}
        </h2>
        <p className="referral-code" data-testid="customer-referral-code">
          {t('social.referral.code', { code: referral.code })}
        </p>
        <p className="referral-hint">{t('social.referral.hint')}</p>
      </div>
    </section>
  );
}
