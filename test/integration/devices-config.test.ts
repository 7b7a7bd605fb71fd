import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import type { ScanData } from '../../src/main/core/devices/device';
import { DeviceManager } from '../../src/main/core/devices/device-manager';
import { DevicesConfigError, mergeDevicesConfig, parseDevicesConfig } from '../../src/main/core/devices/device-config';
import { createDevices } from '../../src/main/core/devices/create-devices';
import { DeviceDiscovery, findHidDevice, findSerialPort, type SerialPortInfo } from '../../src/main/core/devices/discovery';
import { SerialPrinterSimulator } from '../../src/main/core/devices/simulators/printer-simulator';
import { SerialScannerSimulator } from '../../src/main/core/devices/simulators/scanner-simulator';
import { createTransport } from '../../src/main/core/devices/transport';
import { seededRandom, silentLogger, systemClock } from '../../src/main/core/ports';
import { buildLoyaltyReceipt, referenceReceiptData } from '../../src/main/core/receipt/receipt';
import { renderEscPos } from '../../src/main/core/receipt/render-escpos';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { collect, FakeTimers, PtyLab, until } from '../fakes/device-harness';

const defaults = JSON.parse(readFileSync(new URL('../../resources/devices.default.json', import.meta.url), 'utf8')) as unknown;

describe('device configuration', () => {
  it('accepts the shipped defaults', () => {
    const config = parseDevicesConfig(defaults, 'resources/devices.default.json');
    expect(config.devices.map((d) => d.role)).toEqual(['serial-scanner', 'hid-scanner', 'pn532', 'printer']);
  });

  it('lays a terminal file over the defaults device by device', () => {
    const merged = parseDevicesConfig(
      mergeDevicesConfig(defaults, {
        devices: [
          { id: 'printer', connection: { kind: 'tcp', host: '192.168.1.50' }, columns: 42 },
          { id: 'nfc', enabled: false },
          { id: 'scanner', connection: { kind: 'serial', match: { vendorId: '0C2E', productId: '0B61', serialNumber: 'A12' } } },
        ],
      }),
      'terminal.json',
    );
    const printer = merged.devices.find((d) => d.id === 'printer')!;
    expect(printer).toMatchObject({ connection: { kind: 'tcp', host: '192.168.1.50', port: 9100 }, columns: 42 });
    expect(merged.devices.find((d) => d.id === 'nfc')!.enabled).toBe(false);
    expect(merged.devices.find((d) => d.id === 'scanner')!.connection).toMatchObject({ match: { vendorId: '0c2e', serialNumber: 'A12' }, baudRate: 9600 });
  });

  it('names the field of a bad file', () => {
    expect(() => parseDevicesConfig({ devices: [{ id: 'p', name: 'P', role: 'printer', connection: { kind: 'tcp', host: 'h' }, columns: 40 }] }, 'x.json')).toThrow(
      /devices\.0\.columns/,
    );
    expect(() =>
      parseDevicesConfig(
        {
          devices: [
            { id: 'a', name: 'A', role: 'pn532', connection: { kind: 'serial', match: { path: '/dev/x' } } },
            { id: 'a', name: 'B', role: 'pn532', connection: { kind: 'serial', match: { path: '/dev/y' } } },
          ],
        },
        'x.json',
      ),
    ).toThrow(DevicesConfigError);
  });
});

describe('discovery', () => {
  const ports: SerialPortInfo[] = [
    { path: '/dev/ttyS0' },
    { path: '/dev/ttyACM0', vendorId: '0C2E', productId: '0B61', serialNumber: 'A1' },
    { path: '/dev/ttyACM1', vendorId: '0c2e', productId: '0b61', serialNumber: 'B2' },
  ];

  it('finds a serial device by vendor, product and serial number', () => {
    expect(findSerialPort({ vendorId: '0c2e', productId: '0b61' }, ports)).toBe('/dev/ttyACM0');
    expect(findSerialPort({ vendorId: '0c2e', productId: '0b61', serialNumber: 'B2' }, ports)).toBe('/dev/ttyACM1');
    expect(findSerialPort({ vendorId: '1a86', productId: '7523' }, ports)).toBeNull();
    expect(findSerialPort({ path: '/dev/serial/by-id/x' }, ports)).toBe('/dev/serial/by-id/x');
  });

  it('picks the HID POS interface (usage page 0x8C) of a scanner, not its keyboard', () => {
    const hids = [
      { vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw1', usagePage: 0x01 },
      { vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw2', usagePage: 0x8c },
    ];
    expect(findHidDevice({ vendorId: '0c2e', productId: '0b87' }, hids)).toBe('/dev/hidraw2');
  });

  it('rescans periodically and reports devices that come and go', async () => {
    const timers = new FakeTimers();
    let listed: SerialPortInfo[] = [];
    const discovery = new DeviceDiscovery([{ id: 'scanner', bus: 'serial', locator: { vendorId: '0c2e', productId: '0b61' } }], {
      timers,
      logger: silentLogger,
      everyMs: 3_000,
      listSerial: async () => listed,
    });
    const changes = collect((l) => discovery.onChange(l));
    discovery.start();
    await timers.advance(0);
    expect(changes).toEqual([{ id: 'scanner', present: false }]);
    listed = ports;
    await timers.advance(3_000);
    expect(changes.at(-1)).toEqual({ id: 'scanner', present: true });
    listed = [];
    await timers.advance(3_000);
    expect(changes.at(-1)).toEqual({ id: 'scanner', present: false });
    discovery.stop();
    expect(timers.pending).toBe(0);
  });
});

describe('createDevices', () => {
  let lab: PtyLab | null = null;
  let db: Db | null = null;

  afterEach(async () => {
    await lab?.cleanup();
    db?.close();
  });

  it('builds the configured devices into the manager: a scan and a rendered receipt over ptys, the printer over the usblp file path', async () => {
    lab = new PtyLab();
    db = openDatabase(':memory:');
    const scannerPair = lab.pair('scanner');
    const printerPair = lab.pair('printer');
    await Promise.all([scannerPair.start(), printerPair.start()]);
    const config = parseDevicesConfig(
      {
        devices: [
          { id: 'scanner', name: 'Douchette', role: 'serial-scanner', connection: { kind: 'serial', match: { path: scannerPair.appPath } } },
          // A pty is a character device like /dev/usb/lp0: the same non-blocking file transport drives it.
          { id: 'printer', name: 'Imprimante', role: 'printer', connection: { kind: 'usblp', path: printerPair.appPath }, columns: 48 },
          { id: 'nfc', name: 'NFC', role: 'pn532', enabled: false, connection: { kind: 'serial', match: { path: '/dev/null' } } },
        ],
      },
      'test',
    );
    const manager = new DeviceManager(silentLogger);
    const devices = createDevices(config, {
      manager,
      db,
      terminalId: 'test-t1',
      clock: systemClock,
      random: seededRandom(5),
      logger: silentLogger,
      printerOptions: { statusPollMs: 200, replyTimeoutMs: 300 },
    });
    expect(manager.list().map((d) => d.id)).toEqual(['scanner', 'printer']);
    const printerSim = new SerialPrinterSimulator(createTransport({ kind: 'serial', path: printerPair.devicePath }));
    await printerSim.open();
    await devices.start();
    expect(manager.list().map((d) => d.state)).toEqual(['enabled', 'enabled']);

    const scans = collect<ScanData>((l) => manager.onScan(l));
    const scannerSim = new SerialScannerSimulator(createTransport({ kind: 'serial', path: scannerPair.devicePath }));
    await scannerSim.open();
    const card = makeCardNumber(42, 9);
    await scannerSim.scan(card);
    await until(() => scans.length === 1, 'the scan');
    expect(scans[0]!.data).toBe(card);

    const doc = buildLoyaltyReceipt(referenceReceiptData(Date.UTC(2026, 10, 22, 10)), 48);
    const rendered = renderEscPos(doc);
    const jobId = devices.printers[0]!.print(rendered.bytes);
    await until(() => devices.printQueue.get(jobId)?.state === 'done', 'the receipt to print', 5_000);
    const page = printerSim.engine.printed[0]!;
    expect(page.text).toContain('Fidèle Épicerie');
    expect(page.text).toContain('€');
    expect(page.codes.length).toBeGreaterThanOrEqual(2);
    expect(printerSim.engine.printed).toHaveLength(1);

    await scannerSim.close();
    await printerSim.close();
    await devices.stop();
  });
});
