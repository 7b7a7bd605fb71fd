import { CONSENT_PURPOSES } from '../../shared/contract';
import { checkFrenchMobile, formatFrenchPhone } from '../../shared/domain/phone';
import { useApp } from '../common/app-context';
import { TEXT_FIELDS, type Draft, type TextField } from './enrolment-fields';

interface SummaryStepProps {
  draft: Draft;
  /** What the core refused, by field. */
  fieldErrors: Partial<Record<TextField, string>>;
  generalErrors: string[];
  presetCard: string | null;
  onEdit(field: TextField): void;
}

function shown(field: TextField, value: string): string | null {
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (field === 'phone') {
    const check = checkFrenchMobile(trimmed);
    return check.ok ? formatFrenchPhone(check.e164) : trimmed;
  }
  return trimmed;
}

/** Everything the customer typed and chose, each with a way back to change it. */
export function SummaryStep({ draft, fieldErrors, generalErrors, presetCard, onEdit }: SummaryStepProps) {
  const { t } = useApp();
  return (
    <div className="summary">
      {generalErrors.length > 0 && (
        <div className="summary-errors" role="alert">
          {generalErrors.map((key) => (
            <p key={key}>{t(key)}</p>
          ))}
        </div>
      )}
      <dl className="summary-list">
        {TEXT_FIELDS.map((field) => {
          const value = shown(field, draft[field]);
          const label = t(`customer.enrol.field.${field}`);
          const error = fieldErrors[field];
          return (
            <div key={field} className={`summary-row${error ? ' summary-row--error' : ''}`}>
              <dt>{label}</dt>
              <dd>
                <span className={value === null ? 'summary-empty' : 'summary-value'}>{value ?? t('customer.enrol.not_given')}</span>
                {error && <span className="field-error summary-error">{t(error)}</span>}
              </dd>
              <dd className="summary-edit">
                <button type="button" aria-label={t('customer.enrol.edit_field', { field: label })} onClick={() => onEdit(field)}>
                  {t('customer.enrol.edit')}
                </button>
              </dd>
            </div>
          );
        })}
      </dl>
      <dl className="summary-list summary-consents">
        {CONSENT_PURPOSES.map((purpose) => (
          <div key={purpose} className="summary-row">
            <dt>{t(`customer.consent.${purpose}.title`)}</dt>
            <dd className={draft.consents[purpose] ? 'summary-yes' : 'summary-no'}>
              {draft.consents[purpose] ? t('customer.enrol.yes') : t('customer.enrol.no')}
            </dd>
          </div>
        ))}
      </dl>
      {presetCard && <p className="summary-card">{t('customer.enrol.preset_card', { number: presetCard })}</p>}
    </div>
  );
}
