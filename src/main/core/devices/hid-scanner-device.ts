import type { DeviceStatus, InputDevice, ScanData } from './device';
import { DeviceStateMachine, type DeviceDiagnostic, type DeviceReport } from './device-state';
import { HidPosDecoder, type HidPosLayout } from './protocols/hid-pos';
import { Reconnector } from './reconnect';
import { ScanGate } from './scan-gate';
import type { DeviceDeps } from './transport-device';
import { Listeners } from './listeners';

/** HID POS usage page (Bar Code Scanner page); application collection usage 0x02 is the scanner. */
export const HID_POS_USAGE_PAGE = 0x8c;

/** An opened HID device as the driver needs it: input reports in, one error (the unplug), close. */
export interface HidPort {
  onReport(listener: (report: Uint8Array) => void): void;
  onError(listener: (error: Error) => void): void;
  sendFeatureReport(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export type HidOpener = (path: string) => Promise<HidPort>;

/** node-hid's async API behind the port; loaded lazily so a terminal without HID scanners never loads the addon. */
export const nodeHidOpener: HidOpener = async (path) => {
  const { HIDAsync } = await import('node-hid');
  const device = await HIDAsync.open(path, { nonExclusive: false });
  return {
    onReport: (listener) => device.on('data', (data: Buffer) => listener(new Uint8Array(data))),
    onError: (listener) => device.on('error', (error: unknown) => listener(error instanceof Error ? error : new Error(String(error)))),
    sendFeatureReport: async (data) => {
      await device.sendFeatureReport(Buffer.from(data));
    },
    close: () => device.close(),
  };
};

export interface HidScannerOptions {
  /** The hidraw path to open (found by discovery from vendor/product/serial and usage page 0x8C). */
  path: string;
  layout?: HidPosLayout;
  /** Feature report that switches the scanner to HID POS mode (Honeywell: 0xFE 0x01), sent on each open. */
  modeFeatureReport?: Uint8Array;
  maxScansPerSecond?: number;
}

/**
 * A scanner in USB HID POS mode (usage page 0x8C) through node-hid: whole
 * codes arrive as input reports, assembled across continuation reports. A
 * read error is the unplug; the reconnect loop opens it again.
 */
export class HidScannerDevice implements InputDevice {
  readonly kind = 'scanner' as const;
  readonly simulated = false;
  private readonly machine: DeviceStateMachine;
  private decoder: HidPosDecoder;
  private readonly gate: ScanGate;
  private port: HidPort | null = null;
  private wanted = false;
  private readonly reconnector: Reconnector;
  private readonly dataListeners = new Listeners<ScanData>();
  private readonly diagnosticListeners = new Listeners<DeviceDiagnostic>();

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly options: HidScannerOptions,
    private readonly deps: DeviceDeps,
    private readonly open: HidOpener = nodeHidOpener,
  ) {
    this.machine = new DeviceStateMachine(id, 'scanner', name, false);
    this.machine.setExtra({ endpoint: `hid:${options.path}` });
    this.decoder = new HidPosDecoder(options.layout ? { layout: options.layout } : {});
    this.gate = new ScanGate(options.maxScansPerSecond ?? 20);
    this.reconnector = new Reconnector(() => this.connect(), { timers: deps.timers, random: deps.random, options: deps.backoff });
  }

  status(): DeviceReport {
    return this.machine.report();
  }

  async enable(): Promise<void> {
    this.wanted = true;
    if (this.machine.state === 'enabled') return;
    try {
      await this.connect();
    } catch (error) {
      this.deps.logger.warn('HID scanner not available', { device: this.id, error: String(error) });
      this.toError('missing');
      this.reconnector.start();
    }
  }

  async close(): Promise<void> {
    this.wanted = false;
    this.reconnector.stop();
    const port = this.port;
    this.port = null;
    await port?.close().catch(() => undefined);
    this.machine.to('closed', 'ok');
  }

  onData(listener: (scan: ScanData) => void): () => void {
    return this.dataListeners.add(listener);
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.machine.onChange(listener);
  }

  /** Discovery saw the device plugged back: retry now rather than after the backoff. */
  reconnectNow(): void {
    this.reconnector.kick();
  }

  onDiagnostic(listener: (d: DeviceDiagnostic) => void): () => void {
    return this.diagnosticListeners.add(listener);
  }

  private async connect(): Promise<void> {
    if (!this.wanted) return;
    const port = await this.open(this.options.path);
    if (this.options.modeFeatureReport) await port.sendFeatureReport(this.options.modeFeatureReport);
    this.port = port;
    this.decoder = new HidPosDecoder(this.options.layout ? { layout: this.options.layout } : {});
    port.onReport((report) => {
      if (this.port === port) this.report(report);
    });
    port.onError((error) => {
      if (this.port === port) void this.lost(port, error);
    });
    if (this.machine.state === 'error' || this.machine.state === 'closed') this.machine.to('opened');
    this.machine.to('claimed');
    this.machine.to('enabled', 'ok');
  }

  private report(report: Uint8Array): void {
    try {
      for (const event of this.decoder.push(report)) {
        if (event.type === 'diagnostic') {
          this.diagnose(event.code, event.detail);
          continue;
        }
        const verdict = this.gate.check(this.deps.clock.now(), event.data, event.symbology);
        if ('deliver' in verdict) {
          const scan = { deviceId: this.id, data: verdict.deliver, at: this.deps.clock.now() };
          this.dataListeners.emit(scan);
        } else if ('drop' in verdict) this.diagnose(verdict.drop, verdict.detail);
      }
    } catch (error) {
      this.diagnose('driver_error', String(error));
    }
  }

  private async lost(port: HidPort, error: Error): Promise<void> {
    this.port = null;
    await port.close().catch(() => undefined);
    if (!this.wanted) return;
    this.deps.logger.warn('HID scanner disconnected', { device: this.id, error: error.message });
    this.toError('reconnecting');
    this.reconnector.start();
  }

  private toError(condition: 'missing' | 'reconnecting'): void {
    if (this.machine.state !== 'error') this.machine.to('error', condition);
    else this.machine.setCondition(condition);
  }

  private diagnose(code: string, detail?: string): void {
    const d: DeviceDiagnostic = { deviceId: this.id, at: this.deps.clock.now(), code, ...(detail === undefined ? {} : { detail }) };
    this.diagnosticListeners.emit(d);
  }
}
