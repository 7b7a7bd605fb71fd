import { useState } from 'react';
import type { CauseView, SocialView } from '../../../shared/contract';
import { formatPoints } from '../../../shared/domain/receipt-layout';
import { useApp } from '../../common/app-context';
import { errorText } from '../../common/error-text';
import './social.css';

/**
 * The causes with their live counters (issue 16 item 4), and a gift of
 * points from the programme's minimum, confirmed before it is made.
 */
export function CausesPanel({ view, onDonated }: { view: SocialView; onDonated(): void }) {
  const { t, locale } = useApp();
  if (view.causes.length === 0) return null;
  return (
    <section className="causes" aria-labelledby="causes-title" data-testid="customer-causes">
      <h2 id="causes-title" className="causes-title">
        {t('social.causes.title')}
      </h2>
      <ul className="causes-list">
        {view.causes.map((cause) => (
          <li key={cause.id} className={`cause cause-${cause.status}`} data-testid={`customer-cause-${cause.id}`}>
            {cause.imageUrl && <img className="cause-image" src={cause.imageUrl} alt="" />}
            <div className="cause-body">
              <h3 className="cause-name">{cause.name}</h3>
              {cause.description && <p className="cause-description">{cause.description}</p>}
              <p className="cause-counter" data-testid={`customer-cause-counter-${cause.id}`}>
                {t('social.causes.counter', { points: formatPoints(locale, cause.totalPoints), name: cause.name })}
              </p>
              {cause.goalPoints > 0 && (
                <meter className="cause-meter" min={0} max={cause.goalPoints} value={Math.min(cause.totalPoints, cause.goalPoints)} aria-label={t('social.causes.goal', { points: formatPoints(locale, cause.goalPoints) })} />
              )}
              {cause.status === 'open' && view.balance !== null ? (
                <DonateForm cause={cause} minimum={view.minimumDonationPoints} balance={view.balance} onDonated={onDonated} />
              ) : (
                cause.status === 'closed' && <p className="cause-closed">{t('social.causes.closed')}</p>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function DonateForm({ cause, minimum, balance, onDonated }: { cause: CauseView; minimum: number; balance: number; onDonated(): void }) {
  const { api, t, locale } = useApp();
  const [points, setPoints] = useState(String(minimum));
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);
  const amount = Number.parseInt(points, 10);
  const valid = Number.isInteger(amount) && amount >= minimum && amount <= balance;

  async function give() {
    setBusy(true);
    try {
      const done = await api.call('social.donate', { donationId: crypto.randomUUID(), causeId: cause.id, points: amount });
      setMessage({ kind: 'done', text: t('social.causes.thanks', { points: formatPoints(locale, done.points), name: cause.name }) });
      onDonated();
    } catch (error) {
      setMessage({ kind: 'error', text: errorText(error, t).join(' ') });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  const inputId = `cause-points-${cause.id}`;
  return (
    <div className="donate">
      {confirming ? (
        <div className="donate-confirm" role="group" aria-labelledby={`${inputId}-confirm`}>
          <p id={`${inputId}-confirm`}>{t('social.causes.confirm', { points: formatPoints(locale, amount), name: cause.name })}</p>
          <button type="button" className="primary" disabled={busy} onClick={() => void give()}>
            {t('social.causes.yes')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('social.causes.no')}
          </button>
        </div>
      ) : (
        <form
          className="donate-form"
          onSubmit={(e) => {
            e.preventDefault();
            setMessage(null);
            setConfirming(true);
          }}
        >
          <label htmlFor={inputId}>{t('social.causes.points')}</label>
          <input id={inputId} type="number" inputMode="numeric" min={minimum} max={balance} step={1} value={points} onChange={(e) => setPoints(e.target.value)} />
          <span className="donate-minimum">{t('social.causes.minimum', { points: formatPoints(locale, minimum) })}</span>
          <button type="submit" disabled={!valid}>
            {t('social.causes.give')}
          </button>
        </form>
      )}
      <p className={message?.kind === 'error' ? 'field-error' : 'donate-done'} role="status" data-testid={`customer-cause-message-${cause.id}`}>
        {message?.text ?? ''}
      </p>
    </div>
  );
}
