import { z } from 'zod';
import { AppVersion, RELEASE_CHANNELS, SignedRelease } from './release';

/**
 * What HQ tells one terminal about updates in each pull (issue 13), and what
 * the terminal reports back. HQ decides per terminal: the rollout (stores,
 * cohorts, percentage, paused) picks the release this terminal should run.
 */

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

/**
 * A store's maintenance window, in the store's own time zone. `end` before
 * `start` wraps past midnight (22:00 → 05:00). Outside it only a forced
 * minimum version may install, and still only at a safe moment.
 */
export const MaintenanceWindow = z.strictObject({
  start: HHMM,
  end: HHMM,
  timeZone: z.string().min(1).max(64),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

export const UpdateDirective = z.strictObject({
  channel: z.enum(RELEASE_CHANNELS),
  /** The release this terminal should run now, or null when the rollout does not reach it. */
  target: SignedRelease.nullable(),
  /** HQ's minimum version: below it the terminal installs `target` at the next safe moment, even outside the window. */
  minAppVersion: AppVersion,
  maintenanceWindow: MaintenanceWindow.nullable(),
  /**
   * Where electron-updater's generic provider reads this terminal's feed, a
   * path on HQ (`/v1/updates/feed`), and the short-lived bearer token it sends
   * there: the feed and the files are served only to enrolled terminals.
   */
  feedPath: z.string().regex(/^\/[A-Za-z0-9/_.-]{0,200}$/),
  feedToken: z.string().regex(/^[A-Za-z0-9_.-]{16,512}$/),
  feedTokenExpiresAt: z.number().int().nonnegative(),
});
export type UpdateDirective = z.infer<typeof UpdateDirective>;

export const UPDATE_STATES = [
  'idle',
  'checking',
  'downloading',
  'verifying',
  'waiting',
  'backing-up',
  'installing',
  'failed',
] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

/** Why an install is being held back right now. */
export const SAFE_MOMENT_BLOCKERS = [
  'sale-open',
  'enrolment-open',
  'print-pending',
  'sync-in-flight',
  'customer-active',
  'outside-window',
] as const;
export type SafeMomentBlocker = (typeof SAFE_MOMENT_BLOCKERS)[number];

export const UPDATE_ERROR_CODES = [
  'bad-signature',
  'sha512-mismatch',
  'size-mismatch',
  'downgrade-refused',
  'unknown-channel',
  'download-failed',
  'hq-unreachable',
  'backup-failed',
  'disk-full',
  'install-failed',
] as const;
export type UpdateErrorCode = (typeof UPDATE_ERROR_CODES)[number];

export const UpdateError = z.strictObject({
  code: z.enum(UPDATE_ERROR_CODES),
  /** Plain words for IT, never a member's data. */
  message: z.string().max(500),
  at: z.number().int().nonnegative(),
  version: AppVersion.nullable(),
});
export type UpdateError = z.infer<typeof UpdateError>;

/** What the terminal reports to HQ (POST /v1/updates/status, signed like every terminal request). */
export const UpdateStatusReport = z.strictObject({
  appVersion: AppVersion,
  build: z.string().max(64),
  state: z.enum(UPDATE_STATES),
  targetVersion: AppVersion.nullable(),
  /** 0–100 while downloading, else null. */
  progressPercent: z.number().min(0).max(100).nullable(),
  waitingFor: z.array(z.enum(SAFE_MOMENT_BLOCKERS)).max(SAFE_MOMENT_BLOCKERS.length),
  lastError: UpdateError.nullable(),
});
export type UpdateStatusReport = z.infer<typeof UpdateStatusReport>;
