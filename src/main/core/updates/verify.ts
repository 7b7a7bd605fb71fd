import { createHash, verify as verifySignature } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { releaseSigningText, type SignedRelease } from '../../../shared/updates/release';
import { publicKeyFromRaw } from '../sync/signing';
import type { VerifyFailure } from './policy';

/**
 * The check that stands between a downloaded file and an install (issue 13).
 * On Linux electron-updater checks only a sha512 taken from the same server
 * as the file; here the release's manifest must carry an Ed25519 signature by
 * a RELEASE key the app ships with, and the file must be exactly the one that
 * manifest names (its size, then its sha512, the file read once).
 */

export const TrustedReleaseKey = z.strictObject({
  keyId: z.string().min(1).max(64),
  /** Raw 32-byte Ed25519 public key, base64url without padding (what HQ's CLI writes). */
  publicKey: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'publicKey: 32 bytes base64url'),
});
export type TrustedReleaseKey = z.infer<typeof TrustedReleaseKey>;

/**
 * The release keys shipped in resources/release-keys/<keyId>.json. A file
 * that does not hold a key is an error, not a key skipped: a packaging
 * mistake must not quietly leave a terminal that trusts nothing (or less than
 * IT thinks). A missing folder is no key at all: every release is refused.
 */
export function loadReleaseKeys(dir: string): TrustedReleaseKey[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.map((name) => {
    const parsed = TrustedReleaseKey.safeParse(JSON.parse(readFileSync(join(dir, name), 'utf8')));
    if (!parsed.success) throw new Error(`${join(dir, name)} is not a release key: ${parsed.error.issues[0]?.message ?? ''}`);
    if (!publicKeyFromRaw(parsed.data.publicKey)) throw new Error(`${join(dir, name)} does not hold an Ed25519 public key`);
    return parsed.data;
  });
}

export type VerifyOutcome = { ok: true } | { ok: false; code: VerifyFailure; message: string };

/** Whether `release`'s manifest is signed by one of `keys` (by its keyId). */
export function releaseSignedBy(release: SignedRelease, keys: readonly TrustedReleaseKey[]): boolean {
  const key = keys.find((k) => k.keyId === release.keyId);
  const publicKey = key ? publicKeyFromRaw(key.publicKey) : null;
  if (!publicKey) return false;
  try {
    return verifySignature(null, Buffer.from(releaseSigningText(release.manifest), 'utf8'), publicKey, Buffer.from(release.signature, 'base64url'));
  } catch {
    return false;
  }
}

/** Read in large chunks: hashing, not the syscalls, should be what a 150 MB check costs. */
const CHUNK = 1 << 20;

export async function sha512Base64(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK })) hash.update(chunk as Buffer);
  return hash.digest('base64');
}

/**
 * Signature first (it costs nothing and names a forged feed as such), then the
 * size (a truncated download, without reading it), then the sha512.
 */
export async function verifyDownload(file: string, release: SignedRelease, keys: readonly TrustedReleaseKey[]): Promise<VerifyOutcome> {
  const m = release.manifest;
  if (!keys.some((k) => k.keyId === release.keyId)) {
    return { ok: false, code: 'bad-signature', message: `release ${m.version} is signed with key « ${release.keyId} », which this terminal does not trust` };
  }
  if (!releaseSignedBy(release, keys)) {
    return { ok: false, code: 'bad-signature', message: `the signature of release ${m.version} does not verify with release key « ${release.keyId} »` };
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    return { ok: false, code: 'size-mismatch', message: `the downloaded file is not there: ${(error as Error).message}` };
  }
  if (size !== m.size) {
    return { ok: false, code: 'size-mismatch', message: `the downloaded file has ${size} bytes, release ${m.version} has ${m.size}${size < m.size ? ' (truncated)' : ''}` };
  }
  const actual = await sha512Base64(file);
  if (actual !== m.sha512) {
    return { ok: false, code: 'sha512-mismatch', message: `the downloaded file is not release ${m.version}: its sha512 differs from the signed one` };
  }
  return { ok: true };
}
