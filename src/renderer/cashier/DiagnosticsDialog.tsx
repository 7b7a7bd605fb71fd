import { useCallback, useEffect, useId, useRef, useState } from 'react';
import type { MethodOutput, SyncStatusView } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { useTerminalInfo } from '../common/use-terminal-info';
import { DeviceTable } from './DeviceTable';
import { HqExceptions } from './HqExceptions';
import { SyncPanel } from './SyncPanel';
import { UpdateStatusPanel } from './UpdateStatusPanel';
import { WedgeScannerTest } from './WedgeScannerTest';

/** Diagnostics shown: the latest few; the core keeps a couple of hundred. */
const SHOWN = 50;

/** Seconds matter here: a flood or a reconnect loop shows as a run of close times. */
function formatStamp(locale: string, at: number): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    day: '2-digit',
    month: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: 'Europe/Paris',
  }).format(new Date(at));
}

/**
 * For IT staff on the phone with a store: every device, where it is plugged,
 * its state and condition, and what the drivers noticed and dropped lately
 * (garbage on a line, a phone tapped as a card, a printer that went quiet),
 * and the link with HQ above them.
 */
export function DiagnosticsDialog({ sync, onSync, onClose }: { sync: SyncStatusView | null; onSync(status: SyncStatusView): void; onClose(): void }) {
  const { api, t, locale } = useApp();
  const info = useTerminalInfo();
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [view, setView] = useState<MethodOutput<'device.diagnostics'> | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  const load = useCallback(() => {
    let live = true;
    api.call('device.diagnostics', {}).then(
      (value) => {
        if (!live) return;
        setView(value);
        setError(null);
      },
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [api]);
  useEffect(load, [load]);

  return (
    <dialog ref={ref} className="diag-dialog" aria-labelledby={titleId} data-testid="cashier-diagnostics" onClose={onClose}>
      <h2 id={titleId}>{t('cashier.diagnostics.title')}</h2>
      {info && (
        <p className="muted mono" data-testid="cashier-diagnostics-version">
          {t('cashier.diagnostics.version', { version: info.version, build: info.build })}
        </p>
      )}
      {sync && <SyncPanel status={sync} onStatus={onSync} />}
      {sync && <HqExceptions status={sync} />}
      <UpdateStatusPanel />
      {!view && error === null && <p className="muted">{t('cashier.diagnostics.loading')}</p>}
      {error !== null && (
        <p className="action-error" role="alert">
          {errorText(error, t).join(' ')}
        </p>
      )}
      {view && (
        <>
          <h3>{t('cashier.diagnostics.devices')}</h3>
          <DeviceTable devices={view.devices} testId="cashier-diagnostics-devices" />
          <WedgeScannerTest />
          <h3>{t('cashier.diagnostics.recent')}</h3>
          {view.diagnostics.length === 0 ? (
            <p className="muted">{t('cashier.diagnostics.none')}</p>
          ) : (
            <div className="diag-list" tabIndex={0}>
              <table className="diag-table" data-testid="cashier-diagnostics-list">
                <thead>
                  <tr>
                    <th scope="col">{t('cashier.diagnostics.at')}</th>
                    <th scope="col">{t('cashier.diagnostics.device')}</th>
                    <th scope="col">{t('cashier.diagnostics.code')}</th>
                    <th scope="col">{t('cashier.diagnostics.detail')}</th>
                  </tr>
                </thead>
                <tbody>
                  {view.diagnostics.slice(0, SHOWN).map((d, i) => (
                    <tr key={`${d.at}-${i}`}>
                      <td>{formatStamp(locale, d.at)}</td>
                      <td>{d.deviceId}</td>
                      <td className="mono">{d.code}</td>
                      <td className="mono">{d.detail ?? ''}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
      <form method="dialog" className="diag-actions">
        <button type="button" onClick={load}>
          {t('cashier.diagnostics.refresh')}
        </button>
        <button type="submit" className="primary" autoFocus>
          {t('cashier.diagnostics.close')}
        </button>
      </form>
    </dialog>
  );
}
