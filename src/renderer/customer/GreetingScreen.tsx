import type { MemberGreeting } from '../../shared/contract';
import { useApp } from '../common/app-context';
import { CardDisplay } from './CardDisplay';

/** A member's card was read at the till: say hello, by first name only. */
export function GreetingScreen({ greeting }: { greeting: MemberGreeting }) {
  const { t } = useApp();
  return (
    <section className="greeting" aria-labelledby="greeting-title">
      <h1 id="greeting-title" className="greeting-title" data-testid="customer-greeting">
        {t('customer.greeting.hello', { firstName: greeting.firstName })}
      </h1>
      <p className="greeting-subtitle">{t('customer.greeting.subtitle')}</p>
      <CardDisplay cardNumber={greeting.cardNumber} />
    </section>
  );
}
