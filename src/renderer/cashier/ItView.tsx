import { useCallback, useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { IT_SESSION_IDLE_MS, type ItBundleView, type ItOverview, type ItTestScanView } from '../../shared/contract';
import { ApiError } from '../api/client';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { DeviceTable } from './DeviceTable';
import { UpdateStatusPanel } from './UpdateStatusPanel';
import { syncSummary } from './use-sync-status';
import { WedgeScannerTest } from './WedgeScannerTest';
import { zonedStamp } from './zoned-time';
import './it-view.css';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

const isLocked = (error: unknown) => error instanceof ApiError && error.code === 'it_locked';

/**
 * « Informatique »: what IT staff need at the till, behind the IT PIN (not
 * the manager's). The main process decides: every call here is refused once
 * the IT session has lapsed, and the view then asks for the PIN again. It is
 * locked when it closes.
 */
export function ItView({ onClose }: { onClose(): void }) {
  const { api, t } = useApp();
  const titleId = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [unlocked, setUnlocked] = useState(false);
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    // showModal focuses the first button: the PIN field is where IT starts.
    dialog?.querySelector<HTMLInputElement>('.it-pin-input')?.focus();
  }, []);

  const lockView = useCallback(() => {
    setUnlocked(false);
    setExpired(true);
  }, []);

  // The core closes the session after the idle time; the screen stops showing it then too, not at the next call.
  const [activeAt, setActiveAt] = useState(0);
  const touch = useCallback(() => setActiveAt(Date.now()), []);
  useEffect(() => {
    if (!unlocked) return;
    const timer = setTimeout(lockView, IT_SESSION_IDLE_MS);
    return () => clearTimeout(timer);
  }, [unlocked, activeAt, lockView]);

  const close = () => {
    // Whatever happens to the answer, the view is gone; the core's idle time closes a session this call missed.
    void api.call('it.lock', {}).catch(() => undefined);
    onClose();
  };

  return (
    <dialog ref={ref} className="it-dialog" aria-labelledby={titleId} data-testid="it-view" onClose={close}>
      <div className="it-head">
        <h2 id={titleId}>{t('it.title')}</h2>
        <div className="it-head-actions">
          {unlocked && (
            <button
              type="button"
              onClick={() => {
                void api.call('it.lock', {}).catch(() => undefined);
                setUnlocked(false);
                setExpired(false);
              }}
            >
              {t('it.lock')}
            </button>
          )}
          <form method="dialog">
            <button type="submit" className="primary">
              {t('it.close')}
            </button>
          </form>
        </div>
      </div>
      {unlocked ? (
        <ItSections onLocked={lockView} onActive={touch} />
      ) : (
        <PinPad
          expired={expired}
          onUnlocked={() => {
            setExpired(false);
            setUnlocked(true);
          }}
        />
      )}
    </dialog>
  );
}

function PinPad({ expired, onUnlocked }: { expired: boolean; onUnlocked(): void }) {
  const { api, t } = useApp();
  const inputId = useId();
  const helpId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    // Window capture runs before the cashier screen's wedge decoder (document capture): a PIN typed fast and ended by
    // Enter must neither pass for a scan, nor reach member lookup. The keys still type into the field.
    function onKeyDown(event: KeyboardEvent) {
      if (event.target === inputRef.current) event.stopPropagation();
    }
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, []);

  const press = (change: (pin: string) => string) => {
    setPin((current) => change(current).slice(0, 12));
    setError(null);
    // Back to the field, so the keyboard types on after a touch on the pad.
    inputRef.current?.focus();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pin.length < 4 || busy) return;
    setBusy(true);
    api.call('it.unlock', { pin }).then(
      () => {
        setPin('');
        setBusy(false);
        onUnlocked();
      },
      (failure: unknown) => {
        setPin('');
        setBusy(false);
        setError(failure);
        inputRef.current?.focus();
      },
    );
  };

  return (
    <form className="it-pin" onSubmit={submit} data-testid="it-pin">
      <h3>{t('it.pin.title')}</h3>
      <p id={helpId} className="muted">
        {t('it.pin.help')}
      </p>
      <label htmlFor={inputId}>{t('it.pin.label')}</label>
      <input
        ref={inputRef}
        id={inputId}
        className="it-pin-input"
        type="password"
        inputMode="numeric"
        autoComplete="off"
        aria-describedby={helpId}
        maxLength={12}
        value={pin}
        autoFocus
        data-testid="it-pin-input"
        onChange={(event) => {
          setPin(event.target.value.replace(/\D/g, '').slice(0, 12));
          setError(null);
        }}
      />
      <div className="it-keypad" role="group" aria-label={t('it.pin.keypad')}>
        {KEYS.map((key) => (
          <button key={key} type="button" onClick={() => press((p) => p + key)}>
            {key}
          </button>
        ))}
        <button type="button" aria-label={t('it.pin.clear')} onClick={() => press(() => '')}>
          C
        </button>
        <button type="button" onClick={() => press((p) => p + '0')}>
          0
        </button>
        <button type="button" aria-label={t('it.pin.erase')} onClick={() => press((p) => p.slice(0, -1))}>
          ⌫
        </button>
      </div>
      <p className="it-pin-message" role="alert" data-testid="it-pin-error">
        {error !== null ? errorText(error, t).join(' ') : expired ? t('it.pin.expired') : ''}
      </p>
      <button type="submit" className="primary it-pin-submit" disabled={pin.length < 4 || busy}>
        {t('it.pin.submit')}
      </button>
    </form>
  );
}

function Section({ title, testId, children }: { title: string; testId: string; children: ReactNode }) {
  const id = useId();
  return (
    <section className="it-section" aria-labelledby={id} data-testid={testId}>
      <h3 id={id}>{title}</h3>
      {children}
    </section>
  );
}

function Facts({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="it-facts">
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The IT view's calls: it_locked sends the view back to the PIN pad; anything else is shown where it happened. */
function useItCall(onLocked: () => void, onActive: () => void) {
  return useCallback(
    <T,>(call: () => Promise<T>, done: (value: T) => void, failed: (error: unknown) => void) => {
      call().then(
        (value) => {
          onActive();
          done(value);
        },
        (error: unknown) => (isLocked(error) ? onLocked() : failed(error)),
      );
    },
    [onLocked, onActive],
  );
}

function ItSections({ onLocked, onActive }: { onLocked(): void; onActive(): void }) {
  const { api, t, locale } = useApp();
  const run = useItCall(onLocked, onActive);
  const [view, setView] = useState<ItOverview | null>(null);
  const [error, setError] = useState<unknown>(null);

  const load = useCallback(() => {
    run(
      () => api.call('it.overview', {}),
      (value) => {
        setView(value);
        setError(null);
      },
      setError,
    );
  }, [api, run]);
  useEffect(load, [load]);

  if (!view) {
    return error !== null ? (
      <p className="action-error" role="alert">
        {errorText(error, t).join(' ')}
      </p>
    ) : (
      <p className="muted">{t('it.loading')}</p>
    );
  }
  const sync = syncSummary(t, view.hq.sync);
  const none = t('it.none');
  return (
    <div className="it-body">
      <p className="muted it-session" role="status">
        {t('it.session.until', { minutes: Math.round(IT_SESSION_IDLE_MS / 60_000) })}{' '}
        <button type="button" onClick={load}>
          {t('it.refresh')}
        </button>
      </p>
      <div className="it-grid">
        <Section title={t('it.section.version')} testId="it-version">
          <Facts
            rows={[
              [t('it.version.app'), <span className="mono">{view.app.version}</span>],
              [t('it.version.build'), <span className="mono">{view.app.build}</span>],
              [t('it.version.shell'), t(`it.version.shell.${view.app.shell}`)],
              [t('it.version.node'), <span className="mono">{view.app.node}</span>],
            ]}
          />
          {/* The update policy's own panel, kept current by updates.changed (download progress, what the install waits for). */}
          <UpdateStatusPanel />
        </Section>
        <Section title={t('it.section.hq')} testId="it-hq">
          <Facts
            rows={[
              [t('it.hq.url'), view.hq.url ? <span className="mono">{view.hq.url}</span> : t('it.hq.none')],
              [t('it.hq.state'), sync.text],
              [t('it.hq.enrolled'), view.hq.sync.state === 'unconfigured' || view.hq.sync.state === 'unenrolled' ? t('it.no') : t('it.yes')],
              [t('it.hq.last_contact'), view.hq.sync.lastContactAt === null ? none : zonedStamp(locale, view.hq.sync.lastContactAt)],
            ]}
          />
        </Section>
        <Section title={t('it.section.terminal')} testId="it-terminal">
          <Facts
            rows={[
              [t('it.terminal.store'), view.terminal.storeName],
              [t('it.terminal.store_id'), <span className="mono">{view.terminal.storeId ?? none}</span>],
              [t('it.terminal.id'), <span className="mono">{view.terminal.terminalId}</span>],
              [t('it.terminal.code'), <span className="mono">{view.terminal.terminalCode}</span>],
            ]}
          />
        </Section>
        <Section title={t('it.section.data')} testId="it-data">
          <Facts rows={[[t('it.data.dir'), view.dataDir ? <span className="mono">{view.dataDir}</span> : t('it.data.memory')]]} />
        </Section>
        <Section title={t('it.section.till_api')} testId="it-till-api">
          {view.tillApi ? (
            <Facts
              rows={[
                [t('it.till_api.url'), <span className="mono">{view.tillApi.url}</span>],
                [t('it.till_api.lan'), view.tillApi.lan ? t('it.yes') : t('it.no')],
                [t('it.till_api.tills'), String(view.tillApi.tills)],
              ]}
            />
          ) : (
            <p>{t('it.till_api.off')}</p>
          )}
        </Section>
        <DevicesSection view={view} run={run} />
        <Section title={t('it.section.log')} testId="it-log">
          <p className="muted">{t('it.log.help')}</p>
          {view.logLines.length === 0 ? (
            <p>{t('it.log.empty')}</p>
          ) : (
            <pre className="it-log" tabIndex={0} aria-label={t('it.log.label')}>
              {view.logLines.join('\n')}
            </pre>
          )}
        </Section>
        <ExportSection shell={view.app.shell} run={run} />
        <RestartSection run={run} />
      </div>
    </div>
  );
}

type Run = ReturnType<typeof useItCall>;

function DevicesSection({ view, run }: { view: ItOverview; run: Run }) {
  const { api, t } = useApp();
  const [scan, setScan] = useState<{ step: 'armed' } | { step: 'done'; result: ItTestScanView } | { step: 'failed'; error: unknown } | null>(null);
  const [print, setPrint] = useState<{ ok: string } | { error: unknown } | null>(null);
  const scanners = view.devices.filter((d) => d.kind === 'scanner');
  const printer = view.devices.find((d) => d.kind === 'printer');

  const testScan = () => {
    setScan({ step: 'armed' });
    run(
      () => api.call('it.testScan', { timeoutMs: 20_000 }),
      (result) => setScan({ step: 'done', result }),
      (error) => setScan({ step: 'failed', error }),
    );
  };
  const testPrint = () => {
    setPrint(null);
    run(
      () => api.call('it.testPrint', {}),
      (result) => setPrint({ ok: t('it.print.sent', { printer: view.devices.find((d) => d.id === result.printerId)?.name ?? result.printerId }) }),
      (error) => setPrint({ error }),
    );
  };

  let scanText = '';
  if (scan?.step === 'armed') scanText = t('it.scan.armed');
  else if (scan?.step === 'failed') scanText = errorText(scan.error, t).join(' ');
  else if (scan?.step === 'done') {
    const { result } = scan;
    scanText =
      result.outcome === 'timeout'
        ? t('it.scan.timeout')
        : t('it.scan.read', {
            device: view.devices.find((d) => d.id === result.deviceId)?.name ?? result.deviceId,
            kind: t(`it.scan.kind.${result.kind}`),
            length: result.length,
            masked: result.masked,
          });
  }

  return (
    <Section title={t('it.section.devices')} testId="it-devices">
      <DeviceTable devices={view.devices} testId="it-devices-table" />
      <div className="it-actions">
        <button type="button" onClick={testScan} disabled={scanners.length === 0 || scan?.step === 'armed'} data-testid="it-test-scan">
          {t('it.scan.test')}
        </button>
        <button type="button" onClick={testPrint} disabled={!printer} data-testid="it-test-print">
          {t('it.print.test')}
        </button>
      </div>
      <p role="status" className="it-outcome" data-testid="it-scan-outcome">
        {scanText}
      </p>
      <p role="status" className="it-outcome" data-testid="it-print-outcome">
        {print && ('ok' in print ? print.ok : errorText(print.error, t).join(' '))}
      </p>
      <h4>{t('it.wedge.title')}</h4>
      <WedgeScannerTest />
    </Section>
  );
}

function ExportSection({ shell, run }: { shell: ItOverview['app']['shell']; run: Run }) {
  const { api, t } = useApp();
  const [bundle, setBundle] = useState<ItBundleView | null>(null);
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);

  const exportBundle = () => {
    setBusy(true);
    setError(null);
    run(
      () => api.call('it.diagnosticsBundle', {}),
      (value) => {
        setBusy(false);
        setBundle(value);
        // The Electron kiosk downloads nothing (its session refuses): the file in the data folder is the copy there.
        setUrl(shell === 'browser' ? URL.createObjectURL(new Blob([value.content], { type: 'application/json' })) : null);
      },
      (failure) => {
        setBusy(false);
        setError(failure);
      },
    );
  };

  return (
    <Section title={t('it.section.export')} testId="it-export">
      <p className="muted">{t('it.export.help')}</p>
      <div className="it-actions">
        <button type="button" onClick={exportBundle} disabled={busy} data-testid="it-export-button">
          {t('it.export.button')}
        </button>
        {bundle && url && (
          <a className="button-link" href={url} download={bundle.fileName} data-testid="it-export-download">
            {t('it.export.download', { file: bundle.fileName })}
          </a>
        )}
      </div>
      <p role="status" className="it-outcome mono" data-testid="it-export-outcome">
        {bundle && t('it.export.done', { kb: Math.max(1, Math.round(bundle.bytes / 1024)), path: bundle.path ?? bundle.fileName })}
        {error !== null && errorText(error, t).join(' ')}
      </p>
    </Section>
  );
}

function RestartSection({ run }: { run: Run }) {
  const { api, t } = useApp();
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState('');

  const restart = () => {
    setConfirming(false);
    run(
      () => api.call('it.restart', {}),
      (answer) => setOutcome(answer.restarting ? t('it.restart.started') : t('it.restart.refused', { reason: answer.reason ?? '' })),
      (error) => setOutcome(errorText(error, t).join(' ')),
    );
  };

  return (
    <Section title={t('it.section.restart')} testId="it-restart">
      <p className="muted">{t('it.restart.help')}</p>
      <div className="it-actions">
        {confirming ? (
          <>
            <button type="button" className="danger" onClick={restart} autoFocus>
              {t('it.restart.confirm')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              {t('it.restart.cancel')}
            </button>
          </>
        ) : (
          <button type="button" onClick={() => setConfirming(true)}>
            {t('it.restart.button')}
          </button>
        )}
      </div>
      <p role="status" className="it-outcome" data-testid="it-restart-outcome">
        {outcome}
      </p>
    </Section>
  );
}
