import type { IdentifyResult } from '../../../shared/contract';
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
 * Decides what a device read means. While a customer is enrolling, a scan is
 * refused and both screens say so: it must neither identify someone else over
 * the customer's form nor be stored anywhere.
 */
export class ScanRouter {
  private last: { data: string; at: number } | null = null;

  constructor(private readonly deps: ScanRouterDeps) {}

  handle(scan: ScanData): void {
    const { session, bus, identify } = this.deps;
    if (session.isEnrolling()) {
      bus.emit('scan.read', { at: scan.at, deviceId: scan.deviceId, result: { kind: 'ignored', reason: 'enrolling' } });
      bus.emit('notice', { level: 'warning', key: 'notice.scan_during_enrolment', at: scan.at });
      return;
    }
    const previous = this.last;
    this.last = { data: scan.data, at: scan.at };
    if (previous && previous.data === scan.data && scan.at - previous.at < DUPLICATE_SCAN_MS) {
      bus.emit('scan.read', { at: scan.at, deviceId: scan.deviceId, result: { kind: 'ignored', reason: 'duplicate' } });
      return;
    }
    const emit = (result: IdentifyResult) => bus.emit('scan.read', { at: scan.at, deviceId: scan.deviceId, result });
    const result = identify(scan.data);
    // A lookup that failed outright still answers the cashier, who can type or search instead.
    if (result instanceof Promise) result.then(emit, () => emit({ kind: 'invalid', problem: 'unrecognised' }));
    else emit(result);
  }
}
