import { describe, expect, it } from 'vitest';
import type { ScanData } from '../../src/main/core/devices/device';
import { DeviceManager } from '../../src/main/core/devices/device-manager';
import { canTransition, DeviceStateMachine, IllegalTransitionError, type DeviceDiagnostic, type DeviceReport } from '../../src/main/core/devices/device-state';
import { HidScannerDevice, type HidPort } from '../../src/main/core/devices/hid-scanner-device';
import { backoffDelay, DEFAULT_BACKOFF, Reconnector } from '../../src/main/core/devices/reconnect';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { makeCardNumber, walletQrPayload } from '../../src/shared/domain/card-number';
import { openDatabase } from '../../src/main/core/db/database';
import { PrintQueue } from '../../src/main/core/devices/print-queue';
import { PrinterDevice } from '../../src/main/core/devices/printer-device';
import { EscPosPrinterEngine } from '../../src/main/core/devices/simulators/printer-simulator';
import { codesOf, collect, FakeTimers, memoryLink } from '../fakes/device-harness';

describe('device state machine', () => {
  it('walks closed → opened → claimed → enabled and back, refusing skipped steps', () => {
    const m = new DeviceStateMachine('d', 'scanner', 'Douchette', false);
    const seen = collect<DeviceReport>((l) => m.onChange(l));
    expect(() => m.to('enabled')).toThrow(IllegalTransitionError);
    expect(() => m.to('claimed')).toThrow(/closed → claimed/);
    m.to('opened');
    m.to('claimed');
    m.to('enabled');
    m.to('claimed');
    m.to('opened');
    m.to('closed');
    expect(seen.map((r) => r.state)).toEqual(['opened', 'claimed', 'enabled', 'claimed', 'opened', 'closed']);
  });

  it('enters error from any open state and leaves it only by re-opening or closing', () => {
    expect(canTransition('enabled', 'error')).toBe(true);
    expect(canTransition('error', 'enabled')).toBe(false);
    expect(canTransition('error', 'claimed')).toBe(false);
    expect(canTransition('error', 'opened')).toBe(true);
    const m = new DeviceStateMachine('p', 'printer', 'Imprimante', false);
    m.enableFrom();
    m.to('error', 'reconnecting');
    expect(m.report()).toMatchObject({ state: 'error', condition: 'reconnecting' });
    m.enableFrom('paper_low');
    expect(m.report()).toMatchObject({ state: 'enabled', condition: 'paper_low' });
  });

  it('reports a condition change without a state change, and nothing when nothing changed', () => {
    const m = new DeviceStateMachine('p', 'printer', 'Imprimante', false);
    m.enableFrom();
    const seen = collect<DeviceReport>((l) => m.onChange(l));
    m.setCondition('paper_out');
    m.setCondition('paper_out');
    m.setExtra({ pendingJobs: 1 });
    m.setExtra({ pendingJobs: 1 });
    expect(seen.map((r) => [r.state, r.condition, r.pendingJobs])).toEqual([
      ['enabled', 'paper_out', undefined],
      ['enabled', 'paper_out', 1],
    ]);
  });
});

describe('reconnect backoff', () => {
  it('grows exponentially to its cap, with jitter inside the configured spread', () => {
    const random = seededRandom(3);
    for (let attempt = 0; attempt < 12; attempt++) {
      const base = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.initialMs * 2 ** attempt);
      const delay = backoffDelay(attempt, DEFAULT_BACKOFF, random);
      expect(delay).toBeGreaterThanOrEqual(Math.floor(base * (1 - DEFAULT_BACKOFF.jitter)));
      expect(delay).toBeLessThanOrEqual(Math.ceil(base * (1 + DEFAULT_BACKOFF.jitter)));
    }
    const delays = Array.from({ length: 50 }, () => backoffDelay(6, DEFAULT_BACKOFF, random));
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it('retries on a fake clock until the attempt succeeds, then stops', async () => {
    const timers = new FakeTimers();
    let calls = 0;
    const reconnector = new Reconnector(
      async () => {
        calls++;
        if (calls < 4) throw new Error('ENOENT');
      },
      { timers, random: seededRandom(1), options: { initialMs: 100, maxMs: 400, factor: 2, jitter: 0 } },
    );
    reconnector.start();
    await timers.advance(99);
    expect(calls).toBe(0);
    await timers.advance(1); // 100
    expect(calls).toBe(1);
    await timers.advance(200); // 300
    expect(calls).toBe(2);
    await timers.advance(400); // 700
    expect(calls).toBe(3);
    await timers.advance(400); // 1100: success
    expect(calls).toBe(4);
    expect(reconnector.active).toBe(false);
    await timers.advance(10_000);
    expect(calls).toBe(4);
  });

  it('stops when told to, mid-wait', async () => {
    const timers = new FakeTimers();
    let calls = 0;
    const reconnector = new Reconnector(async () => void calls++, { timers, random: seededRandom(1) });
    reconnector.start();
    reconnector.stop();
    await timers.advance(5_000);
    expect(calls).toBe(0);
    expect(timers.pending).toBe(0);
  });
});

/** A Honeywell HID POS input report as recorded with node-hid: report ID 02, length, AIM, data, vendor code at 61, continuation at 63. */
function recordedReport(data: string, options: { aim?: string; vendorCode?: number; more?: boolean } = {}): Uint8Array {
  const report = new Uint8Array(64);
  report[0] = 0x02;
  report[1] = data.length;
  const aim = options.aim ?? ']E0';
  for (let i = 0; i < 3; i++) report[2 + i] = aim.charCodeAt(i);
  for (let i = 0; i < data.length; i++) report[5 + i] = data.charCodeAt(i);
  report[61] = options.vendorCode ?? 0x64;
  report[63] = options.more ? 1 : 0;
  return report;
}

class FakeHidPort implements HidPort {
  report: (r: Uint8Array) => void = () => undefined;
  error: (e: Error) => void = () => undefined;
  readonly features: Uint8Array[] = [];
  closed = false;
  onReport(listener: (r: Uint8Array) => void): void {
    this.report = listener;
  }
  onError(listener: (e: Error) => void): void {
    this.error = listener;
  }
  async sendFeatureReport(data: Uint8Array): Promise<void> {
    this.features.push(data);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('HID POS scanner (usage page 0x8C) through an injected HID port', () => {
  const card = makeCardNumber(42, 5);

  function setup() {
    const timers = new FakeTimers();
    const ports: FakeHidPort[] = [];
    let plugged = true;
    const open = async (path: string) => {
      if (!plugged) throw new Error(`cannot open ${path}`);
      const port = new FakeHidPort();
      ports.push(port);
      return port;
    };
    const deps = { clock: { now: () => timers.now }, timers, random: seededRandom(2), logger: silentLogger };
    const scanner = new HidScannerDevice('hid-1', 'Douchette HID', { path: '/dev/hidraw3', modeFeatureReport: Uint8Array.of(0xfe, 0x01) }, deps, open);
    const manager = new DeviceManager(silentLogger);
    manager.add(scanner);
    const scans = collect<ScanData>((l) => manager.onScan(l));
    const diagnostics = collect<DeviceDiagnostic>((l) => manager.onDiagnostic(l));
    return { timers, ports, scanner, manager, scans, diagnostics, unplug: () => (plugged = false), plug: () => (plugged = true) };
  }

  it('switches the scanner to HID POS mode and turns recorded reports into scans', async () => {
    const t = setup();
    await t.manager.enableAll();
    expect(t.scanner.status()).toMatchObject({ state: 'enabled', endpoint: 'hid:/dev/hidraw3' });
    expect(Array.from(t.ports[0]!.features[0]!)).toEqual([0xfe, 0x01]);
    t.ports[0]!.report(recordedReport(card));
    expect(t.scans.map((s) => s.data)).toEqual([card]);
  });

  it('assembles a code split over continuation reports', async () => {
    const t = setup();
    await t.manager.enableAll();
    const wallet = walletQrPayload(card);
    t.ports[0]!.report(recordedReport(wallet.slice(0, 10), { aim: ']Q1', vendorCode: 0x73, more: true }));
    expect(t.scans).toHaveLength(0);
    t.ports[0]!.report(recordedReport(wallet.slice(10), { aim: ']Q1', vendorCode: 0x73 }));
    expect(t.scans.map((s) => s.data)).toEqual([wallet]);
  });

  it('reports garbage and truncated reports as diagnostics and keeps reading', async () => {
    const t = setup();
    await t.manager.enableAll();
    const truncated = recordedReport(card).subarray(0, 9);
    const lying = recordedReport(card);
    lying[1] = 200;
    t.ports[0]!.report(new Uint8Array(0));
    t.ports[0]!.report(truncated);
    t.ports[0]!.report(lying);
    t.ports[0]!.report(Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff));
    t.ports[0]!.report(recordedReport('3017620422003'));
    t.ports[0]!.report(recordedReport(card));
    expect(t.scans.map((s) => s.data)).toEqual([card]);
    expect(codesOf(t.diagnostics)).toEqual(expect.arrayContaining(['empty_report', 'bad_length', 'not_a_card']));
  });

  it('treats a read error as the unplug and reopens with backoff once the scanner is back', async () => {
    const t = setup();
    await t.manager.enableAll();
    t.unplug();
    t.ports[0]!.error(new Error('could not read from HID device'));
    await t.timers.advance(0);
    expect(t.scanner.status()).toMatchObject({ state: 'error', condition: 'reconnecting' });
    expect(t.ports[0]!.closed).toBe(true);
    await t.timers.advance(3_000);
    expect(t.scanner.status().state).toBe('error');
    t.plug();
    await t.timers.advance(1_200);
    expect(t.scanner.status().state).toBe('enabled');
    t.ports.at(-1)!.report(recordedReport(card));
    expect(t.scans.map((s) => s.data)).toEqual([card]);
  });

  it('loads node-hid, whose device list is empty on a machine without HID devices', async () => {
    const hid = await import('node-hid');
    const devices = await hid.devicesAsync();
    expect(Array.isArray(devices)).toBe(true);
  });
});

describe('ESC/POS printer on an injected clock', () => {
  function setup() {
    const timers = new FakeTimers();
    const db = openDatabase(':memory:');
    const queue = new PrintQueue(db);
    const [app, dev] = memoryLink();
    const engine = new EscPosPrinterEngine();
    void dev.open();
    dev.onData((bytes) => engine.receive(bytes));
    engine.addOutput((bytes) => void dev.write(bytes).catch(() => undefined));
    const deps = { clock: { now: () => timers.now }, timers, random: seededRandom(4), logger: silentLogger };
    const printer = new PrinterDevice('p', 'Imprimante', app, deps, queue, { statusPollMs: 2_000, replyTimeoutMs: 1_000, jobTimeoutMs: 30_000 });
    return { timers, db, queue, engine, printer };
  }

  it('gives up greeting a silent printer after its attempts, in clock time, then finds it on a later retry', async () => {
    const t = setup();
    t.engine.mode = 'silent';
    const enabling = t.printer.enable();
    await t.timers.advance(0);
    for (let i = 0; i < 3; i++) await t.timers.advance(1_000);
    await enabling;
    expect(t.printer.status()).toMatchObject({ state: 'error', condition: 'not_responding' });
    t.engine.mode = 'normal';
    await t.timers.advance(2_000);
    expect(t.printer.status()).toMatchObject({ state: 'enabled', condition: 'ok' });
    await t.printer.close();
    t.db.close();
  });

  it('finds paper out by DLE EOT polling while idle, and paper back the same way', async () => {
    const t = setup();
    const enabling = t.printer.enable();
    await t.timers.advance(0);
    await enabling;
    expect(t.printer.status().condition).toBe('ok');
    // No ASB this time: a printer that only answers when asked.
    t.engine.receive(Uint8Array.of(0x1d, 0x61, 0x00));
    t.engine.paperOutAfter(1);
    t.engine.receive(Uint8Array.of(0x41));
    await t.timers.advance(1_999);
    expect(t.printer.status().condition).toBe('ok');
    await t.timers.advance(1);
    expect(t.printer.status().condition).toBe('paper_out');
    const jobId = t.printer.print(Uint8Array.of(0x1b, 0x40, 0x41, 0x0a, 0x1d, 0x56, 0x00));
    await t.timers.advance(0);
    expect(t.queue.get(jobId)!.state).toBe('queued');
    t.engine.loadPaper();
    await t.timers.advance(2_000);
    expect(t.queue.get(jobId)!.state).toBe('done');
    await t.printer.close();
    t.db.close();
  });
});
