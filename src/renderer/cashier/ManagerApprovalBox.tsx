import { useState } from 'react';
import type { ManagerApproval } from '../../shared/contract';
import { useApp } from '../common/app-context';

const PIN_FORMAT = /^\d{4,12}$/;

/**
 * « Validation d'un responsable »: the manager's id and PIN, handed to the
 * action that needs them; the core checks the PIN (and its lockout) when the
 * action is committed.
 */
interface ManagerApprovalBoxProps {
  hint: string;
  applyLabel: string;
  onApprove(approval: ManagerApproval): void;
  testId: string;
  /** After a refused PIN the manager is the same: only the PIN is typed again. */
  lastManagerId?: string;
}

export function ManagerApprovalBox({ hint, applyLabel, onApprove, testId, lastManagerId = '' }: ManagerApprovalBoxProps) {
  const { t } = useApp();
  const [managerId, setManagerId] = useState(lastManagerId);
  const [pin, setPin] = useState('');
  const ready = managerId.trim() !== '' && PIN_FORMAT.test(pin);
  const approve = () => {
    if (ready) onApprove({ id: managerId.trim(), pin });
  };
  return (
    <fieldset className="manual-approval" data-testid={testId}>
      <legend>{t('cashier.manual.approval.title')}</legend>
      <p>{hint}</p>
      <div className="manual-approval-fields">
        <label className="manual-field">
          <span>{t('cashier.manual.approval.manager')}</span>
          <input autoComplete="off" value={managerId} maxLength={64} onChange={(e) => setManagerId(e.target.value)} />
        </label>
        <label className="manual-field">
          <span>{t('cashier.manual.approval.pin')}</span>
          <input
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={12}
            value={pin}
            onChange={(e) => setPin(e.target.value.replace(/\D/g, ''))}
            onKeyDown={(e) => {
              if (e.key === 'Enter') approve();
            }}
          />
        </label>
        <button type="button" disabled={!ready} onClick={approve}>
          {applyLabel}
        </button>
      </div>
    </fieldset>
  );
}
