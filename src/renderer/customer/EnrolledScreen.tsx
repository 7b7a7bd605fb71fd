import { useState } from 'react';
import type { MemberGreeting, SessionState } from '../../shared/contract';
import { formatCardNumber } from '../../shared/domain/card-number';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { ApiError } from '../api/client';
import { useApp } from '../common/app-context';
import { QrCode } from '../common/QrCode';
import { CardDisplay } from './CardDisplay';
import { useIdleTimeout } from './use-idle-timeout';
import { ReferralCard } from './social/ReferralCard';
import { useSocialView } from './social/use-social-view';

interface EnrolledScreenProps {
  greeting: MemberGreeting;
  walletQr: string;
  /** Left alone this long, the card goes off the glass: its number is what earns and spends points. */
  idleMs: number;
  onSession(state: SessionState): void;
}

/** The new member's card, ready to scan now, and a QR to carry it on their phone. */
export function EnrolledScreen({ greeting, walletQr, idleMs, onSession }: EnrolledScreenProps) {
  const { api, t, locale } = useApp();
  const [error, setError] = useState<string | null>(null);
  // The new member's own referral code, to pass on at once (issue 16 item 1).
  const { view: social } = useSocialView(greeting.cardNumber);

  async function finish() {
    setError(null);
    try {
      onSession(await api.call('session.clear', {}));
    } catch (e) {
      setError(e instanceof ApiError ? `error.${e.code}` : 'error.internal');
    }
  }
  useIdleTimeout(idleMs, () => void finish());
  // A link to the card's page at HQ where the terminal has one; otherwise the QR is the card itself, for the till's scanner.
  const isLink = /^https?:\/\//.test(walletQr);

  return (
    <section className="enrolled" aria-labelledby="enrolled-title">
      <h1 id="enrolled-title" className="greeting-title" data-testid="customer-greeting">
        {t('customer.enrolled.title', { firstName: greeting.firstName })}
      </h1>
      <p className="greeting-subtitle">{t('customer.enrolled.subtitle')}</p>
      {greeting.nextReward && (
        <p className="enrolled-goal" data-testid="customer-first-reward">
          {t('customer.enrolled.first_reward', {
            balance: formatPoints(locale, greeting.balance),
            label: greeting.nextReward.label,
            points: formatPoints(locale, greeting.nextReward.points),
          })}
        </p>
      )}
      <div className="enrolled-cards">
        <CardDisplay cardNumber={greeting.cardNumber} />
        <figure className="wallet">
          <QrCode
            className="wallet-qr"
            testId="customer-card-qr"
            value={walletQr}
            label={t(isLink ? 'customer.qr.label_link' : 'customer.qr.label', { number: formatCardNumber(greeting.cardNumber) })}
          />
          <figcaption className="wallet-hint" data-testid="customer-qr-hint">
            {t(isLink ? 'customer.enrolled.qr_hint_link' : 'customer.enrolled.qr_hint_local')}
          </figcaption>
        </figure>
        {social?.referral && <ReferralCard referral={social.referral} compact />}
      </div>
      <button type="button" className="primary enrolled-done" onClick={() => void finish()}>
        {t('customer.enrolled.done')}
      </button>
      <p className="field-error" role="alert">
        {error ? t(error) : ''}
      </p>
    </section>
  );
}
