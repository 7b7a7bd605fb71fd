import type { IdentifyResult } from '../../../shared/contract';
import { CARD_PREFIX } from '../../../shared/domain/card-number';
import { formatReferralCode, normaliseReferralCode, REFERRAL_QR_PREFIX } from '../../../shared/social/referral-code';
import type { ScanData } from '../devices/device';
import type { EventBus } from '../events';
import type { CustomerSession } from './customer-session';

/** A scanner that reads the same code twice within this window was held over the card. */
export const DUPLICATE_SCAN_MS = 1_500;

export interface ScanRouterDeps {
  session: CustomerSession;
  bus: EventBus;
  /** Async when HQ must be asked about a card this terminal has not seen. */
  identify: (code: string) => IdentifyResult | Promise<IdentifyResult>;
}

/**
 * A shop article's barcode: EAN-8, UPC-A, EAN-13 or GTIN-14 digits whose
 * check digit holds, outside the card range. The scanner on a till reads
 * articles all day; the cashier must hear that this one is not a card.
 */
export function isProductBarcode(raw: string): boolean {
  const code = raw.trim();
  if (!/^(\d{8}|\d{12,14})$/.test(code)) return false;
  if (code.length === 13 && code.startsWith(CARD_PREFIX)) return false;
  let sum = 0;
  // GTIN weights run 3, 1, 3… from the digit left of the check digit.
  for (let i = code.length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) sum += (code.charCodeAt(i) - 48) * weight;
  return (10 - (sum % 10)) % 10 === code.charCodeAt(code.length - 1) - 48;
}

/**
 * Decides what a device read means. While a customer is enrolling, a scan is
 * refused and both screens say so: it must neither identify someone else over
 * the customer's form nor be stored anywhere. A product barcode leaves the
 * customer at the till as they are, and the cashier is told.
 */
export class ScanRouter {
  private last: { data: string; at: number } | null = null;

  constructor(private readonly deps: ScanRouterDeps) {}

  handle(scan: ScanData): void {
    const { session, bus, identify } = this.deps;
    if (session.isEnrolling()) {
      // A friend's referral QR is the one read an enrolment takes: into the form on the customer screen, nowhere else.
      const referral = scan.data.trim().toUpperCase().startsWith(REFERRAL_QR_PREFIX) ? normaliseReferralCode(scan.data) : null;
      if (referral !== null) {
        bus.emit('enrolment.referral', { at: scan.at, code: formatReferralCode(referral) });
        return;
      }
      bus.emit('scan.read', { at: scan.at, deviceId: scan.deviceId, result: { kind: 'ignored', reason: 'enrolling' } });
      bus.emit('notice', { level: 'warning', key: 'notice.scan_during_enrolment', at: scan.at, audience: 'all' });
      return;
    }
    const previous = this.last;
    this.last = { data: scan.data, at: scan.at };
    if (previous && previous.data === scan.data && scan.at - previous.at < DUPLICATE_SCAN_MS) {
      bus.emit('scan.read', { at: scan.at, deviceId: scan.deviceId, result: { kind: 'ignored', reason: 'duplicate' } });
      return;
    }
    const emit = (result: IdentifyResult) => bus.emit('scan.read', { at: scan.at, deviceId: scan.deviceId, result });
    if (isProductBarcode(scan.data)) {
      // The barcode goes with it: an open manual sale adds the article (renderer/cashier/ManualSale.tsx); without one,
      // the cashier screen says it is no card, as it does for one typed in.
      bus.emit('scan.read', { at: scan.at, deviceId: scan.deviceId, result: { kind: 'invalid', problem: 'product' }, productCode: scan.data.trim() });
      return;
    }
    const result = identify(scan.data);
    // A lookup that failed outright still answers the cashier, who can type or search instead.
    if (result instanceof Promise) result.then(emit, () => emit({ kind: 'invalid', problem: 'unrecognised' }));
    else emit(result);
  }

  /** A scanner's driver dropped a code that is no card of ours (scan-gate.ts): said to the cashier, never to the customer. */
  notCard(at: number, key: 'card.product' | 'notice.scan_not_a_card' = 'notice.scan_not_a_card'): void {
    this.deps.bus.emit('notice', { level: 'warning', key, at, audience: 'cashier' });
  }
}
