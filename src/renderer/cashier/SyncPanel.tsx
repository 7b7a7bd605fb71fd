import { useId, useState, type FormEvent } from 'react';
import type { SyncStatusView } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { syncSummary } from './use-sync-status';
import { zonedStamp } from './zoned-time';

function when(locale: string, at: number | null, never: string): string {
  if (at === null) return never;
  return zonedStamp(locale, at);
}

/** « 12 001 » in French: a backlog of thousands is read at a glance. */
function count(locale: string, n: number): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB').format(n);
}

/**
 * The HQ part of the diagnostics dialog, for IT staff: what is waiting, how
 * far a catch-up has gone, why sending stopped, and the enrolment form for a
 * terminal HQ does not know yet.
 */
export function SyncPanel({ status, onStatus }: { status: SyncStatusView; onStatus(status: SyncStatusView): void }) {
  const { api, t, locale } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const summary = syncSummary(t, status);

  const run = (call: () => Promise<SyncStatusView>) => {
    setBusy(true);
    setError(null);
    call().then(
      (view) => {
        onStatus(view);
        setBusy(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };

  return (
    <section className="sync-panel" data-testid="sync-panel" aria-labelledby="sync-panel-title">
      <h3 id="sync-panel-title">{t('sync.title')}</h3>
      <p className={`sync-summary sync-${summary.severity}`} data-state={status.state}>
        <span className="dot" aria-hidden="true" />
        {summary.text}
      </p>
      {status.progress && status.progress.total > 0 && (
        <div className="sync-progress">
          <label htmlFor="sync-progress-bar">{t('sync.progress', { done: count(locale, status.progress.done), total: count(locale, status.progress.total) })}</label>
          <progress id="sync-progress-bar" data-testid="sync-progress" max={status.progress.total} value={status.progress.done} />
        </div>
      )}
      <dl className="sync-facts">
        <dt>{t('sync.backlog')}</dt>
        <dd data-testid="sync-backlog">{count(locale, status.backlog)}</dd>
        <dt>{t('sync.acked')}</dt>
        <dd className="mono">
          {status.ackedSeq} / {status.headSeq}
        </dd>
        {status.storeId && (
          <>
            <dt>{t('sync.store')}</dt>
            <dd className="mono">{status.storeId}</dd>
          </>
        )}
        <dt>{t('sync.last_contact')}</dt>
        <dd>{when(locale, status.lastContactAt, t('sync.never'))}</dd>
        {status.nextAttemptAt !== null && status.state === 'offline' && (
          <>
            <dt>{t('sync.next_attempt')}</dt>
            <dd>{when(locale, status.nextAttemptAt, t('sync.never'))}</dd>
          </>
        )}
        {status.problem && (
          <>
            <dt>{t('sync.problem')}</dt>
            <dd className="mono" data-testid="sync-problem">
              {status.problem.code}: {status.problem.message}
            </dd>
          </>
        )}
        {!status.problem && status.lastError && status.state === 'offline' && (
          <>
            <dt>{t('sync.last_error')}</dt>
            <dd className="mono" data-testid="sync-last-error">
              {status.lastError.code}: {status.lastError.message}
            </dd>
          </>
        )}
      </dl>
      {(status.state === 'offline' || status.backlog > 0) && <p className="muted">{t('sync.safe')}</p>}
      {status.state === 'unenrolled' ? (
        <EnrolForm busy={busy} terminalId={status.terminalId} defaultStore={status.storeId ?? ''} onSubmit={(input) => run(() => api.call('sync.enrol', input))} />
      ) : (
        status.state !== 'unconfigured' && (
          <button type="button" disabled={busy} onClick={() => run(() => api.call('sync.now', {}))}>
            {t('sync.now')}
          </button>
        )
      )}
      {error !== null && (
        <p className="action-error" role="alert">
          {errorText(error, t).join(' ')}
        </p>
      )}
    </section>
  );
}

function EnrolForm({
  busy,
  terminalId,
  defaultStore,
  onSubmit,
}: {
  busy: boolean;
  terminalId: string;
  defaultStore: string;
  onSubmit(input: { code: string; storeId: string }): void;
}) {
  const { t } = useApp();
  const codeId = useId();
  const storeId = useId();
  const [code, setCode] = useState('');
  const [store, setStore] = useState(defaultStore);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit({ code, storeId: store });
  };
  return (
    <form className="sync-enrol" onSubmit={submit} data-testid="sync-enrol">
      <h4>{t('sync.enrol.title')}</h4>
      <p className="muted">{t('sync.enrol.help')}</p>
      {/* IT creates the code for this id: a code made for another terminal is refused. */}
      <p>
        {t('sync.enrol.terminal')} <strong className="mono" data-testid="sync-enrol-terminal">{terminalId}</strong>
      </p>
      <label htmlFor={codeId}>{t('sync.enrol.code')}</label>
      <input id={codeId} className="mono" autoComplete="off" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} required />
      <label htmlFor={storeId}>{t('sync.enrol.store')}</label>
      <input id={storeId} className="mono" autoComplete="off" spellCheck={false} value={store} onChange={(e) => setStore(e.target.value)} required />
      <button type="submit" className="primary" disabled={busy}>
        {t('sync.enrol.submit')}
      </button>
    </form>
  );
}
