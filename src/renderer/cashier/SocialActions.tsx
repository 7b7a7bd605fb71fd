import { useState, type FormEvent } from 'react';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { CausesPanel } from '../customer/social/CausesPanel';
import { useSocialView } from '../customer/social/use-social-view';

/**
 * At the till, for the member on the customer screen (issue 16 items 1 and
 * 4): a friend's referral code typed by the cashier (before the member's
 * first purchase), and a gift of points to a cause, confirmed like on the
 * customer screen.
 */
export function SocialActions({ memberId }: { memberId: string }) {
  const { api, t } = useApp();
  const { view, reload } = useSocialView(memberId);
  const [code, setCode] = useState('');
  const [message, setMessage] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);

  async function attach(event: FormEvent) {
    event.preventDefault();
    try {
      const done = await api.call('social.attachReferral', { code });
      setMessage({ kind: 'done', text: t('social.referral.attached', { name: done.referrerFirstName }) });
      setCode('');
    } catch (error) {
      setMessage({ kind: 'error', text: errorText(error, t).join(' ') });
    }
  }

  return (
    <div className="social-actions" data-testid="cashier-social">
      <form className="referral-attach" onSubmit={(e) => void attach(e)}>
        <label htmlFor={`referral-${memberId}`}>{t('social.referral.cashier_field')}</label>
        <input id={`referral-${memberId}`} type="text" autoComplete="off" maxLength={40} value={code} onChange={(e) => setCode(e.target.value)} />
        <button type="submit" disabled={code.trim() === ''}>
          {t('social.referral.attach')}
        </button>
        <p className={message?.kind === 'error' ? 'field-error' : 'muted'} role="status">
          {message?.text ?? ''}
        </p>
      </form>
      {view && <CausesPanel view={view} onDonated={reload} />}
    </div>
  );
}
