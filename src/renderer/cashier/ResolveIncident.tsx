import { useEffect, useId, useRef, useState } from 'react';
import type { Gesture, GoodwillBudgetView, IncidentOutcomeView, IncidentView, ManagerApproval } from '../../shared/contract';
import { INCIDENT_OUTCOMES, type IncidentOutcome } from '../../shared/domain/relationship-health';
import { ApiError } from '../api/client';
import { useApp } from '../common/app-context';
import { formatEuros, parseEuroAmount } from '../common/euro-amount';
import { ActionErrors } from './ActionErrors';
import { ChoiceButtons } from './ChoiceButtons';
import { ManagerApprovalBox } from './ManagerApprovalBox';

const GESTURES = ['apology', 'points', 'voucher', 'refund', 'none'] as const;
type GestureType = (typeof GESTURES)[number];

/** The manager's PIN was refused (wrong, locked, none configured): the approval must be given again. */
const isPinRefusal = (error: unknown) => error instanceof ApiError && (error.issues ?? []).some((issue) => issue.path === 'manager.pin');

/** What the gesture typed so far would cost the budget, in cents, as the core values it (goodwill.ts); null while incomplete. */
export function draftCents(type: GestureType, points: string, value: string, budget: GoodwillBudgetView): number | null {
  if (type === 'none' || type === 'apology') return 0;
  if (type === 'points') {
    const n = Number(points);
    return Number.isInteger(n) && n > 0 ? Math.ceil((n * budget.centsPerPoint.cents) / budget.centsPerPoint.points) : null;
  }
  const parsed = parseEuroAmount(value);
  return parsed.ok && parsed.cents > 0 ? parsed.cents : null;
}

interface ResolveProps {
  incident: IncidentView;
  budget: GoodwillBudgetView;
  /** The health model's suggestion for a member at risk, in points. */
  suggestedPoints: number | null;
  recordedBy: string;
  onDone(result: IncidentOutcomeView | null): void;
}

/**
 * Closing an incident: its outcome and the gesture. The remaining budget and
 * the cashier's limit are in view; above the limit the manager approves with
 * their PIN, as for a manual sale past the ceilings.
 */
export function ResolveIncident({ incident, budget, suggestedPoints, recordedBy, onDone }: ResolveProps) {
  const { api, t, locale } = useApp();
  const headingId = useId();
  const [outcome, setOutcome] = useState<IncidentOutcome>('well_resolved');
  const [type, setType] = useState<GestureType>(suggestedPoints ? 'points' : 'apology');
  const [points, setPoints] = useState(suggestedPoints ? String(suggestedPoints) : '');
  const [value, setValue] = useState('');
  const [reference, setReference] = useState('');
  const [approval, setApproval] = useState<ManagerApproval | null>(null);
  const [lastManagerId, setLastManagerId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  useEffect(() => heading.current?.focus(), []);
  // A refusal (a wrong PIN) lands below the form: bring it into view.
  useEffect(() => {
    if (error !== null) errorRef.current?.scrollIntoView({ block: 'nearest' });
  }, [error]);

  const cents = draftCents(type, points, value, budget);
  const overBudget = cents !== null && cents > budget.remainingCents;
  const needsManager = cents !== null && cents > budget.cashierLimitCents;
  const referenced = type !== 'voucher' && type !== 'refund' ? true : /^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/.test(reference);
  const ready = cents !== null && !overBudget && referenced && (!needsManager || approval !== null);

  function gesture(): Gesture {
    switch (type) {
      case 'points':
        return { type, points: Number(points) };
      case 'voucher':
      case 'refund':
        return { type, valueCents: cents ?? 0, reference };
      default:
        return { type };
    }
  }

  async function confirm() {
    if (!ready || busy) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api.call('incident.resolve', { incidentId: incident.incidentId, outcome, gesture: gesture(), recordedBy, manager: needsManager ? approval : null });
      onDone(result);
    } catch (failure) {
      setError(failure);
      if (isPinRefusal(failure)) setApproval(null);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="incident-form" aria-labelledby={headingId} data-testid="cashier-incident-resolve">
      <h4 id={headingId} ref={heading} tabIndex={-1}>
        {t('cashier.incident.resolve_title', { kind: t(`incident.kind.${incident.kind}`) })}
      </h4>
      <ChoiceButtons legend={t('cashier.incident.outcome_legend')} options={INCIDENT_OUTCOMES} value={outcome} label={(o) => t(`incident.outcome.${o}`)} onChange={setOutcome} />
      <ChoiceButtons
        legend={t('cashier.incident.gesture_legend')}
        options={GESTURES}
        value={type}
        label={(g) => t(`incident.gesture.${g}`)}
        onChange={(g) => {
          setType(g);
          setApproval(null);
        }}
      >
        {type === 'points' && (
          <div className="incident-gesture-fields">
            <label className="manual-field">
              <span>{t('cashier.incident.points')}</span>
              <input inputMode="numeric" autoComplete="off" value={points} onChange={(e) => setPoints(e.target.value.replace(/\D/g, ''))} />
            </label>
            {cents !== null && <p className="incident-worth">{t('cashier.incident.points_value', { amount: formatEuros(locale, cents) })}</p>}
          </div>
        )}
        {(type === 'voucher' || type === 'refund') && (
          <div className="incident-gesture-fields">
            <label className="manual-field">
              <span>{t('cashier.incident.value')}</span>
              <input inputMode="decimal" autoComplete="off" value={value} onChange={(e) => setValue(e.target.value)} />
            </label>
            <label className="manual-field">
              <span>{t('cashier.incident.reference')}</span>
              <input autoComplete="off" maxLength={64} value={reference} onChange={(e) => setReference(e.target.value)} />
            </label>
          </div>
        )}
      </ChoiceButtons>
      {overBudget && (
        <p className="action-error" role="alert">
          {t('cashier.incident.over_budget', { remaining: formatEuros(locale, budget.remainingCents) })}
        </p>
      )}
      {!overBudget && needsManager && approval === null && (
        <ManagerApprovalBox
          testId="cashier-incident-approval"
          applyLabel={t('cashier.incident.approval_apply')}
          hint={t('cashier.incident.over_limit', { limit: formatEuros(locale, budget.cashierLimitCents) })}
          lastManagerId={lastManagerId}
          onApprove={(given) => {
            setApproval(given);
            setLastManagerId(given.id);
            setError(null);
          }}
        />
      )}
      {!overBudget && needsManager && approval !== null && (
        <p className="manual-approved" data-testid="cashier-incident-approved">
          {t('cashier.incident.approval_applied', { manager: approval.id })}
        </p>
      )}
      <ActionErrors error={error} innerRef={errorRef} />
      <div className="panel-actions">
        <button type="button" onClick={() => onDone(null)}>
          {t('cashier.incident.cancel')}
        </button>
        <button type="button" className="primary" disabled={!ready || busy} onClick={() => void confirm()}>
          {busy ? t('cashier.incident.resolving') : t('cashier.incident.confirm')}
        </button>
      </div>
    </section>
  );
}
