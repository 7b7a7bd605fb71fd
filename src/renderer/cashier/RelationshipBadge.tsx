import type { RelationshipView } from '../../shared/contract';
import { useApp } from '../common/app-context';

/**
 * Where the member stands, at « Vous avez la carte ? »: the health as a badge
 * and its reason in one line (« 2 incidents non résolus depuis mars »).
 */
export function RelationshipBadge({ relationship }: { relationship: RelationshipView | null }) {
  const { t, locale } = useApp();
  if (!relationship) return null;
  const { health } = relationship;
  const state = t(`incident.health.${health.state}`);
  return (
    <p className={`health health-${health.state}`} data-testid="cashier-health" data-state={health.state}>
      <span className="health-badge" role="img" aria-label={t('cashier.incident.badge_label', { state })}>
        <span aria-hidden="true" className="health-dot" />
        <span aria-hidden="true">{state}</span>
      </span>{' '}
      <span className="health-reason" data-testid="cashier-health-reason">
        {locale === 'en' ? health.reason.en : health.reason.fr}
      </span>
    </p>
  );
}
