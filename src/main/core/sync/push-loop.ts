import { AppFailure } from '../../../shared/contract';
import type { Timers } from '../devices/reconnect';
import type { OutboxBatch } from '../ledger/outbox';
import { MAX_BATCH_ENTRIES, PushAnswer, type PushBatch, type PushReceipt, type PushRefusal } from '../../../shared/sync/protocol';
import { DEFAULT_SYNC_BACKOFF, fullJitter, type BackoffPolicy } from './backoff';
import { BatchBuildError, buildPushBatch, fitBatch } from './batcher';
import { verifySigned } from './signing';
import { postSigned, stamp, type Stamp } from './hq-clock';
import type { HqLink } from './hq-link';
import { SingleFlight } from './single-flight';

/**
 * Push (sync-ledger.md §2.4): one batch in flight, read from the journal after
 * the ack cursor; entries are acknowledged only from a receipt HQ signed with
 * the key pinned at enrolment, naming exactly the stream, seq and hash sent.
 * Anything else — HQ unreachable, slow, 5xx, garbage, a receipt that does not
 * verify — keeps every entry and tries again later, on a timer that runs
 * whether or not sales happen. A refusal that says the stream is frozen,
 * forked or malformed stops the loop and says so; retrying would not help.
 */
export interface PushLoopOptions extends HqLink {
  timers: Timers;
  appVersion: string;
  maxEntries?: number;
  backoff?: BackoffPolicy;
  /** When caught up, look again this often even without a sale (a sale also kicks the loop). */
  idleMs?: number;
  /** A Retry-After beyond this is taken as this: a misconfigured proxy must not park a terminal for days. */
  maxRetryAfterMs?: number;
  /** Called with true on any authentic HQ answer, false when HQ could not be reached. */
  onReachability?: (reachable: boolean) => void;
  onChange?: () => void;
}

export interface PushProblem {
  code: string;
  message: string;
  at: number;
}

export interface PushStatus {
  running: boolean;
  inFlight: { fromSeq: number; toSeq: number } | null;
  /** Consecutive failures; 0 after a verified receipt. */
  attempt: number;
  nextAttemptAt: number | null;
  lastReceiptAt: number | null;
  lastError: PushProblem | null;
  /** Set when HQ froze the stream (or refused the terminal): the loop has stopped. */
  frozen: PushProblem | null;
  /** Receipts that did not verify or did not match what was sent: never acknowledged. */
  rejectedReceipts: number;
  /** While draining a backlog: from the ack cursor when it started to the head it is heading for. */
  catchUp: { fromSeq: number; targetSeq: number } | null;
}

/**
 * Entries per push by default: the protocol's maximum. A catch-up pays HQ's
 * per-batch work (signature, cursor lock, receipt) and a round trip per batch,
 * so fewer, fuller batches drain a backlog faster; HQ's too_large answer still
 * halves it.
 */
export const DEFAULT_PUSH_ENTRIES = MAX_BATCH_ENTRIES;

type Outcome = { kind: 'acked' } | { kind: 'empty' } | { kind: 'again' } | { kind: 'retry'; retryAfterMs: number | null } | { kind: 'stopped' };

const STOP_CODES: ReadonlySet<PushRefusal['code']> = new Set(['frozen', 'equivocation', 'structural', 'schema_version', 'bad_signature', 'unknown_terminal', 'revoked']);
/** While the journal is verified at start, look again this soon. */
const VERIFYING_RETRY_MS = 1000;
/** Consecutive gap answers before the loop backs off instead of resending at once. */
const MAX_GAP_RESENDS = 3;

export class PushLoop {
  private started = false;
  private running = false;
  /** The run in progress, so callers can wait for it rather than start another. */
  private readonly flight = new SingleFlight(() => this.runBatches());
  private timer: unknown = null;
  private inBackoff = false;
  /** The running backoff is one HQ asked for (Retry-After), not one drawn while it did not answer. */
  private toldToWait = false;
  private maxEntries: number;
  /** After a gap: HQ's cursor, below our ack cursor (HQ restored from a backup). */
  private resendAfter: number | null = null;
  private gapResends = 0;
  private readonly s: PushStatus = {
    running: false,
    inFlight: null,
    attempt: 0,
    nextAttemptAt: null,
    lastReceiptAt: null,
    lastError: null,
    frozen: null,
    rejectedReceipts: 0,
    catchUp: null,
  };

  constructor(private readonly o: PushLoopOptions) {
    this.maxEntries = o.maxEntries ?? DEFAULT_PUSH_ENTRIES;
  }

  status(): PushStatus {
    return { ...this.s, running: this.started };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.schedule(0, false);
  }

  stop(): void {
    this.started = false;
    this.clearTimer();
    this.s.nextAttemptAt = null;
  }

  /** A sale was written: push soon, unless a backoff is running (HQ said to wait) or a push is in flight. */
  kick(): void {
    if (!this.started || this.running || this.inBackoff || this.s.frozen) return;
    this.schedule(0, false);
  }

  /**
   * HQ answered again (a pull, a hold): a backoff drawn while it was away that
   * would still run past `graceMs` ends now, so the entries written meanwhile
   * reach it at once. A wait HQ asked for stands.
   */
  wake(graceMs: number): void {
    if (!this.started || this.running || this.s.frozen || !this.inBackoff || this.toldToWait) return;
    if ((this.s.nextAttemptAt ?? 0) - this.o.clock.now() <= graceMs) return;
    this.schedule(0, false);
  }

  /** Runs batches until caught up or a failure (or joins the run in progress); resolves when that run ends. */
  async runNow(): Promise<void> {
    if (!this.started) return;
    if (this.flight.busy) return this.flight.join();
    this.clearTimer();
    await this.flight.join();
  }

  /**
   * Pushes until HQ has acknowledged the journal through `seq`, joining a run
   * already in flight; false when a run ends short of it (HQ away, a backoff
   * HQ asked for, a frozen stream). Before an online redemption, so HQ's hold
   * counts the points this terminal has just written.
   */
  async pushThrough(seq: number): Promise<boolean> {
    // A run started before `seq` was written loops until the journal is empty, so two runs are the most it takes.
    for (let runs = 0; runs < 2 && this.o.ledger.ackCursor().seq < seq; runs++) {
      if (!this.flight.busy && (this.inBackoff || this.s.frozen)) break;
      await this.runNow();
    }
    return this.o.ledger.ackCursor().seq >= seq;
  }

  private clearTimer(): void {
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number, backoff: boolean): void {
    this.clearTimer();
    this.inBackoff = backoff;
    this.toldToWait = false;
    this.s.nextAttemptAt = this.o.clock.now() + ms;
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = null;
      void this.flight.join();
    }, ms);
    this.o.onChange?.();
  }

  private async runBatches(): Promise<void> {
    if (!this.started || this.running || this.s.frozen) return;
    this.running = true;
    this.inBackoff = false;
    this.s.nextAttemptAt = null;
    try {
      for (;;) {
        const outcome = await this.pushOnce();
        if (!this.started) return;
        if (outcome.kind === 'acked') {
          this.s.attempt = 0;
          continue;
        }
        if (outcome.kind === 'again') continue;
        if (outcome.kind === 'empty') {
          this.s.attempt = 0;
          this.s.catchUp = null;
          this.schedule(this.o.idleMs ?? 30_000, false);
          return;
        }
        if (outcome.kind === 'retry') {
          const jitter = fullJitter(this.s.attempt, this.o.backoff ?? DEFAULT_SYNC_BACKOFF, this.o.random);
          const told = outcome.retryAfterMs === null ? 0 : Math.min(outcome.retryAfterMs, this.o.maxRetryAfterMs ?? 3600_000);
          this.s.attempt++;
          this.schedule(Math.max(jitter, told), true);
          this.toldToWait = told > jitter;
          return;
        }
        return;
      }
    } catch (error) {
      // The journal failed its check at start: pushing it would have HQ vouch for entries this terminal cannot.
      if (error instanceof AppFailure && error.code === 'ledger_damaged') {
        this.stopLoud('ledger_damaged', error.message);
        return;
      }
      // Still being checked at start: not a failure, the verdict comes in moments.
      if (error instanceof AppFailure && error.code === 'unavailable') {
        this.schedule(VERIFYING_RETRY_MS, false);
        return;
      }
      // A bug here must not kill the retry timer: the entries stay in the journal either way.
      this.fail('internal', String(error instanceof Error ? error.stack : error));
      this.s.attempt++;
      this.schedule(fullJitter(this.s.attempt, this.o.backoff ?? DEFAULT_SYNC_BACKOFF, this.o.random), true);
    } finally {
      this.running = false;
      this.s.inFlight = null;
      this.o.onChange?.();
    }
  }

  private fail(code: string, message: string): void {
    this.s.lastError = { code, message, at: this.o.clock.now() };
    this.o.logger.warn('sync push failed', { code, message, attempt: this.s.attempt });
  }

  private stopLoud(code: string, message: string): Outcome {
    this.s.frozen = { code, message, at: this.o.clock.now() };
    this.o.logger.error('sync push stopped: the stream needs an operator', { code, message, terminalId: this.o.enrolment.terminalId, epoch: this.o.enrolment.epoch });
    this.started = false;
    this.clearTimer();
    return { kind: 'stopped' };
  }

  private reachable(yes: boolean): void {
    this.o.onReachability?.(yes);
  }

  private async pushOnce(): Promise<Outcome> {
    const { ledger } = this.o;
    const ack = ledger.ackCursor();
    const head = ledger.head();
    if (head.epoch !== this.o.enrolment.epoch) return this.stopLoud('epoch_mismatch', `the ledger writes epoch ${head.epoch}, HQ enrolled epoch ${this.o.enrolment.epoch}: restart needed`);
    const after = this.resendAfter ?? ack.seq;
    const read = ledger.outbox(this.maxEntries, after);
    if (!read) {
      this.resendAfter = null;
      return { kind: 'empty' };
    }
    const outbox = fitBatch(read);
    if (!this.s.catchUp || this.s.catchUp.targetSeq < head.seq) this.s.catchUp = { fromSeq: this.s.catchUp?.fromSeq ?? after, targetSeq: head.seq };

    const build = (stamp: Stamp) => buildPushBatch(outbox, { key: this.o.key, appVersion: this.o.appVersion, ...stamp, terminalTime: this.o.clock.now(), headSeq: head.seq });
    let first: PushBatch;
    try {
      first = build(stamp(this.o.hqClock, this.o.random));
    } catch (error) {
      if (error instanceof BatchBuildError) return this.stopLoud('local_batch', error.message);
      throw error;
    }
    this.s.inFlight = { fromSeq: outbox.fromSeq, toSeq: outbox.toSeq };
    this.o.onChange?.();
    // Signed anew for every send (HQ takes each nonce once); a stale or replayed answer is signed again at once.
    const { result, sent: batch } = await postSigned(this.o, '/v1/push', build, first);
    this.s.inFlight = null;

    if (result.kind === 'timeout' || result.kind === 'unreachable') {
      this.reachable(false);
      this.fail(result.kind, result.kind === 'unreachable' ? result.detail : 'HQ did not answer in time');
      return { kind: 'retry', retryAfterMs: null };
    }
    if (result.status === 429 || result.status === 503) {
      this.reachable(false);
      this.fail(`http_${result.status}`, 'HQ asked to come back later');
      return { kind: 'retry', retryAfterMs: result.retryAfterMs };
    }
    const answer = result.kind === 'answer' ? PushAnswer.safeParse(result.body) : null;
    if (!answer?.success) {
      this.reachable(false);
      this.fail('garbage', `HQ answered ${result.status} without a push answer${result.kind === 'garbage' ? `: ${result.detail}` : ''}`);
      return { kind: 'retry', retryAfterMs: result.retryAfterMs };
    }
    if (answer.data.ok) return this.onReceipt(answer.data.receipt, batch, outbox);
    this.reachable(true);
    return this.onRefusal(answer.data.refusal, outbox);
  }

  /** Why this receipt does not acknowledge this batch, or null. */
  private receiptProblem(receipt: PushReceipt, batch: PushBatch): string | null {
    const e = this.o.enrolment;
    if (receipt.keyId !== e.hqKeyId) return `receipt signed with key ${receipt.keyId}, not HQ's ${e.hqKeyId}`;
    if (!verifySigned(e.hqPublicKey, receipt)) return 'receipt signature does not verify';
    if (receipt.terminalId !== batch.header.terminalId || receipt.epoch !== batch.header.epoch) return `receipt is for ${receipt.terminalId}/${receipt.epoch}`;
    if (receipt.ackedThroughSeq !== batch.header.toSeq || receipt.ackedHash !== batch.header.lastHash) {
      return `receipt acknowledges seq ${receipt.ackedThroughSeq}, the batch ran to ${batch.header.toSeq}`;
    }
    return null;
  }

  private onReceipt(receipt: PushReceipt, batch: PushBatch, outbox: OutboxBatch): Outcome {
    const problem = this.receiptProblem(receipt, batch);
    if (problem) {
      this.s.rejectedReceipts++;
      this.o.logger.error('sync push: receipt refused, nothing acknowledged', { problem, fromSeq: outbox.fromSeq, toSeq: outbox.toSeq });
      this.s.lastError = { code: 'bad_receipt', message: problem, at: this.o.clock.now() };
      return { kind: 'retry', retryAfterMs: null };
    }
    this.o.ledger.recordAck({ throughSeq: receipt.ackedThroughSeq, hash: receipt.ackedHash, hqReceipt: JSON.stringify(receipt) });
    const acked = this.o.ledger.ackCursor().seq;
    this.resendAfter = receipt.ackedThroughSeq < acked ? receipt.ackedThroughSeq : null;
    this.gapResends = 0;
    this.s.lastReceiptAt = this.o.clock.now();
    this.s.lastError = null;
    this.reachable(true);
    if (receipt.exceptions.length > 0) this.o.logger.warn('HQ recorded exceptions for pushed entries', { exceptions: receipt.exceptions });
    this.o.onChange?.();
    return { kind: 'acked' };
  }

  private onRefusal(refusal: PushRefusal, outbox: OutboxBatch): Outcome {
    if (STOP_CODES.has(refusal.code)) return this.stopLoud(refusal.code, refusal.message);
    if (refusal.code === 'too_large') {
      this.maxEntries = Math.max(1, Math.floor(this.maxEntries / 2));
      this.fail('too_large', `batch of ${outbox.entries.length} refused as too large; now at most ${this.maxEntries}`);
      return { kind: 'again' };
    }
    if (refusal.code === 'gap') return this.onGap(refusal, outbox);
    // 'malformed': a body cut or altered on the way fails HQ's digest check; a fresh copy may pass.
    this.fail(refusal.code, refusal.message);
    return { kind: 'retry', retryAfterMs: null };
  }

  /** HQ holds less than we sent from: resend from its cursor, once we know its cursor is our own history. */
  private onGap(refusal: PushRefusal, outbox: OutboxBatch): Outcome {
    const cursor = refusal.cursor;
    if (!cursor || cursor.lastSeq >= outbox.fromSeq - 1) {
      this.fail('gap', `gap answer with a cursor that is no gap: ${JSON.stringify(cursor)}`);
      return { kind: 'retry', retryAfterMs: null };
    }
    const next = this.o.ledger.outbox(1, cursor.lastSeq);
    if (!next || next.prevHash !== cursor.lastHash) {
      return this.stopLoud('fork', `HQ's cursor (seq ${cursor.lastSeq}, ${cursor.lastHash}) is not this terminal's history`);
    }
    this.gapResends++;
    this.fail('gap', `HQ holds through seq ${cursor.lastSeq}; resending from ${cursor.lastSeq + 1}`);
    if (this.gapResends > MAX_GAP_RESENDS) {
      this.gapResends = 0;
      return { kind: 'retry', retryAfterMs: null };
    }
    this.resendAfter = cursor.lastSeq;
    this.s.catchUp = null;
    return { kind: 'again' };
  }
}
