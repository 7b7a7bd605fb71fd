import type { NfcPairingOutcome } from '../../../shared/contract';
import type { Clock } from '../ports';
import type { Timers } from './reconnect';
import type { NfcTagEvent } from './nfc-pn532-device';
import { NfcPairingError, type NfcTagStore } from './nfc-tags';

/** Long enough to fetch the card from the wallet; short enough that a forgotten pairing does not catch a later tap. */
export const PAIRING_WINDOW_MS = 60_000;

export interface PairingResult {
  at: number;
  memberId: string;
  uid: string | null;
  outcome: NfcPairingOutcome;
}

interface Armed {
  memberId: string;
  cardNumber: string;
  until: number;
  timer: unknown;
}

/**
 * The cashier's « pair a card » step: armed for one member, the next tag
 * tapped on a reader is paired with that member's card, or refused (a phone,
 * a card already someone else's), and the cashier is told either way. The
 * tap that does the pairing is not also a scan: it must not identify the
 * card's previous owner over the member being served.
 */
export class NfcPairing {
  private armed: Armed | null = null;
  private swallow: string | null = null;

  constructor(
    private readonly tags: NfcTagStore,
    private readonly clock: Clock,
    private readonly timers: Timers,
    private readonly report: (result: PairingResult) => void,
  ) {}

  arm(memberId: string, cardNumber: string): { until: number } {
    this.disarm();
    const until = this.clock.now() + PAIRING_WINDOW_MS;
    const timer = this.timers.setTimeout(() => {
      if (this.armed?.timer !== timer) return;
      this.armed = null;
      this.report({ at: this.clock.now(), memberId, uid: null, outcome: 'expired' });
    }, PAIRING_WINDOW_MS);
    (timer as { unref?: () => void } | null)?.unref?.();
    this.armed = { memberId, cardNumber, until, timer };
    return { until };
  }

  disarm(): void {
    if (this.armed) this.timers.clearTimeout(this.armed.timer);
    this.armed = null;
  }

  get pending(): boolean {
    return this.armed !== null;
  }

  /** Called for every tag a reader sees, before its scan (if any) is delivered. */
  tag(event: NfcTagEvent): void {
    const armed = this.armed;
    if (!armed || event.at > armed.until) return;
    this.disarm();
    this.swallow = event.deviceId;
    // The reader delivers its scan in the same tick as the tag event, or not at all.
    queueMicrotask(() => (this.swallow = null));
    this.report({ at: event.at, memberId: armed.memberId, uid: event.uid, outcome: this.pair(event, armed) });
  }

  /** True for the scan of the tap that was just used for pairing. */
  swallows(deviceId: string): boolean {
    if (this.swallow !== deviceId) return false;
    this.swallow = null;
    return true;
  }

  private pair(event: NfcTagEvent, armed: Armed): NfcPairingOutcome {
    if (event.kind === 'nfc_random') return 'random_uid';
    if (event.cardNumber !== null) return event.cardNumber === armed.cardNumber ? 'already_yours' : 'already_paired';
    try {
      this.tags.pair(event.uid, armed.cardNumber, event.at);
      return 'paired';
    } catch (error) {
      if (!(error instanceof NfcPairingError)) throw error;
      // 'unknown_card' cannot happen for a member's own card; it would mean the card vanished meanwhile.
      return error.reason === 'random_uid' || error.reason === 'already_paired' ? error.reason : 'bad_uid';
    }
  }
}
