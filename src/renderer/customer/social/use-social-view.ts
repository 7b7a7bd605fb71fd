import { useCallback, useEffect, useState } from 'react';
import type { SocialView } from '../../../shared/contract';
import { useApp, useEvent } from '../../common/app-context';

/** The member's referral code and the causes' counters, asked again whenever points move (a donation, a sale, HQ's figures). */
export function useSocialView(memberId: string | null): { view: SocialView | null; reload(): void } {
  const { api } = useApp();
  const [view, setView] = useState<SocialView | null>(null);
  const reload = useCallback(() => {
    api.call('social.view', {}).then(setView, () => {});
  }, [api]);
  useEffect(reload, [reload, memberId]);
  useEvent('points.moved', reload);
  return { view, reload };
}
