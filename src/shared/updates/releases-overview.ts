import type { ReleaseChannel } from './release';

/**
 * The answer of HQ's GET /v1/releases (src/hq/updates/progress.ts), written
 * once for HQ and the console's Releases view (types only: the console
 * bundle must not pull code from src/shared).
 */
export type RolloutStatus = 'active' | 'paused';

/**
 * Of the active terminals a rollout's stores and cohorts hold: how many run
 * its version, are downloading it, wait for a safe moment, failed, are
 * reached but have not started, or are not reached (outside the percentage,
 * or the rollout was paused before they were offered it).
 */
export interface RolloutProgress {
  onTarget: number;
  downloading: number;
  waiting: number;
  failed: number;
  pending: number;
  notReached: number;
  inScope: number;
}

export interface RolloutView {
  rolloutId: string;
  version: string;
  stores: string[];
  cohorts: string[];
  percent: number;
  status: RolloutStatus;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  progress: RolloutProgress;
}

export interface ReleaseSummary {
  version: string;
  channel: ReleaseChannel;
  fileName: string;
  sha512: string;
  size: number;
  allowDowngrade: boolean;
  publishedAt: number;
  publishedBy: string;
  notes: string;
  keyId: string;
}

export interface ReleasesOverview {
  releases: ReleaseSummary[];
  rollouts: RolloutView[];
  cohorts: Array<{ storeId: string; cohort: string }>;
  windows: Array<{ storeId: string; start: string; end: string; timeZone: string }>;
  stores: string[];
  minAppVersion: string;
  now: number;
}
