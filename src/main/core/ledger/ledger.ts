import type { Locale } from '../../../shared/contract';
import { AppFailure } from '../../../shared/contract';
import type { Db } from '../db/database';
import { storageFailure } from '../db/storage-errors';
import { uuidv7 } from '../ids';
import type { Clock, Logger, Random } from '../ports';
import { adjustPoints, PinGuard, type AdjustResult } from './adjustment';
import type { ChainedEntry, EntryKind, Posting } from './chain';
import type { LedgerContext, LedgerPolicy } from './context';
import { runExpiry, type ExpiryRun } from './expiry';
import { Journal, ENTRY_COLUMNS, rowToEntry, type EntryRow, type Monotonic } from './journal';
import { formatLocalDate, localDateOf } from './local-time';
import { Lots, type ExpiringPoints } from './lots';
import { expiringPoints, NO_CHAIN, spendablePoints, type ChainPositions } from './chain-view';
import { IntegrityGate, type IntegrityView } from './integrity';
import { IncidentBook } from '../incidents/incident-book';
import { appendSurveyAnswer, type SurveyAnswerRecord } from '../incidents/survey-answer';
import { appendDonation, appendReferralLink, appendReferralReward, type DonationInput, type DonationResult, type ReferralLink, type ReferralReward } from '../social/social-entries';
import type { GoodwillBudgetView, IncidentOutcomeView, RelationshipView } from '../../../shared/contract';
import { DEFAULT_OFFLINE_LIMITS, OfflineSession, type OfflineLimitsProvider } from './offline';
import { ackCursor, nextOutboxBatch, recordAck, type AckCursor, type OutboxBatch } from './outbox';
import { DEFAULT_PROGRAM } from './program.default';
import { Holds } from './redemption';
import { refundSale, type RefundResult } from './refund';
import { parseProgramRules, type ProgramRules } from './rules';
import { commitSale, holdRedemption, previewSale, voidSale, type CommitOptions, type EntryRef, type HoldResult, type SalePreview, type SaleResult } from './sale';
import { LedgerStore } from './store';
import type { LedgerVouchers } from '../vouchers/voucher-book';
import type { RegularityHook } from '../regularity/regularity-book';
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
  /** The programme version in force at a sale's time (programme/programme-book.ts); null, or absent: `rules`. */
  rulesAt?: (at: number) => ProgramRules | null;
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
  /** Basic members' vouchers (issue 14 item 4, vouchers/voucher-book.ts): issued and used by sales, moved by refunds. */
  vouchers?: LedgerVouchers;
  /** Members' visit weeks and streak bonus (issue 14 item 5, regularity/regularity-book.ts): asked by sales and refunds. */
  regularity?: RegularityHook;
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

export type MemberMovement = Pick<ChainedEntry, 'seq' | 'kind' | 'till_id' | 'receipt' | 'wall_time' | 'postings'>;

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
  /**
   * Verifies the chain, yielding to the event loop between chunks; reports,
   * never throws. Until it resolves writes are refused as `unavailable`; if
   * the chain fails, every write of this run is refused as `ledger_damaged`
   * (integrity.ts). The core awaits it before serving anything.
   */
  start(): Promise<VerifyReport>;
  /** Whether this run may write: the verdict of start() (integrity.ts). */
  integrity(): IntegrityView;
  preview(input: unknown): SalePreview;
  hold(input: unknown): HoldResult;
  commit(input: unknown, options?: CommitOptions): SaleResult;
  void(input: unknown): { releasedPoints: number };
  refund(input: unknown): RefundResult;
  adjust(input: unknown): AdjustResult;
  /**
   * Points a programme operation spends or gives back outside a sale (a benefit booked with points, its
   * cancellation, issue 14 item 6): an `adjust` entry, idempotent by its id like any adjustment. The
   * programme sets the amount, so no manager PIN is asked for it, whatever its size.
   */
  programmeAdjust(input: { adjustmentId: string; memberId: string; points: number; reason: string; actor: string }): AdjustResult;
  runExpiry(now?: number): ExpiryRun;
  points(memberId: string): MemberPoints;
  /** Points by the day they expire, soonest first: « 120 pts expirent le 30/06 ». */
  expiring(memberId: string): ExpiringPoints[];
  /** The member's latest entries, newest first. */
  history(memberId: string, limit?: number): ChainedEntry[];
  /** What the member's latest entries did, newest first, read from the index alone (no detail, no hashes): visits. */
  movements(memberId: string, limit: number): MemberMovement[];
  setOffline(offline: boolean): void;
  connectivity(): { offline: boolean; offlineForMs: number };
  head(): { epoch: number; seq: number; hash: string };
  verifyChain(): VerifyReport;
  /** Customer incidents in this journal and members' relationship health (incidents/incident-book.ts, docs/relationship.md). */
  readonly incidents: {
    record(input: unknown): IncidentOutcomeView;
    update(input: unknown): IncidentOutcomeView;
    resolve(input: unknown): IncidentOutcomeView;
    relationship(memberId: string): RelationshipView;
    budget(): GoodwillBudgetView;
    /** A satisfaction score from the customer screen, as a survey_answer entry (incidents/survey-answer.ts). */
    surveyAnswer(answer: SurveyAnswerRecord): { entryId: string; seq: number };
  };
  /** Referrals and donations to causes (issue 16, core/social/social-entries.ts). */
  readonly social: {
    referralLink(link: ReferralLink): EntryRef;
    referralReward(reward: ReferralReward): EntryRef[];
    donate(input: DonationInput): DonationResult;
  };
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
    rulesVersion: () => ctx.rules.version,
    offline: () => offline.isOffline(),
  });
  const runner = db.transaction((fn: () => unknown) => fn());
  let pinnedRules: ProgramRules | null = null;
  const ctx: LedgerContext = {
    db,
    // The version in force at the operation's time, pinned for the whole operation by guarded():
    // a sale is checked, priced and recorded by one version even across an effective time.
    get rules() {
      return pinnedRules ?? options.rulesAt?.(clock.now()) ?? rules;
    },
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
    vouchers: options.vouchers,
    regularity: options.regularity,
    write: <T>(fn: () => T) => {
      try {
        return runner.immediate(fn) as T;
      } catch (error) {
        journal.forgetHead();
        throw error;
      }
    },
  };
  // The only write before start() has verified the journal, and only on a stream that has
  // nothing to verify yet. An existing stream is left alone: re-creating a deleted stream row
  // would hand a tampered journal a fresh genesis; verification reports it missing instead.
  const streamKey = [options.terminalId, policy.epoch] as const;
  const hasStream = db.prepare<[string, number]>('SELECT 1 FROM ledger_stream WHERE terminal_id = ? AND epoch = ?').get(...streamKey) !== undefined;
  const hasEntries = db.prepare<[string, number]>('SELECT 1 FROM ledger_entry WHERE terminal_id = ? AND epoch = ? LIMIT 1').get(...streamKey) !== undefined;
  if (!hasStream && !hasEntries) ctx.write(() => journal.openStream());
  const gate = new IntegrityGate();
  const pins = new PinGuard(monotonic);
  // One PIN guard for adjustments, ceilings and goodwill gestures: five wrong PINs anywhere lock them all.
  const incidents = new IncidentBook(ctx, pins);
  const historyStmt = db.prepare<[string, number], EntryRow>(
    `SELECT ${ENTRY_COLUMNS} FROM ledger_entry WHERE member_id = ? ORDER BY seq DESC LIMIT ?`,
  );
  // Every column here is in ledger_entry_by_member (migration 16): one range of the index, no row read.
  const movementsStmt = db.prepare<[string, number], Pick<EntryRow, 'seq' | 'kind' | 'till_id' | 'receipt' | 'wall_time' | 'postings'>>(
    'SELECT seq, kind, till_id, receipt, wall_time, postings FROM ledger_entry WHERE member_id = ? ORDER BY seq DESC LIMIT ?',
  );

  /**
   * Every ledger operation goes through here. Writes are refused while the
   * journal is untrusted; SQLite's disk failures become the AppFailure that
   * says so (the transaction was rolled back); unexpected errors keep their
   * stack in the log; callers see AppFailures as they are.
   */
  function guarded<T>(operation: string, fn: () => T, kind: 'read' | 'write' = 'read'): T {
    const outer = pinnedRules === null;
    if (outer) pinnedRules = ctx.rules;
    try {
      if (kind === 'write') gate.assertWritable(operation);
      return fn();
    } catch (error) {
      if (error instanceof AppFailure) {
        if (error.code === 'ledger_damaged') logger.warn('ledger operation refused: the journal failed its check at start', { operation });
        throw error;
      }
      const storage = storageFailure(error);
      if (storage) {
        const sqlite = (error as { code?: string }).code;
        if (storage.code === 'storage_busy') logger.warn('ledger write refused: the database is locked', { operation, sqlite });
        else logger.error('ledger write failed on the disk', { operation, sqlite, message: storage.message });
        throw storage;
      }
      logger.error('ledger operation failed', { operation, error: error instanceof Error ? error.stack : String(error) });
      throw error;
    } finally {
      if (outer) pinnedRules = null;
    }
  }

  return {
    terminalId: options.terminalId,
    get rules() {
      return ctx.rules;
    },
    policy,
    async start() {
      gate.begin();
      let report: VerifyReport;
      try {
        report = await verifyChainAsync(db, { chunkSize: 1000 });
      } catch (error) {
        // A journal SQLite cannot even read through is as untrusted as one that fails its check.
        report = { ok: false, streams: [], problems: [{ kind: 'unreadable', detail: error instanceof Error ? error.message : String(error) }], moreProblems: 0 };
      }
      gate.settle(report, clock.now());
      if (report.ok) {
        logger.info('ledger chain verified', { streams: report.streams });
        // Members' relationship summaries an upgrade (or a write around the book) left to build: health reads the facts until then.
        try {
          const built = await incidents.catchUp();
          if (built > 0) logger.info('relationship summaries built', { members: built });
        } catch (error) {
          logger.warn('relationship summaries not built: health is read from the facts meanwhile', { error: error instanceof Error ? error.message : String(error) });
        }
      } else {
        logger.error('ledger chain verification failed', { problems: report.problems, more: report.moreProblems });
        logger.error('loyalty writes suspended: every sale, refund, adjustment and expiry is refused until support repairs the journal', {
          terminalId: options.terminalId,
          problems: report.problems.length + report.moreProblems,
        });
      }
      return report;
    },
    integrity: () => gate.current(),
    preview: (input) => guarded('preview', () => previewSale(ctx, input)),
    hold: (input) => guarded('hold', () => holdRedemption(ctx, input), 'write'),
    commit: (input, commitOptions = {}) => guarded('commit', () => commitSale(ctx, input, commitOptions, pins), 'write'),
    void: (input) => guarded('void', () => voidSale(ctx, input), 'write'),
    refund: (input) => guarded('refund', () => refundSale(ctx, input), 'write'),
    adjust: (input) => guarded('adjust', () => adjustPoints(ctx, pins, input), 'write'),
    programmeAdjust: (input) =>
      guarded('programme adjustment', () => adjustPoints({ ...ctx, policy: { ...policy, managerThresholdPoints: Number.MAX_SAFE_INTEGER } }, pins, { ...input, manager: null }), 'write'),
    runExpiry: (now = clock.now()) =>
      guarded('expiry', () => (options.expiresLocally?.() ?? true ? runExpiry(ctx, now) : { lots: 0, points: 0, entries: [] }), 'write'),
    points(memberId) {
      const balance = spendablePoints(ctx, memberId);
      const pending = ctx.holds.pendingFor(memberId);
      return { memberId, balance, pending, available: Math.max(balance - pending, 0), owed: journal.owed(memberId) };
    },
    expiring: (memberId) => expiringPoints(ctx, memberId),
    history: (memberId, limit = 20) => historyStmt.all(memberId, limit).map(rowToEntry),
    movements: (memberId, limit) =>
      movementsStmt.all(memberId, limit).map((row) => ({ ...row, kind: row.kind as EntryKind, postings: JSON.parse(row.postings) as Posting[] })),
    // The offline marker is journal state too (it bounds redemptions): not written while the journal is untrusted.
    setOffline: (isOffline) => guarded('offline marker', () => ctx.write(() => offline.setOffline(isOffline, journal.head().seq)), 'write'),
    connectivity: () => ({ offline: offline.isOffline(), offlineForMs: offline.elapsedMs() }),
    head: () => ({ epoch: policy.epoch, ...journal.head() }),
    verifyChain: () => verifyChain(db),
    incidents: {
      record: (input) => guarded('incident', () => incidents.record(input), 'write'),
      update: (input) => guarded('incident update', () => incidents.update(input), 'write'),
      resolve: (input) => guarded('incident resolution', () => incidents.resolve(input), 'write'),
      relationship: (memberId) => guarded('relationship', () => incidents.relationship(memberId)),
      budget: () => guarded('goodwill budget', () => incidents.budget()),
      surveyAnswer: (answer) => guarded('survey answer', () => appendSurveyAnswer(ctx, answer), 'write'),
    },
    social: {
      referralLink: (link) => guarded('referral', () => appendReferralLink(ctx, link), 'write'),
      referralReward: (reward) => guarded('referral reward', () => appendReferralReward(ctx, reward), 'write'),
      donate: (input) => guarded('donation', () => appendDonation(ctx, input), 'write'),
    },
    zReport: (day = formatLocalDate(localDateOf(clock.now(), rules.timeZone))) => zReport(db, options.terminalId, rules.timeZone, day, clock.now()),
    zReportLines: (report, locale) => zReportLines(report, locale),
    // The stream freezes while damaged: pushing it would let HQ accept entries this terminal
    // itself cannot vouch for (a rewritten tail with recomputed hashes passes HQ's chain check;
    // only the local projections gave it away).
    outbox: (maxEntries, afterSeq) => guarded('outbox', () => nextOutboxBatch(ctx, maxEntries, afterSeq), 'write'),
    recordAck: (ack) => guarded('ack', () => recordAck(ctx, ack), 'write'),
    ackCursor: () => ackCursor(ctx),
  };
}
