import type { Db } from '../db/database';
import type { Clock, Logger, Random } from '../ports';
import type { InputDevice } from './device';
import type { DeviceManager } from './device-manager';
import type { DevicesConfig, DeviceEntry } from './device-config';
import { DeviceDiscovery, DiscoveredSerialTransport, findHidDevice, type HidLister, type SerialLister, type WatchedDevice } from './discovery';
import { HidScannerDevice, nodeHidOpener, type HidOpener } from './hid-scanner-device';
import { Pn532Device, type Pn532Options } from './nfc-pn532-device';
import { NfcTagStore } from './nfc-tags';
import { PrintQueue } from './print-queue';
import { PrinterDevice, type PrinterOptions } from './printer-device';
import { resolvePrinterSetup } from './printer-profiles';
import { systemTimers, type BackoffOptions, type Timers } from './reconnect';
import { SerialScannerDevice } from './serial-scanner-device';
import { createTransport, type ByteTransport } from './transport';
import type { DeviceDeps } from './transport-device';

export interface CreateDevicesDeps {
  /** The core's manager: every device created is added to it (scans then reach the ScanRouter). */
  manager: DeviceManager;
  db: Db;
  terminalId: string;
  clock: Clock;
  random: Random;
  logger: Logger;
  timers?: Timers;
  backoff?: BackoffOptions;
  /** Injected in tests; SerialPort.list() and node-hid otherwise. */
  listSerial?: SerialLister;
  listHid?: HidLister;
  openHid?: HidOpener;
  /** Faster polls and timeouts for tests. */
  printerOptions?: Partial<PrinterOptions>;
  nfcOptions?: Partial<Pn532Options>;
}

export interface Devices {
  readonly all: readonly InputDevice[];
  readonly printers: readonly PrinterDevice[];
  readonly readers: readonly Pn532Device[];
  readonly tags: NfcTagStore;
  readonly printQueue: PrintQueue;
  readonly discovery: DeviceDiscovery;
  /** Enables every device (through the manager) and starts hot-plug rescans. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

function serialTransport(connection: Extract<DeviceEntry, { role: 'pn532' }>['connection'], list?: SerialLister): ByteTransport {
  const options = { baudRate: connection.baudRate, rtscts: connection.rtscts, xon: connection.xon };
  if ('path' in connection.match) return createTransport({ kind: 'serial', path: connection.match.path, ...options });
  return new DiscoveredSerialTransport(connection.match, options, list);
}

/**
 * Builds the real device drivers a terminal's configuration names and adds
 * them to the core's DeviceManager. Nothing is opened until `start()`; a
 * device that is not there is reported missing and retried, never fatal.
 */
export function createDevices(config: DevicesConfig, deps: CreateDevicesDeps): Devices {
  const timers = deps.timers ?? systemTimers;
  const deviceDeps: DeviceDeps = { clock: deps.clock, timers, random: deps.random, logger: deps.logger, ...(deps.backoff ? { backoff: deps.backoff } : {}) };
  const tags = new NfcTagStore(deps.db, deps.terminalId);
  const printQueue = new PrintQueue(deps.db);
  const all: InputDevice[] = [];
  const printers: PrinterDevice[] = [];
  const readers: Pn532Device[] = [];
  const watched: WatchedDevice[] = [];

  for (const entry of config.devices) {
    if (!entry.enabled) continue;
    switch (entry.role) {
      case 'serial-scanner':
        all.push(
          new SerialScannerDevice(entry.id, entry.name, serialTransport(entry.connection, deps.listSerial), deviceDeps, {
            prefix: entry.prefix,
            suffix: entry.suffix,
          }),
        );
        break;
      case 'pn532': {
        const reader = new Pn532Device(entry.id, entry.name, serialTransport(entry.connection, deps.listSerial), deviceDeps, tags, deps.nfcOptions);
        readers.push(reader);
        all.push(reader);
        break;
      }
      case 'printer': {
        const c = entry.connection;
        const transport =
          c.kind === 'serial' ? serialTransport(c, deps.listSerial) : c.kind === 'usblp' ? createTransport({ kind: 'usblp', path: c.path }) : createTransport(c);
        const setup = resolvePrinterSetup(entry);
        const printer = new PrinterDevice(entry.id, entry.name, transport, deviceDeps, printQueue, {
          ...deps.printerOptions,
          profile: setup.profile.id,
          columns: setup.columns,
          cancelKanji: setup.cancelKanji,
        });
        printers.push(printer);
        all.push(printer);
        break;
      }
      case 'hid-scanner': {
        const match = entry.connection.match;
        const open = deps.openHid ?? nodeHidOpener;
        const listHid = deps.listHid;
        // The hidraw node changes with every replug: find it by ids at each open.
        const opener: HidOpener =
          'path' in match
            ? open
            : async () => {
                const path = findHidDevice(match, listHid ? await listHid() : await (await import('node-hid')).devicesAsync());
                if (path === null) throw new Error(`HID scanner ${entry.id} is not plugged in`);
                return open(path);
              };
        const path = 'path' in match ? match.path : `usb:${match.vendorId}:${match.productId}`;
        all.push(
          new HidScannerDevice(entry.id, entry.name, { path, ...(entry.modeFeatureReport ? { modeFeatureReport: Uint8Array.from(entry.modeFeatureReport) } : {}) }, deviceDeps, opener),
        );
        break;
      }
    }
    const connection = entry.connection;
    if ('match' in connection && !('path' in connection.match)) {
      watched.push({ id: entry.id, bus: connection.kind === 'hid' ? 'hid' : 'serial', locator: connection.match });
    }
  }

  for (const device of all) deps.manager.add(device);

  const discovery = new DeviceDiscovery(watched, {
    timers,
    logger: deps.logger,
    everyMs: config.rescanMs,
    ...(deps.listSerial ? { listSerial: deps.listSerial } : {}),
    ...(deps.listHid ? { listHid: deps.listHid } : {}),
  });
  discovery.onChange(({ id, present }) => {
    if (!present) return;
    const device = all.find((d) => d.id === id) as (InputDevice & { reconnectNow?: () => void }) | undefined;
    if (device?.status().state === 'error') device.reconnectNow?.();
  });

  return {
    all,
    printers,
    readers,
    tags,
    printQueue,
    discovery,
    async start() {
      await deps.manager.enableAll();
      discovery.start();
    },
    async stop() {
      discovery.stop();
      await Promise.all(all.map((d) => d.close().catch(() => undefined)));
    },
  };
}
