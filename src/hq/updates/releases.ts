import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { AppVersion, compareVersions, RELEASE_CHANNELS, ReleaseFileName, ReleaseManifest, type ReleaseChannel, type SignedRelease } from '../../shared/updates/release';
import type { ReleaseSummary } from '../../shared/updates/releases-overview';
import { HqError, type HqContext } from '../context';
import type { Sql } from '../db';
import { removeBlob, storeArtifact } from './artifact-store';
import { auditIt } from './it-audit';
import { loadOrCreateReleaseKey, loadReleaseKey } from './release-key';
import { updatesChanged, updateService } from './service';

/**
 * Publishing a release (issue 13 §3): check everything that can be checked
 * before a byte is copied, copy and hash the file, sign the manifest with the
 * release key, record it. A refusal leaves nothing behind: no row, no file.
 *
 * Rolling back is publishing the previous build again under a NEW, higher
 * version (electron-updater's own rule: terminals never take the same version
 * twice); `allowDowngrade` is the exceptional signed downgrade, for a build
 * that cannot be rebuilt with a higher number.
 */
export interface PublishRequest {
  file: string;
  version: string;
  channel: string;
  allowDowngrade?: boolean;
  notes?: string;
  /** The name the feed gives the file (default: the file's own name). */
  fileName?: string;
}

export interface ReleaseRow {
  version: string;
  channel: ReleaseChannel;
  file_name: string;
  sha512: string;
  size: number;
  allow_downgrade: boolean;
  published_at: number;
  key_id: string;
  signature: string;
  blob: string;
  notes: string;
  published_by: string;
}

export const RELEASE_COLUMNS = 'version, channel, file_name, sha512, size, allow_downgrade, published_at, key_id, signature, blob, notes, published_by';

export function signedReleaseOf(r: ReleaseRow): SignedRelease {
  return {
    manifest: {
      version: r.version,
      channel: r.channel,
      fileName: r.file_name,
      sha512: r.sha512,
      size: r.size,
      allowDowngrade: r.allow_downgrade,
      publishedAt: r.published_at,
    },
    keyId: r.key_id,
    signature: r.signature,
  };
}

export type { ReleaseSummary };

function summary(r: ReleaseRow): ReleaseSummary {
  return { ...signedReleaseOf(r).manifest, publishedBy: r.published_by, notes: r.notes, keyId: r.key_id };
}

export async function releaseRows(sql: Sql): Promise<ReleaseRow[]> {
  const rows = await sql.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM app_release`);
  return rows.sort((a, b) => compareVersions(b.version, a.version));
}

/** Every published release, newest version first. */
export async function listReleases(ctx: HqContext): Promise<ReleaseSummary[]> {
  return (await releaseRows(ctx.sql)).map(summary);
}

export async function findRelease(sql: Sql, version: string): Promise<ReleaseRow | null> {
  return (await sql.query<ReleaseRow>(`SELECT ${RELEASE_COLUMNS} FROM app_release WHERE version = $1`, [version]))[0] ?? null;
}

const refuse = (message: string, code = 'malformed', status = 400) => new HqError(code, status, message);

/** Everything checked before a byte is copied. */
async function checkPublish(ctx: HqContext, request: PublishRequest): Promise<{ channel: ReleaseChannel; fileName: string; version: string }> {
  if (!AppVersion.safeParse(request.version).success) throw refuse(`version « ${request.version} » is not major.minor.patch[-prerelease] (e.g. 1.4.0 or 1.4.0-rc.1)`);
  if (!(RELEASE_CHANNELS as readonly string[]).includes(request.channel)) throw refuse(`channel « ${request.channel} » is unknown: ${RELEASE_CHANNELS.join(' or ')}`, 'unknown_channel');
  const channel = request.channel as ReleaseChannel;
  let stat;
  try {
    stat = statSync(request.file);
  } catch {
    throw refuse(`file ${request.file} does not exist`, 'not_found', 404);
  }
  if (!stat.isFile()) throw refuse(`${request.file} is not a file`);
  if (stat.size === 0) throw refuse(`${request.file} is empty`);
  const fileName = request.fileName ?? basename(request.file);
  if (!ReleaseFileName.safeParse(fileName).success) throw refuse(`file name « ${fileName} »: letters, digits, dot, dash and underscore only (--name to give another)`);
  if ((request.notes ?? '').length > 2000) throw refuse('notes: 2000 characters at most');
  const published = await releaseRows(ctx.sql);
  if (published.some((r) => r.version === request.version)) {
    throw refuse(`version ${request.version} is already published: a release is never replaced; publish the build under a new, higher version`, 'conflict', 409);
  }
  const highest = published[0];
  if (highest && compareVersions(request.version, highest.version) < 0 && request.allowDowngrade !== true) {
    throw refuse(
      `version ${request.version} is lower than ${highest.version}, already published: terminals never install a lower version. To roll back, publish the previous build under a new version above ${highest.version}; --allow-downgrade signs an exceptional downgrade`,
      'downgrade',
      409,
    );
  }
  return { channel, fileName, version: request.version };
}

export async function publishRelease(ctx: HqContext, request: PublishRequest, by: string): Promise<SignedRelease> {
  const service = updateService(ctx);
  if (!service) throw new HqError('unavailable', 503, 'this HQ has no release service');
  const checked = await checkPublish(ctx, request);
  // The key before the copy: without it nothing could be signed, and nothing is stored.
  const key = loadReleaseKey(service.dataDir);
  const stored = await storeArtifact(service.dataDir, request.file);
  const manifest = ReleaseManifest.parse({
    version: checked.version,
    channel: checked.channel,
    fileName: checked.fileName,
    sha512: stored.sha512,
    size: stored.size,
    allowDowngrade: request.allowDowngrade === true,
    publishedAt: ctx.clock.now(),
  });
  const signed = key.sign(manifest);
  try {
    await ctx.sql.transaction(async (tx) => {
      const inserted = await tx.query<{ version: string }>(
        `INSERT INTO app_release (${RELEASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (version) DO NOTHING RETURNING version`,
        [manifest.version, manifest.channel, manifest.fileName, manifest.sha512, manifest.size, manifest.allowDowngrade, manifest.publishedAt, signed.keyId, signed.signature, stored.blob, request.notes ?? '', by],
      );
      if (inserted.length === 0) throw refuse(`version ${manifest.version} is already published`, 'conflict', 409);
      await auditIt(ctx, tx, 'published', by, `release ${manifest.version} (${manifest.channel}) published: ${manifest.fileName}, ${manifest.size} bytes`, {
        version: manifest.version,
        channel: manifest.channel,
        sha512: manifest.sha512,
        allowDowngrade: manifest.allowDowngrade,
      });
    });
  } catch (error) {
    const shared = await ctx.sql.query('SELECT 1 FROM app_release WHERE blob = $1', [stored.blob]);
    if (shared.length === 0) removeBlob(service.dataDir, stored.blob);
    throw error;
  }
  // A terminal below the minimum version may be owed this release (rollout.ts forcedRelease).
  updatesChanged(ctx);
  return signed;
}

/** Creates the release key if missing (audited), and gives its public half. */
export async function ensureReleaseKey(ctx: HqContext, by: string): Promise<{ keyId: string; publicKey: string; created: boolean }> {
  const service = updateService(ctx);
  if (!service) throw new HqError('unavailable', 503, 'this HQ has no release service');
  const { key, created } = loadOrCreateReleaseKey(service.dataDir);
  if (created) await auditIt(ctx, ctx.sql, 'key', by, `release key ${key.keyId} created`, { keyId: key.keyId, publicKey: key.publicKey });
  return { keyId: key.keyId, publicKey: key.publicKey, created };
}
