import type { IncidentOutcomeView } from '../../../shared/contract';
import type { EventBus } from '../events';
import type { Ledger } from '../ledger/ledger';
import type { Loyalty } from '../loyalty';
import type { MemberStore } from '../members/member-store';
import type { Clock } from '../ports';
import type { Handlers } from '../rpc/dispatch';
import type { CustomerSession } from '../session/customer-session';

type IncidentMethods = 'incident.record' | 'incident.update' | 'incident.resolve' | 'member.relationship';

export interface IncidentHandlerDeps {
  ledger: Ledger;
  loyalty: Pick<Loyalty, 'nextReward'>;
  members: Pick<MemberStore, 'summary'>;
  session: Pick<CustomerSession, 'pointsMoved'>;
  bus: EventBus;
  clock: Clock;
}

/**
 * The screens' methods for customer incidents. Every change is announced as
 * `incident.changed` (the cashier's badge reads the relationship again); a
 * points gesture moves the balance like any adjustment (`points.moved`).
 */
export function incidentHandlers(deps: IncidentHandlerDeps): Pick<Handlers, IncidentMethods> {
  const { ledger, bus, clock } = deps;

  function announce(result: IncidentOutcomeView, change: 'recorded' | 'updated' | 'resolved'): IncidentOutcomeView {
    const { incident, adjustment } = result;
    bus.emit('incident.changed', { at: clock.now(), incidentId: incident.incidentId, memberId: incident.memberId, change, channel: incident.channel });
    if (adjustment && incident.memberId !== null) {
      const balance = adjustment.balanceAfter;
      const nextReward = deps.loyalty.nextReward(balance);
      bus.emit('points.moved', {
        at: clock.now(),
        memberId: incident.memberId,
        firstName: deps.members.summary(incident.memberId)?.firstName ?? '',
        reason: 'adjustment',
        pointsEarned: adjustment.points,
        pointsRedeemed: 0,
        balance,
        nextReward,
        tillId: null,
        receipt: null,
        discountCents: 0,
        rewardLabel: null,
      });
      deps.session.pointsMoved(incident.memberId, { balance, nextReward });
    }
    return result;
  }

  return {
    'incident.record': (_ctx, input) => announce(ledger.incidents.record(input), 'recorded'),
    'incident.update': (_ctx, input) => announce(ledger.incidents.update(input), 'updated'),
    'incident.resolve': (_ctx, input) => announce(ledger.incidents.resolve(input), 'resolved'),
    'member.relationship': (_ctx, { memberId }) => ledger.incidents.relationship(memberId),
  };
}
