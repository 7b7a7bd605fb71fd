import type { MemberSummary, NextReward, Role, SessionState } from '../../../shared/contract';
import type { MemberTier } from '../../../shared/tiers/member-tier';
import type { VoucherView } from '../../../shared/contract/vouchers';
import type { RegularityView } from '../../../shared/programme/regularity';
import type { EventBus } from '../events';
import type { Clock } from '../ports';

export interface MemberPoints {
  balance: number;
  nextReward: NextReward;
  /** Read when the member is greeted; a sale leaves it as it was (HQ ranks at night). */
  tier?: MemberTier;
  /** Read again after every movement: a sale can lengthen the streak (regularity/regularity-book.ts). */
  regularity?: RegularityView | null;
  /** The voucher waiting for the member's next checkout (vouchers/voucher-book.ts). */
  voucher?: VoucherView | null;
}

/**
 * What the customer display shows, owned by the main process so both screens
 * (and a customer screen that reloads after a crash) agree on it. Every change
 * is pushed as `session.changed`.
 */
export class CustomerSession {
  private state: SessionState = { phase: 'idle' };

  constructor(
    private readonly clock: Clock,
    private readonly bus: EventBus,
    private readonly enrolmentMaxMs: number,
  ) {}

  current(): SessionState {
    this.expireStaleEnrolment();
    return this.state;
  }

  isEnrolling(): boolean {
    return this.current().phase === 'enrolling';
  }

  identified(member: MemberSummary, points: MemberPoints): SessionState {
    return this.set({
      phase: 'identified',
      since: this.clock.now(),
      memberId: member.id,
      greeting: { firstName: member.firstName, cardNumber: member.cardNumber, ...points },
    });
  }

  /** The greeted member's points moved (a sale went through): the screen shows the new balance. */
  pointsMoved(memberId: string, points: MemberPoints): void {
    if ((this.state.phase === 'identified' || this.state.phase === 'enrolled') && this.state.memberId === memberId) {
      this.set({ ...this.state, greeting: { ...this.state.greeting, ...points } });
    }
  }

  /** The member both screens show, with the balance they show; null between customers. */
  shown(): { memberId: string; balance: number } | null {
    const state = this.state;
    return state.phase === 'identified' || state.phase === 'enrolled' ? { memberId: state.memberId, balance: state.greeting.balance } : null;
  }

  /** A card nobody holds was shown: the customer screen invites its holder to join rather than asking for a card again. */
  unknownCard(cardNumber: string): SessionState {
    return this.set({ phase: 'idle', unknownCard: cardNumber });
  }

  startEnrolment(by: Role, presetCardNumber: string | null): SessionState {
    return this.set({ phase: 'enrolling', since: this.clock.now(), startedBy: by, presetCardNumber });
  }

  enrolled(member: MemberSummary, walletQr: string, points: MemberPoints): SessionState {
    return this.set({
      phase: 'enrolled',
      since: this.clock.now(),
      memberId: member.id,
      greeting: { firstName: member.firstName, cardNumber: member.cardNumber, ...points },
      walletQr,
    });
  }

  /** Ends an enrolment; anything else is left as it is. */
  cancelEnrolment(): SessionState {
    if (this.state.phase !== 'enrolling') return this.state;
    return this.set({ phase: 'idle' });
  }

  clear(): SessionState {
    return this.set({ phase: 'idle' });
  }

  private set(state: SessionState): SessionState {
    this.state = state;
    this.bus.emit('session.changed', state);
    return state;
  }

  /**
   * The customer screen abandons an idle enrolment itself; this is the
   * backstop for a screen that died mid-enrolment, which would otherwise leave
   * the till refusing scans.
   */
  private expireStaleEnrolment(): void {
    if (this.state.phase === 'enrolling' && this.clock.now() - this.state.since > this.enrolmentMaxMs) {
      this.set({ phase: 'idle' });
    }
  }
}
