import { useCallback, useId, useState } from 'react';
import type { EventPayload } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp, useEvent } from '../common/app-context';
import { formatEuros } from '../common/euro-amount';

type Moved = EventPayload<'points.moved'>;

interface LastMoveProps {
  memberId: string;
  /** The member's full name as the cashier knows it: a confirmation says whose points moved. */
  name: string;
  /** A sale this screen typed in confirms itself in the manual sale's own panel. */
  ownReceipt: string | null;
}

/**
 * The latest thing that moved this member's points (a sale from the till, a
 * refund, an adjustment, HQ's figures), as the ledger announced it. Every
 * figure is the event's, and the balance is the ledger's after it; the next
 * movement replaces it, so an outdated confirmation never stays on screen.
 */
export function LastMove({ memberId, name, ownReceipt }: LastMoveProps) {
  const { t, locale } = useApp();
  const headingId = useId();
  const [move, setMove] = useState<Moved | null>(null);
  const onMoved = useCallback(
    (moved: Moved) => {
      if (moved.memberId === memberId) setMove(moved);
    },
    [memberId],
  );
  useEvent('points.moved', onMoved);

  if (!move || (move.reason === 'sale' && move.receipt !== null && move.receipt === ownReceipt)) return null;
  const p = (n: number) => formatPoints(locale, n);
  const receipt = move.receipt ?? '';
  const lines: Array<{ key: string; text: string }> = [];
  if (move.reason === 'refund') {
    if (move.pointsEarned < 0) lines.push({ key: 'reversed', text: t('cashier.move.reversed', { points: p(-move.pointsEarned) }) });
    if (move.pointsRedeemed < 0) lines.push({ key: 'restored', text: t('cashier.move.restored', { points: p(-move.pointsRedeemed) }) });
  } else if (move.reason === 'sale' || move.reason === 'adjustment') {
    if (move.pointsEarned > 0 || move.reason === 'sale') lines.push({ key: 'earned', text: t('cashier.move.earned', { points: p(move.pointsEarned) }) });
    if (move.rewardLabel) lines.push({ key: 'reward', text: t('cashier.move.reward', { label: move.rewardLabel }) });
    if (move.pointsRedeemed > 0) {
      lines.push({
        key: 'redeemed',
        text:
          move.discountCents > 0
            ? t('cashier.move.discount', { points: p(move.pointsRedeemed), amount: formatEuros(locale, move.discountCents) })
            : t('cashier.move.redeemed', { points: p(move.pointsRedeemed) }),
      });
    }
  }
  return (
    <section className={`last-move last-move-${move.reason}`} aria-labelledby={headingId} data-testid="cashier-last-move" data-reason={move.reason}>
      <h3 id={headingId} className="section-title">
        {t(`cashier.move.${move.reason}`, { name, receipt })}
      </h3>
      <ul className="last-move-list">
        {lines.map((line) => (
          <li key={line.key}>{line.text}</li>
        ))}
        <li className="last-move-balance" data-testid="cashier-last-move-balance">
          {t('cashier.move.balance', { points: p(move.balance) })}
        </li>
      </ul>
    </section>
  );
}
