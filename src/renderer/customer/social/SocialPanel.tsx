import { useEffect, useState } from 'react';
import { useApp } from '../../common/app-context';
import { CausesPanel } from './CausesPanel';
import { ReferralCard } from './ReferralCard';
import { useSocialView } from './use-social-view';

/**
 * The member's referral code and the causes they may give to, behind a button at the foot of the
 * greeting: opened, they sit over it, so the greeting itself still fits the smallest customer panel.
 */
export function SocialPanel({ memberId }: { memberId: string }) {
  const { t } = useApp();
  const { view, reload } = useSocialView(memberId);
  const [open, setOpen] = useState(false);
  useEffect(() => setOpen(false), [memberId]);
  if (!view) return null;
  return (
    <>
      <button type="button" className="social-toggle" aria-expanded={open} aria-controls="social-sheet" onClick={() => setOpen(!open)} data-testid="customer-social-open">
        {t(open ? 'social.sheet.close' : 'social.sheet.open')}
      </button>
      <div id="social-sheet" className="social-panel social-sheet" hidden={!open}>
        {view.referral && <ReferralCard referral={view.referral} />}
        <CausesPanel view={view} onDonated={reload} />
      </div>
    </>
  );
}
