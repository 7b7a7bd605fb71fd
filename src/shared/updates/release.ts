import { z } from 'zod';

/**
 * A release of the terminal application, as HQ publishes it and every
 * terminal checks it (issue 13; ../shared/reference/electron.md §3).
 *
 * On Linux electron-updater only checks a sha512 that comes from the same
 * server as the file, so anyone able to serve the feed could serve an update.
 * HQ therefore signs each release with a RELEASE key (Ed25519, not HQ's sync
 * key: whoever holds the sync key must not be able to push code), and the
 * terminal checks that signature, with a public key shipped inside the app,
 * over the file it downloaded before anything is installed.
 *
 * The signed bytes are a fixed line format rather than JSON so that the HQ
 * signer and the terminal verifier cannot disagree on key order or number
 * formatting; every field is validated to hold no newline.
 */

export const RELEASE_CHANNELS = ['stable', 'pilot'] as const;
export type ReleaseChannel = (typeof RELEASE_CHANNELS)[number];

/** major.minor.patch with an optional prerelease (`1.4.0-rc.2`); no build metadata. */
const SEMVER = /^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export const AppVersion = z.string().max(32).regex(SEMVER, 'version: major.minor.patch[-prerelease]');

/** The artifact's name as it appears in the feed: no path, nothing a shell or URL would read twice. */
export const ReleaseFileName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'file name: letters, digits, dot, dash, underscore');

/** sha512 as electron-updater's feeds carry it: base64 (standard alphabet, padded) of the 64 bytes. */
export const Sha512Base64 = z.string().regex(/^[A-Za-z0-9+/]{86}==$/, 'sha512: base64 of 64 bytes');

export const ReleaseManifest = z.strictObject({
  version: AppVersion,
  channel: z.enum(RELEASE_CHANNELS),
  fileName: ReleaseFileName,
  sha512: Sha512Base64,
  size: z.number().int().positive().max(4 * 1024 ** 3),
  /**
   * True only for a release IT signed as a rollback to a LOWER version than
   * some terminals run. The usual rollback publishes the previous build under a
   * new, higher version (electron-updater's own advice) and needs no flag.
   */
  allowDowngrade: z.boolean(),
  publishedAt: z.number().int().nonnegative(),
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

export const SignedRelease = z.strictObject({
  manifest: ReleaseManifest,
  /** Id of the release key (several may be trusted during a key rotation). */
  keyId: z.string().min(1).max(64),
  /** Ed25519 over `releaseSigningText(manifest)` (UTF-8), base64url without padding. */
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'signature: 64 bytes base64url'),
});
export type SignedRelease = z.infer<typeof SignedRelease>;

/** The exact text the release key signs. */
export function releaseSigningText(m: ReleaseManifest): string {
  return [
    'fidele/release/v1',
    m.version,
    m.channel,
    m.fileName,
    m.sha512,
    String(m.size),
    m.allowDowngrade ? 'downgrade-allowed' : 'no-downgrade',
    String(m.publishedAt),
  ].join('\n');
}

interface ParsedVersion {
  core: [number, number, number];
  pre: string[];
}

function parseVersion(v: string): ParsedVersion | null {
  const m = SEMVER.exec(v);
  if (!m) return null;
  return { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
}

function comparePre(a: string[], b: string[]): number {
  // SemVer §11: a version without prerelease ranks above one with it.
  if (a.length === 0 || b.length === 0) return (a.length === 0 ? 1 : 0) - (b.length === 0 ? 1 : 0);
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Number(x) - Number(y) < 0 ? -1 : 1;
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

/** SemVer precedence: negative when a < b, 0 when equal, positive when a > b. Throws on a malformed version. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  if (!x || !y) throw new Error(`not a version: ${!x ? a : b}`);
  for (let i = 0; i < 3; i += 1) {
    if (x.core[i] !== y.core[i]) return x.core[i]! < y.core[i]! ? -1 : 1;
  }
  return comparePre(x.pre, y.pre);
}

/** Whether a terminal running `installed` may install `release`: newer, or a signed rollback. */
export function mayInstall(installed: string, release: ReleaseManifest): boolean {
  const order = compareVersions(release.version, installed);
  return order > 0 || (order < 0 && release.allowDowngrade);
}
