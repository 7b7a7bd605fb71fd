import type { Clock } from '../ports';
import type { DeviceState, DeviceStatus, InputDevice, ScanData } from './device';
import { Listeners } from './listeners';

/** A scanner that reads whatever it is told to: the browser mode's simulator panel and the tests drive it. */
export class SimulatedScanner implements InputDevice {
  readonly kind = 'scanner' as const;
  readonly simulated = true;
  private state: DeviceState = 'closed';
  private readonly dataListeners = new Listeners<ScanData>();
  private readonly statusListeners = new Listeners<DeviceStatus>();

  constructor(
    readonly id: string,
    readonly name: string,
    private readonly clock: Clock,
  ) {}

  status(): DeviceStatus {
    return { id: this.id, kind: this.kind, name: this.name, state: this.state, simulated: true };
  }

  async enable(): Promise<void> {
    this.setState('enabled');
  }

  async close(): Promise<void> {
    this.setState('closed');
  }

  /** Returns false when the scanner is not enabled, as a real one would read nothing. */
  inject(data: string): boolean {
    if (this.state !== 'enabled') return false;
    const scan = { deviceId: this.id, data, at: this.clock.now() };
    this.dataListeners.emit(scan);
    return true;
  }

  onData(listener: (scan: ScanData) => void): () => void {
    return this.dataListeners.add(listener);
  }

  onStatus(listener: (status: DeviceStatus) => void): () => void {
    return this.statusListeners.add(listener);
  }

  private setState(state: DeviceState): void {
    this.state = state;
    const status = this.status();
    this.statusListeners.emit(status);
  }
}
