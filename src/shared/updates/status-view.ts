import { z } from 'zod';
import { AppVersion, RELEASE_CHANNELS } from './release';
import { MaintenanceWindow, SAFE_MOMENT_BLOCKERS, UPDATE_ERROR_CODES, UPDATE_STATES, UpdateError } from './directive';

/**
 * What the terminal's screens show of its updates (`updates.status`, the
 * `updates.changed` event): the Diagnostic dialog's panel and the IT view.
 */

/** A history line: a state the policy entered, or `installed` when a new version started as the install meant. */
export const UPDATE_HISTORY_KINDS = [...UPDATE_STATES, 'installed'] as const;

export const UpdateHistoryItem = z.object({
  at: z.number().int().nonnegative(),
  kind: z.enum(UPDATE_HISTORY_KINDS),
  fromVersion: z.string().max(32),
  targetVersion: z.string().max(32).nullable(),
  errorCode: z.enum(UPDATE_ERROR_CODES).nullable(),
  message: z.string().max(500).nullable(),
});
export type UpdateHistoryItem = z.infer<typeof UpdateHistoryItem>;

export const UpdateStatusView = z.object({
  /** False where nothing can install a build (a development run): the state then stays idle. */
  updaterAvailable: z.boolean(),
  state: z.enum(UPDATE_STATES),
  currentVersion: AppVersion,
  build: z.string().max(64),
  channel: z.enum(RELEASE_CHANNELS).nullable(),
  targetVersion: AppVersion.nullable(),
  /** 0–100 while downloading, else null. */
  progressPercent: z.number().min(0).max(100).nullable(),
  waitingFor: z.array(z.enum(SAFE_MOMENT_BLOCKERS)),
  /** HQ's minimum is above the running version: the install does not wait for the maintenance window. */
  forced: z.boolean(),
  maintenanceWindow: MaintenanceWindow.nullable(),
  lastError: UpdateError.nullable(),
  /** When a failed attempt is tried again; null when none is due. */
  retryAt: z.number().int().nonnegative().nullable(),
  /** Newest first, a few. */
  history: z.array(UpdateHistoryItem),
});
export type UpdateStatusView = z.infer<typeof UpdateStatusView>;
