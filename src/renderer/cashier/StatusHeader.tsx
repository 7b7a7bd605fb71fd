import { useState } from 'react';
import type { LedgerIntegrity, SessionState } from '../../shared/contract';
import { LocaleSwitch } from '../common/LocaleSwitch';
import { useApp } from '../common/app-context';
import { deviceKindLabel, deviceSeverity, deviceStatusLabel, useDevices } from '../common/use-devices';
import { DiagnosticsDialog } from './DiagnosticsDialog';
import { ItView } from './ItView';
import { syncSummary, useSyncStatus } from './use-sync-status';
import { ZReportDialog } from './ZReportDialog';

/** Store name, the points journal's state, device states, the Z report, language, and what the customer screen is doing. */
export function StatusHeader({ storeName, session, ledger }: { storeName: string; session: SessionState | null; ledger: LedgerIntegrity | null }) {
  const { t } = useApp();
  const [zReportOpen, setZReportOpen] = useState(false);
  const [diagnosticsOpen, setDiagnosticsOpen] = useState(false);
  const [itOpen, setItOpen] = useState(false);
  const sync = useSyncStatus();
  return (
    <header className="cashier-header">
      {ledger && <LedgerAlert integrity={ledger} />}
      <div className="brand">
        <span className="brand-mark" aria-hidden="true">
          {t('app.name')}
        </span>
        <h1>{storeName}</h1>
      </div>
      <DeviceBar />
      {sync.status && <SyncIndicator status={sync.status} onOpen={() => setDiagnosticsOpen(true)} />}
      <div className="header-actions" role="group" aria-label={t('cashier.header.actions')}>
        <button type="button" className="diagnostics-open" aria-haspopup="dialog" onClick={() => setDiagnosticsOpen(true)}>
          {t('cashier.diagnostics.open')}
        </button>
        <button type="button" className="it-open" aria-haspopup="dialog" onClick={() => setItOpen(true)} data-testid="it-open">
          {t('it.open')}
        </button>
        <button type="button" className="z-open" aria-haspopup="dialog" onClick={() => setZReportOpen(true)}>
          {t('cashier.z.open')}
        </button>
        <LocaleSwitch />
      </div>
      <SessionLine session={session} />
      {zReportOpen && <ZReportDialog onClose={() => setZReportOpen(false)} />}
      {itOpen && <ItView onClose={() => setItOpen(false)} />}
      {diagnosticsOpen && <DiagnosticsDialog sync={sync.status} onSync={sync.set} onClose={() => setDiagnosticsOpen(false)} />}
    </header>
  );
}

/** Loud on purpose: with a damaged journal no point can be earned or spent, and only support can fix it. */
function LedgerAlert({ integrity }: { integrity: LedgerIntegrity }) {
  const { t } = useApp();
  if (integrity.state === 'damaged') {
    return (
      <div className="ledger-alert ledger-damaged" role="alert" data-testid="ledger-integrity" data-state="damaged">
        <strong>{t('cashier.ledger.damaged')}</strong>
        <span>{t('cashier.ledger.damaged_help')}</span>
      </div>
    );
  }
  if (integrity.state === 'verifying') {
    return (
      <p className="ledger-alert ledger-verifying" role="status" data-testid="ledger-integrity" data-state="verifying">
        {t('cashier.ledger.verifying')}
      </p>
    );
  }
  return null;
}

/** Small on purpose: the cashier only needs to know all is well, or that IT should look. */
function SyncIndicator({ status, onOpen }: { status: NonNullable<ReturnType<typeof useSyncStatus>['status']>; onOpen(): void }) {
  const { t } = useApp();
  const { text, severity } = syncSummary(t, status);
  return (
    <button
      type="button"
      className={`sync-indicator sync-${severity}`}
      data-testid="sync-indicator"
      data-state={status.state}
      aria-haspopup="dialog"
      aria-label={`${t('sync.indicator.label')} — ${text}`}
      onClick={onOpen}
    >
      <span className="dot" aria-hidden="true" />
      <span role="status">{text}</span>
    </button>
  );
}

function DeviceBar() {
  const { t } = useApp();
  const { devices } = useDevices();
  return (
    <ul className="device-bar" data-testid="cashier-devices" aria-label={t('cashier.devices.label')}>
      {devices.length === 0 && <li className="device device-none">{t('cashier.devices.none')}</li>}
      {devices.map((d) => (
        <li key={d.id} className={`device device-${d.state} device-${deviceSeverity(d)}`} title={d.name} data-device={d.id} data-condition={d.condition ?? ''}>
          <span className="dot" aria-hidden="true" />
          {t('cashier.devices.line', { kind: deviceKindLabel(t, d), state: deviceStatusLabel(t, d) })}
          {(d.pendingJobs ?? 0) > 0 && <span className="pending">{t('cashier.devices.pending', { count: d.pendingJobs ?? 0 })}</span>}
          {d.simulated && <span className="tag">{t('sim.device.simulated')}</span>}
        </li>
      ))}
    </ul>
  );
}

function SessionLine({ session }: { session: SessionState | null }) {
  const { t } = useApp();
  let text: string;
  if (!session) text = t('cashier.session.unknown');
  else if (session.phase === 'identified' || session.phase === 'enrolled') {
    text = t(`cashier.session.${session.phase}`, { firstName: session.greeting.firstName });
  } else text = t(`cashier.session.${session.phase}`);
  return (
    <p className={`session-line session-${session?.phase ?? 'unknown'}`} data-testid="cashier-session">
      <span className="dot" aria-hidden="true" />
      {text}
    </p>
  );
}
