import type { Logger } from '../ports';
import type { DeviceStatus, InputDevice, ScanData } from './device';

/**
 * Owns the terminal's devices: enables them, fans their data out, and reports
 * their state. A device that fails to start is reported, never fatal: the till
 * keeps working with the cashier typing card numbers.
 */
export class DeviceManager {
  private readonly devices = new Map<string, InputDevice>();
  private readonly scanListeners = new Set<(scan: ScanData) => void>();
  private readonly statusListeners = new Set<(status: DeviceStatus) => void>();

  constructor(private readonly logger: Logger) {}

  add(device: InputDevice): void {
    if (this.devices.has(device.id)) throw new Error(`duplicate device id: ${device.id}`);
    this.devices.set(device.id, device);
    device.onData((scan) => {
      for (const listener of this.scanListeners) listener(scan);
    });
    device.onStatus((status) => {
      for (const listener of this.statusListeners) listener(status);
    });
  }

  get(id: string): InputDevice | undefined {
    return this.devices.get(id);
  }

  list(): DeviceStatus[] {
    return [...this.devices.values()].map((d) => d.status());
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
    this.scanListeners.add(listener);
    return () => this.scanListeners.delete(listener);
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }
}
