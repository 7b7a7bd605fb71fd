import { useCallback, useEffect, useState } from 'react';
import type { EventPayload } from '../../shared/contract';
import { useApp, useEvent } from '../common/app-context';

const SHOW_MS = 6_000;

/** The core's `notice` events, as a polite toast that goes away on its own. */
export function NoticeToast() {
  const { t } = useApp();
  const [notice, setNotice] = useState<(EventPayload<'notice'> & { serial: number }) | null>(null);

  const show = useCallback((payload: EventPayload<'notice'>) => {
    // The till's own business (a product barcode scanned) is not the customer's.
    if (payload.audience === 'cashier') return;
    // A new object each time, so the same notice twice restarts the timer.
    setNotice((previous) => ({ ...payload, serial: (previous?.serial ?? 0) + 1 }));
  }, []);
  useEvent('notice', show);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(null), SHOW_MS);
    return () => clearTimeout(timer);
  }, [notice]);

  return (
    <div className="toast-region" role="status" aria-live="polite">
      {notice && (
        <div key={notice.serial} className={`toast toast--${notice.level}`} data-testid="customer-notice">
          {t(notice.key)}
        </div>
      )}
    </div>
  );
}
