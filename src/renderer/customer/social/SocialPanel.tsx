import { CausesPanel } from './CausesPanel';
import { ReferralCard } from './ReferralCard';
import { useSocialView } from './use-social-view';

/** Beside the member's points: their referral code, and the causes they may give to. */
export function SocialPanel({ memberId }: { memberId: string }) {
  const { view, reload } = useSocialView(memberId);
  if (!view) return null;
  return (
    <div className="social-panel">
      {view.referral && <ReferralCard referral={view.referral} />}
      <CausesPanel view={view} onDonated={reload} />
    </div>
  );
}
