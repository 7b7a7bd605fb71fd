import { tierWords, type MemberTier } from '../../shared/tiers/member-tier';
import { useApp } from './app-context';
import './tier-line.css';

/**
 * The member's tier and what is left to reach the next (issue 14 item 3),
 * worded as on the receipt: « Membre Or », « Plus que 42 € d'achats pour
 * passer Or ». The same on the till and the customer screen; nothing while
 * the tier is not known yet.
 */
export function TierLine({ tier, className, testId }: { tier: MemberTier | null | undefined; className?: string; testId: string }) {
  const { t, locale } = useApp();
  if (!tier) return null;
  const words = tierWords(t, locale, tier);
  return (
    <div className={`tier-line tier-${tier.tier}${className ? ` ${className}` : ''}`} data-testid={testId} data-tier={tier.tier}>
      <p className="tier-name">
        <span className="tier-mark" aria-hidden="true" /> {words.name}
      </p>
      {words.gap && <p className="tier-gap">{words.gap}</p>}
    </div>
  );
}
