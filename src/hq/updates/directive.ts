import type { UpdateDirective } from '../../shared/updates/directive';
import { compareVersions } from '../../shared/updates/release';
import type { HqContext } from '../context';
import { issueFeedToken } from './feed-token';
import { signedReleaseOf } from './releases';
import { maintenanceWindowOf, minAppVersion, targetOf, terminalPlace } from './rollout';
import { updateService } from './service';

/** Where a terminal's electron-updater reads its feed: <feedPath>/latest-linux.yml (Linux) or latest.yml (Windows). */
export function feedPathOf(channel: string): string {
  return `/v1/updates/feed/${channel}`;
}

export interface PullVersions {
  minAppVersion: string;
  recommendedAppVersion: string;
  /** Absent when this HQ has no release service. */
  update?: UpdateDirective;
}

/**
 * The update part of a terminal's pull (pull.ts): its channel, the release
 * its rollout gives it (null when none reaches it), HQ's minimum version, its
 * store's maintenance window, and a fresh feed token. `recommendedAppVersion`
 * is the target's version, else the minimum.
 */
export async function pullVersions(ctx: HqContext, terminalId: string): Promise<PullVersions> {
  const min = await minAppVersion(ctx.sql);
  const service = updateService(ctx);
  const place = await terminalPlace(ctx.sql, terminalId);
  if (!service || !place) return { minAppVersion: min, recommendedAppVersion: min };
  const target = await targetOf(ctx, place, place.appVersion);
  const expiresAt = ctx.clock.now() + service.feedTokenTtlMs;
  const recommended = target && compareVersions(target.release.version, min) > 0 ? target.release.version : min;
  return {
    minAppVersion: min,
    recommendedAppVersion: recommended,
    update: {
      channel: place.channel,
      target: target ? signedReleaseOf(target.release) : null,
      minAppVersion: min,
      maintenanceWindow: await maintenanceWindowOf(ctx.sql, place.storeId),
      feedPath: feedPathOf(place.channel),
      feedToken: issueFeedToken(service.feedSecret, terminalId, expiresAt),
      feedTokenExpiresAt: expiresAt,
    },
  };
}
