import { uuidv7 } from '../ids';
import type { DeviceCondition } from './device-state';
import { CANCEL_KANJI, INITIALIZE, PAPER_STATUS_REQUEST, RECOVER_CLEAR, SELECT_WPC1252, automaticStatusBack, realtimeStatusRequest } from './protocols/escpos';
import { PrinterReplyParser, UNKNOWN_STATUS, applyStatus, type PrinterReply, type PrinterStatus } from './protocols/escpos-status';
import type { PrintQueue } from './print-queue';
import { TransportDevice, type DeviceDeps } from './transport-device';
import type { ByteTransport } from './transport';

export interface PrinterOptions {
  /** 42 on 80 mm paper with font A at 12 dots (some 58 mm heads fit 32), 48 on 80 mm with 576 dots. */
  columns: 42 | 48;
  /** `DLE EOT` polling: the heartbeat that finds a printer switched off, or out of paper while idle. */
  statusPollMs: number;
  /** How long a `DLE EOT` reply may take. */
  replyTimeoutMs: number;
  /** How long a job may take from its last byte to the `GS r` reply before it counts as not confirmed. */
  jobTimeoutMs: number;
  /** Bytes per write: small enough that a fault stops the job between two chunks. */
  chunkBytes: number;
  /** Greetings (each after a NUL flush) before a silent printer counts as not there. */
  helloAttempts: number;
  /** Chinese-market clones start in Kanji mode: send `FS .` after each `ESC @`. */
  cancelKanji: boolean;
}

export const DEFAULT_PRINTER: PrinterOptions = {
  columns: 48,
  statusPollMs: 2_000,
  replyTimeoutMs: 1_000,
  jobTimeoutMs: 30_000,
  chunkBytes: 1_024,
  helloAttempts: 3,
  cancelKanji: false,
};

export type PrintJobEvent =
  | { jobId: string; state: 'queued' | 'printing' | 'done' }
  | { jobId: string; state: 'interrupted'; problem: string };

/** Enough NULs to complete any multi-byte command a job cut by an unplug left open (ReceiptIO sends 8192; our jobs send no images). */
const NUL_FLUSH = new Uint8Array(512);

type JobOutcome = 'done' | 'fault' | 'timeout' | 'lost';

function conditionOf(status: PrinterStatus): DeviceCondition {
  if (status.coverOpen) return 'cover_open';
  if (status.paperOut) return 'paper_out';
  if (status.error) return 'printer_error';
  if (!status.online) return 'offline';
  if (status.paperLow) return 'paper_low';
  return 'ok';
}

const printable = (condition: DeviceCondition) => condition === 'ok' || condition === 'paper_low';

/**
 * An ESC/POS receipt printer over any transport. Jobs go through a queue kept
 * in SQLite; each ends with `GS r 1`, whose reply proves the printer processed
 * every byte before it, and only then is the job done. Paper out, cover open
 * or an error mid-job (seen through Automatic Status Back or `DLE EOT`
 * polling) interrupts it: the printer's buffer is cleared (`DLE ENQ 2`) so the
 * rest of that copy never comes out, the cashier is told, and the job is
 * printed again from the start once the printer is fine.
 */
export class PrinterDevice extends TransportDevice {
  readonly kind = 'printer' as const;
  readonly options: PrinterOptions;
  private readonly parser = new PrinterReplyParser();
  private printerStatus: PrinterStatus = UNKNOWN_STATUS;
  private silent = false;
  private realtimeOutstanding = 0;
  private realtimeWaiter: { count: number; resolve: (answered: boolean) => void } | null = null;
  private active: { jobId: string; finish: (outcome: JobOutcome) => void; problem: string | null } | null = null;
  private pumping = false;
  private pollHandle: unknown = null;
  private readonly jobListeners = new Set<(event: PrintJobEvent) => void>();

  constructor(
    id: string,
    name: string,
    transport: ByteTransport,
    deps: DeviceDeps,
    private readonly queue: PrintQueue,
    options: Partial<PrinterOptions> = {},
  ) {
    super(id, name, 'printer', transport, deps);
    this.options = { ...DEFAULT_PRINTER, ...options };
    this.publishPending();
  }

  /** Queues bytes to print (a rendered receipt, from `ESC @` to the cut) and returns the job id. Never throws for a printer fault. */
  print(payload: Uint8Array, label = 'receipt'): string {
    const jobId = uuidv7(this.deps.clock, this.deps.random);
    this.queue.add({ jobId, printerId: this.id, label, payload, at: this.deps.clock.now() });
    this.emitJob({ jobId, state: 'queued' });
    this.publishPending();
    void this.pump();
    return jobId;
  }

  /** The last status the printer reported. */
  printerState(): PrinterStatus & { notResponding: boolean } {
    return { ...this.printerStatus, notResponding: this.silent };
  }

  onJob(listener: (event: PrintJobEvent) => void): () => void {
    this.jobListeners.add(listener);
    return () => this.jobListeners.delete(listener);
  }

  protected override readyCondition(): DeviceCondition {
    return this.currentCondition();
  }

  protected async connected(): Promise<void> {
    this.parser.reset();
    this.realtimeOutstanding = 0;
    this.printerStatus = UNKNOWN_STATUS;
    this.silent = false;
    let answered = false;
    for (let attempt = 0; attempt < this.options.helloAttempts && !answered; attempt++) {
      if (attempt > 0) await this.transport.write(NUL_FLUSH);
      answered = await this.queryStatus();
    }
    if (!answered) throw new Error('the printer does not answer DLE EOT');
    // A job cut by the unplug may sit in the printer's buffer; it is printed again from the start.
    if (this.queue.next(this.id)) await this.transport.write(RECOVER_CLEAR);
    // ESC @ forgets the code page: WPC1252 again straight after it, or € and accents come out wrong.
    const init = [INITIALIZE, SELECT_WPC1252, ...(this.options.cancelKanji ? [CANCEL_KANJI] : []), automaticStatusBack()];
    await this.transport.write(concat(...init));
    this.schedulePoll();
    // The device becomes enabled after this returns; the queue waits for that.
    this.deps.timers.setTimeout(() => void this.pump(), 0);
  }

  protected stopped(): void {
    if (this.pollHandle !== null) this.deps.timers.clearTimeout(this.pollHandle);
    this.pollHandle = null;
    this.parser.reset();
    this.realtimeOutstanding = 0;
    this.realtimeWaiter?.resolve(false);
    this.realtimeWaiter = null;
    this.active?.finish('lost');
  }

  protected received(bytes: Buffer): void {
    for (const reply of this.parser.push(bytes)) this.handle(reply);
  }

  private handle(reply: PrinterReply): void {
    switch (reply.type) {
      case 'diagnostic':
        this.diagnose(reply.code, reply.detail);
        return;
      case 'flow':
        return;
      case 'realtime':
        this.realtimeOutstanding = Math.max(0, this.realtimeOutstanding - 1);
        this.updateStatus(applyStatus(this.printerStatus, reply.status), false);
        if (this.realtimeWaiter && --this.realtimeWaiter.count === 0) {
          this.realtimeWaiter.resolve(true);
          this.realtimeWaiter = null;
        }
        return;
      case 'asb':
        this.updateStatus(reply.status, false);
        return;
      case 'job_done':
        this.updateStatus(applyStatus(this.printerStatus, reply.status), true);
        if (this.active) this.active.finish('done');
        else this.diagnose('unexpected_job_done', 'a GS r reply with no job printing');
        return;
    }
  }

  private currentCondition(): DeviceCondition {
    return this.silent ? 'not_responding' : conditionOf(this.printerStatus);
  }

  private updateStatus(status: PrinterStatus, fromJobEnd: boolean): void {
    const wasPrintable = printable(this.currentCondition());
    this.printerStatus = status;
    this.silent = false;
    const condition = this.currentCondition();
    if (this.machine.state === 'enabled') this.machine.setCondition(condition);
    if (!printable(condition) && this.active && !fromJobEnd) {
      this.active.problem = condition;
      this.active.finish('fault');
    }
    if (printable(condition) && !wasPrintable) void this.pump();
  }

  /** Asks all four `DLE EOT` questions; true once all are answered. */
  private async queryStatus(): Promise<boolean> {
    this.realtimeWaiter?.resolve(false);
    const answered = new Promise<boolean>((resolve) => {
      this.realtimeWaiter = { count: 4, resolve };
    });
    const timer = this.deps.timers.setTimeout(() => {
      this.realtimeWaiter?.resolve(false);
      this.realtimeWaiter = null;
    }, this.options.replyTimeoutMs);
    for (const n of [1, 2, 3, 4] as const) this.parser.expectRealtime(n);
    this.realtimeOutstanding += 4;
    try {
      await this.transport.write(concat(...([1, 2, 3, 4] as const).map((n) => realtimeStatusRequest(n))));
    } catch {
      this.realtimeWaiter?.resolve(false);
      this.realtimeWaiter = null;
    }
    const result = await answered;
    this.deps.timers.clearTimeout(timer);
    return result;
  }

  private schedulePoll(): void {
    this.pollHandle = this.deps.timers.setTimeout(() => void this.poll(), this.options.statusPollMs);
  }

  private async poll(): Promise<void> {
    this.pollHandle = null;
    if (!this.transport.isOpen) return;
    if (this.realtimeOutstanding > 0 && !this.active) {
      // Unanswered questions from the last round: forget them, or a late answer would be read as this round's.
      this.parser.reset();
      this.realtimeOutstanding = 0;
    }
    const answered = await this.queryStatus();
    if (!answered && !this.silent) {
      this.silent = true;
      if (this.machine.state === 'enabled') this.machine.setCondition('not_responding');
      this.diagnose('no_reply', `no DLE EOT reply within ${this.options.replyTimeoutMs} ms`);
    }
    if (this.transport.isOpen) this.schedulePoll();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.machine.state === 'enabled' && printable(this.currentCondition()) && !this.active) {
        const job = this.queue.next(this.id);
        if (!job) break;
        const outcome = await this.printOne(job.jobId, job.payload, job.attempts > 0);
        if (outcome !== 'done') break;
      }
    } finally {
      this.pumping = false;
      this.publishPending();
    }
  }

  private async printOne(jobId: string, job: Uint8Array, retry: boolean): Promise<JobOutcome> {
    if (!this.queue.markPrinting(jobId, this.deps.clock.now())) return 'lost';
    // A renderer may already close the job with GS r 1; the driver sends its own, once, and waits for that reply.
    const payload = endsWith(job, PAPER_STATUS_REQUEST) ? job.subarray(0, job.byteLength - PAPER_STATUS_REQUEST.byteLength) : job;
    let settle!: (outcome: JobOutcome) => void;
    const finished = new Promise<JobOutcome>((resolve) => (settle = resolve));
    let settled = false;
    const active = {
      jobId,
      problem: null as string | null,
      finish: (outcome: JobOutcome) => {
        if (settled) return;
        settled = true;
        settle(outcome);
      },
    };
    this.active = active;
    this.emitJob({ jobId, state: 'printing' });
    try {
      // A retried job: whatever the last attempt left in the printer's buffer must not print.
      if (retry) await this.transport.write(RECOVER_CLEAR);
      for (let at = 0; at < payload.byteLength && !settled; at += this.options.chunkBytes) {
        await this.transport.write(payload.subarray(at, at + this.options.chunkBytes));
      }
      if (!settled) {
        this.parser.expectPaperStatus();
        await this.transport.write(PAPER_STATUS_REQUEST);
      }
    } catch (error) {
      active.problem = `write failed: ${String(error)}`;
      active.finish('lost');
    }
    const timer = this.deps.timers.setTimeout(() => active.finish('timeout'), this.options.jobTimeoutMs);
    const outcome = await finished;
    this.deps.timers.clearTimeout(timer);
    this.active = null;
    const at = this.deps.clock.now();
    if (outcome === 'done') {
      if (this.queue.markDone(jobId, at)) this.emitJob({ jobId, state: 'done' });
      return outcome;
    }
    const problem = active.problem ?? (outcome === 'timeout' ? 'not_responding' : 'disconnected');
    if (outcome === 'fault') {
      // Cleared now, while the printer is stopped: on fresh paper it would otherwise finish this copy by itself.
      this.parser.reset();
      this.realtimeOutstanding = 0;
      await this.transport.write(RECOVER_CLEAR).catch(() => undefined);
    }
    if (outcome === 'timeout') {
      this.silent = true;
      this.parser.reset();
      this.realtimeOutstanding = 0;
      if (this.machine.state === 'enabled') this.machine.setCondition('not_responding');
      await this.transport.write(RECOVER_CLEAR).catch(() => undefined);
    }
    if (this.queue.markInterrupted(jobId, at, problem)) this.emitJob({ jobId, state: 'interrupted', problem });
    return outcome;
  }

  private emitJob(event: PrintJobEvent): void {
    for (const listener of this.jobListeners) listener(event);
  }

  private publishPending(): void {
    this.machine.setExtra({ pendingJobs: this.queue.pendingCount(this.id) });
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function endsWith(bytes: Uint8Array, tail: Uint8Array): boolean {
  if (bytes.byteLength < tail.byteLength) return false;
  const offset = bytes.byteLength - tail.byteLength;
  return tail.every((b, i) => bytes[offset + i] === b);
}
