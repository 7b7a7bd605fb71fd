import { useState } from 'react';
import { useApp } from '../../common/app-context';
import { privacyErrorText } from './privacy-errors';

/**
 * At the till (issue 17 items 2 and 7): the cashier opens « Mes données » on
 * the customer screen for the member shown — HQ sends the customer their
 * code, and only the customer types it — or prints the privacy notice.
 */
export function TillPrivacyActions({ memberId }: { memberId: string }) {
  const { api, t, locale } = useApp();
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<string>) {
    setBusy(true);
    try {
      setMessage({ text: await action(), error: false });
    } catch (error) {
      setMessage({ text: privacyErrorText(error, t, locale), error: true });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="till-privacy" data-testid="till-privacy">
      <div className="panel-actions">
        <button
          type="button"
          disabled={busy}
          title={t('privacy.cashier.open_hint')}
          onClick={() => void run(async () => (await api.call('privacy.selfStart', { memberId, channel: null }), t('privacy.cashier.opened')))}
          data-testid="till-privacy-open"
        >
          {t('privacy.cashier.open')}
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void run(async () => ((await api.call('privacy.printNotice', {})).printed ? t('privacy.cashier.printed') : t('error.unavailable')))}
          data-testid="till-privacy-print"
        >
          {t('privacy.cashier.print_notice')}
        </button>
      </div>
      <p className={message?.error ? 'field-error' : 'till-privacy-status'} role="status">
        {message?.text ?? ''}
      </p>
    </div>
  );
}
