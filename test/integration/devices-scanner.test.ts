import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import type { ScanData } from '../../src/main/core/devices/device';
import { DeviceManager } from '../../src/main/core/devices/device-manager';
import type { DeviceDiagnostic, DeviceReport } from '../../src/main/core/devices/device-state';
import { SerialScannerDevice } from '../../src/main/core/devices/serial-scanner-device';
import { SerialScannerSimulator } from '../../src/main/core/devices/simulators/scanner-simulator';
import type { SocatPair } from '../../src/main/core/devices/simulators/socat';
import { createTransport } from '../../src/main/core/devices/transport';
import { silentLogger } from '../../src/main/core/ports';
import { codesOf, collect, maxLoopGap, PtyLab, realDeps, until } from '../fakes/device-harness';

const CARD = makeCardNumber(42, 17);

describe('serial scanner over a socat pty', () => {
  let lab: PtyLab;
  let pair: SocatPair;
  let manager: DeviceManager;
  let scanner: SerialScannerDevice;
  let sim: SerialScannerSimulator;
  let scans: ScanData[];
  let diagnostics: DeviceDiagnostic[];

  beforeEach(async () => {
    lab = new PtyLab();
    pair = lab.pair('scanner');
    await pair.start();
    manager = new DeviceManager(silentLogger);
    scanner = new SerialScannerDevice('scanner-1', 'Douchette', createTransport({ kind: 'serial', path: pair.appPath }), realDeps());
    manager.add(scanner);
    scans = collect((l) => manager.onScan(l));
    diagnostics = collect((l) => manager.onDiagnostic(l));
    await manager.enableAll();
    sim = new SerialScannerSimulator(createTransport({ kind: 'serial', path: pair.devicePath }));
    await sim.open();
  });

  afterEach(async () => {
    await sim.close();
    await manager.closeAll();
    await lab.cleanup();
  });

  it('turns a scanned card into a scan event from the device manager, AIM identifier stripped', async () => {
    expect(manager.list()[0]).toMatchObject({ id: 'scanner-1', state: 'enabled', condition: 'ok' });
    await sim.scan(CARD);
    await until(() => scans.length === 1, 'the scan');
    expect(scans[0]).toMatchObject({ deviceId: 'scanner-1', data: CARD });
  });

  it('notices the cable pulled, reconnects within 2 s of the replug, and the next scan arrives', async () => {
    const reports = collect<DeviceReport>((l) => manager.onStatus(l as (s: unknown) => void));
    await sim.close();
    await pair.stop('SIGKILL');
    await until(() => scanner.status().state === 'error', 'the unplug to be noticed', 2_000);
    expect(scanner.status().condition).toBe('reconnecting');
    // Left unplugged a while: the backoff grows, the retries keep failing quietly.
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(scanner.status().state).toBe('error');

    await pair.start();
    const pluggedAt = Date.now();
    await until(() => scanner.status().state === 'enabled', 'the reconnect', 2_000);
    expect(Date.now() - pluggedAt).toBeLessThan(2_000);
    await sim.open();
    await sim.scan(CARD);
    await until(() => scans.length === 1, 'the scan after the replug');
    expect(scans[0]!.data).toBe(CARD);
    expect(reports.map((r) => r.state)).toEqual(expect.arrayContaining(['error', 'opened', 'claimed', 'enabled']));
  });

  it('drops garbage and truncated codes with diagnostics and still reads the next good one', async () => {
    const { maxGapMs } = await maxLoopGap(async () => {
      await sim.raw(Buffer.from([0x00, 0x1b, 0xff, 0x07, 0x41, 0x0d]));
      // A code cut off mid-way, then a flood of bytes with no suffix at all.
      await sim.raw(']E004000');
      await until(() => codesOf(diagnostics).includes('truncated'), 'the truncated code to be given up');
      await sim.raw(Buffer.alloc(4_000, 0x37));
      await sim.raw('\r');
      // A product's EAN-13 is a barcode, but no loyalty card.
      await sim.scan('3017620422003');
      await sim.scan(CARD);
      await until(() => scans.length >= 1, 'the good scan');
    });
    expect(scans.map((s) => s.data)).toEqual([CARD]);
    expect(codesOf(diagnostics)).toEqual(expect.arrayContaining(['bad_encoding', 'truncated', 'overflow', 'not_a_card']));
    expect(maxGapMs).toBeLessThan(200);
    expect(scanner.status().state).toBe('enabled');
  });

  it('survives a scanner flooding codes: the excess is dropped and reported, the loop keeps turning', async () => {
    const burst = Array.from({ length: 3_000 }, () => `]E0${CARD}\r`).join('');
    const { maxGapMs } = await maxLoopGap(async () => {
      await sim.raw(burst);
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(scans.length).toBeGreaterThan(0);
    expect(scans.length).toBeLessThanOrEqual(20);
    expect(maxGapMs).toBeLessThan(200);
    // The window closes on the next code after a second; the flood is then on record.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await sim.scan(CARD);
    await until(() => codesOf(diagnostics).includes('flood'), 'the flood diagnostic');
    expect(scans.at(-1)!.data).toBe(CARD);
  });
});
