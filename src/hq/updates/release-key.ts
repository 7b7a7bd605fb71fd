import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../main/core/ledger/canonical';
import { releaseSigningText, type ReleaseManifest, type SignedRelease } from '../../shared/updates/release';
import { rawPublicKey } from '../keys';

/**
 * HQ's RELEASE key (issue 13): Ed25519, apart from HQ's sync key. Whoever
 * holds the sync key can speak for HQ to the terminals; only the release key
 * can make them install code, so it lives in its own file (owner-only, like
 * the sync key) and is never loaded unless a release is being signed. Its
 * public half ships inside the application (resources/release-keys).
 */
export const RELEASE_KEY_FILE = 'release-ed25519.pem';

export interface ReleaseKey {
  keyId: string;
  /** Raw 32-byte public key, base64url without padding (the app's trust format). */
  publicKey: string;
  sign(manifest: ReleaseManifest): SignedRelease;
}

/** The file the application ships to trust this key: resources/release-keys/<keyId>.json. */
export interface ReleaseTrustFile {
  keyId: string;
  publicKey: string;
}

export function releaseKeyPath(dataDir: string): string {
  return join(dataDir, RELEASE_KEY_FILE);
}

export function releaseKeyIdOf(publicKey: string): string {
  return `release-${sha256Hex(publicKey).slice(0, 16)}`;
}

function releaseKeyFrom(privateKey: KeyObject): ReleaseKey {
  const publicKey = rawPublicKey(createPublicKey(privateKey));
  const keyId = releaseKeyIdOf(publicKey);
  return {
    keyId,
    publicKey,
    sign: (manifest) => ({ manifest, keyId, signature: sign(null, Buffer.from(releaseSigningText(manifest), 'utf8'), privateKey).toString('base64url') }),
  };
}

export class ReleaseKeyMissing extends Error {
  constructor(path: string) {
    super(`no release key at ${path}: create it with \`npm run hq -- release key\` and ship its public half in the application (resources/release-keys) before publishing`);
    this.name = 'ReleaseKeyMissing';
  }
}

/** The release key in `dataDir`; a missing key is an error that says how to make one. */
export function loadReleaseKey(dataDir: string): ReleaseKey {
  const path = releaseKeyPath(dataDir);
  if (!existsSync(path)) throw new ReleaseKeyMissing(path);
  // A copy or a restore may have loosened the mode; the key is only as private as its file.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  return releaseKeyFrom(createPrivateKey(readFileSync(path, 'utf8')));
}

/** Loads the release key, or creates it (owner-only file; never replaces one that appeared meanwhile). */
export function loadOrCreateReleaseKey(dataDir: string): { key: ReleaseKey; created: boolean } {
  const path = releaseKeyPath(dataDir);
  if (existsSync(path)) return { key: loadReleaseKey(dataDir), created: false };
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  try {
    linkSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { key: releaseKeyFrom(privateKey), created: true };
}

/** Writes <outDir>/<keyId>.json in the application's trust format; returns its path. */
export function writeTrustFile(key: Pick<ReleaseKey, 'keyId' | 'publicKey'>, outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `${key.keyId}.json`);
  const trust: ReleaseTrustFile = { keyId: key.keyId, publicKey: key.publicKey };
  writeFileSync(file, `${JSON.stringify(trust, null, 2)}\n`);
  return file;
}
