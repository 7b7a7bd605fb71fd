import { join } from 'node:path';
import type { Handlers } from '../rpc/dispatch';
import type { Db } from '../db/database';
import type { EventBus } from '../events';
import type { CustomerSession } from '../session/customer-session';
import { storedUpdateDirective } from '../sync/pull';
import type { TerminalSync } from '../sync/terminal-sync';
import { sendUpdateStatus } from './status-report';
import { UpdateService, type UpdateServiceOptions } from './update-service';
import { loadReleaseKeys, type TrustedReleaseKey } from './verify';

export interface TerminalUpdatesOptions
  extends Pick<UpdateServiceOptions, 'db' | 'dataDir' | 'hqUrl' | 'appVersion' | 'build' | 'clock' | 'timers' | 'logger' | 'updater' | 'config' | 'tickMs'> {
  bus: EventBus;
  session: CustomerSession;
  sync: TerminalSync;
  /** The trusted release keys; resources/release-keys by default. */
  releaseKeys?: readonly TrustedReleaseKey[];
}

export const RELEASE_KEYS_DIR = join('resources', 'release-keys');

/** Print jobs not yet confirmed by the printer: an install would restart the app under them. */
function printPendingQuery(db: Db): () => boolean {
  const busy = db.prepare("SELECT EXISTS (SELECT 1 FROM print_job WHERE state IN ('queued', 'printing', 'interrupted')) AS busy").pluck();
  return () => busy.get() === 1;
}

/**
 * The events after which a safe moment may have begun or ended. Others (points
 * moved during a sale, scans, incidents) leave it as it was, and the policy's
 * tick reads everything afresh anyway: reading it on every event put a query
 * and a sync view inside each sale's commit.
 */
const SAFE_MOMENT_EVENTS: ReadonlySet<string> = new Set(['session.changed', 'sync.changed', 'device.changed']);

/**
 * The update service wired to the rest of the core: the safe-moment signals
 * (the customer session, the print queue, the sync push loop, the customer
 * screen's activity), HQ's directive after each pull, the signed report to
 * HQ, `updates.status` and `updates.changed`.
 *
 * The customer screen's activity is the cheapest honest signal there is: any
 * call the customer screen makes (a touch on it becomes a call) and any change
 * of what it shows (core.ts feeds both to `customerActivity()`).
 */
export function createTerminalUpdates(o: TerminalUpdatesOptions): { service: UpdateService; handlers: Pick<Handlers, 'updates.status'> } {
  const printPending = printPendingQuery(o.db);
  // Kept from the sync's own announcements rather than rebuilding its view at each check.
  let syncInFlight = o.sync.view().state === 'pushing';
  const service = new UpdateService({
    db: o.db,
    dataDir: o.dataDir,
    appVersion: o.appVersion,
    build: o.build,
    clock: o.clock,
    timers: o.timers,
    logger: o.logger,
    updater: o.updater,
    releaseKeys: o.releaseKeys ?? loadReleaseKeys(RELEASE_KEYS_DIR),
    hqUrl: o.hqUrl,
    directive: () => storedUpdateDirective(o.db),
    activity: () => {
      const phase = o.session.current().phase;
      return {
        // A customer greeted at the till (or just enrolled) is a sale under way until the cashier clears the screen.
        saleOpen: phase === 'identified' || phase === 'enrolled',
        enrolmentOpen: phase === 'enrolling',
        printPending: printPending(),
        syncInFlight,
      };
    },
    check: async () => (await o.sync.client?.pull())?.ok === true,
    report: (report) => (o.sync.client ? sendUpdateStatus(o.sync.client, report) : Promise.resolve('not-enrolled' as const)),
    onChange: (view) => o.bus.emit('updates.changed', view),
    config: o.config,
    tickMs: o.tickMs,
  });
  let lastPullAt: number | null = null;
  o.bus.subscribe((name, payload) => {
    if (!SAFE_MOMENT_EVENTS.has(name)) return;
    if (name === 'session.changed') service.customerActivity();
    if (name === 'sync.changed') {
      syncInFlight = (payload as { state?: string }).state === 'pushing';
      const pulledAt = (payload as { lastPullAt?: number | null }).lastPullAt ?? null;
      if (pulledAt !== lastPullAt) {
        lastPullAt = pulledAt;
        service.pulled();
      }
    }
    service.activityChanged();
  });
  return { service, handlers: { 'updates.status': () => service.view() } };
}
