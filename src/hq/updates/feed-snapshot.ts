import type { HqContext } from '../context';
import { releaseRows, type ReleaseRow } from './releases';
import { channelOfCohort, chooseTarget, minAppVersion, recordOffer, resolveTarget, rolloutCandidates, type RolloutCandidate, type Target, type TerminalPlace } from './rollout';
import type { UpdateService } from './service';

/**
 * What the feed and file routes need to answer a terminal, held in memory:
 * terminals (store, cohort, status, version), rollouts with their releases,
 * and the offers made. A fleet polls its feed far more often than IT changes
 * anything, and a database round trip per poll was most of a poll's cost
 * (bench/updates-feed.ts). The pull, which signs what it says, still reads
 * the database.
 *
 * Fresh enough: HQ's own changes to rollouts, cohorts, offers and reports
 * drop the snapshot at once (service.ts updatesChanged); what happens elsewhere (an
 * enrolment, a revocation, another HQ process on the same PostgreSQL) shows
 * within `snapshotTtlMs` (5 s): past it the next poll is answered from the old
 * snapshot while a new one loads, never waiting for it.
 */
interface TerminalEntry {
  place: TerminalPlace;
  status: string;
  appVersion: string;
}

interface Snapshot {
  terminals: Map<string, TerminalEntry>;
  candidates: RolloutCandidate[];
  releases: ReleaseRow[];
  minAppVersion: string;
  offers: Set<string>;
  loadedAt: number;
  /** service.changes when the load began. */
  changes: number;
}

interface Holder {
  snapshot: Snapshot | null;
  loading: Promise<Snapshot> | null;
}

const holders = new WeakMap<UpdateService, Holder>();

function holderOf(service: UpdateService): Holder {
  let h = holders.get(service);
  if (!h) {
    h = { snapshot: null, loading: null };
    holders.set(service, h);
  }
  return h;
}

const offerKey = (rolloutId: string, terminalId: string) => `${rolloutId}|${terminalId}`;

async function load(ctx: HqContext, service: UpdateService, holder: Holder): Promise<Snapshot> {
  const changes = service.changes;
  const rows = await ctx.sql.query<{ terminal_id: string; store_id: string; status: string; app_version: string; cohort: string | null }>(
    'SELECT t.terminal_id, t.store_id, t.status, t.app_version, c.cohort FROM terminal t LEFT JOIN store_cohort c ON c.store_id = t.store_id',
  );
  const candidates = await rolloutCandidates(ctx.sql);
  const offers = await ctx.sql.query<{ terminal_id: string; rollout_id: string }>('SELECT terminal_id, rollout_id FROM rollout_offer');
  const snapshot: Snapshot = {
    terminals: new Map(
      rows.map((r) => [
        r.terminal_id,
        { place: { terminalId: r.terminal_id, storeId: r.store_id, cohort: r.cohort, channel: channelOfCohort(r.cohort) }, status: r.status, appVersion: r.app_version },
      ]),
    ),
    candidates,
    releases: await releaseRows(ctx.sql),
    minAppVersion: await minAppVersion(ctx.sql),
    offers: new Set(offers.map((o) => offerKey(o.rollout_id, o.terminal_id))),
    loadedAt: service.monotonic(),
    changes,
  };
  if (!holder.snapshot || holder.snapshot.changes <= changes) holder.snapshot = snapshot;
  return snapshot;
}

function reload(ctx: HqContext, service: UpdateService, holder: Holder): Promise<Snapshot> {
  if (!holder.loading) {
    holder.loading = load(ctx, service, holder).finally(() => {
      holder.loading = null;
    });
  }
  return holder.loading;
}

async function current(ctx: HqContext, service: UpdateService): Promise<Snapshot> {
  const holder = holderOf(service);
  const snapshot = holder.snapshot;
  // Changed by this HQ since: wait for the database (a load begun before the change would not do).
  if (!snapshot || snapshot.changes !== service.changes) {
    if (holder.loading) await holder.loading.catch(() => undefined);
    const fresh = holder.snapshot;
    return fresh && fresh.changes === service.changes ? fresh : reload(ctx, service, holder);
  }
  if (service.monotonic() - snapshot.loadedAt > service.snapshotTtlMs) {
    reload(ctx, service, holder).catch((error: unknown) => ctx.logger.error('update feed snapshot failed to load', { error: String(error) }));
  }
  return snapshot;
}

/** The terminal as the feed knows it; one enrolled since the snapshot is looked up again. */
export async function feedTerminal(ctx: HqContext, service: UpdateService, terminalId: string): Promise<TerminalEntry | null> {
  const found = (await current(ctx, service)).terminals.get(terminalId);
  if (found) return found;
  const holder = holderOf(service);
  if (holder.loading) await holder.loading.catch(() => undefined);
  return (await reload(ctx, service, holder)).terminals.get(terminalId) ?? null;
}

/** The terminal's target from the snapshot; an offer made here is recorded (in the snapshot at once, in the database after). */
export async function feedTarget(ctx: HqContext, service: UpdateService, place: TerminalPlace, installed: string): Promise<Target | null> {
  const snapshot = await current(ctx, service);
  const chosen = chooseTarget(snapshot.candidates, (id) => snapshot.offers.has(offerKey(id, place.terminalId)), place);
  if (chosen && !snapshot.offers.has(offerKey(chosen.rollout.rollout_id, place.terminalId))) {
    snapshot.offers.add(offerKey(chosen.rollout.rollout_id, place.terminalId));
    await recordOffer(ctx, place.terminalId, chosen.rollout.rollout_id);
  }
  return resolveTarget(chosen, snapshot.releases, snapshot.minAppVersion, place, installed);
}
