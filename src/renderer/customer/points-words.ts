import type { Locale, NextReward } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';

type Translate = (key: string, params?: Record<string, string | number>) => string;

/** « +1 point » but « +12 points »: French counts 0 and 1 as singular, English only 1. */
export function earnedText(t: Translate, locale: Locale, points: number): string {
  const one = locale === 'fr' ? Math.abs(points) <= 1 : Math.abs(points) === 1;
  return t(one ? 'customer.points.earned_one' : 'customer.points.earned_other', { points: formatPoints(locale, points) });
}

/** The sentence under the progress bar: how far to the next reward, or that all are within reach. */
export function nextRewardText(t: Translate, locale: Locale, nextReward: NextReward): string {
  return nextReward
    ? t('customer.points.next_reward', { missing: formatPoints(locale, nextReward.missing), label: nextReward.label })
    : t('customer.points.all_rewards');
}
