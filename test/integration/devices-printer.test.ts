import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import type { DeviceDiagnostic } from '../../src/main/core/devices/device-state';
import { PrintQueue } from '../../src/main/core/devices/print-queue';
import { PrinterDevice, type PrintJobEvent } from '../../src/main/core/devices/printer-device';
import { EscPosBuilder, PAPER_STATUS_REQUEST, RECOVER_CLEAR } from '../../src/main/core/devices/protocols/escpos';
import { SerialPrinterSimulator, TcpPrinterSimulator, type EscPosPrinterEngine } from '../../src/main/core/devices/simulators/printer-simulator';
import type { SocatPair } from '../../src/main/core/devices/simulators/socat';
import { createTransport } from '../../src/main/core/devices/transport';
import { codesOf, collect, maxLoopGap, PtyLab, realDeps, until } from '../fakes/device-harness';

const FAST = { statusPollMs: 150, replyTimeoutMs: 300, jobTimeoutMs: 1_000 };

function receipt(lines: number, width: 42 | 48 = 48): { bytes: Uint8Array; text: string } {
  const b = new EscPosBuilder().initialize().align('center').bold(true).line('Fidèle — Paris 11e').bold(false).align('left');
  const text: string[] = ['Fidèle — Paris 11e'];
  for (let i = 1; i <= lines; i++) {
    const left = `Ligne ${i} : crème brûlée`;
    const right = `${(i * 1.25).toFixed(2).replace('.', ',')} €`;
    const line = left + ' '.repeat(width - left.length - right.length) + right;
    b.line(line);
    text.push(line);
  }
  b.feed(4).cut();
  return { bytes: b.bytes(), text: text.join('\n') + '\n' };
}

/**
 * A copy that one write carries, closing GS r included: all of it is in the printer before the paper
 * runs out. With two writes, a fault seen between them rightly tears the copy instead.
 */
function oneWriteReceipt(printer: PrinterDevice): { bytes: Uint8Array; text: string } {
  const r = receipt(12);
  expect(r.bytes.byteLength + 3).toBeLessThanOrEqual(printer.options.chunkBytes);
  return r;
}

/** The cashier is quicker than the line: the roll is back in just before the driver's DLE ENQ 2 arrives. */
function loadPaperAsTheClearArrives(engine: EscPosPrinterEngine): () => boolean {
  const receive = engine.receive.bind(engine);
  let raced = false;
  engine.receive = (chunk) => {
    if (!raced && engine.stopped && Buffer.from(chunk).includes(Buffer.from(RECOVER_CLEAR))) {
      raced = true;
      engine.loadPaper();
    }
    receive(chunk);
  };
  return () => raced;
}

describe('ESC/POS printer', () => {
  let db: Db;
  let queue: PrintQueue;
  let lab: PtyLab;

  beforeEach(() => {
    db = openDatabase(':memory:');
    queue = new PrintQueue(db);
    lab = new PtyLab();
  });

  afterEach(async () => {
    await lab.cleanup();
    db.close();
  });

  describe('over a socat pty', () => {
    let pair: SocatPair;
    let sim: SerialPrinterSimulator;
    let engine: EscPosPrinterEngine;
    let printer: PrinterDevice;
    let jobs: PrintJobEvent[];
    let diagnostics: DeviceDiagnostic[];

    beforeEach(async () => {
      pair = lab.pair('printer');
      await pair.start();
      sim = new SerialPrinterSimulator(createTransport({ kind: 'serial', path: pair.devicePath }));
      engine = sim.engine;
      await sim.open();
      printer = new PrinterDevice('printer-1', 'Imprimante', createTransport({ kind: 'serial', path: pair.appPath }), realDeps(), queue, FAST);
      jobs = collect((l) => printer.onJob(l));
      diagnostics = collect((l) => printer.onDiagnostic(l));
    });

    afterEach(async () => {
      await printer.close();
      await sim.close();
    });

    it('greets the printer, prints a receipt with accents and €, and confirms it with GS r', async () => {
      await printer.enable();
      expect(printer.status()).toMatchObject({ state: 'enabled', condition: 'ok' });
      const r = receipt(3);
      const jobId = printer.print(r.bytes);
      await until(() => jobs.some((j) => j.state === 'done'), 'the job confirmation');
      expect(engine.printed).toHaveLength(1);
      expect(engine.printed[0]!.text).toBe(r.text);
      expect(engine.printed[0]!.text).toContain('crème brûlée');
      expect(engine.printed[0]!.text).toContain('€');
      expect(queue.get(jobId)).toMatchObject({ state: 'done', attempts: 1 });
      expect(printer.status().pendingJobs).toBe(0);
    });

    it('paper out in the middle of a receipt: the job is kept, the cashier told, then printed exactly once', async () => {
      await printer.enable();
      const r = receipt(30);
      engine.paperOutAfter(400);
      const jobId = printer.print(r.bytes);
      await until(() => printer.status().condition === 'paper_out', 'paper out to be reported');
      await until(() => jobs.some((j) => j.state === 'interrupted'), 'the job to be interrupted');
      expect(queue.get(jobId)!.state).toBe('interrupted');
      expect(printer.status().pendingJobs).toBe(1);
      // The printer holds nothing of the interrupted copy: fresh paper must not finish it by itself.
      await until(() => engine.buffered === 0, 'the buffer to be cleared');
      expect(engine.printed).toHaveLength(0);
      // A while later, and a few polls on, nothing was printed or lost.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(engine.printed).toHaveLength(0);
      expect(queue.get(jobId)!.state).toBe('interrupted');

      engine.loadPaper();
      await until(() => queue.get(jobId)!.state === 'done', 'the job to complete');
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(engine.printed.map((p) => p.text)).toEqual([r.text]);
      expect(engine.torn).toHaveLength(1);
      expect(r.text.startsWith(engine.torn[0]!.text)).toBe(true);
      expect(queue.get(jobId)).toMatchObject({ state: 'done', attempts: 2 });
      expect(jobs.filter((j) => j.state === 'done')).toHaveLength(1);
      expect(printer.status()).toMatchObject({ condition: 'ok', pendingJobs: 0 });
    });

    it('paper loaded before the clear reaches the printer: the copy finishes by itself, is counted done and not printed again', async () => {
      await printer.enable();
      const r = oneWriteReceipt(printer);
      engine.paperOutAfter(400);
      const raced = loadPaperAsTheClearArrives(engine);
      const jobId = printer.print(r.bytes);
      await until(() => queue.get(jobId)!.state === 'done', 'the job to be confirmed', 5_000);
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect(raced()).toBe(true);
      expect(engine.printed.map((p) => p.text)).toEqual([r.text]);
      expect(engine.torn).toHaveLength(0);
      expect(queue.get(jobId)).toMatchObject({ state: 'done', attempts: 1 });
      expect(jobs.map((j) => j.state)).toEqual(['queued', 'printing', 'interrupted', 'done']);
      expect(codesOf(diagnostics)).not.toContain('unexpected_job_done');
      expect(printer.status()).toMatchObject({ condition: 'ok', pendingJobs: 0 });
    });

    it('paper back while the driver is still sending its clear: the copy is settled then, not at the next receipt', async () => {
      // The driver's own transport, whose first DLE ENQ 2 write returns only once the paper is back:
      // the wake-up that paper brings then lands while the interrupted job is still being put away.
      const transport = createTransport({ kind: 'serial', path: pair.appPath });
      const write = transport.write.bind(transport);
      let held = false;
      transport.write = async (bytes) => {
        await write(bytes);
        if (!held && Buffer.from(bytes).equals(RECOVER_CLEAR)) {
          held = true;
          await until(() => printer.status().condition === 'ok', 'the paper back to be reported');
        }
      };
      printer = new PrinterDevice('printer-1', 'Imprimante', transport, realDeps(), queue, FAST);
      jobs = collect((l) => printer.onJob(l));
      await printer.enable();
      const r = oneWriteReceipt(printer);
      engine.paperOutAfter(400);
      loadPaperAsTheClearArrives(engine);
      const jobId = printer.print(r.bytes);
      // Status polls cannot wake the queue here: for them the paper was already back.
      await until(() => queue.get(jobId)!.state === 'done', 'the job to be confirmed', 5_000);
      expect(held).toBe(true);
      expect(jobs.map((j) => j.state)).toEqual(['queued', 'printing', 'interrupted', 'done']);
      expect(engine.printed.map((p) => p.text)).toEqual([r.text]);
      expect(printer.status()).toMatchObject({ condition: 'ok', pendingJobs: 0 });
    });

    it('a job interrupted before the terminal restarts is printed once by the next run', async () => {
      await printer.enable();
      engine.paperOutAfter(300);
      const r = receipt(20);
      const jobId = printer.print(r.bytes);
      await until(() => queue.get(jobId)!.state === 'interrupted', 'the job interrupted');
      await printer.close();
      // The next start of the till: a new driver over the same database.
      const again = new PrinterDevice('printer-1', 'Imprimante', createTransport({ kind: 'serial', path: pair.appPath }), realDeps(), new PrintQueue(db), FAST);
      await again.enable();
      expect(again.status()).toMatchObject({ condition: 'paper_out', pendingJobs: 1 });
      engine.loadPaper();
      await until(() => queue.get(jobId)!.state === 'done', 'the kept job printed');
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(engine.printed.map((p) => p.text)).toEqual([r.text]);
      await again.close();
    });

    it('cover opened before a job: the job waits, and prints once the cover is closed', async () => {
      await printer.enable();
      engine.openCover();
      await until(() => printer.status().condition === 'cover_open', 'cover open to be reported');
      const r = receipt(2);
      const jobId = printer.print(r.bytes);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(queue.get(jobId)!.state).toBe('queued');
      engine.closeCover();
      await until(() => queue.get(jobId)!.state === 'done', 'the job after the cover closed');
      expect(engine.printed.map((p) => p.text)).toEqual([r.text]);
    });

    it('a printer answering nothing: not enabled, reported, retried; the job kept until it answers', async () => {
      engine.mode = 'silent';
      const jobId = printer.print(receipt(2).bytes);
      const { maxGapMs } = await maxLoopGap(() => printer.enable());
      expect(maxGapMs).toBeLessThan(200);
      expect(printer.status()).toMatchObject({ state: 'error', condition: 'not_responding' });
      expect(queue.get(jobId)!.state).toBe('queued');
      engine.mode = 'normal';
      await until(() => queue.get(jobId)!.state === 'done', 'the job once the printer answers', 5_000);
      expect(engine.printed).toHaveLength(1);
    });

    it('a printer going silent mid-job: the job times out, is kept, and completes once when it answers again', async () => {
      await printer.enable();
      engine.mode = 'silent';
      const jobId = printer.print(receipt(2).bytes);
      await until(() => printer.status().condition === 'not_responding', 'not responding to be reported', 3_000);
      await until(() => queue.get(jobId)!.state === 'interrupted', 'the job to time out', 3_000);
      engine.mode = 'normal';
      await until(() => queue.get(jobId)!.state === 'done', 'the job to complete', 5_000);
      expect(queue.get(jobId)!.attempts).toBe(2);
      expect(engine.printed).toHaveLength(1);
      expect(codesOf(diagnostics)).toContain('no_reply');
    });

    it('a printer answering nonsense and garbage bytes: diagnostics, no crash, the loop keeps turning', async () => {
      await printer.enable();
      const { maxGapMs } = await maxLoopGap(async () => {
        engine.mode = 'nonsense';
        await new Promise((resolve) => setTimeout(resolve, 500));
        engine.mode = 'normal';
      });
      expect(maxGapMs).toBeLessThan(200);
      expect(codesOf(diagnostics).length).toBeGreaterThan(0);
      // Truncated ASB frames and random bytes straight onto the line.
      const raw = createTransport({ kind: 'serial', path: pair.devicePath });
      await sim.close();
      await raw.open();
      await raw.write(Uint8Array.of(0x10, 0x00, 0xff, 0x14, 0x10, 0x7f, 0x80, 0x13));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await raw.close();
      expect(codesOf(diagnostics)).toEqual(expect.arrayContaining(['truncated_asb']));
      await sim.open();
      const r = receipt(1);
      const jobId = printer.print(r.bytes);
      await until(() => queue.get(jobId)!.state === 'done', 'a job after the noise', 5_000);
      expect(engine.printed.at(-1)!.text).toBe(r.text);
    });

    it('prints 42-column receipts for 58 mm paper', async () => {
      const narrow = new PrinterDevice('printer-2', 'Étroite', createTransport({ kind: 'serial', path: pair.appPath }), realDeps(), queue, {
        ...FAST,
        columns: 42,
      });
      expect(narrow.options.columns).toBe(42);
      await printer.close();
      await narrow.enable();
      const r = receipt(2, 42);
      narrow.print(r.bytes);
      await until(() => engine.printed.length === 1, 'the narrow receipt');
      expect(engine.printed[0]!.text.split('\n').slice(1, 3).every((l) => l.length === 42)).toBe(true);
      await narrow.close();
    });
  });

  describe('over TCP 9100 on loopback', () => {
    let sim: TcpPrinterSimulator;

    beforeEach(() => {
      sim = new TcpPrinterSimulator();
    });

    afterEach(async () => {
      await sim.close();
    });

    it('prints a job and survives the connection dropping mid-way: the job is done once after the reconnect', async () => {
      const port = await sim.listen();
      const printer = new PrinterDevice('net-1', 'Imprimante réseau', createTransport({ kind: 'tcp', host: '127.0.0.1', port }), realDeps(), queue, FAST);
      await printer.enable();
      const first = receipt(2);
      const firstId = printer.print(first.bytes);
      await until(() => queue.get(firstId)!.state === 'done', 'the first job');
      expect(sim.engine.printed.map((p) => p.text)).toEqual([first.text]);

      // The network drops while the printer is out of paper with a job inside.
      sim.engine.paperOutAfter(200);
      const second = receipt(20);
      const secondId = printer.print(second.bytes);
      await until(() => queue.get(secondId)!.state === 'interrupted', 'the second job interrupted');
      sim.dropClients();
      await until(() => printer.status().state === 'error', 'the drop noticed');
      await until(() => printer.status().state === 'enabled', 'the reconnect', 3_000);
      sim.engine.loadPaper();
      await until(() => queue.get(secondId)!.state === 'done', 'the second job after the reconnect', 5_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(sim.engine.printed.map((p) => p.text)).toEqual([first.text, second.text]);
      await printer.close();
    });

    it('the one reprint left: the connection lost after the cut, before the GS r reply, prints the receipt a second time (README)', async () => {
      const port = await sim.listen();
      const printer = new PrinterDevice('net-2', 'Imprimante réseau', createTransport({ kind: 'tcp', host: '127.0.0.1', port }), realDeps(), queue, FAST);
      const events = collect<PrintJobEvent>((l) => printer.onJob(l));
      await printer.enable();
      // The cable goes as the job's last bytes arrive: the printer prints and cuts, its reply has nowhere to go.
      const receive = sim.engine.receive.bind(sim.engine);
      let pulled = false;
      sim.engine.receive = (chunk) => {
        if (!pulled && Buffer.from(chunk).includes(Buffer.from(PAPER_STATUS_REQUEST))) {
          pulled = true;
          sim.dropClients();
        }
        receive(chunk);
      };
      const r = receipt(2);
      const jobId = printer.print(r.bytes);
      await until(() => queue.get(jobId)!.state === 'done', 'the job after the reconnect', 5_000);
      expect(pulled).toBe(true);
      expect(sim.engine.printed.map((p) => p.text)).toEqual([r.text, r.text]);
      expect(queue.get(jobId)).toMatchObject({ attempts: 2 });
      expect(events).toContainEqual({ jobId, state: 'interrupted', problem: 'disconnected' });
      await printer.close();
    });
  });
});
