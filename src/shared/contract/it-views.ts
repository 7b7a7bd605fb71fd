import { z } from 'zod';
import { DeviceInfo, Timestamp } from './schemas';
import { SyncStatusView } from './sync-views';
import { UpdateStatusView } from '../updates/status-view';

/**
 * The IT view on the terminal (docs: issue 13, item 5), behind an IT PIN that
 * is not the manager's. Every `it.*` method but `it.unlock` answers
 * `it_locked` without a live IT session; the session lapses after
 * IT_SESSION_IDLE_MS without a call, and on `it.lock`.
 */
export const IT_SESSION_IDLE_MS = 5 * 60_000;
/** Wrong PINs in a row before the cool-down. */
export const IT_PIN_MAX_TRIES = 5;
export const IT_PIN_COOLDOWN_MS = 5 * 60_000;

export const ItPin = z.string().regex(/^\d{4,12}$/, 'it.pin.format');

export const ItUnlockInput = z.strictObject({ pin: ItPin });

export const ItSessionView = z.object({ expiresAt: Timestamp });
export type ItSessionView = z.infer<typeof ItSessionView>;

export const ItOverview = z.object({
  session: ItSessionView,
  app: z.object({ version: z.string(), build: z.string(), shell: z.enum(['electron', 'browser']), node: z.string() }),
  /** `updates.status` (state, versions, progress, what the install waits for, history); null if it could not be read. */
  updates: UpdateStatusView.nullable(),
  hq: z.object({ url: z.string().nullable(), sync: SyncStatusView }),
  terminal: z.object({ terminalId: z.string(), terminalCode: z.number().int(), storeId: z.string().nullable(), storeName: z.string() }),
  devices: z.array(DeviceInfo.extend({ endpoint: z.string().nullable() })),
  dataDir: z.string().nullable(),
  /** Where the till software calls this terminal; null when the till API is off. */
  tillApi: z.object({ url: z.string(), lan: z.boolean(), tills: z.number().int().nonnegative() }).nullable(),
  /** The newest last, personal data redacted. */
  logLines: z.array(z.string()),
});
export type ItOverview = z.infer<typeof ItOverview>;

export const ItTestScanInput = z.strictObject({ timeoutMs: z.number().int().min(1_000).max(60_000).default(20_000) });

/** A test scan never identifies anyone: the code is classified and masked, never shown whole. */
export const ItTestScanView = z.discriminatedUnion('outcome', [
  z.object({
    outcome: z.literal('scanned'),
    deviceId: z.string(),
    kind: z.enum(['card', 'product', 'other']),
    length: z.number().int().nonnegative(),
    /** The last four characters only. */
    masked: z.string(),
  }),
  z.object({ outcome: z.literal('timeout') }),
]);
export type ItTestScanView = z.infer<typeof ItTestScanView>;

export const ItTestPrintView = z.object({ printerId: z.string(), jobId: z.string() });

export const ItBundleView = z.object({
  fileName: z.string(),
  /** Where it was written in the data folder (0600); null where the terminal has none (tests in memory). */
  path: z.string().nullable(),
  bytes: z.number().int().nonnegative(),
  /** The bundle itself (JSON), for the screen to offer as a download. */
  content: z.string(),
});
export type ItBundleView = z.infer<typeof ItBundleView>;

/** `restarting: false`: the shell cannot restart itself here (`reason` says why). */
export const ItRestartView = z.object({ restarting: z.boolean(), reason: z.string().nullable() });
export type ItRestartView = z.infer<typeof ItRestartView>;
