import { classifyScan } from './classify-scan';
import type { Symbology } from './protocols/aim';

/**
 * What every hardware scanner does with a decoded code before the core sees
 * it: classify it (a card, a wallet QR, or something else, which is dropped
 * with a reason), and refuse a flood. A stuck trigger or a scanner in a loop
 * sends hundreds of codes a second; a cashier never does.
 */
export class ScanGate {
  private windowStart = Number.NEGATIVE_INFINITY;
  private inWindow = 0;

  constructor(private readonly maxPerSecond: number) {}

  /** Returns the data to deliver, or a reason to drop it (reported by the caller as a diagnostic). */
  check(now: number, data: string, symbology?: Symbology): { deliver: string } | { drop: string; detail: string } | { silent: true } {
    const classified = classifyScan(symbology ? { data, symbology } : { data });
    if (classified.kind === 'other') return { drop: 'not_a_card', detail: classified.reason };
    if (now - this.windowStart >= 1_000) {
      const excess = this.inWindow - this.maxPerSecond;
      this.windowStart = now;
      this.inWindow = 0;
      if (excess > 0) {
        this.inWindow++;
        return { drop: 'flood', detail: `${excess} codes dropped in one second` };
      }
    }
    if (++this.inWindow > this.maxPerSecond) return { silent: true };
    return { deliver: data };
  }
}
