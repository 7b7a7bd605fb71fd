import type { Logger } from '../ports';
import type { DeviceStatus, InputDevice, ScanData } from './device';
import type { DeviceDiagnostic } from './device-state';
import { Listeners } from './listeners';

/** Optional capabilities a device may add to the port; the manager forwards them when present. */
interface DiagnosticSource {
  onDiagnostic(listener: (diagnostic: DeviceDiagnostic) => void): () => void;
}

function hasDiagnostics(device: InputDevice): device is InputDevice & DiagnosticSource {
  return typeof (device as Partial<DiagnosticSource>).onDiagnostic === 'function';
}

/** Diagnostics kept for the IT view: enough to see a pattern, bounded so a flood cannot grow memory. */
const DIAGNOSTICS_KEPT = 200;

/**
 * Owns the terminal's devices: enables them, fans their data out, and reports
 * their state. A device that fails to start is reported, never fatal: the till
 * keeps working with the cashier typing card numbers.
 */
export class DeviceManager {
  private readonly devices = new Map<string, InputDevice>();
  private readonly scanListeners = new Listeners<ScanData>();
  private readonly statusListeners = new Listeners<DeviceStatus>();
  private readonly diagnosticListeners = new Listeners<DeviceDiagnostic>();
  private readonly recent: DeviceDiagnostic[] = [];

  constructor(private readonly logger: Logger) {}

  add(device: InputDevice): void {
    if (this.devices.has(device.id)) throw new Error(`duplicate device id: ${device.id}`);
    this.devices.set(device.id, device);
    device.onData((scan) => {
      this.scanListeners.emit(scan);
    });
    device.onStatus((status) => {
      this.statusListeners.emit(status);
    });
    if (hasDiagnostics(device)) {
      device.onDiagnostic((diagnostic) => {
        this.recent.push(diagnostic);
        if (this.recent.length > DIAGNOSTICS_KEPT) this.recent.splice(0, this.recent.length - DIAGNOSTICS_KEPT);
        this.diagnosticListeners.emit(diagnostic);
      });
    }
  }

  get(id: string): InputDevice | undefined {
    return this.devices.get(id);
  }

  /** Every device of one class, e.g. the printers, for code that needs the concrete driver. */
  ofType<T extends InputDevice>(type: abstract new (...args: never[]) => T): T[] {
    return [...this.devices.values()].filter((d): d is T => d instanceof type);
  }

  list(): DeviceStatus[] {
    return [...this.devices.values()].map((d) => d.status());
  }

  /** The latest diagnostics, oldest first. */
  diagnostics(): DeviceDiagnostic[] {
    return [...this.recent];
  }

  async enableAll(): Promise<void> {
    await Promise.all(
      [...this.devices.values()].map(async (d) => {
        try {
          await d.enable();
        } catch (error) {
          this.logger.warn('device failed to enable', { device: d.id, error: String(error) });
        }
      }),
    );
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.close().catch(() => undefined)));
  }

  onScan(listener: (scan: ScanData) => void): () => void {
    return this.scanListeners.add(listener);
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  onDiagnostic(listener: (diagnostic: DeviceDiagnostic) => void): () => void {
    return this.diagnosticListeners.add(listener);
  }
}
