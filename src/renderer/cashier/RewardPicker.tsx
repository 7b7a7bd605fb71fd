import { useId } from 'react';
import type { SalePreviewView } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { useApp } from '../common/app-context';

interface RewardPickerProps {
  rewards: SalePreviewView['options']['rewards'];
  /** The reward chosen for this sale, or null. */
  value: string | null;
  onChange(rewardId: string | null): void;
}

/**
 * The programme's catalogue (« Café offert »): one reward per sale, paid with
 * its points, its label on the receipt. One the member cannot afford is shown
 * but cannot be chosen, so the customer screen's « à votre portée » stays true.
 */
export function RewardPicker({ rewards, value, onChange }: RewardPickerProps) {
  const { t, locale } = useApp();
  const headingId = useId();
  return (
    <section className="rewards" aria-labelledby={headingId} data-testid="cashier-rewards">
      <h4 id={headingId}>{t('cashier.reward.title')}</h4>
      <div className="reward-options" role="group" aria-labelledby={headingId}>
        <button type="button" aria-pressed={value === null} onClick={() => onChange(null)}>
          {t('cashier.reward.none')}
        </button>
        {rewards.map((reward) => {
          const chosen = reward.rewardId === value;
          return (
            <button
              key={reward.rewardId}
              type="button"
              aria-pressed={chosen}
              disabled={!chosen && !reward.affordable}
              onClick={() => onChange(chosen ? null : reward.rewardId)}
            >
              {t('cashier.reward.option', { label: reward.label, points: formatPoints(locale, reward.points) })}
            </button>
          );
        })}
      </div>
    </section>
  );
}
