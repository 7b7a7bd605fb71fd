import { useEffect, useState } from 'react';
import type { MemberValueHint } from '../../shared/value/value-hint';
import { useApp } from '../common/app-context';

const DAY_MS = 86_400_000;

/** Whole months since `day` (YYYY-MM-DD), counted in 30-day steps. */
export function monthsSince(day: string, now: number): number {
  return Math.floor((now - Date.parse(`${day}T00:00:00Z`)) / (30 * DAY_MS));
}

/**
 * HQ's customer-value hint beside the relationship badge (docs/value.md): a
 * few respectful words (« Client précieux », « ne l'avons pas vu depuis
 * 2 mois ») and, for a lapsed member who comes back, a welcome-back prompt
 * with the programme's gesture. Never an amount. Nothing for a member HQ did
 * not score (no profiling consent).
 */
export function ValueHint({ memberId, now = Date.now() }: { memberId: string; now?: number }) {
  const { api, t, locale } = useApp();
  const [hint, setHint] = useState<MemberValueHint | null>(null);
  const [welcomed, setWelcomed] = useState(false);

  useEffect(() => {
    let current = true;
    setHint(null);
    setWelcomed(false);
    api.call('member.valueHint', { memberId }).then(
      (value) => {
        if (current) setHint(value);
      },
      // A hint is a courtesy: without it the till works as before.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [api, memberId]);

  if (!hint) return null;
  const months = monthsSince(hint.lastVisitOn, now);
  const unseen = months >= 2 && (hint.segment === 'at_risk' || hint.segment === 'lapsed');
  const gesture = hint.welcomeBack ? (locale === 'en' ? hint.welcomeBack.en : hint.welcomeBack.fr) : null;
  return (
    <>
      <p className={`value-hint value-${hint.segment}`} data-testid="cashier-value-hint" data-segment={hint.segment}>
        <span className="value-hint-label">{t('cashier.value.label')} :</span> <strong>{t(`cashier.value.${hint.segment}`)}</strong>
        {unseen && <span className="value-hint-unseen"> — {t('cashier.value.unseen_months', { months })}</span>}
      </p>
      {hint.segment === 'lapsed' && gesture && !welcomed && (
        <div className="value-welcome" role="status" data-testid="cashier-welcome-back">
          <p className="value-welcome-title">{t('cashier.value.welcome_title')}</p>
          <p>{t('cashier.value.welcome_text')}</p>
          <p className="value-welcome-gesture">{t('cashier.value.welcome_gesture', { gesture })}</p>
          <button type="button" onClick={() => setWelcomed(true)}>
            {t('cashier.value.welcome_done')}
          </button>
        </div>
      )}
    </>
  );
}
