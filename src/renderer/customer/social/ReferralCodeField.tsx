import { useApp } from '../../common/app-context';
import './social.css';

/** A friend's referral code on the enrolment's last page: typed, or filled by their QR read at the till. */
export function ReferralCodeField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const { t } = useApp();
  return (
    <div className="enrol-referral">
      <label htmlFor="enrol-referral-code">{t('social.referral.field')}</label>
      <input
        id="enrol-referral-code"
        data-testid="customer-referral-field"
        type="text"
        autoComplete="off"
        spellCheck={false}
        maxLength={40}
        value={value}
        aria-describedby="enrol-referral-hint"
        onChange={(e) => onChange(e.target.value)}
      />
      <p id="enrol-referral-hint" className="enrol-hint">
        {t('social.referral.field_hint')}
      </p>
    </div>
  );
}
