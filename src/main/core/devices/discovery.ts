import type { Logger } from '../ports';
import type { UsbMatch } from './device-config';
import type { Timers } from './reconnect';
import { createTransport, type ByteTransport, type TransportClosed } from './transport';
import { Listeners } from './listeners';

/** What SerialPort.list() gives (the fields discovery uses). */
export interface SerialPortInfo {
  path: string;
  vendorId?: string | undefined;
  productId?: string | undefined;
  serialNumber?: string | undefined;
}

/** What node-hid's devices() gives (the fields discovery uses). */
export interface HidDeviceInfo {
  path?: string | undefined;
  vendorId: number;
  productId: number;
  serialNumber?: string | undefined;
  usagePage?: number | undefined;
}

export type SerialLister = () => Promise<SerialPortInfo[]>;
export type HidLister = () => Promise<HidDeviceInfo[]>;

/** SerialPort.list(): on Linux it reads udev, so ptys never appear; tests name paths instead. */
export const listSerialPorts: SerialLister = async () => {
  const { SerialPort } = await import('serialport');
  return SerialPort.list();
};

export const listHidDevices: HidLister = async () => {
  const { devicesAsync } = await import('node-hid');
  return devicesAsync();
};

export type Locator = UsbMatch | { path: string };

const isPath = (l: Locator): l is { path: string } => 'path' in l;

export function describeLocator(l: Locator): string {
  return isPath(l) ? l.path : `usb:${l.vendorId}:${l.productId}${l.serialNumber ? `:${l.serialNumber}` : ''}`;
}

function sameHex(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase().replace(/^0x/, '').padStart(4, '0') === b;
}

/** The serial port a configured device is at now, or null when it is not plugged in. */
export function findSerialPort(locator: Locator, ports: readonly SerialPortInfo[]): string | null {
  if (isPath(locator)) return locator.path;
  const hit = ports.find(
    (p) =>
      sameHex(p.vendorId, locator.vendorId) &&
      sameHex(p.productId, locator.productId) &&
      (locator.serialNumber === undefined || p.serialNumber === locator.serialNumber),
  );
  return hit?.path ?? null;
}

/** The hidraw path of a scanner's HID POS interface (usage page 0x8C), or null. */
export function findHidDevice(locator: Locator, devices: readonly HidDeviceInfo[], usagePage = 0x8c): string | null {
  if (isPath(locator)) return locator.path;
  const vid = parseInt(locator.vendorId, 16);
  const pid = parseInt(locator.productId, 16);
  const candidates = devices.filter(
    (d) => d.vendorId === vid && d.productId === pid && (locator.serialNumber === undefined || d.serialNumber === locator.serialNumber) && d.path,
  );
  // A scanner exposes a keyboard interface too; the POS one is the one we can open and read whole codes from.
  const pos = candidates.find((d) => d.usagePage === usagePage) ?? candidates.find((d) => d.usagePage === undefined);
  return pos?.path ?? null;
}

/**
 * A serial transport that finds its port at every open, so a scanner that
 * comes back as /dev/ttyACM1 after a replug is still found by its USB ids.
 */
export class DiscoveredSerialTransport implements ByteTransport {
  readonly description: string;
  private inner: ByteTransport | null = null;
  private readonly dataListeners = new Listeners<Buffer>();
  private readonly closeListeners = new Listeners<TransportClosed>();

  constructor(
    private readonly locator: Locator,
    private readonly serial: { baudRate: number; rtscts?: boolean; xon?: boolean },
    private readonly list: SerialLister = listSerialPorts,
  ) {
    this.description = `serial:${describeLocator(locator)}`;
  }

  get isOpen(): boolean {
    return this.inner?.isOpen ?? false;
  }

  async open(): Promise<void> {
    const path = findSerialPort(this.locator, isPath(this.locator) ? [] : await this.list());
    if (path === null) throw new Error(`${this.description} is not plugged in`);
    const inner = createTransport({ kind: 'serial', path, ...this.serial });
    inner.onData((bytes) => {
      this.dataListeners.emit(bytes);
    });
    inner.onClose((info) => {
      if (this.inner === inner) this.inner = null;
      this.closeListeners.emit(info);
    });
    await inner.open();
    this.inner = inner;
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.inner) return Promise.reject(new Error(`${this.description} is not open`));
    return this.inner.write(bytes);
  }

  onData(listener: (bytes: Buffer) => void): () => void {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (info: TransportClosed) => void): () => void {
    return this.closeListeners.add(listener);
  }
}

export interface WatchedDevice {
  id: string;
  bus: 'serial' | 'hid';
  locator: UsbMatch;
}

/**
 * Hot-plug by polling, as the Odoo IoT box does: list the buses every few
 * seconds and diff against the configured devices. A device that appears is
 * reported (the factory then retries its open at once instead of waiting out
 * the backoff); one that vanishes is reported too, though its driver has
 * usually noticed first through its pending read.
 */
export class DeviceDiscovery {
  private readonly present = new Map<string, boolean>();
  private handle: unknown = null;
  private readonly listeners = new Listeners<{ id: string; present: boolean }>();

  constructor(
    private readonly watched: readonly WatchedDevice[],
    private readonly deps: { timers: Timers; logger: Logger; listSerial?: SerialLister; listHid?: HidLister; everyMs: number },
  ) {}

  onChange(listener: (change: { id: string; present: boolean }) => void): () => void {
    return this.listeners.add(listener);
  }

  isPresent(id: string): boolean | undefined {
    return this.present.get(id);
  }

  /** One pass over the buses; a lister that fails (no udevadm, no hidraw) counts as "nothing seen" on that bus. */
  async rescan(): Promise<void> {
    const needSerial = this.watched.some((w) => w.bus === 'serial');
    const needHid = this.watched.some((w) => w.bus === 'hid');
    const [ports, hids] = await Promise.all([
      needSerial ? (this.deps.listSerial ?? listSerialPorts)().catch((error: unknown) => this.failed('serial', error)) : [],
      needHid ? (this.deps.listHid ?? listHidDevices)().catch((error: unknown) => this.failed('hid', error)) : [],
    ]);
    for (const w of this.watched) {
      const now = w.bus === 'serial' ? findSerialPort(w.locator, ports) !== null : findHidDevice(w.locator, hids) !== null;
      const before = this.present.get(w.id);
      this.present.set(w.id, now);
      if (before !== now) this.listeners.emit({ id: w.id, present: now });
    }
  }

  start(): void {
    if (this.handle !== null || this.watched.length === 0) return;
    const tick = () => {
      void this.rescan().finally(() => {
        if (this.handle !== null) this.handle = this.deps.timers.setTimeout(tick, this.deps.everyMs);
      });
    };
    this.handle = this.deps.timers.setTimeout(tick, 0);
  }

  stop(): void {
    if (this.handle !== null) this.deps.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private failed(bus: string, error: unknown): never[] {
    this.deps.logger.warn('device discovery failed', { bus, error: String(error) });
    return [];
  }
}
