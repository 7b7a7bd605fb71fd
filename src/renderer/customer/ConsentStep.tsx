import { CONSENT_PURPOSES, type Consents } from '../../shared/contract';
import { useApp } from '../common/app-context';

interface ConsentStepProps {
  consents: Consents;
  onChange(consents: Consents): void;
  onShowPrivacy(): void;
}

/**
 * One box per purpose, each unticked until the customer ticks it (GDPR:
 * consent is specific and given by a positive act, never bundled).
 */
export function ConsentStep({ consents, onChange, onShowPrivacy }: ConsentStepProps) {
  const { t } = useApp();
  return (
    <div className="consents">
      <p className="consents-intro">{t('customer.consents.intro')}</p>
      <ul className="consent-list">
        {CONSENT_PURPOSES.map((purpose) => (
          <li key={purpose}>
            <label className={`consent${consents[purpose] ? ' consent--on' : ''}`}>
              <input
                type="checkbox"
                className="consent-box"
                checked={consents[purpose]}
                aria-labelledby={`consent-${purpose}-title`}
                aria-describedby={`consent-${purpose}-detail`}
                onChange={(e) => onChange({ ...consents, [purpose]: e.target.checked })}
              />
              <span className="consent-text">
                <span id={`consent-${purpose}-title`} className="consent-title">
                  {t(`customer.consent.${purpose}.title`)}
                </span>
                <span id={`consent-${purpose}-detail`} className="consent-detail">
                  {t(`customer.consent.${purpose}.detail`)}
                </span>
              </span>
            </label>
          </li>
        ))}
      </ul>
      <button type="button" className="privacy-link" onClick={onShowPrivacy}>
        {t('customer.privacy.open')}
      </button>
    </div>
  );
}
