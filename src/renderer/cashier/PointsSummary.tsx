import { useId } from 'react';
import type { LedgerAccount } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { PointsProgress } from '../common/PointsProgress';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { formatStoreDay } from './points-text';

/** Where the member stands: balance, what can be spent now, debts, points about to expire, the next reward. */
export function PointsSummary({ account, error }: { account: LedgerAccount | null; error: unknown }) {
  const { t, locale } = useApp();
  const headingId = useId();
  const pts = (points: number) => t('cashier.points.value', { points: formatPoints(locale, points) });

  return (
    <section className="points-summary" aria-labelledby={headingId} aria-busy={!account} data-testid="cashier-points">
      <h3 id={headingId} className="section-title">
        {t('cashier.points.title')}
      </h3>
      {error !== null && !account && (
        <p className="action-error" role="alert">
          {errorText(error, t).join(' ')}
        </p>
      )}
      {!account ? (
        error === null && <p className="muted">{t('cashier.points.loading')}</p>
      ) : (
        <>
          <div className="points-figures">
            <p className="points-balance">
              <span className="label">{t('cashier.points.balance')}</span>
              <strong className="points-balance-value" data-testid="cashier-points-balance">
                {pts(account.balance)}
              </strong>
            </p>
            <dl className="points-facts">
              {account.available !== account.balance && (
                <>
                  <div>
                    <dt>{t('cashier.points.available')}</dt>
                    <dd data-testid="cashier-points-available">{pts(account.available)}</dd>
                  </div>
                  {account.pending > 0 && (
                    <div>
                      <dt>{t('cashier.points.pending')}</dt>
                      <dd>{pts(account.pending)}</dd>
                    </div>
                  )}
                </>
              )}
              {account.owed > 0 && (
                <div className="points-owed" title={t('cashier.points.owed_hint')}>
                  <dt>{t('cashier.points.owed')}</dt>
                  <dd data-testid="cashier-points-owed">{pts(account.owed)}</dd>
                </div>
              )}
            </dl>
          </div>
          {account.expiring.length > 0 && (
            <ul className="points-expiring" data-testid="cashier-points-expiring">
              {account.expiring.slice(0, 2).map((lot) => (
                <li key={lot.expiresOn}>
                  {t('cashier.points.expiring', { points: formatPoints(locale, lot.points), date: formatStoreDay(lot.expiresOn) })}
                </li>
              ))}
            </ul>
          )}
          <PointsProgress
            className="cashier-progress"
            testId="cashier-points-progress"
            balance={account.balance}
            nextReward={account.nextReward}
            label={t('cashier.points.progress_label')}
            caption={
              account.nextReward
                ? t('cashier.points.next_reward', {
                    missing: formatPoints(locale, account.nextReward.missing),
                    label: account.nextReward.label,
                    points: formatPoints(locale, account.nextReward.points),
                  })
                : t('cashier.points.all_rewards')
            }
          />
        </>
      )}
    </section>
  );
}
