import { compareVersions, mayInstall, RELEASE_CHANNELS, type ReleaseManifest, type SignedRelease } from '../../../shared/updates/release';
import {
  UpdateDirective,
  type SafeMomentBlocker,
  type UpdateError,
  type UpdateErrorCode,
  type UpdateState,
} from '../../../shared/updates/directive';
import { insideWindow } from '../../../shared/updates/window';
import { backoffCeiling, type BackoffPolicy } from '../sync/backoff';

/**
 * The terminal's update policy (issue 13, ../shared/reference/electron.md
 * §3.2), a pure state machine: `step(state, event, now)` gives the next state
 * and the effects the glue (update-service.ts) must carry out — fetch, verify,
 * discard, back up, install. No I/O, no timers, no clock of its own.
 *
 *   idle → checking → downloading → verifying → waiting → backing-up → installing
 *                 ↘ failed (backoff, retry) ↙
 *
 * Effects and the events that answer them carry an `attempt` number: an
 * answer from an attempt the policy gave up on (a superseded target, an
 * aborted download) is ignored, so a late "download done" can never lead to
 * installing a file nobody verified.
 */

export interface PolicyConfig {
  /** How often an idle terminal asks HQ (a pull) whether its target moved. */
  checkEveryMs: number;
  /** The customer screen must have been untouched this long before an install. */
  customerIdleMs: number;
  /** Waits after failures: exponential from baseMs, never above capMs. */
  backoff: BackoffPolicy;
}

export const DEFAULT_POLICY_CONFIG: PolicyConfig = {
  checkEveryMs: 60 * 60_000,
  customerIdleMs: 3 * 60_000,
  backoff: { baseMs: 60_000, capMs: 60 * 60_000 },
};

/** What the store is doing right now, as far as an install cares. */
export interface Activity {
  saleOpen: boolean;
  enrolmentOpen: boolean;
  printPending: boolean;
  syncInFlight: boolean;
  /** The last sign of a customer at the customer screen (a call from it, a change of what it shows); null: none since start. */
  lastCustomerActivityAt: number | null;
}

export const QUIET: Activity = { saleOpen: false, enrolmentOpen: false, printPending: false, syncInFlight: false, lastCustomerActivityAt: null };

export interface Progress {
  transferred: number;
  total: number;
}

export interface PolicyState {
  state: UpdateState;
  /** The version running now. */
  installed: string;
  /** HQ's latest word (the last pull's directive), null when HQ sent none. */
  directive: UpdateDirective | null;
  /** The release being worked on (downloading onwards, or the one that failed). */
  target: SignedRelease | null;
  attempt: number;
  progress: Progress | null;
  /** The downloaded file: unverified while `verifying`, verified from `waiting` on. */
  file: string | null;
  activity: Activity;
  /** Why the install is held back (only while `waiting`). */
  waitingFor: SafeMomentBlocker[];
  lastError: UpdateError | null;
  /** Failures in a row on the current target (reset by a new target or an install that starts). */
  failures: number;
  /** When a failed attempt is tried again; null for a refusal that no retry can change. */
  retryAt: number | null;
  nextCheckAt: number;
  /** The signature of a release refused for good (bad signature, downgrade, channel): the same release is not fetched again. */
  refused: string | null;
}

export type DownloadFailure = Extract<UpdateErrorCode, 'hq-unreachable' | 'download-failed'>;
export type VerifyFailure = Extract<UpdateErrorCode, 'bad-signature' | 'sha512-mismatch' | 'size-mismatch'>;
export type BackupFailure = Extract<UpdateErrorCode, 'backup-failed' | 'disk-full'>;

export type PolicyEvent =
  /** A pull was applied: its `update` (raw: validated here), or null when HQ sent none. */
  | { type: 'directive'; directive: unknown }
  | { type: 'check-failed'; message: string }
  | { type: 'tick' }
  | { type: 'activity'; activity: Activity }
  | { type: 'download-progress'; attempt: number; transferred: number; total: number }
  | { type: 'download-done'; attempt: number; file: string }
  | { type: 'download-failed'; attempt: number; code: DownloadFailure; message: string }
  | { type: 'verify-ok'; attempt: number }
  | { type: 'verify-failed'; attempt: number; code: VerifyFailure; message: string }
  | { type: 'backup-done'; attempt: number }
  | { type: 'backup-failed'; attempt: number; code: BackupFailure; message: string }
  | { type: 'install-failed'; attempt: number; message: string };

export type PolicyEffect =
  /** Ask HQ now (a pull); answered by a `directive` or `check-failed` event. */
  | { kind: 'check' }
  | { kind: 'download'; attempt: number; directive: UpdateDirective; target: ReleaseManifest }
  | { kind: 'abort-download'; attempt: number }
  | { kind: 'verify'; attempt: number; file: string; release: SignedRelease }
  /** Delete a file that must never be installed (refused or superseded). */
  | { kind: 'discard'; file: string }
  | { kind: 'backup'; attempt: number; target: ReleaseManifest }
  | { kind: 'install'; attempt: number; file: string; target: ReleaseManifest };

export interface Step {
  state: PolicyState;
  effects: PolicyEffect[];
}

export function initialPolicyState(installed: string, now: number, config: PolicyConfig = DEFAULT_POLICY_CONFIG): PolicyState {
  return {
    state: 'idle',
    installed,
    directive: null,
    target: null,
    attempt: 0,
    progress: null,
    file: null,
    activity: QUIET,
    waitingFor: [],
    lastError: null,
    failures: 0,
    retryAt: null,
    nextCheckAt: now + config.checkEveryMs,
    refused: null,
  };
}

/** Whether HQ forces an install outside the window: the running version is below its minimum. */
export function isForced(s: Pick<PolicyState, 'installed' | 'directive'>): boolean {
  return s.directive !== null && compareVersions(s.installed, s.directive.minAppVersion) < 0;
}

/** Every reason not to install now; empty at a safe moment. */
export function blockersAt(s: Pick<PolicyState, 'installed' | 'directive' | 'activity'>, now: number, config: PolicyConfig): SafeMomentBlocker[] {
  const a = s.activity;
  const out: SafeMomentBlocker[] = [];
  if (a.saleOpen) out.push('sale-open');
  if (a.enrolmentOpen) out.push('enrolment-open');
  if (a.printPending) out.push('print-pending');
  if (a.syncInFlight) out.push('sync-in-flight');
  if (a.lastCustomerActivityAt !== null && now - a.lastCustomerActivityAt < config.customerIdleMs) out.push('customer-active');
  // No window configured for the store: the other conditions alone decide.
  const window = s.directive?.maintenanceWindow ?? null;
  if (window && !isForced(s) && !insideWindow(window, now)) out.push('outside-window');
  return out;
}

const sameRelease = (a: SignedRelease | null, b: SignedRelease | null): boolean => a !== null && b !== null && a.signature === b.signature;

export function step(s: PolicyState, event: PolicyEvent, now: number, config: PolicyConfig = DEFAULT_POLICY_CONFIG): Step {
  const current = (e: { attempt: number }) => e.attempt === s.attempt;
  switch (event.type) {
    case 'directive':
      return onDirective(s, event.directive, now, config);
    case 'check-failed':
      return s.state === 'checking' ? { state: { ...s, state: 'idle' }, effects: [] } : { state: s, effects: [] };
    case 'tick':
      return onTick(s, now, config);
    case 'activity': {
      const next = { ...s, activity: event.activity };
      return next.state === 'waiting' ? tryInstall(next, now, config) : { state: next, effects: [] };
    }
    case 'download-progress':
      if (!current(event) || s.state !== 'downloading') return { state: s, effects: [] };
      return { state: { ...s, progress: { transferred: event.transferred, total: event.total } }, effects: [] };
    case 'download-done':
      if (!current(event) || s.state !== 'downloading' || !s.target) return stale(s, event.file);
      return {
        state: { ...s, state: 'verifying', file: event.file, progress: { transferred: s.target.manifest.size, total: s.target.manifest.size } },
        effects: [{ kind: 'verify', attempt: s.attempt, file: event.file, release: s.target }],
      };
    case 'download-failed':
      if (!current(event) || s.state !== 'downloading') return { state: s, effects: [] };
      return fail(s, event.code, event.message, now, config, false);
    case 'verify-ok':
      if (!current(event) || s.state !== 'verifying') return { state: s, effects: [] };
      return tryInstall({ ...s, state: 'waiting', progress: null }, now, config);
    case 'verify-failed': {
      if (!current(event) || s.state !== 'verifying') return { state: s, effects: [] };
      // The signature covers the manifest HQ sent: the same release will fail the same way until HQ sends another.
      const failed = fail({ ...s, file: null }, event.code, event.message, now, config, event.code === 'bad-signature');
      return { state: failed.state, effects: s.file ? [{ kind: 'discard', file: s.file }, ...failed.effects] : failed.effects };
    }
    case 'backup-done': {
      if (!current(event) || s.state !== 'backing-up' || !s.file || !s.target) return { state: s, effects: [] };
      // HQ moved its target while the backup ran: this file is not what the terminal should run any more.
      if (!sameRelease(s.directive?.target ?? null, s.target)) return supersede(s, now, config);
      // The store may have come back to the till during the backup: the install waits again.
      const blockers = blockersAt(s, now, config);
      if (blockers.length > 0) return { state: { ...s, state: 'waiting', waitingFor: blockers }, effects: [] };
      return {
        state: { ...s, state: 'installing', waitingFor: [], failures: 0 },
        effects: [{ kind: 'install', attempt: s.attempt, file: s.file, target: s.target.manifest }],
      };
    }
    case 'backup-failed':
      if (!current(event) || s.state !== 'backing-up') return { state: s, effects: [] };
      return fail(s, event.code, event.message, now, config, false);
    case 'install-failed':
      if (!current(event) || s.state !== 'installing') return { state: s, effects: [] };
      return fail(s, 'install-failed', event.message, now, config, false);
  }
}

/** A file from an attempt given up on: deleted, never verified. */
function stale(s: PolicyState, file: string): Step {
  return { state: s, effects: file !== s.file ? [{ kind: 'discard', file }] : [] };
}

function onTick(s: PolicyState, now: number, config: PolicyConfig): Step {
  if (s.state === 'waiting') return tryInstall(s, now, config);
  if (s.state === 'failed' && s.retryAt !== null && now >= s.retryAt) {
    // A verified file survives a failed backup or install: only the safe moment is waited for again.
    if (s.file && sameRelease(s.directive?.target ?? null, s.target)) return tryInstall({ ...s, state: 'waiting', retryAt: null }, now, config);
    return decide({ ...s, retryAt: null }, now, config);
  }
  if ((s.state === 'idle' || (s.state === 'failed' && s.retryAt === null)) && now >= s.nextCheckAt) {
    return { state: { ...s, state: 'checking', nextCheckAt: now + config.checkEveryMs }, effects: [{ kind: 'check' }] };
  }
  return { state: s, effects: [] };
}

function onDirective(s: PolicyState, raw: unknown, now: number, config: PolicyConfig): Step {
  const parsed = parseDirective(raw);
  if (!parsed.ok) {
    const next = { ...s, directive: null };
    // Every pull repeats it: one refusal is enough, not one a pull.
    const refusedAlready = s.state === 'failed' && s.retryAt === null && s.lastError?.code === 'unknown-channel';
    if (refusedAlready || s.state === 'backing-up' || s.state === 'installing') return { state: next, effects: [] };
    return abandon(s, fail(next, 'unknown-channel', parsed.message, now, config, true));
  }
  const next: PolicyState = { ...s, directive: parsed.directive };
  switch (s.state) {
    case 'idle':
    case 'checking':
      return decide(next, now, config);
    case 'failed':
      // The same release keeps its backoff (or its refusal); a different one starts afresh.
      if (sameRelease(parsed.directive?.target ?? null, s.target)) return { state: next, effects: [] };
      return decide({ ...next, failures: 0, retryAt: null }, now, config);
    case 'downloading':
    case 'verifying':
    case 'waiting':
      if (sameRelease(parsed.directive?.target ?? null, s.target)) {
        // HQ's minimum may have risen past us: a forced install no longer waits for the window.
        return s.state === 'waiting' ? tryInstall(next, now, config) : { state: next, effects: [] };
      }
      return supersede(next, now, config);
    case 'backing-up':
    case 'installing':
      // Checked when the backup ends; an install under way is not interrupted.
      return { state: next, effects: [] };
  }
}

/** Drops the current attempt (aborting its download, deleting its file) and decides again from HQ's latest word. */
function supersede(s: PolicyState, now: number, config: PolicyConfig): Step {
  const decided = decide({ ...s, file: null, progress: null, failures: 0, retryAt: null }, now, config);
  return abandon(s, decided);
}

function abandon(before: PolicyState, after: Step): Step {
  const effects: PolicyEffect[] = [];
  if (before.state === 'downloading') effects.push({ kind: 'abort-download', attempt: before.attempt });
  if (before.file && before.file !== after.state.file) effects.push({ kind: 'discard', file: before.file });
  return { state: after.state, effects: [...effects, ...after.effects] };
}

/** From HQ's directive: nothing to do, a refusal, or a new download. */
function decide(s: PolicyState, now: number, config: PolicyConfig): Step {
  const d = s.directive;
  const release = d?.target ?? null;
  const idle = (): Step => ({ state: { ...s, state: 'idle', target: null, file: null, progress: null, waitingFor: [], retryAt: null, failures: 0 }, effects: [] });
  if (!d || !release) return idle();
  if (release.signature === s.refused) return { state: { ...s, state: 'failed', target: release, file: null, progress: null, waitingFor: [], retryAt: null }, effects: [] };
  const m = release.manifest;
  // A pilot store runs stable releases too; a stable store never runs a build published for the pilots.
  if (m.channel === 'pilot' && d.channel !== 'pilot') {
    return fail({ ...s, target: release }, 'unknown-channel', `the release is for channel « ${m.channel} », this terminal follows « ${d.channel} »`, now, config, true);
  }
  const order = compareVersions(m.version, s.installed);
  if (order === 0) return idle();
  if (!mayInstall(s.installed, m)) {
    return fail({ ...s, target: release }, 'downgrade-refused', `${m.version} is older than the installed ${s.installed} and HQ did not sign it as a rollback`, now, config, true);
  }
  const attempt = s.attempt + 1;
  return {
    state: { ...s, state: 'downloading', target: release, attempt, file: null, progress: { transferred: 0, total: m.size }, waitingFor: [] },
    effects: [{ kind: 'download', attempt, directive: d, target: m }],
  };
}

function tryInstall(s: PolicyState, now: number, config: PolicyConfig): Step {
  const blockers = blockersAt(s, now, config);
  if (blockers.length > 0 || !s.file || !s.target) return { state: { ...s, state: 'waiting', waitingFor: blockers }, effects: [] };
  const attempt = s.attempt + 1;
  return { state: { ...s, state: 'backing-up', attempt, waitingFor: [] }, effects: [{ kind: 'backup', attempt, target: s.target.manifest }] };
}

function fail(s: PolicyState, code: UpdateErrorCode, message: string, now: number, config: PolicyConfig, forGood: boolean): Step {
  const failures = s.failures + 1;
  const lastError: UpdateError = { code, message: message.slice(0, 500), at: now, version: s.target?.manifest.version ?? null };
  return {
    state: {
      ...s,
      state: 'failed',
      progress: null,
      waitingFor: [],
      lastError,
      failures,
      retryAt: forGood ? null : now + backoffCeiling(failures - 1, config.backoff),
      refused: forGood && s.target ? s.target.signature : s.refused,
    },
    effects: [],
  };
}

type Parsed = { ok: true; directive: UpdateDirective | null } | { ok: false; message: string };

/** The pull already checked its shape; this is the policy's own guard, and where an unknown channel gets its name. */
function parseDirective(raw: unknown): Parsed {
  if (raw === null || raw === undefined) return { ok: true, directive: null };
  const parsed = UpdateDirective.safeParse(raw);
  if (parsed.success) return { ok: true, directive: parsed.data };
  const channel = (raw as { channel?: unknown }).channel;
  if (typeof channel === 'string' && !(RELEASE_CHANNELS as readonly string[]).includes(channel)) {
    return { ok: false, message: `unknown update channel « ${channel.slice(0, 32)} »: this build knows ${RELEASE_CHANNELS.join(', ')}` };
  }
  return { ok: false, message: `HQ's update directive is not one this build reads: ${parsed.error.issues[0]?.message ?? ''}`.slice(0, 300) };
}
