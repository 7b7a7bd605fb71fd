import { SerialScannerDecoder, type ScannerSuffix } from './protocols/serial-scanner';
import { ScanGate } from './scan-gate';
import type { ByteTransport } from './transport';
import { TransportDevice, type DeviceDeps } from './transport-device';

export interface SerialScannerOptions {
  /** Bytes the scanner is programmed to send before each code (often none). */
  prefix: string;
  /** What ends a code: CR for most scanners; `none` ends it after `idleMs` of silence. */
  suffix: Exclude<ScannerSuffix, Uint8Array>;
  /** Longer than this is no barcode we read: a flood or a scanner misconfigured without suffix. */
  maxLength: number;
  /** More codes than this in one second is a stuck trigger or a loop, not a cashier: the rest are dropped. */
  maxScansPerSecond: number;
  /** Silence after which a partial code is given up (or, without suffix, taken as complete). */
  idleMs: number;
}

export const DEFAULT_SERIAL_SCANNER: SerialScannerOptions = { prefix: '', suffix: 'CR', maxLength: 512, maxScansPerSecond: 20, idleMs: 100 };

/** A scanner in USB-COM (CDC-ACM) or RS-232 mode: codes arrive as lines, AIM identifier first when enabled. */
export class SerialScannerDevice extends TransportDevice {
  readonly kind = 'scanner' as const;
  private decoder: SerialScannerDecoder;
  private readonly options: SerialScannerOptions;
  private readonly gate: ScanGate;
  private idleHandle: unknown = null;

  constructor(id: string, name: string, transport: ByteTransport, deps: DeviceDeps, options: Partial<SerialScannerOptions> = {}) {
    super(id, name, 'scanner', transport, deps);
    this.options = { ...DEFAULT_SERIAL_SCANNER, ...options };
    this.decoder = this.newDecoder();
    this.gate = new ScanGate(this.options.maxScansPerSecond);
  }

  private newDecoder(): SerialScannerDecoder {
    return new SerialScannerDecoder({ prefix: this.options.prefix, suffix: this.options.suffix, maxLength: this.options.maxLength });
  }

  protected received(bytes: Buffer): void {
    this.take(this.decoder.push(bytes));
    if (this.idleHandle !== null) this.deps.timers.clearTimeout(this.idleHandle);
    this.idleHandle = null;
    if (this.decoder.buffered > 0) {
      this.idleHandle = this.deps.timers.setTimeout(() => {
        this.idleHandle = null;
        this.take(this.decoder.flush());
      }, this.options.idleMs);
    }
  }

  private take(events: ReturnType<SerialScannerDecoder['push']>): void {
    for (const event of events) {
      if (event.type === 'diagnostic') {
        this.diagnose(event.code, event.detail);
        continue;
      }
      const verdict = this.gate.check(this.deps.clock.now(), event.data, event.symbology);
      if ('deliver' in verdict) this.emitScan(verdict.deliver);
      else if ('drop' in verdict) this.diagnose(verdict.drop, verdict.detail);
    }
  }

  protected async connected(): Promise<void> {
    this.decoder = this.newDecoder();
  }

  protected stopped(): void {
    if (this.idleHandle !== null) this.deps.timers.clearTimeout(this.idleHandle);
    this.idleHandle = null;
    this.decoder = this.newDecoder();
  }
}
