/**
 * How long a scan takes from the scanner's last byte to the core: a card
 * written at the far end of a socat pty pair, until the core's DeviceManager
 * delivers the scan event (after the ScanRouter has handled it), against a
 * bare serialport read of the same bytes on the same pty pair in the same run.
 * Blocks of each alternate, so both see the same machine noise.
 * Also the size of the reference receipt in ESC/POS.
 * Options: --samples N (per side, default 2000), --block N (default 200).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SerialPort } from 'serialport';
import { createCore } from '../src/main/core/core';
import { systemTimers } from '../src/main/core/devices/reconnect';
import { SerialScannerDevice } from '../src/main/core/devices/serial-scanner-device';
import { SocatPair } from '../src/main/core/devices/simulators/socat';
import { createTransport } from '../src/main/core/devices/transport';
import { seededRandom, silentLogger, systemClock } from '../src/main/core/ports';
import { buildLoyaltyReceipt, referenceReceiptData } from '../src/main/core/receipt/receipt';
import { renderEscPos } from '../src/main/core/receipt/render-escpos';
import { makeCardNumber } from '../src/shared/domain/card-number';
import { testConfig } from '../test/fakes/known-members';

const TARGET_RATIO = 1.5;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

const round = (ms: number) => Math.round(ms * 10_000) / 10_000;
const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

function summarise(samplesNs: number[]) {
  const ms = Float64Array.from(samplesNs, (ns) => ns / 1e6).sort();
  return { p50: percentile(ms, 50), p90: percentile(ms, 90), p99: percentile(ms, 99), max: ms[ms.length - 1] ?? Number.NaN };
}

function write(port: SerialPort, bytes: Buffer): void {
  port.write(bytes);
}

export async function runDevicesBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { samples: { type: 'string', default: '2000' }, block: { type: 'string', default: '200' } },
    strict: true,
  });
  const samples = Number(values.samples);
  const block = Number(values.block);
  if (!Number.isInteger(samples) || samples < 10) throw new Error(`--samples must be an integer ≥ 10, not ${values.samples}`);
  if (!Number.isInteger(block) || block < 1) throw new Error(`--block must be a positive integer, not ${values.block}`);

  const dir = mkdtempSync(join(tmpdir(), 'fidele-bench-devices-'));
  const pair = new SocatPair(join(dir, 'scanner-app'), join(dir, 'scanner-dev'));
  const core = createCore({ dbPath: ':memory:', config: testConfig(), shell: 'browser', clock: systemClock, random: seededRandom(1), logger: silentLogger });
  try {
    await pair.start();
    // The scanner's end: a plain serialport, so both sides are timed from the same write call.
    const far = new SerialPort({ path: pair.devicePath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => far.open((e) => (e ? reject(e) : resolve())));

    const scanner = new SerialScannerDevice(
      'bench-scanner',
      'Douchette',
      createTransport({ kind: 'serial', path: pair.appPath }),
      { clock: systemClock, timers: systemTimers, random: seededRandom(2), logger: silentLogger },
      // The flood guard would (rightly) drop a bench's thousands of scans a second; its check still runs.
      { maxScansPerSecond: 1_000_000 },
    );
    core.devices.add(scanner);
    let deliver: (() => void) | null = null;
    core.devices.onScan(() => {
      const done = deliver;
      deliver = null;
      done?.();
    });

    const frames = Array.from({ length: samples * 2 + 200 }, (_, i) => Buffer.from(`]E0${makeCardNumber(42, 1 + (i % 50_000))}\r`, 'latin1'));
    let next = 0;

    const timeCore = async (count: number, into: number[] | null) => {
      await scanner.enable();
      for (let i = 0; i < count; i++) {
        const frame = frames[next++ % frames.length]!;
        const arrived = new Promise<void>((resolve) => (deliver = resolve));
        const t0 = process.hrtime.bigint();
        write(far, frame);
        await arrived;
        const elapsed = process.hrtime.bigint() - t0;
        into?.push(Number(elapsed));
      }
      await scanner.close();
    };

    const timeBare = async (count: number, into: number[] | null) => {
      const port = new SerialPort({ path: pair.appPath, baudRate: 9600, autoOpen: false });
      await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
      let pending = '';
      let done: (() => void) | null = null;
      port.on('data', (chunk: Buffer) => {
        pending += chunk.toString('latin1');
        if (pending.includes('\r')) {
          pending = '';
          const d = done;
          done = null;
          d?.();
        }
      });
      for (let i = 0; i < count; i++) {
        const frame = frames[next++ % frames.length]!;
        const arrived = new Promise<void>((resolve) => (done = resolve));
        const t0 = process.hrtime.bigint();
        write(far, frame);
        await arrived;
        const elapsed = process.hrtime.bigint() - t0;
        into?.push(Number(elapsed));
      }
      await new Promise<void>((resolve) => port.close(() => resolve()));
    };

    // Warm both paths (JIT, page cache, the pty driver) before anything is kept.
    await timeBare(100, null);
    await timeCore(100, null);
    const bareNs: number[] = [];
    const coreNs: number[] = [];
    for (let done = 0, round = 0; done < samples; done += block, round++) {
      const n = Math.min(block, samples - done);
      if (round % 2 === 0) {
        await timeBare(n, bareNs);
        await timeCore(n, coreNs);
      } else {
        await timeCore(n, coreNs);
        await timeBare(n, bareNs);
      }
    }
    await new Promise<void>((resolve) => far.close(() => resolve()));

    const coreStats = summarise(coreNs);
    const bareStats = summarise(bareNs);
    const ratio = coreStats.p50 / bareStats.p50;
    const printedAt = Date.UTC(2026, 10, 22, 10, 30);
    const receipt = renderEscPos(buildLoyaltyReceipt(referenceReceiptData(printedAt), 48)).bytes;

    console.log(`scan, pty → core DeviceManager (${coreNs.length} scans): p50 ${fmt(coreStats.p50)}, p90 ${fmt(coreStats.p90)}, p99 ${fmt(coreStats.p99)}, max ${fmt(coreStats.max)}`);
    console.log(`bare serialport read, same pty (${bareNs.length} reads): p50 ${fmt(bareStats.p50)}, p90 ${fmt(bareStats.p90)}, p99 ${fmt(bareStats.p99)}`);
    console.log(`scan / bare median ratio: ${ratio.toFixed(3)} (target ≤ ${TARGET_RATIO}) ${ratio <= TARGET_RATIO ? 'OK' : 'OVER TARGET'}`);
    console.log(`reference receipt (48 columns): ${receipt.byteLength} bytes of ESC/POS`);
    console.log(
      JSON.stringify({
        suite: 'devices',
        scan_samples: coreNs.length,
        scan_p50_ms: round(coreStats.p50),
        scan_p90_ms: round(coreStats.p90),
        scan_p99_ms: round(coreStats.p99),
        scan_max_ms: round(coreStats.max),
        bare_p50_ms: round(bareStats.p50),
        bare_p99_ms: round(bareStats.p99),
        scan_vs_bare_ratio: Math.round(ratio * 1000) / 1000,
        scan_vs_bare_target: TARGET_RATIO,
        receipt_bytes: receipt.byteLength,
      }),
    );
  } finally {
    await core.close().catch(() => undefined);
    await pair.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
