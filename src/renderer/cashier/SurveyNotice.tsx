import { useCallback, useState } from 'react';
import type { EventPayload, IncidentKindSchema } from '../../shared/contract';
import { useApp, useEvent } from '../common/app-context';

type Kind = (typeof IncidentKindSchema)['options'][number];

interface Notice {
  incidentId: string;
  kind: Kind | null;
  name: string | null;
}

/**
 * A customer gave a low score on the customer screen and said what went
 * wrong: the cashier hears of it without being stopped (a status line that
 * stays until dismissed; the incident is in the member's list already).
 */
export function SurveyNotice() {
  const { api, t } = useApp();
  const [notice, setNotice] = useState<Notice | null>(null);

  const onChanged = useCallback(
    (changed: EventPayload<'incident.changed'>) => {
      if (changed.channel !== 'survey' || changed.change !== 'recorded') return;
      setNotice({ incidentId: changed.incidentId, kind: null, name: null });
      const memberId = changed.memberId;
      if (memberId === null) return;
      void Promise.all([api.call('member.relationship', { memberId }), api.call('member.get', { memberId })]).then(
        ([relationship, member]) => {
          const incident = relationship.openIncidents.find((i) => i.incidentId === changed.incidentId);
          const name = `${member.firstName} ${member.lastName}`.trim();
          setNotice((current) => (current?.incidentId === changed.incidentId ? { ...current, kind: incident?.kind ?? null, name: name || null } : current));
        },
        () => undefined,
      );
    },
    [api],
  );
  useEvent('incident.changed', onChanged);

  return (
    <div role="status" className="survey-notice-region">
      {notice && (
        <div className="notice notice-warning survey-notice" data-testid="cashier-survey-notice">
          <p>
            {notice.name
              ? t('cashier.incident.survey_notice_member', { name: notice.name, kind: notice.kind ? t(`incident.kind.${notice.kind}`) : '…' })
              : t('cashier.incident.survey_notice', { kind: notice.kind ? t(`incident.kind.${notice.kind}`) : '…' })}
          </p>
          <button type="button" onClick={() => setNotice(null)}>
            {t('cashier.incident.dismiss')}
          </button>
        </div>
      )}
    </div>
  );
}
