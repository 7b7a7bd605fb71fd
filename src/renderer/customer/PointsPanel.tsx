import { useCallback, useState } from 'react';
import type { EventPayload, Locale, MemberGreeting, NextReward } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { PointsProgress } from '../common/PointsProgress';
import { useApp, useEvent } from '../common/app-context';
import { useCountUp } from '../common/use-count-up';
import { earnedText, nextRewardText } from './points-words';

type Moved = EventPayload<'points.moved'>;
type Sale = Moved & { run: number };
type Translate = ReturnType<typeof useApp>['t'];

/** How long the earned points take to count up: long enough to see, short enough not to wait for. */
const COUNT_UP_MS = 1200;

/**
 * The greeted member's points: the balance and the way to the next reward,
 * and, once a sale is committed at the till, the points it earned counting up.
 * An unlinked card (unknown here, HQ away) has no balance to show yet: only
 * what this visit earns, and where it goes.
 */
export function PointsPanel({ memberId, greeting, unlinked }: { memberId: string; greeting: MemberGreeting; unlinked: boolean }) {
  const { t, locale } = useApp();
  const [sale, setSale] = useState<Sale | null>(null);

  const onMoved = useCallback(
    (moved: Moved) => {
      // Another member's movement (a second till, a late event) is not this customer's news.
      if (moved.memberId !== memberId) return;
      // A void moves no balance: what is on the glass is still true.
      if (moved.reason === 'void') return;
      // Only the latest operation is shown: a refund replaces the sale it undoes, anything else clears it.
      if (moved.reason === 'sale' || moved.reason === 'refund') setSale((before) => ({ ...moved, run: (before?.run ?? 0) + 1 }));
      else setSale(null);
    },
    [memberId],
  );
  useEvent('points.moved', onMoved);

  // The session carries the balance too, and stays current after a refund.
  const { balance, nextReward } = greeting;

  return (
    <>
      {sale?.reason === 'refund' ? (
        <RefundSummary refund={sale} balance={balance} nextReward={nextReward} />
      ) : sale ? (
        <SaleCelebration key={sale.run} sale={sale} balance={balance} nextReward={nextReward} unlinked={unlinked} />
      ) : unlinked ? (
        <section className="points-panel" aria-labelledby="points-balance-label">
          <p id="points-balance-label" className="points-label">
            {t('customer.points.balance')}
          </p>
          <p className="points-later">{t('customer.points.balance_later')}</p>
        </section>
      ) : (
        <section className="points-panel" aria-labelledby="points-balance-label">
          <p id="points-balance-label" className="points-label">
            {t('customer.points.balance')}
          </p>
          <p className="points-balance" data-testid="customer-points-balance">
            {t('customer.points.value', { points: formatPoints(locale, balance) })}
          </p>
          <PointsProgress className="customer-progress" balance={balance} nextReward={nextReward} caption={nextRewardText(t, locale, nextReward)} label={t('customer.points.progress_label')} />
        </section>
      )}
      {/* Always in the page, so the sentence is read when it arrives; the count-up itself is for the eyes. */}
      <p className="visually-hidden" aria-live="polite">
        {sale && <span key={sale.run}>{announcement(t, locale, sale, balance, unlinked)}</span>}
      </p>
    </>
  );
}

function announcement(t: Translate, locale: Locale, sale: Sale, balance: number, unlinked: boolean): string {
  const p = (n: number) => formatPoints(locale, n);
  if (sale.reason === 'refund') return t('customer.points.announce_refund', { reversed: p(-sale.pointsEarned), restored: p(-sale.pointsRedeemed), balance: p(balance) });
  if (unlinked) return t('customer.points.announce_unlinked', { earned: p(sale.pointsEarned) });
  return sale.pointsRedeemed > 0
    ? t('customer.points.announce_used', { earned: p(sale.pointsEarned), used: p(sale.pointsRedeemed), balance: p(balance) })
    : t('customer.points.announce', { earned: p(sale.pointsEarned), balance: p(balance) });
}

/** The balance once the operation is written, and the way to the next reward from there. */
function NewBalance({ balance, nextReward }: { balance: number; nextReward: NextReward }) {
  const { t, locale } = useApp();
  return (
    <>
      <div className="points-new-balance">
        <span className="points-label">{t('customer.points.new_balance')}</span>
        <span className="points-balance" data-testid="customer-points-balance">
          {t('customer.points.value', { points: formatPoints(locale, balance) })}
        </span>
      </div>
      <PointsProgress className="customer-progress" balance={balance} nextReward={nextReward} caption={nextRewardText(t, locale, nextReward)} label={t('customer.points.progress_label')} />
    </>
  );
}

/** A refund: the points the ticket had earned taken back, those it had spent given back, and where that leaves the balance. */
function RefundSummary({ refund, balance, nextReward }: { refund: Sale; balance: number; nextReward: NextReward }) {
  const { t, locale } = useApp();
  const reversed = -refund.pointsEarned;
  const restored = -refund.pointsRedeemed;
  return (
    <section className="points-panel points-panel--refund" aria-labelledby="points-refund" data-testid="customer-refund">
      <p id="points-refund" className="points-thanks">
        {refund.receipt ? t('customer.points.refund_of', { receipt: refund.receipt }) : t('customer.points.refund')}
      </p>
      {reversed > 0 && (
        <p className="points-reversed" data-testid="customer-points-reversed">
          {t('customer.points.reversed', { points: formatPoints(locale, reversed) })}
        </p>
      )}
      {restored > 0 && (
        <p className="points-restored" data-testid="customer-points-restored">
          {t('customer.points.restored', { points: formatPoints(locale, restored) })}
        </p>
      )}
      <NewBalance balance={balance} nextReward={nextReward} />
    </section>
  );
}

function SaleCelebration({ sale, balance, nextReward, unlinked }: { sale: Sale; balance: number; nextReward: NextReward; unlinked: boolean }) {
  const { t, locale } = useApp();
  const shown = useCountUp(0, sale.pointsEarned, COUNT_UP_MS, sale.run);
  return (
    <section className="points-panel points-panel--sale" aria-labelledby="points-thanks">
      <p id="points-thanks" className="points-thanks">
        {t('customer.points.thanks')}
      </p>
      <p className="points-earned" aria-hidden="true" data-testid="customer-points-earned">
        {earnedText(t, locale, shown)}
      </p>
      {sale.pointsRedeemed > 0 && (
        <p className="points-used" data-testid="customer-points-used">
          {t('customer.points.used', { points: formatPoints(locale, sale.pointsRedeemed) })}
        </p>
      )}
      {unlinked ? (
        <p className="points-later">{t('customer.points.join_later')}</p>
      ) : (
        <NewBalance balance={balance} nextReward={nextReward} />
      )}
    </section>
  );
}
