import type { SyncStatusView } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { zonedStamp } from './zoned-time';

/**
 * What HQ accepted from this terminal with an exception (an offline
 * redemption that overdrew a balance…): each is an anomaly at HQ. Shown in
 * the Diagnostic dialog so the store and IT staff see the same thing.
 */
export function HqExceptions({ status }: { status: SyncStatusView }) {
  const { t, locale } = useApp();
  if (status.state === 'unconfigured') return null;
  const kindText = (kind: string) => {
    const key = `sync.exception.${kind}`;
    const text = t(key);
    return text === key ? kind : text;
  };
  return (
    <section className="sync-panel" data-testid="hq-exceptions" aria-labelledby="hq-exceptions-title">
      <h3 id="hq-exceptions-title">{t('sync.exceptions.title')}</h3>
      {status.hqExceptions === 0 ? (
        <p className="muted">{t('sync.exceptions.none')}</p>
      ) : (
        <>
          <p className="sync-summary sync-warn" role="status">
            <span className="dot" aria-hidden="true" />
            {t('sync.exceptions.count', { count: status.hqExceptions })}
          </p>
          <table className="diag-table" data-testid="hq-exceptions-list">
            <thead>
              <tr>
                <th scope="col">{t('sync.exceptions.at')}</th>
                <th scope="col">{t('sync.exceptions.kind')}</th>
                <th scope="col">{t('sync.exceptions.detail')}</th>
              </tr>
            </thead>
            <tbody>
              {status.hqExceptionsRecent.map((x) => (
                <tr key={x.entryId}>
                  <td>{zonedStamp(locale, x.ackedAt)}</td>
                  <td>{kindText(x.kind)}</td>
                  <td className="mono">
                    {x.detail}
                    <br />
                    <span className="muted">
                      {t('sync.exceptions.entry')} {x.entryId}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
