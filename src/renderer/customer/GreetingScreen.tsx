import type { MemberGreeting } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { CardDisplay } from './CardDisplay';
import { PointsPanel } from './PointsPanel';

/** A member's card was read at the till: say hello, by first name only, with their points beside the card. */
export function GreetingScreen({ memberId, greeting }: { memberId: string; greeting: MemberGreeting }) {
  const { t } = useApp();
  return (
    <section className="greeting" aria-labelledby="greeting-title">
      <h1 id="greeting-title" className="greeting-title" data-testid="customer-greeting">
        {t('customer.greeting.hello', { firstName: greeting.firstName })}
      </h1>
      <p className="greeting-subtitle">{t('customer.greeting.subtitle')}</p>
      <div className="greeting-cards">
        <CardDisplay cardNumber={greeting.cardNumber} />
        <PointsPanel key={memberId} memberId={memberId} greeting={greeting} />
      </div>
    </section>
  );
}
