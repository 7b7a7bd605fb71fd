import type { UpdateStatusView } from '../../shared/updates/status-view';
import { useApp } from '../common/app-context';
import { useLiveView } from '../common/use-live-view';
import { zonedStamp } from './zoned-time';

/** The terminal's update: read once, then kept current from `updates.changed`. */
export function useUpdateStatus(): UpdateStatusView | null {
  return useLiveView('updates.status', 'updates.changed').view;
}

const HISTORY_SHOWN = 8;

/**
 * Where the terminal's update stands, for IT staff (the Diagnostic dialog, the
 * IT view): the state in words, the download's progress, what the install is
 * waiting for, the last error and the recent history. The installed version
 * keeps running whatever this says.
 */
export function UpdateStatusPanel({ status: given }: { status?: UpdateStatusView | null }) {
  const { t, locale } = useApp();
  const fetched = useUpdateStatus();
  const s = given ?? fetched;
  if (!s) return null;
  const version = s.targetVersion ?? '';
  const window = s.maintenanceWindow;
  return (
    <section className="sync-panel" data-testid="update-panel" aria-labelledby="update-panel-title" data-state={s.state}>
      <h3 id="update-panel-title">{t('updates.title')}</h3>
      <p className="sync-summary" data-testid="update-state">
        {t(`updates.state.${s.state}`, { version })}
      </p>
      {!s.updaterAvailable && <p className="muted">{t('updates.no_updater')}</p>}
      {s.progressPercent !== null && (
        <div className="sync-progress">
          <label htmlFor="update-progress-bar">{t('updates.progress', { percent: Math.floor(s.progressPercent) })}</label>
          <progress id="update-progress-bar" data-testid="update-progress" max={100} value={s.progressPercent} />
        </div>
      )}
      {s.waitingFor.length > 0 && (
        <>
          <p className="muted">{t('updates.waiting_for')} :</p>
          <ul data-testid="update-waiting-for">
            {s.waitingFor.map((blocker) => (
              <li key={blocker} data-blocker={blocker}>
                {t(`updates.blocker.${blocker}`, { start: window?.start ?? '', end: window?.end ?? '' })}
              </li>
            ))}
          </ul>
        </>
      )}
      {s.forced && <p>{t('updates.forced')}</p>}
      <dl className="sync-facts">
        <dt>{t('updates.current')}</dt>
        <dd className="mono" data-testid="update-current">
          {s.currentVersion} ({s.build})
        </dd>
        {s.targetVersion && (
          <>
            <dt>{t('updates.target')}</dt>
            <dd className="mono">{s.targetVersion}</dd>
          </>
        )}
        {s.channel && (
          <>
            <dt>{t('updates.channel')}</dt>
            <dd className="mono">{s.channel}</dd>
          </>
        )}
        <dt>{t('updates.window')}</dt>
        <dd>{window ? `${window.start}–${window.end} (${window.timeZone})` : t('updates.window.none')}</dd>
        {s.lastError && (
          <>
            <dt>{t('updates.last_error')}</dt>
            <dd data-testid="update-error" data-code={s.lastError.code}>
              {zonedStamp(locale, s.lastError.at)} — {t(`updates.error.${s.lastError.code}`)}
              {s.lastError.version ? ` (${s.lastError.version})` : ''}
            </dd>
          </>
        )}
        {s.retryAt !== null && (
          <>
            <dt>{t('updates.retry_at')}</dt>
            <dd>{zonedStamp(locale, s.retryAt)}</dd>
          </>
        )}
      </dl>
      <h4>{t('updates.history')}</h4>
      {s.history.length === 0 ? (
        <p className="muted">{t('updates.history.none')}</p>
      ) : (
        <ul className="diag-list" data-testid="update-history">
          {s.history.slice(0, HISTORY_SHOWN).map((item, i) => (
            <li key={`${item.at}-${i}`}>
              {zonedStamp(locale, item.at)} — {item.kind === 'installed' ? t('updates.history.installed') : t(`updates.state.${item.kind}`, { version: item.targetVersion ?? '' })}
              {item.errorCode ? ` : ${t(`updates.error.${item.errorCode}`)}` : ''}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
