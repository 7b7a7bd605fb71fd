import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Db } from '../db/database';
import type { Clock, Logger, Random } from '../ports';
import { createDevices, type Devices } from './create-devices';
import { parseDevicesConfig } from './device-config';
import type { DeviceManager } from './device-manager';
import { Pn532Simulator } from './simulators/pn532-simulator';
import { printerProfile, resolvePrinterSetup } from './printer-profiles';
import { SerialPrinterSimulator } from './simulators/printer-simulator';
import { SerialScannerSimulator } from './simulators/scanner-simulator';
import { SocatPair } from './simulators/socat';
import { createTransport } from './transport';

export const SOCAT_BIN = '/usr/bin/socat';

/** The rig needs socat; without it the browser mode falls back to the in-process scanner. */
export function socatAvailable(bin = SOCAT_BIN): boolean {
  return existsSync(bin);
}

export const RIG_DEVICE_IDS = { scanner: 'scanner', nfc: 'nfc', printer: 'printer' } as const;

export interface SimulatedRigDeps {
  db: Db;
  terminalId: string;
  manager: DeviceManager;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** 42 (58 mm) or 48 (80 mm) columns for the rig's printer. */
  printerColumns?: 42 | 48;
}

export interface SimulatedRig {
  readonly devices: Devices;
  /** The far ends: what the simulator page and the tests drive. */
  readonly scanner: SerialScannerSimulator;
  readonly nfc: Pn532Simulator;
  readonly printer: SerialPrinterSimulator;
  /** Starts socat and the simulators, then enables the drivers. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The kiosk's real drivers (the same createDevices a store runs) talking to
 * protocol simulators at the far end of socat pty pairs: what the browser
 * mode and the integration tests run, so the bytes on the line are the ones a
 * real scanner, PN532 and ESC/POS printer exchange. The drivers are built at
 * once (the manager lists them before start); nothing is opened until start().
 */
export function createSimulatedRig(deps: SimulatedRigDeps): SimulatedRig {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-rig-'));
  const pairs = {
    scanner: new SocatPair(join(dir, 'scanner-app'), join(dir, 'scanner-dev'), SOCAT_BIN),
    nfc: new SocatPair(join(dir, 'nfc-app'), join(dir, 'nfc-dev'), SOCAT_BIN),
    printer: new SocatPair(join(dir, 'printer-app'), join(dir, 'printer-dev'), SOCAT_BIN),
  };
  const config = parseDevicesConfig(
    {
      // No USB ids to look for: the ptys are fixed paths.
      rescanMs: 60_000,
      devices: [
        {
          id: RIG_DEVICE_IDS.scanner,
          name: 'Douchette (simulée)',
          role: 'serial-scanner',
          connection: { kind: 'serial', match: { path: pairs.scanner.appPath }, baudRate: 9_600 },
          suffix: 'CR',
        },
        {
          id: RIG_DEVICE_IDS.nfc,
          name: 'Lecteur NFC (simulé)',
          role: 'pn532',
          connection: { kind: 'serial', match: { path: pairs.nfc.appPath }, baudRate: 115_200 },
        },
        {
          id: RIG_DEVICE_IDS.printer,
          name: 'Imprimante (simulée)',
          role: 'printer',
          connection: { kind: 'serial', match: { path: pairs.printer.appPath }, baudRate: 115_200 },
          columns: deps.printerColumns ?? 42,
        },
      ],
    },
    'simulated rig',
  );
  const devices = createDevices(config, {
    manager: deps.manager,
    db: deps.db,
    terminalId: deps.terminalId,
    clock: deps.clock,
    random: deps.random,
    logger: deps.logger,
    // A pty answers at once: shorter polls make faults show within a second on the screens.
    printerOptions: { statusPollMs: 500, replyTimeoutMs: 500, jobTimeoutMs: 10_000 },
    nfcOptions: { pollMs: 100 },
  });
  const scanner = new SerialScannerSimulator(createTransport({ kind: 'serial', path: pairs.scanner.devicePath, baudRate: 9_600 }), {
    suffix: '\r',
    aim: null,
  });
  const nfc = new Pn532Simulator(createTransport({ kind: 'serial', path: pairs.nfc.devicePath, baudRate: 115_200 }));
  // The simulated printer has the head the driver was configured for, so a receipt too wide for it shows wrapped.
  const printer = new SerialPrinterSimulator(
    createTransport({ kind: 'serial', path: pairs.printer.devicePath, baudRate: 115_200 }),
    printerProfile(devices.printers[0]?.options.profile ?? resolvePrinterSetup({ columns: deps.printerColumns ?? 42 }).profile.id),
  );
  let started = false;

  return {
    devices,
    scanner,
    nfc,
    printer,
    async start() {
      await Promise.all(Object.values(pairs).map((pair) => pair.start()));
      started = true;
      await Promise.all([scanner.open(), nfc.open(), printer.open()]);
      await devices.start();
    },
    async stop() {
      await devices.stop();
      if (started) await Promise.all([scanner.close(), nfc.close(), printer.close()].map((p) => p.catch(() => undefined)));
      await Promise.all(Object.values(pairs).map((pair) => pair.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
