import type { Locale } from '../../../shared/contract';
import { AppFailure } from '../../../shared/contract';
import type { Db } from '../db/database';
import { uuidv7 } from '../ids';
import type { Clock, Logger, Random } from '../ports';
import { adjustPoints, PinGuard, type AdjustResult } from './adjustment';
import type { ChainedEntry } from './chain';
import type { LedgerContext, LedgerPolicy } from './context';
import { runExpiry, type ExpiryRun } from './expiry';
import { Journal, ENTRY_COLUMNS, rowToEntry, type EntryRow, type Monotonic } from './journal';
import { formatLocalDate, localDateOf } from './local-time';
import { Lots, type ExpiringPoints } from './lots';
import { expiringPoints, NO_CHAIN, spendablePoints, type ChainPositions } from './chain-view';
import { DEFAULT_OFFLINE_LIMITS, OfflineSession, type OfflineLimitsProvider } from './offline';
import { ackCursor, nextOutboxBatch, recordAck, type AckCursor, type OutboxBatch } from './outbox';
import { DEFAULT_PROGRAM } from './program.default';
import { Holds } from './redemption';
import { refundSale, type RefundResult } from './refund';
import { parseProgramRules, type ProgramRules } from './rules';
import { commitSale, holdRedemption, previewSale, voidSale, type CommitOptions, type HoldResult, type SalePreview, type SaleResult } from './sale';
import { LedgerStore } from './store';
import { verifyChain, verifyChainAsync, type VerifyReport } from './verify';
import { zReport, zReportLines, type ZReport } from './z-report';

export interface LedgerOptions {
  db: Db;
  clock: Clock;
  random: Random;
  terminalId: string;
  logger: Logger;
  /** The program; validated here. Defaults to program.default.ts. */
  rules?: unknown;
  monotonic?: Monotonic;
  policy?: Partial<LedgerPolicy>;
  /**
   * Where offline redemption limits come from at each check: the sync code
   * passes one reading HQ's signed allowance. Without it, `policy.offlineLimits`.
   */
  offlineLimits?: OfflineLimitsProvider;
  /** Chain-wide positions from HQ's pulls (the sync passes them); without, every balance is this terminal's own. */
  chain?: ChainPositions;
  /**
   * Whether this terminal expires points itself. Once HQ holds the chain-wide
   * lots, expiry is HQ's (its time, its grace rule, lots spent in any store):
   * a terminal expiring its own copy of a lot spent elsewhere would take the
   * points twice.
   */
  expiresLocally?: () => boolean;
}

export interface MemberPoints {
  memberId: string;
  /** Committed points. */
  balance: number;
  /** Held by sales not yet committed. */
  pending: number;
  available: number;
  /** Clawback debt: earned points reversed after they were spent, repaid by the next credits. */
  owed: number;
}

export const DEFAULT_POLICY: LedgerPolicy = {
  epoch: 1,
  offlineLimits: DEFAULT_OFFLINE_LIMITS,
  holdTimeoutMs: 10 * 60_000,
  managerThresholdPoints: 500,
  managerPinHash: null,
};

export const systemMonotonic: Monotonic = { now: () => Math.floor(performance.now()) };

/**
 * The points ledger of one terminal: the service the core, the till API and
 * the screens call. Every write is one SQLite transaction with its journal
 * entries; every refusal is an AppFailure and writes nothing.
 */
export interface Ledger {
  readonly terminalId: string;
  readonly rules: ProgramRules;
  readonly policy: LedgerPolicy;
  /** Verifies the chain in the background of the event loop; reports, never throws. */
  start(): Promise<VerifyReport>;
  preview(input: unknown): SalePreview;
  hold(input: unknown): HoldResult;
  commit(input: unknown, options?: CommitOptions): SaleResult;
  void(input: unknown): { releasedPoints: number };
  refund(input: unknown): RefundResult;
  adjust(input: unknown): AdjustResult;
  runExpiry(now?: number): ExpiryRun;
  points(memberId: string): MemberPoints;
  /** Points by the day they expire, soonest first: « 120 pts expirent le 30/06 ». */
  expiring(memberId: string): ExpiringPoints[];
  /** The member's latest entries, newest first. */
  history(memberId: string, limit?: number): ChainedEntry[];
  setOffline(offline: boolean): void;
  connectivity(): { offline: boolean; offlineForMs: number };
  head(): { epoch: number; seq: number; hash: string };
  verifyChain(): VerifyReport;
  /** The Z report of a store-local day ('YYYY-MM-DD', default today). */
  zReport(day?: string): ZReport;
  zReportLines(report: ZReport, locale: Locale): string[];
  /** The next batch after HQ's acknowledged seq, or after `afterSeq` when HQ's cursor says it holds less (a `gap`). */
  outbox(maxEntries: number, afterSeq?: number): OutboxBatch | null;
  recordAck(ack: { throughSeq: number; hash: string; hqReceipt: string }): AckCursor;
  ackCursor(): AckCursor;
}

export function createLedger(options: LedgerOptions): Ledger {
  const { db, clock, random, logger } = options;
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(options.terminalId)) throw new Error(`invalid terminal id ${options.terminalId}`);
  const rules = options.rules === undefined ? DEFAULT_PROGRAM : parseProgramRules(options.rules);
  const policy: LedgerPolicy = { ...DEFAULT_POLICY, ...options.policy };
  const monotonic = options.monotonic ?? systemMonotonic;
  const stream = { terminalId: options.terminalId, epoch: policy.epoch };
  const offline = new OfflineSession(db, clock, monotonic, stream, options.offlineLimits ?? (() => policy.offlineLimits));
  const journal = new Journal({
    db,
    ...stream,
    clock,
    random,
    monotonic,
    monoBoot: uuidv7(clock, random),
    rulesVersion: () => rules.version,
    offline: () => offline.isOffline(),
  });
  const runner = db.transaction((fn: () => unknown) => fn());
  const ctx: LedgerContext = {
    db,
    rules,
    policy,
    clock,
    random,
    monotonic,
    logger,
    journal,
    lots: new Lots(db),
    holds: new Holds(monotonic, policy.holdTimeoutMs),
    offline,
    store: new LedgerStore(db),
    chain: options.chain ?? NO_CHAIN,
    write: <T>(fn: () => T) => runner.immediate(fn) as T,
  };
  ctx.write(() => journal.openStream());
  const pins = new PinGuard(monotonic);
  const historyStmt = db.prepare<[string, number], EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE member_id = ? ORDER BY seq DESC LIMIT ?`,
  );

  /** Unexpected errors keep their stack in the log; callers see AppFailures as they are. */
  function guarded<T>(operation: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      if (!(error instanceof AppFailure)) logger.error('ledger operation failed', { operation, error: error instanceof Error ? error.stack : String(error) });
      throw error;
    }
  }

  return {
    terminalId: options.terminalId,
    rules,
    policy,
    async start() {
      const report = await verifyChainAsync(db, { chunkSize: 1000 });
      if (report.ok) logger.info('ledger chain verified', { streams: report.streams });
      else logger.error('ledger chain verification failed', { problems: report.problems, more: report.moreProblems });
      return report;
    },
    preview: (input) => guarded('preview', () => previewSale(ctx, input)),
    hold: (input) => guarded('hold', () => holdRedemption(ctx, input)),
    commit: (input, commitOptions) => guarded('commit', () => commitSale(ctx, input, commitOptions)),
    void: (input) => guarded('void', () => voidSale(ctx, input)),
    refund: (input) => guarded('refund', () => refundSale(ctx, input)),
    adjust: (input) => guarded('adjust', () => adjustPoints(ctx, pins, input)),
    runExpiry: (now = clock.now()) => (options.expiresLocally?.() ?? true ? guarded('expiry', () => runExpiry(ctx, now)) : { lots: 0, points: 0, entries: [] }),
    points(memberId) {
      const balance = spendablePoints(ctx, memberId);
      const pending = ctx.holds.pendingFor(memberId);
      return { memberId, balance, pending, available: Math.max(balance - pending, 0), owed: journal.owed(memberId) };
    },
    expiring: (memberId) => expiringPoints(ctx, memberId),
    history: (memberId, limit = 20) => historyStmt.all(memberId, limit).map(rowToEntry),
    setOffline(isOffline) {
      ctx.write(() => offline.setOffline(isOffline, journal.head().seq));
    },
    connectivity: () => ({ offline: offline.isOffline(), offlineForMs: offline.elapsedMs() }),
    head: () => ({ epoch: policy.epoch, ...journal.head() }),
    verifyChain: () => verifyChain(db),
    zReport: (day = formatLocalDate(localDateOf(clock.now(), rules.timeZone))) => zReport(db, options.terminalId, rules.timeZone, day, clock.now()),
    zReportLines: (report, locale) => zReportLines(report, locale),
    outbox: (maxEntries, afterSeq) => nextOutboxBatch(ctx, maxEntries, afterSeq),
    recordAck: (ack) => recordAck(ctx, ack),
    ackCursor: () => ackCursor(ctx),
  };
}
