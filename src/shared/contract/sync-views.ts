import { z } from 'zod';
import { Timestamp } from './schemas';

/**
 * What the cashier's sync indicator and the diagnostics view show of the
 * terminal's link with HQ. `unconfigured`: no HQ URL (a stand-alone till);
 * `unenrolled`: an HQ but no enrolment yet, so nothing leaves the terminal.
 */
export const SyncState = z.enum(['unconfigured', 'unenrolled', 'idle', 'pushing', 'pulling', 'offline', 'frozen']);
export type SyncState = z.infer<typeof SyncState>;

const Problem = z.object({ code: z.string(), message: z.string(), at: Timestamp });

export const SyncStatusView = z.object({
  state: SyncState,
  /** This terminal's id (its config): what IT creates an enrolment code for. */
  terminalId: z.string(),
  storeId: z.string().nullable(),
  /** Journal entries HQ has not acknowledged yet: they are safe here and leave when HQ answers. */
  backlog: z.number().int().nonnegative(),
  headSeq: z.number().int().nonnegative(),
  ackedSeq: z.number().int().nonnegative(),
  lastContactAt: Timestamp.nullable(),
  lastPullAt: Timestamp.nullable(),
  nextAttemptAt: Timestamp.nullable(),
  /** While catching up on a backlog: entries sent of those queued when the drain began. */
  progress: z.object({ done: z.number().int().nonnegative(), total: z.number().int().nonnegative() }).nullable(),
  lastError: Problem.nullable(),
  /** Sales HQ accepted with an exception (an offline redemption that overdrew): each is an incident at HQ. */
  hqExceptions: z.number().int().nonnegative(),
  /** The newest of them, newest first (a few): what the Diagnostic dialog lists for IT staff. */
  hqExceptionsRecent: z.array(z.object({ entryId: z.string(), kind: z.string(), detail: z.string(), ackedAt: Timestamp })),
  /** Why pushing stopped and needs IT (a frozen stream, a refused terminal). */
  problem: Problem.nullable(),
});
export type SyncStatusView = z.infer<typeof SyncStatusView>;

export const SyncEnrolInput = z.strictObject({
  /** The one-time code IT staff read from HQ's fleet page or CLI. */
  code: z
    .string()
    .trim()
    .toUpperCase()
    .pipe(z.string().regex(/^[A-Z0-9-]{6,32}$/, 'sync.code_format')),
  storeId: z.string().trim().pipe(z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'sync.store_format')),
});
