import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HqContext } from '../context';

/**
 * Where HQ's release service keeps its files (the release key, the stored
 * artifacts, the feed-token secret): HQ's data folder, given once when HQ
 * opens (server.ts openHq) and found again by the pull, the routes and the CLI.
 * An HQ context never configured (a bare buildApp) has no release service:
 * its pulls carry no `update`, its feed routes answer 503.
 */
export interface UpdateService {
  dataDir: string;
  /** HMAC key of the feed tokens (feed-token.ts). */
  feedSecret: Buffer;
  /** How long a feed token given in a pull stays valid. */
  feedTokenTtlMs: number;
  /** How long the feed's in-memory snapshot is used before it is read again (feed-snapshot.ts). */
  snapshotTtlMs: number;
  /** A monotonic clock in ms for that snapshot's age (performance.now; injected by tests). */
  monotonic: () => number;
  /** Bumped by every change HQ makes to what a feed says (updatesChanged): a snapshot older than it is not used. */
  changes: number;
}

export const FEED_SECRET_FILE = 'update-feed.secret';
export const DEFAULT_FEED_TOKEN_TTL_MS = 30 * 60_000;
export const DEFAULT_SNAPSHOT_TTL_MS = 5_000;

const services = new WeakMap<HqContext, UpdateService>();

function loadOrCreateFeedSecret(ctx: HqContext, dataDir: string): Buffer {
  const file = join(dataDir, FEED_SECRET_FILE);
  if (existsSync(file)) {
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    const secret = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64url');
    if (secret.length >= 32) return secret;
    throw new Error(`${file} does not hold a feed secret (32 bytes, base64url): remove it and HQ makes a new one`);
  }
  const secret = Buffer.from(ctx.random.bytes(32));
  writeFileSync(file, `${secret.toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

export function configureUpdates(ctx: HqContext, dataDir: string, o: Partial<Pick<UpdateService, 'feedTokenTtlMs' | 'snapshotTtlMs' | 'monotonic'>> = {}): UpdateService {
  const service: UpdateService = {
    dataDir,
    feedSecret: loadOrCreateFeedSecret(ctx, dataDir),
    feedTokenTtlMs: o.feedTokenTtlMs ?? DEFAULT_FEED_TOKEN_TTL_MS,
    snapshotTtlMs: o.snapshotTtlMs ?? DEFAULT_SNAPSHOT_TTL_MS,
    monotonic: o.monotonic ?? (() => performance.now()),
    changes: 0,
  };
  services.set(ctx, service);
  return service;
}

export function updateService(ctx: HqContext): UpdateService | null {
  return services.get(ctx) ?? null;
}

/** HQ changed a rollout, a cohort, an offer or a terminal's reported version: the feed reads the database again. */
export function updatesChanged(ctx: HqContext): void {
  const service = services.get(ctx);
  if (service) service.changes += 1;
}
