import { cardFromWalletQr, isCardNumber } from '../../../shared/domain/card-number';
import type { ItTestScanView } from '../../../shared/contract/it-views';
import type { ScanData } from '../devices/device';
import type { Timers } from '../devices/reconnect';
import { isProductBarcode } from '../session/scan-router';

type Waiter = { resolve(view: ItTestScanView): void; timer: unknown };

/**
 * « Tester le scanner » for a scanner the drivers read (serial, HID): while
 * armed, the next scan is taken here and identifies no one. IT sees what kind
 * of code it was and its last four characters, not a member's card number.
 * (A keyboard-wedge scanner types into the cashier window: the Diagnostic
 * dialog's wedge test covers it.)
 */
export class ItScanTest {
  private waiter: Waiter | null = null;

  constructor(private readonly timers: Timers) {}

  arm(timeoutMs: number): Promise<ItTestScanView> {
    // A second test takes over from the first, which ends as if nothing was read.
    this.settle({ outcome: 'timeout' });
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => this.settle({ outcome: 'timeout' }), timeoutMs);
      this.waiter = { resolve, timer };
    });
  }

  /** True when the scan was the test's: the caller then drops it. */
  swallows(scan: ScanData): boolean {
    if (!this.waiter) return false;
    const code = scan.data.trim();
    const kind = isCardNumber(code) || cardFromWalletQr(code) !== null ? 'card' : isProductBarcode(code) ? 'product' : 'other';
    this.settle({ outcome: 'scanned', deviceId: scan.deviceId, kind, length: code.length, masked: `…${code.slice(-4)}` });
    return true;
  }

  cancel(): void {
    this.settle({ outcome: 'timeout' });
  }

  private settle(view: ItTestScanView): void {
    const waiter = this.waiter;
    if (!waiter) return;
    this.waiter = null;
    this.timers.clearTimeout(waiter.timer);
    waiter.resolve(view);
  }
}
