import { useEffect, useId, useRef, useState } from 'react';
import type { MethodOutput } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { formatStoreDay } from './points-text';

/**
 * Today's Z report as the printer would lay it out, 42 columns. A modal
 * <dialog>: Escape closes it and focus goes back to the button that opened it.
 */
export function ZReportDialog({ onClose }: { onClose(): void }) {
  const { api, t } = useApp();
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [report, setReport] = useState<MethodOutput<'ledger.zReport'> | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    // No close() on cleanup: it would fire `close` and unmount us under StrictMode's second run.
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  useEffect(() => {
    let live = true;
    api.call('ledger.zReport', { day: null }).then(
      (value) => live && setReport(value),
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <dialog ref={ref} className="z-dialog" aria-labelledby={titleId} data-testid="cashier-zreport" onClose={onClose}>
      <h2 id={titleId}>{report ? t('cashier.z.title_day', { day: formatStoreDay(report.day) }) : t('cashier.z.title')}</h2>
      {!report && error === null && <p className="muted">{t('cashier.z.loading')}</p>}
      {error !== null && (
        <p className="action-error" role="alert">
          {errorText(error, t).join(' ')}
        </p>
      )}
      {report && (
        <pre className="z-receipt" data-testid="cashier-zreport-lines" tabIndex={0}>
          {report.lines.join('\n')}
        </pre>
      )}
      <form method="dialog" className="z-actions">
        <button type="submit" className="primary" autoFocus>
          {t('cashier.z.close')}
        </button>
      </form>
    </dialog>
  );
}
