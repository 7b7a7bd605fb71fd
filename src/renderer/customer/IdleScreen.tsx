import { useState } from 'react';
import type { SessionState } from '../../shared/contract';
import { ApiError } from '../api/client';
import { useApp } from '../common/app-context';

interface IdleScreenProps {
  storeName: string;
  /** A card nobody holds was just shown: asking for a card again would be beside the point. */
  unknownCard?: string | undefined;
  onSession(state: SessionState): void;
}

/** Between customers: invite a member to show their card, and anyone else to join. */
export function IdleScreen({ storeName, unknownCard, onSession }: IdleScreenProps) {
  const { api, t } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);

  async function join() {
    setStarting(true);
    setError(null);
    try {
      // The card just shown is the one the new member gets.
      onSession(await api.call('enrolment.start', { presetCardNumber: unknownCard ?? null }));
    } catch (e) {
      setError(e instanceof ApiError ? `error.${e.code}` : 'error.internal');
      setStarting(false);
    }
  }

  return (
    <section className="idle" aria-labelledby="idle-title">
      <p className="idle-store">{t('customer.idle.store', { store: storeName })}</p>
      <div className="idle-card-prompt">
        <div className="idle-illustration" aria-hidden="true">
          <span className="idle-illustration-card" />
          <span className="idle-illustration-phone" />
        </div>
        <div>
          <h1 id="idle-title" className="idle-title" data-testid="customer-idle-title">
            {unknownCard ? t('customer.idle.unknown_title') : t('customer.idle.title')}
          </h1>
          <p className="idle-prompt">{unknownCard ? t('customer.idle.unknown_prompt') : t('customer.idle.prompt')}</p>
        </div>
      </div>
      <div className="idle-join">
        <p className="idle-not-member">{t('customer.idle.not_member')}</p>
        <button type="button" className="primary idle-join-button" onClick={() => void join()} disabled={starting}>
          {unknownCard ? t('customer.idle.join_with_card') : t('customer.idle.join')}
        </button>
        <p className="idle-join-hint">{t('customer.idle.join_hint')}</p>
        <p className="field-error" role="alert">
          {error ? t(error) : ''}
        </p>
      </div>
    </section>
  );
}
