import { useId, useState } from 'react';
import type { IncidentOutcomeView, RelationshipView } from '../../shared/contract';
import { formatPoints } from '../../shared/domain/receipt-layout';
import { formatDate } from '../../shared/i18n/i18n';
import { useApp } from '../common/app-context';
import { errorText } from '../common/error-text';
import { formatEuros } from '../common/euro-amount';
import { RecordIncident } from './RecordIncident';
import { ResolveIncident } from './ResolveIncident';

type Translate = ReturnType<typeof useApp>['t'];

interface IncidentPanelProps {
  memberId: string;
  relationship: RelationshipView | null;
  error: unknown;
  /** Who records, as the journal names them. */
  recordedBy: string;
  announce(text: (t: Translate) => string): void;
}

type Form = { kind: 'none' } | { kind: 'record' } | { kind: 'resolve'; incidentId: string };

/**
 * The member's open incidents from every store, the suggested gesture for a
 * member at risk, the goodwill budget left, and the two forms: record, resolve.
 * Every figure is the core's (member.relationship), read again after each change.
 */
export function IncidentPanel({ memberId, relationship, error, recordedBy, announce }: IncidentPanelProps) {
  const { t, locale } = useApp();
  const headingId = useId();
  const [form, setForm] = useState<Form>({ kind: 'none' });
  const [done, setDone] = useState<IncidentOutcomeView | null>(null);

  if (!relationship) {
    return error !== null ? (
      <p className="action-error" role="alert">
        {errorText(error, t).join(' ')}
      </p>
    ) : null;
  }
  const { budget, health, openIncidents } = relationship;
  const suggested = health.suggestedGesture;
  const resolving = form.kind === 'resolve' ? openIncidents.find((i) => i.incidentId === form.incidentId) : undefined;

  function finished(result: IncidentOutcomeView | null, change: 'recorded' | 'resolved') {
    setForm({ kind: 'none' });
    if (!result) return;
    setDone(result);
    const kind = result.incident.kind;
    announce((t) =>
      change === 'recorded'
        ? t('cashier.incident.recorded', { kind: t(`incident.kind.${kind}`) })
        : doneText(t, result, (n) => formatPoints(locale, n)),
    );
  }

  return (
    <section className={`incidents incidents-${health.state}`} aria-labelledby={headingId} data-testid="cashier-incidents">
      <h3 id={headingId} className="section-title">
        {t('cashier.incident.title')}
      </h3>
      {done && (
        <p className="incident-done" role="status" data-testid="cashier-incident-done">
          {done.incident.status === 'open'
            ? t('cashier.incident.recorded', { kind: t(`incident.kind.${done.incident.kind}`) })
            : doneText(t, done, (n) => formatPoints(locale, n))}
        </p>
      )}
      {suggested && (
        <p className="incident-suggested" data-testid="cashier-incident-suggested">
          {suggested.valueCents === 0
            ? t('cashier.incident.suggested_apology')
            : t('cashier.incident.suggested', {
                // The core caps the points by what is left of the budget: the amount shown is what they are worth.
                amount: formatEuros(locale, Math.ceil((suggested.points * budget.centsPerPoint.cents) / budget.centsPerPoint.points)),
                points: formatPoints(locale, suggested.points),
              })}
        </p>
      )}
      <p className="incident-budget" data-testid="cashier-incident-budget">
        {t('cashier.incident.budget', {
          remaining: formatEuros(locale, budget.remainingCents),
          budget: formatEuros(locale, budget.budgetCents),
          period: t(`cashier.incident.period.${budget.period}`),
        })}
        <br />
        <span className="muted">{t('cashier.incident.limit', { limit: formatEuros(locale, budget.cashierLimitCents) })}</span>
      </p>
      <h4 className="incident-list-title">{t('cashier.incident.open_title')}</h4>
      {openIncidents.length === 0 ? (
        <p className="muted">{t('cashier.incident.none_open')}</p>
      ) : (
        <ul className="incident-list" data-testid="cashier-incident-list">
          {openIncidents.map((incident) => (
            <li key={incident.incidentId} className="incident-item" data-channel={incident.channel ?? ''}>
              <div>
                <strong>
                  {t('cashier.incident.item', {
                    kind: t(`incident.kind.${incident.kind}`),
                    severity: incident.severity,
                    severityLabel: t(`incident.severity.${incident.severity}`),
                  })}
                </strong>
                <br />
                <span className="muted">
                  {t('cashier.incident.item_meta', { date: formatDate(locale, incident.openedAt), channel: incident.channel ? t(`incident.channel.${incident.channel}`) : '—' })}
                </span>
              </div>
              {incident.origin === 'local' ? (
                <button
                  type="button"
                  aria-label={`${t('cashier.incident.resolve')} : ${t(`incident.kind.${incident.kind}`)}`}
                  onClick={() => {
                    setDone(null);
                    setForm({ kind: 'resolve', incidentId: incident.incidentId });
                  }}
                >
                  {t('cashier.incident.resolve')}
                </button>
              ) : (
                <span className="muted">{t('cashier.incident.elsewhere')}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {form.kind === 'none' && (
        <div className="panel-actions">
          <button
            type="button"
            onClick={() => {
              setDone(null);
              setForm({ kind: 'record' });
            }}
          >
            {t('cashier.incident.record')}
          </button>
        </div>
      )}
      {form.kind === 'record' && <RecordIncident memberId={memberId} recordedBy={recordedBy} onDone={(r) => finished(r, 'recorded')} />}
      {resolving && (
        <ResolveIncident
          key={resolving.incidentId}
          incident={resolving}
          budget={budget}
          suggestedPoints={suggested && suggested.points > 0 ? suggested.points : null}
          recordedBy={recordedBy}
          onDone={(r) => finished(r, 'resolved')}
        />
      )}
    </section>
  );
}

function doneText(t: Translate, result: IncidentOutcomeView, p: (n: number) => string): string {
  const outcome = t(`incident.outcome.${result.incident.outcome ?? 'well_resolved'}`);
  if (result.adjustment) return t('cashier.incident.resolved_points', { outcome, points: p(result.adjustment.points), balance: p(result.adjustment.balanceAfter) });
  return t('cashier.incident.resolved', { outcome });
}
