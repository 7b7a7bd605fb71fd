import type { UpdateState } from '../../shared/updates/directive';
import type { HqContext } from '../context';
export type { ReleasesOverview } from '../../shared/updates/releases-overview';
import type { ReleasesOverview, RolloutProgress, RolloutView } from '../../shared/updates/releases-overview';
import { listReleases, releaseRows } from './releases';
import { channelOfCohort, listRollouts, minAppVersion, rolloutCovers, type TerminalPlace } from './rollout';

/**
 * Where each rollout stands (the console's Releases view, `release list`):
 * the types are in src/shared/updates/releases-overview.ts.
 */
const DOWNLOADING: ReadonlySet<UpdateState> = new Set(['checking', 'downloading', 'verifying']);
const WAITING: ReadonlySet<UpdateState> = new Set(['waiting', 'backing-up', 'installing']);

export async function releasesOverview(ctx: HqContext): Promise<ReleasesOverview> {
  const terminals = await ctx.sql.query<{ terminal_id: string; store_id: string; app_version: string; cohort: string | null; state: UpdateState | null; target_version: string | null }>(
    `SELECT t.terminal_id, t.store_id, t.app_version, c.cohort, s.state, s.target_version
     FROM terminal t LEFT JOIN store_cohort c ON c.store_id = t.store_id LEFT JOIN terminal_update_status s ON s.terminal_id = t.terminal_id
     WHERE t.status = 'active' ORDER BY t.terminal_id`,
  );
  const offers = await ctx.sql.query<{ terminal_id: string; rollout_id: string }>('SELECT terminal_id, rollout_id FROM rollout_offer');
  const offered = new Set(offers.map((o) => `${o.rollout_id}|${o.terminal_id}`));
  const channels = new Map((await releaseRows(ctx.sql)).map((r) => [r.version, r.channel]));
  const rollouts = await listRollouts(ctx.sql);
  const views = rollouts.map((r): RolloutView => {
    const release = { channel: channels.get(r.version) ?? 'stable' };
    const progress: RolloutProgress = { onTarget: 0, downloading: 0, waiting: 0, failed: 0, pending: 0, notReached: 0, inScope: 0 };
    for (const t of terminals) {
      const place: TerminalPlace = { terminalId: t.terminal_id, storeId: t.store_id, cohort: t.cohort, channel: channelOfCohort(t.cohort) };
      if (!rolloutCovers({ ...r, percent: 100 }, release, place)) continue;
      progress.inScope += 1;
      const reached = offered.has(`${r.rollout_id}|${t.terminal_id}`) || (r.status === 'active' && rolloutCovers(r, release, place));
      if (t.app_version === r.version) progress.onTarget += 1;
      else if (!reached) progress.notReached += 1;
      else if (t.target_version === r.version && t.state === 'failed') progress.failed += 1;
      else if (t.target_version === r.version && t.state !== null && DOWNLOADING.has(t.state)) progress.downloading += 1;
      else if (t.target_version === r.version && t.state !== null && WAITING.has(t.state)) progress.waiting += 1;
      else progress.pending += 1;
    }
    return {
      rolloutId: r.rollout_id,
      version: r.version,
      stores: r.stores,
      cohorts: r.cohorts,
      percent: r.percent,
      status: r.status,
      createdAt: r.created_at,
      createdBy: r.created_by,
      updatedAt: r.updated_at,
      progress,
    };
  });
  const cohorts = await ctx.sql.query<{ store_id: string; cohort: string }>('SELECT store_id, cohort FROM store_cohort ORDER BY store_id');
  const windows = await ctx.sql.query<{ store_id: string; start_hhmm: string; end_hhmm: string; time_zone: string }>(
    'SELECT store_id, start_hhmm, end_hhmm, time_zone FROM store_update_window ORDER BY store_id',
  );
  const stores = [...new Set(terminals.map((t) => t.store_id))].sort();
  return {
    releases: await listReleases(ctx),
    rollouts: views,
    cohorts: cohorts.map((c) => ({ storeId: c.store_id, cohort: c.cohort })),
    windows: windows.map((w) => ({ storeId: w.store_id, start: w.start_hhmm, end: w.end_hhmm, timeZone: w.time_zone })),
    stores,
    minAppVersion: await minAppVersion(ctx.sql),
    now: ctx.clock.now(),
  };
}
