import { uuidv7 } from '../ids';
import type { DeviceCondition } from './device-state';
import { codeTableNumber, DEFAULT_PRINTER_PROFILE_ID, printerProfile, type PrinterProfileId } from './printer-profiles';
import { CANCEL_KANJI, ESC, INITIALIZE, PAPER_STATUS_REQUEST, RECOVER_CLEAR, automaticStatusBack, realtimeStatusRequest } from './protocols/escpos';
import { PrinterReplyParser, UNKNOWN_STATUS, applyStatus, type PrinterReply, type PrinterStatus } from './protocols/escpos-status';
import type { PrintQueue } from './print-queue';
import { TransportDevice, type DeviceDeps } from './transport-device';
import type { ByteTransport } from './transport';
import { Listeners } from './listeners';

export interface PrinterOptions {
  /** The model: head width, fonts, and its vendor's `ESC t` numbers (printer-profiles.ts). */
  profile: PrinterProfileId;
  /** Receipt columns: 42 on 58 mm (Font B, 378 of 384 dots), 48 on 80 mm (Font A, 576 dots). */
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
  profile: DEFAULT_PRINTER_PROFILE_ID,
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

interface RealtimeWaiter {
  /** Answered once this many `DLE EOT` replies have come since the connection opened. */
  until: number;
  resolve: (answered: boolean) => void;
}

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
 *
 * The clear races the cashier: paper loaded before it reaches the printer lets
 * the interrupted copy finish, and its `GS r` reply then comes late. So before
 * a copy is printed again, the driver clears once more and asks `DLE EOT`:
 * the printer sends its replies in the order it makes them, so once those
 * answers are in, the late reply has come or never will, and a copy that
 * finished is counted done instead of printed twice.
 */
export class PrinterDevice extends TransportDevice {
  readonly kind = 'printer' as const;
  readonly options: PrinterOptions;
  private readonly parser = new PrinterReplyParser();
  private printerStatus: PrinterStatus = UNKNOWN_STATUS;
  private silent = false;
  private realtimeAsked = 0;
  private realtimeAnswered = 0;
  private readonly realtimeWaiters = new Set<RealtimeWaiter>();
  /** The last copy interrupted after its closing `GS r 1` went out, until the next clear settles whether it finished. */
  private interrupted: { jobId: string; finished: boolean } | null = null;
  private active: { jobId: string; finish: (outcome: JobOutcome) => void; problem: string | null } | null = null;
  private pumping = false;
  /** A wake-up (paper back, a new job) that came while the queue was being pumped: pump again after. */
  private pumpAgain = false;
  private pollHandle: unknown = null;
  private readonly jobListeners = new Listeners<PrintJobEvent>();

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
    return this.jobListeners.add(listener);
  }

  protected override readyCondition(): DeviceCondition {
    return this.currentCondition();
  }

  protected async connected(): Promise<void> {
    this.parser.reset();
    this.forgetRealtime();
    this.interrupted = null;
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
    // ESC @ forgets the code page: the receipt's page again straight after it, in this vendor's numbering, or € and accents come out wrong.
    const profile = printerProfile(this.options.profile);
    const selectPage = Uint8Array.of(ESC, 0x74, codeTableNumber(profile, profile.textCodePage));
    const init = [INITIALIZE, selectPage, ...(this.options.cancelKanji ? [CANCEL_KANJI] : []), automaticStatusBack()];
    await this.transport.write(concat(...init));
    this.schedulePoll();
    // The device becomes enabled after this returns; the queue waits for that.
    this.deps.timers.setTimeout(() => void this.pump(), 0);
  }

  protected stopped(): void {
    if (this.pollHandle !== null) this.deps.timers.clearTimeout(this.pollHandle);
    this.pollHandle = null;
    this.parser.reset();
    this.forgetRealtime();
    this.interrupted = null;
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
        this.realtimeAnswered = Math.min(this.realtimeAsked, this.realtimeAnswered + 1);
        this.updateStatus(applyStatus(this.printerStatus, reply.status), false);
        for (const waiter of this.realtimeWaiters) {
          if (waiter.until > this.realtimeAnswered) continue;
          this.realtimeWaiters.delete(waiter);
          waiter.resolve(true);
        }
        return;
      case 'asb':
        this.updateStatus(reply.status, false);
        return;
      case 'job_done':
        this.updateStatus(applyStatus(this.printerStatus, reply.status), true);
        if (this.active) this.active.finish('done');
        else if (this.interrupted) this.interrupted.finished = true;
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

  /** Asks all four `DLE EOT` questions; true once all are answered. Rounds may overlap (a poll during a recovery). */
  private async queryStatus(): Promise<boolean> {
    if (this.realtimeWaiters.size === 0 && this.realtimeAsked > this.realtimeAnswered) {
      // Unanswered questions of a round that timed out: forget them, or a late answer would be read as this round's.
      this.parser.forgetRealtime();
      this.realtimeAnswered = this.realtimeAsked;
    }
    for (const n of [1, 2, 3, 4] as const) this.parser.expectRealtime(n);
    this.realtimeAsked += 4;
    const waiter: RealtimeWaiter = { until: this.realtimeAsked, resolve: () => undefined };
    const answered = new Promise<boolean>((resolve) => (waiter.resolve = resolve));
    this.realtimeWaiters.add(waiter);
    const giveUp = () => {
      if (this.realtimeWaiters.delete(waiter)) waiter.resolve(false);
    };
    const timer = this.deps.timers.setTimeout(giveUp, this.options.replyTimeoutMs);
    try {
      await this.transport.write(concat(...([1, 2, 3, 4] as const).map((n) => realtimeStatusRequest(n))));
    } catch {
      giveUp();
    }
    const result = await answered;
    this.deps.timers.clearTimeout(timer);
    return result;
  }

  private forgetRealtime(): void {
    this.parser.forgetRealtime();
    this.realtimeAnswered = this.realtimeAsked;
    for (const waiter of this.realtimeWaiters) waiter.resolve(false);
    this.realtimeWaiters.clear();
  }

  /**
   * Clears what the printer still holds of an interrupted copy and waits for
   * `DLE EOT` answers, which come after any reply sent before the clear took
   * effect. Returns the interrupted job if it turned out printed, null if it
   * did not, undefined if the printer did not answer (nothing is settled).
   */
  private async clearInterrupted(): Promise<string | null | undefined> {
    try {
      await this.transport.write(RECOVER_CLEAR);
    } catch {
      return undefined;
    }
    if (!(await this.queryStatus())) return undefined;
    const interrupted = this.interrupted;
    this.interrupted = null;
    if (interrupted?.finished) return interrupted.jobId;
    // Its reply can no longer come: the clear emptied the buffer that held its GS r.
    if (interrupted) this.parser.forgetPaperReplies();
    return null;
  }

  private schedulePoll(): void {
    this.pollHandle = this.deps.timers.setTimeout(() => void this.poll(), this.options.statusPollMs);
  }

  private async poll(): Promise<void> {
    this.pollHandle = null;
    if (!this.transport.isOpen) return;
    const answered = await this.queryStatus();
    if (!answered && !this.silent) {
      this.silent = true;
      if (this.machine.state === 'enabled') this.machine.setCondition('not_responding');
      this.diagnose('no_reply', `no DLE EOT reply within ${this.options.replyTimeoutMs} ms`);
    }
    if (this.transport.isOpen) this.schedulePoll();
  }

  private async pump(): Promise<void> {
    if (this.pumping) {
      // The running pump may be about to stop on what this call says has changed.
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pumpAgain = false;
    // A job tried before (here, or before a restart) may have left bytes in the printer, or even finished.
    let cleared: string | null = null;
    try {
      while (this.machine.state === 'enabled' && printable(this.currentCondition()) && !this.active) {
        const job = this.queue.next(this.id);
        if (!job) break;
        if ((job.attempts > 0 || this.interrupted) && cleared !== job.jobId) {
          const finished = await this.clearInterrupted();
          if (finished === undefined) break;
          if (finished !== null && this.queue.markInterruptedDone(finished, this.deps.clock.now())) this.emitJob({ jobId: finished, state: 'done' });
          cleared = job.jobId;
          continue;
        }
        const outcome = await this.printOne(job.jobId, job.payload);
        if (outcome !== 'done') break;
      }
    } finally {
      this.pumping = false;
      this.publishPending();
      if (this.pumpAgain) void this.pump();
    }
  }

  private async printOne(jobId: string, job: Uint8Array): Promise<JobOutcome> {
    if (!this.queue.markPrinting(jobId, this.deps.clock.now())) return 'lost';
    // A renderer may already close the job with GS r 1; the driver sends its own, once, and waits for that reply.
    const body = endsWith(job, PAPER_STATUS_REQUEST) ? job.subarray(0, job.byteLength - PAPER_STATUS_REQUEST.byteLength) : job;
    // The closing GS r 1 travels with the last bytes: a copy whose cut went out always has its reply coming.
    const payload = concat(body, PAPER_STATUS_REQUEST);
    let closed = false;
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
      for (let at = 0; at < payload.byteLength && !settled; at += this.options.chunkBytes) {
        const last = at + this.options.chunkBytes >= payload.byteLength;
        if (last) {
          this.parser.expectPaperStatus();
          closed = true;
        }
        await this.transport.write(payload.subarray(at, at + this.options.chunkBytes));
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
    // A lost connection forgets everything the printer held; a stopped or silent one may still finish this copy.
    if (closed && outcome !== 'lost') this.interrupted = { jobId, finished: false };
    if (outcome === 'timeout') {
      this.silent = true;
      if (this.machine.state === 'enabled') this.machine.setCondition('not_responding');
    }
    if (outcome === 'fault' || outcome === 'timeout') {
      // Cleared now, while the printer is stopped: on fresh paper it would otherwise finish this copy by itself.
      await this.transport.write(RECOVER_CLEAR).catch(() => undefined);
    }
    if (this.queue.markInterrupted(jobId, at, problem)) this.emitJob({ jobId, state: 'interrupted', problem });
    return outcome;
  }

  private emitJob(event: PrintJobEvent): void {
    this.jobListeners.emit(event);
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
