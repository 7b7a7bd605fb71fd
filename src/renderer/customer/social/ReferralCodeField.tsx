import { useState } from 'react';
import { useApp } from '../../common/app-context';
import './social.css';

/**
 * A friend's referral code on the enrolment's last page: behind a button
 * until the customer has one (the page must still fit a 1024×768 panel), or
 * filled at once by their friend's QR read at the till.
 */
export function ReferralCodeField({ value, onChange }: { value: string; onChange(value: string): void }) {
  const { t } = useApp();
  const [open, setOpen] = useState(false);
  if (!open && value === '') {
    return (
      <button type="button" className="enrol-referral-toggle" onClick={() => setOpen(true)}>
        {t('social.referral.have_code')}
      </button>
    );
  }
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
