import type { Clock, Logger, Random } from '../ports';
import type { DeviceKind, DeviceStatus, InputDevice, ScanData } from './device';
import { DeviceStateMachine, type DeviceCondition, type DeviceDiagnostic, type DeviceReport } from './device-state';
import { Reconnector, type BackoffOptions, type Timers } from './reconnect';
import type { ByteTransport, TransportClosed } from './transport';
import { Listeners } from './listeners';

/** Thrown by `connected()` when the device answering is not the one the driver is for. */
export class WrongDeviceError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'WrongDeviceError';
  }
}

export interface DeviceDeps {
  clock: Clock;
  timers: Timers;
  random: Random;
  logger: Logger;
  backoff?: BackoffOptions;
}

/**
 * What every driver over a byte transport shares: the lifecycle, the
 * reconnect loop after an unplug, and the listeners. A subclass says what to
 * do once the bytes flow (`connected`: wake a PN532, greet a printer) and how
 * to read them (`received`).
 */
export abstract class TransportDevice implements InputDevice {
  abstract readonly kind: DeviceKind;
  readonly simulated = false;
  protected readonly machine: DeviceStateMachine;
  private readonly dataListeners = new Listeners<ScanData>();
  private readonly diagnosticListeners = new Listeners<DeviceDiagnostic>();
  private readonly reconnector: Reconnector;
  private wanted = false;
  private unsubscribe: Array<() => void> = [];

  protected constructor(
    readonly id: string,
    readonly name: string,
    kind: DeviceKind,
    protected readonly transport: ByteTransport,
    protected readonly deps: DeviceDeps,
  ) {
    this.machine = new DeviceStateMachine(id, kind, name, false);
    this.machine.setExtra({ endpoint: transport.description });
    this.reconnector = new Reconnector(() => this.connect(), {
      timers: deps.timers,
      random: deps.random,
      options: deps.backoff,
      onFailure: (error, attempt) => {
        if (attempt === 0) deps.logger.warn('device reconnect failing', { device: id, error: String(error) });
      },
    });
  }

  status(): DeviceReport {
    return this.machine.report();
  }

  /** Opens, claims and enables. A device that is not there yet is reported missing and retried, not thrown. */
  async enable(): Promise<void> {
    this.wanted = true;
    if (this.machine.state === 'enabled') return;
    try {
      await this.connect();
    } catch (error) {
      this.deps.logger.warn('device not available', { device: this.id, error: String(error) });
      // Not there at all is "missing"; there but silent was already reported as "not responding".
      if (this.machine.state !== 'error') this.toError('missing');
      this.reconnector.start();
    }
  }

  async close(): Promise<void> {
    this.wanted = false;
    this.reconnector.stop();
    this.detach();
    await this.transport.close();
    this.stopped();
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

  onDiagnostic(listener: (diagnostic: DeviceDiagnostic) => void): () => void {
    return this.diagnosticListeners.add(listener);
  }

  /** True while the loop is trying to get the device back. */
  get reconnecting(): boolean {
    return this.reconnector.active;
  }

  protected emitScan(data: string): void {
    const scan: ScanData = { deviceId: this.id, data, at: this.deps.clock.now() };
    this.dataListeners.emit(scan);
  }

  protected diagnose(code: string, detail?: string): void {
    const diagnostic: DeviceDiagnostic = { deviceId: this.id, at: this.deps.clock.now(), code, ...(detail === undefined ? {} : { detail }) };
    this.diagnosticListeners.emit(diagnostic);
  }

  protected abstract received(bytes: Buffer): void;

  /** Runs once the transport is open, before the device counts as enabled; throwing means "not there". */
  protected abstract connected(): Promise<void>;

  /** The link is gone (unplug or close): drop partial frames, fail pending requests. */
  protected abstract stopped(): void;

  private async connect(): Promise<void> {
    if (!this.wanted) return;
    await this.transport.open();
    this.unsubscribe = [
      this.transport.onData((bytes) => {
        try {
          this.received(bytes);
        } catch (error) {
          // A decoder bug must cost one frame, not the main process.
          this.diagnose('driver_error', String(error));
        }
      }),
      this.transport.onClose((info) => this.lost(info)),
    ];
    if (this.machine.state === 'error' || this.machine.state === 'closed') this.machine.to('opened');
    this.machine.to('claimed');
    try {
      await this.connected();
    } catch (error) {
      this.detach();
      await this.transport.close();
      this.stopped();
      if (error instanceof WrongDeviceError) {
        this.diagnose('wrong_device', error.message);
        this.toError('wrong_device');
      } else {
        this.toError('not_responding');
      }
      throw error;
    }
    if (!this.wanted) return;
    this.machine.to('enabled', this.readyCondition());
  }

  /** The condition once (re)connected; a printer may already know it has no paper. */
  protected readyCondition(): DeviceCondition {
    return 'ok';
  }

  private lost(info: TransportClosed): void {
    this.detach();
    this.stopped();
    if (!this.wanted) return;
    this.deps.logger.warn('device disconnected', { device: this.id, reason: info.reason });
    this.toError('reconnecting');
    this.reconnector.start();
  }

  private toError(condition: DeviceCondition): void {
    if (this.machine.state !== 'error') this.machine.to('error', condition);
    else this.machine.setCondition(condition);
  }

  private detach(): void {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }
}
