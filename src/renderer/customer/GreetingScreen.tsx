import type { MemberGreeting } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { CardDisplay } from './CardDisplay';
import { displayName } from '../../shared/i18n/name-case';
import { PointsPanel } from './PointsPanel';
import { SocialPanel } from './social/SocialPanel';
import { TierLine } from '../common/TierLine';
import { VoucherLine } from '../common/VoucherLine';
import { RegularityLine } from '../common/RegularityLine';

/**
 * A member's card was read at the till: say hello, by first name only, with
 * their points beside the card. A card this till could not look up (HQ away)
 * belongs to a member with no name yet: a plain hello, and where its points go.
 */
export function GreetingScreen({ memberId, greeting }: { memberId: string; greeting: MemberGreeting }) {
  const { t, locale } = useApp();
  const unlinked = greeting.firstName.trim() === '';
  return (
    <section className="greeting" aria-labelledby="greeting-title">
      <h1 id="greeting-title" className="greeting-title" data-testid="customer-greeting">
        {unlinked ? t('customer.greeting.hello_unlinked') : t('customer.greeting.hello', { firstName: displayName(greeting.firstName, locale) })}
      </h1>
      <p className="greeting-subtitle">{t(unlinked ? 'customer.greeting.subtitle_unlinked' : 'customer.greeting.subtitle')}</p>
      {!unlinked && <TierLine tier={greeting.tier} className="greeting-tier" testId="customer-tier" />}
      {!unlinked && <VoucherLine voucher={greeting.voucher} className="greeting-voucher" testId="customer-voucher" />}
      {!unlinked && <RegularityLine regularity={greeting.regularity} className="greeting-regularity" testId="customer-regularity" compact />}
      <div className="greeting-cards">
        <CardDisplay cardNumber={greeting.cardNumber} />
        <PointsPanel key={memberId} memberId={memberId} greeting={greeting} unlinked={unlinked} />
      </div>
      {!unlinked && <SocialPanel memberId={memberId} />}
    </section>
  );
}
