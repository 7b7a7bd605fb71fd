import { useEffect, useId, useRef, useState } from 'react';
import { INCIDENT_NOTE_MAX, type IncidentOutcomeView } from '../../shared/contract';
import { INCIDENT_KINDS, type IncidentKind } from '../../shared/domain/relationship-health';
import { useApp } from '../common/app-context';
import { ActionErrors } from './ActionErrors';
import { ChoiceButtons } from './ChoiceButtons';

const SEVERITIES = [1, 2, 3, 4, 5] as const;

/**
 * A new incident in at most three touches: open, the kind, the severity (which
 * records it). The note is optional, typed before the severity, and stays on
 * this terminal: never printed, never sent.
 */
export function RecordIncident({ memberId, recordedBy, onDone }: { memberId: string; recordedBy: string; onDone(result: IncidentOutcomeView | null): void }) {
  const { api, t } = useApp();
  const headingId = useId();
  const [kind, setKind] = useState<IncidentKind | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  async function record(severity: number) {
    if (!kind || busy) return;
    setBusy(true);
    setError(null);
    try {
      const result = await api.call('incident.record', { memberId, kind, severity, channel: 'till', note: note.trim() === '' ? null : note, recordedBy });
      onDone(result);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="incident-form" aria-labelledby={headingId} data-testid="cashier-incident-record">
      <h4 id={headingId} ref={heading} tabIndex={-1}>
        {t('cashier.incident.record_title')}
      </h4>
      <ChoiceButtons legend={t('cashier.incident.kind_legend')} options={INCIDENT_KINDS} value={kind} label={(k) => t(`incident.kind.${k}`)} onChange={setKind} />
      {kind && (
        <>
          <label className="incident-note">
            <span>{t('cashier.incident.note')}</span>
            <textarea rows={2} maxLength={INCIDENT_NOTE_MAX} value={note} onChange={(e) => setNote(e.target.value)} />
          </label>
          <fieldset className="incident-choices">
            <legend>{t('cashier.incident.severity_legend')}</legend>
            <div className="incident-buttons incident-severities">
              {SEVERITIES.map((s) => (
                <button key={s} type="button" className={`severity-${s}`} disabled={busy} onClick={() => void record(s)}>
                  {t('cashier.incident.severity_button', { severity: s, label: t(`incident.severity.${s}`) })}
                </button>
              ))}
            </div>
          </fieldset>
        </>
      )}
      <ActionErrors error={error} />
      <div className="panel-actions">
        <button type="button" onClick={() => onDone(null)}>
          {t('cashier.incident.cancel')}
        </button>
      </div>
    </section>
  );
}
