import type { UpdateStatusReport } from '../../../shared/updates/directive';
import { UpdateHistoryItem, type UpdateStatusView } from '../../../shared/updates/status-view';
import type { Db } from '../db/database';
import type { Timers } from '../devices/reconnect';
import type { Clock, Logger } from '../ports';
import { backupDatabase, BackupError, takeUpdateMarker, writeUpdateMarker } from './backup';
import {
  DEFAULT_POLICY_CONFIG,
  initialPolicyState,
  isForced,
  step,
  type Activity,
  type DownloadFailure,
  type PolicyConfig,
  type PolicyEffect,
  type PolicyEvent,
  type PolicyState,
} from './policy';
import type { ReportOutcome } from './status-report';
import type { Updater } from './updater-port';
import { verifyDownload, type TrustedReleaseKey } from './verify';

/**
 * The glue around the update policy (policy.ts): it feeds the policy HQ's
 * directives (read after each applied pull), what the store is doing, and a
 * tick; it carries out the policy's effects with the Updater port, verify.ts
 * and backup.ts; it keeps the state and history (migration 19), reports each
 * change to HQ, and tells the screens (`updates.changed`).
 *
 * Construction does nothing but read the database: `start()` reads the
 * « updating to X » marker a previous install left (and reports its outcome)
 * and starts the tick; `stop()` stops it and aborts a download.
 */
export interface UpdateServiceOptions {
  db: Db;
  /** Where backups and the « updating to X » marker go; null (an in-memory database) makes every backup fail, so nothing installs. */
  dataDir: string | null;
  /** What runs now (app-version.ts). */
  appVersion: string;
  build: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Fetches and installs builds: electron-updater in a packaged app, a stand-in in the browser mode; null: nothing can install. */
  updater: Updater | null;
  /**
   * The release keys an install must be signed by: resources/release-keys
   * (verify.ts loadReleaseKeys). Only the browser/development mode may add the
   * embedded HQ's own key here, since that HQ makes its key on this machine;
   * a packaged terminal trusts what it shipped with and nothing HQ sends.
   */
  releaseKeys: readonly TrustedReleaseKey[];
  /** HQ's base URL (the feed is `feedPath` on it); null without an HQ. */
  hqUrl: string | null;
  /** HQ's last directive (pull.ts storedUpdateDirective). */
  directive: () => unknown;
  /** What the store is doing now, but the customer screen (see customerActivity()). */
  activity: () => Omit<Activity, 'lastCustomerActivityAt'>;
  /** Asks HQ now (a pull); true when one was applied. */
  check: () => Promise<boolean>;
  /** Sends a status report to HQ (status-report.ts sendUpdateStatus). */
  report: (report: UpdateStatusReport) => Promise<ReportOutcome>;
  onChange?: (view: UpdateStatusView) => void;
  config?: Partial<PolicyConfig>;
  /** How often the policy looks at the time (schedule, window, backoff, customer idle). */
  tickMs?: number;
  /** The copy before an install (backup.ts; tests give one that meets a full disk). */
  backup?: typeof backupDatabase;
}

export const DEFAULT_TICK_MS = 15_000;
const HISTORY_KEPT = 200;
const HISTORY_SHOWN = 20;
/** A report HQ did not take is sent again at a tick this long after. */
const REPORT_RETRY_MS = 60_000;

/** What survives a restart: the last error and a release refused for good, not a half-done attempt. */
type Memory = Pick<PolicyState, 'lastError' | 'refused'>;

export class UpdateService {
  private s: PolicyState;
  private readonly config: PolicyConfig;
  private lastCustomerActivityAt: number | null = null;
  private timer: unknown = null;
  private download: { attempt: number; controller: AbortController } | null = null;
  private lastDirective = 'null';
  private lastPercentReported: number | null = null;
  private lastPercentShown: number | null = null;
  private reportDue: { report: UpdateStatusReport; attemptAt: number } | null = null;
  private reporting = false;
  private started = false;
  private backupFile = '';

  constructor(private readonly o: UpdateServiceOptions) {
    this.config = { ...DEFAULT_POLICY_CONFIG, ...o.config };
    const now = o.clock.now();
    // The state itself starts idle: the first pull brings HQ's word back, and a download starts over (or resumes).
    this.s = { ...initialPolicyState(o.appVersion, now, this.config), ...this.recall() };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.afterRestart();
    this.readDirective();
    this.schedule();
    this.changed(true);
  }

  stop(): void {
    this.started = false;
    if (this.timer !== null) this.o.timers.clearTimeout(this.timer);
    this.timer = null;
    this.download?.controller.abort();
    this.download = null;
  }

  /** A pull was applied: HQ's directive may have moved. */
  pulled(): void {
    this.readDirective();
  }

  /** The customer screen was used (a call from it, a change of what it shows). */
  customerActivity(): void {
    this.lastCustomerActivityAt = this.o.clock.now();
  }

  /** Something the safe moment depends on may have changed (a sale, a print job, a push). */
  activityChanged(): void {
    if (!this.started) return;
    const next = this.activity();
    const a = this.s.activity;
    if (
      a.saleOpen === next.saleOpen &&
      a.enrolmentOpen === next.enrolmentOpen &&
      a.printPending === next.printPending &&
      a.syncInFlight === next.syncInFlight &&
      a.lastCustomerActivityAt === next.lastCustomerActivityAt
    )
      return;
    this.send({ type: 'activity', activity: next });
  }

  state(): PolicyState {
    return this.s;
  }

  view(): UpdateStatusView {
    const s = this.s;
    const d = s.directive;
    return {
      updaterAvailable: this.o.updater !== null,
      state: s.state,
      currentVersion: this.o.appVersion,
      build: this.o.build,
      channel: d?.channel ?? null,
      targetVersion: s.target?.manifest.version ?? null,
      progressPercent: s.state === 'downloading' && s.progress ? percent(s.progress.transferred, s.progress.total) : null,
      waitingFor: s.state === 'waiting' ? s.waitingFor : [],
      forced: s.target !== null && isForced(s),
      maintenanceWindow: d?.maintenanceWindow ?? null,
      lastError: s.lastError,
      retryAt: s.state === 'failed' ? s.retryAt : null,
      history: this.history(HISTORY_SHOWN),
    };
  }

  history(limit: number): UpdateHistoryItem[] {
    return this.o.db
      .prepare<[number], { at: number; kind: string; from_version: string; target_version: string | null; error_code: string | null; message: string | null }>(
        'SELECT at, kind, from_version, target_version, error_code, message FROM update_history ORDER BY id DESC LIMIT ?',
      )
      .all(limit)
      .flatMap((r) => {
        const item = UpdateHistoryItem.safeParse({ at: r.at, kind: r.kind, fromVersion: r.from_version, targetVersion: r.target_version, errorCode: r.error_code, message: r.message });
        return item.success ? [item.data] : [];
      });
  }

  /** Feeds the policy one event and carries out what it asks; exposed for tests that drive the service by hand. */
  send(event: PolicyEvent): void {
    // Answers that arrive after stop() (a download ending as the app closes) change nothing.
    if (!this.started) return;
    // The policy decides on what the store is doing now, not at the last tick.
    if (event.type !== 'activity' && event.type !== 'download-progress') this.s = { ...this.s, activity: this.activity() };
    const before = this.s;
    const out = step(before, event, this.o.clock.now(), this.config);
    this.s = out.state;
    const moved = before.state !== out.state.state || before.lastError !== out.state.lastError || before.target?.signature !== out.state.target?.signature;
    if (moved) this.record(out.state);
    // A download reports progress many times a second: the screens hear of it by whole percents.
    const percentNow = out.state.progress ? Math.floor(percent(out.state.progress.transferred, out.state.progress.total)) : null;
    const progressed = percentNow !== this.lastPercentShown;
    this.lastPercentShown = percentNow;
    if (moved || progressed || before.waitingFor !== out.state.waitingFor) this.changed(moved);
    for (const effect of out.effects) this.run(effect);
  }

  private activity(): Activity {
    return { ...this.o.activity(), lastCustomerActivityAt: this.lastCustomerActivityAt };
  }

  private readDirective(): void {
    // Nothing here can install: the directive is still shown, never acted on.
    let raw: unknown;
    try {
      raw = this.o.directive();
    } catch (error) {
      this.o.logger.error('the stored update directive cannot be read', { error: String(error) });
      return;
    }
    const key = JSON.stringify(raw ?? null);
    if (key === this.lastDirective) return;
    this.lastDirective = key;
    if (!this.o.updater) {
      this.s = { ...this.s, directive: null };
      return;
    }
    this.send({ type: 'directive', directive: raw });
  }

  private schedule(): void {
    if (!this.started) return;
    this.timer = this.o.timers.setTimeout(() => {
      this.timer = null;
      try {
        this.activityChanged();
        if (this.o.updater) this.send({ type: 'tick' });
        this.retryReport();
      } catch (error) {
        this.o.logger.error('update tick failed', { error: String(error) });
      }
      this.schedule();
    }, this.o.tickMs ?? DEFAULT_TICK_MS);
  }

  private run(effect: PolicyEffect): void {
    const { updater, logger } = this.o;
    switch (effect.kind) {
      case 'check':
        void this.o.check().then(
          (applied) => (applied ? this.readDirectiveAfterCheck() : this.send({ type: 'check-failed', message: 'no pull applied' })),
          (error: unknown) => this.send({ type: 'check-failed', message: String(error) }),
        );
        return;
      case 'download': {
        if (!updater || !this.o.hqUrl) {
          this.send({ type: 'download-failed', attempt: effect.attempt, code: 'download-failed', message: 'no updater or no HQ on this terminal' });
          return;
        }
        const controller = new AbortController();
        this.download = { attempt: effect.attempt, controller };
        const feed = {
          url: new URL(effect.directive.feedPath, this.o.hqUrl.endsWith('/') ? this.o.hqUrl : `${this.o.hqUrl}/`).toString(),
          token: effect.directive.feedToken,
          channel: effect.directive.channel,
          allowDowngrade: effect.target.allowDowngrade,
        };
        logger.info('update download started', { version: effect.target.version, feed: feed.url });
        const onProgress = (p: { transferred: number; total: number }) => this.send({ type: 'download-progress', attempt: effect.attempt, ...p });
        void updater.download(feed, effect.target, onProgress, controller.signal).then(
          ({ file }) => {
            if (this.download?.attempt === effect.attempt) this.download = null;
            this.send({ type: 'download-done', attempt: effect.attempt, file });
          },
          (error: unknown) => {
            if (this.download?.attempt === effect.attempt) this.download = null;
            const code = downloadFailure(error);
            logger.warn('update download failed', { version: effect.target.version, code, error: String(error) });
            this.send({ type: 'download-failed', attempt: effect.attempt, code, message: messageOf(error) });
          },
        );
        return;
      }
      case 'abort-download':
        if (this.download?.attempt === effect.attempt) {
          this.download.controller.abort();
          this.download = null;
        }
        return;
      case 'verify':
        void verifyDownload(effect.file, effect.release, this.o.releaseKeys).then(
          (outcome) => {
            if (outcome.ok) this.send({ type: 'verify-ok', attempt: effect.attempt });
            else {
              logger.error('a downloaded release was refused', { version: effect.release.manifest.version, code: outcome.code, message: outcome.message });
              this.send({ type: 'verify-failed', attempt: effect.attempt, code: outcome.code, message: outcome.message });
            }
          },
          (error: unknown) => this.send({ type: 'verify-failed', attempt: effect.attempt, code: 'size-mismatch', message: `the downloaded file could not be read: ${messageOf(error)}` }),
        );
        return;
      case 'discard':
        if (updater) void updater.discard(effect.file).catch((error: unknown) => logger.error('a refused update file could not be deleted', { file: effect.file, error: String(error) }));
        return;
      case 'backup': {
        const dataDir = this.o.dataDir;
        if (dataDir === null) {
          this.send({ type: 'backup-failed', attempt: effect.attempt, code: 'backup-failed', message: 'this terminal has no data folder to back its database up into' });
          return;
        }
        void (this.o.backup ?? backupDatabase)(this.o.db, dataDir, effect.target.version, this.o.clock.now()).then(
          (backup) => {
            this.backupFile = backup.file;
            logger.info('database backed up before the install', { file: backup.file, bytes: backup.bytes, heads: backup.heads });
            this.send({ type: 'backup-done', attempt: effect.attempt });
          },
          (error: unknown) => {
            const code = error instanceof BackupError ? error.code : 'backup-failed';
            logger.error('database backup before the install failed: not installing', { code, error: String(error) });
            this.send({ type: 'backup-failed', attempt: effect.attempt, code, message: messageOf(error) });
          },
        );
        return;
      }
      case 'install':
        this.install(effect);
        return;
    }
  }

  private install(effect: Extract<PolicyEffect, { kind: 'install' }>): void {
    const { updater, dataDir, logger } = this.o;
    if (!updater || dataDir === null) return;
    try {
      writeUpdateMarker(dataDir, { from: this.o.appVersion, to: effect.target.version, at: this.o.clock.now(), backup: this.backupFile });
    } catch (error) {
      this.send({ type: 'install-failed', attempt: effect.attempt, message: `the « updating to » marker could not be written: ${messageOf(error)}` });
      return;
    }
    logger.info('installing an update and restarting', { from: this.o.appVersion, to: effect.target.version });
    // Resolves only when the install could not even start: the app keeps running this version.
    void updater.install(effect.file, effect.target).then(
      () => this.installDidNotStart(effect, 'the installer did not start'),
      (error: unknown) => this.installDidNotStart(effect, messageOf(error)),
    );
  }

  private installDidNotStart(effect: Extract<PolicyEffect, { kind: 'install' }>, message: string): void {
    if (this.o.dataDir !== null) takeUpdateMarker(this.o.dataDir, this.o.appVersion);
    this.o.logger.error('the update could not be installed', { version: effect.target.version, message });
    this.send({ type: 'install-failed', attempt: effect.attempt, message });
  }

  private readDirectiveAfterCheck(): void {
    const before = this.lastDirective;
    this.readDirective();
    // The check brought the same directive: the policy still has to hear it, or it stays « checking ».
    if (before === this.lastDirective && this.o.updater) this.send({ type: 'directive', directive: this.o.directive() });
  }

  /** What the last install (if any) left: the new version says whether it is the one that was meant to run. */
  private afterRestart(): void {
    if (this.o.dataDir === null) return;
    const outcome = takeUpdateMarker(this.o.dataDir, this.o.appVersion);
    const now = this.o.clock.now();
    if (outcome.kind === 'installed') {
      this.o.logger.info('update installed', { from: outcome.marker.from, to: outcome.marker.to });
      this.s = { ...this.s, state: 'idle', lastError: null, failures: 0, retryAt: null };
      this.insertHistory({ at: now, kind: 'installed', fromVersion: outcome.marker.from, targetVersion: outcome.marker.to, errorCode: null, message: null });
      this.remember();
    } else if (outcome.kind === 'not-installed') {
      const message = `the install of ${outcome.marker.to} did not take: ${outcome.running} is running`;
      this.o.logger.error('update not installed', { wanted: outcome.marker.to, running: outcome.running });
      this.s = { ...this.s, state: 'failed', lastError: { code: 'install-failed', message, at: now, version: outcome.marker.to } };
      this.record(this.s);
    } else if (outcome.kind === 'unreadable') {
      this.o.logger.warn('the update marker could not be read', { message: outcome.message });
    }
  }

  private record(s: PolicyState): void {
    const error = s.state === 'failed' ? s.lastError : null;
    this.insertHistory({
      at: this.o.clock.now(),
      kind: s.state,
      fromVersion: this.o.appVersion,
      targetVersion: s.target?.manifest.version ?? null,
      errorCode: error?.code ?? null,
      message: error?.message ?? null,
    });
    this.remember();
  }

  private insertHistory(item: UpdateHistoryItem): void {
    try {
      const { db } = this.o;
      db.transaction(() => {
        db.prepare('INSERT INTO update_history (at, kind, from_version, target_version, error_code, message) VALUES (?, ?, ?, ?, ?, ?)').run(
          item.at,
          item.kind,
          item.fromVersion,
          item.targetVersion,
          item.errorCode,
          item.message,
        );
        db.prepare('DELETE FROM update_history WHERE id <= (SELECT max(id) FROM update_history) - ?').run(HISTORY_KEPT);
      })();
    } catch (error) {
      // The history is for IT; a disk that refuses it must not stop the policy.
      this.o.logger.error('update history not written', { error: String(error) });
    }
  }

  private remember(): void {
    const memory: Memory = { lastError: this.s.lastError, refused: this.s.refused };
    try {
      this.o.db
        .prepare('INSERT INTO update_state (id, memory, updated_at) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET memory = excluded.memory, updated_at = excluded.updated_at')
        .run(JSON.stringify(memory), this.o.clock.now());
    } catch (error) {
      this.o.logger.error('update state not written', { error: String(error) });
    }
  }

  private recall(): Partial<Memory> {
    try {
      const row = this.o.db.prepare<[], { memory: string }>('SELECT memory FROM update_state WHERE id = 1').get();
      if (!row) return {};
      const m = JSON.parse(row.memory) as Partial<Memory>;
      return { lastError: m.lastError ?? null, refused: m.refused ?? null };
    } catch (error) {
      this.o.logger.warn('update state unreadable: starting afresh', { error: String(error) });
      return {};
    }
  }

  private changed(stateMoved: boolean): void {
    const view = this.view();
    this.o.onChange?.(view);
    // HQ hears of every state change, and of the download's progress by tenths.
    const tenth = view.progressPercent === null ? null : Math.floor(view.progressPercent / 10);
    if (!stateMoved && tenth === this.lastPercentReported) return;
    this.lastPercentReported = tenth;
    this.queueReport({
      appVersion: this.o.appVersion,
      build: this.o.build.slice(0, 64),
      state: view.state,
      targetVersion: view.targetVersion,
      progressPercent: view.progressPercent,
      waitingFor: view.waitingFor,
      lastError: view.lastError,
    });
  }

  private queueReport(report: UpdateStatusReport): void {
    this.reportDue = { report, attemptAt: this.o.clock.now() };
    this.flushReport();
  }

  private retryReport(): void {
    if (this.reportDue && this.o.clock.now() - this.reportDue.attemptAt >= REPORT_RETRY_MS) this.flushReport();
  }

  /** One report in flight at a time; only the latest is worth sending. */
  private flushReport(): void {
    if (this.reporting || !this.reportDue || !this.started) return;
    const due = this.reportDue;
    due.attemptAt = this.o.clock.now();
    this.reporting = true;
    void this.o
      .report(due.report)
      .then(
        (outcome) => {
          if (outcome !== 'failed' && this.reportDue === due) this.reportDue = null;
        },
        (error: unknown) => this.o.logger.warn('update status not reported to HQ', { error: String(error) }),
      )
      .finally(() => {
        this.reporting = false;
        if (this.reportDue && this.reportDue !== due) this.flushReport();
      });
  }
}

function percent(transferred: number, total: number): number {
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(100, Math.floor((transferred / total) * 1000) / 10));
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 500);
}

/** HQ gone (refused, reset, timed out) or a download that failed otherwise (a 4xx, a feed without this version). */
function downloadFailure(error: unknown): DownloadFailure {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'hq-unreachable' || code === 'download-failed') return code;
  const text = `${String(code ?? '')} ${messageOf(error)} ${String((error as { cause?: { code?: unknown } } | null)?.cause?.code ?? '')}`;
  return /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|socket hang up|aborted|timeout|fetch failed|ERR_CONNECTION|net::/i.test(text) ? 'hq-unreachable' : 'download-failed';
}
