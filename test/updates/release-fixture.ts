import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { rawPublicKey } from '../../src/main/core/sync/signing';
import { sha512Base64, type TrustedReleaseKey } from '../../src/main/core/updates/verify';
import { releaseSigningText, type ReleaseManifest, type SignedRelease } from '../../src/shared/updates/release';

/** A release key as HQ's CLI makes one: the private half signs, the public half ships in the app. */
export function releaseKey(keyId = 'release-test'): { keyId: string; privateKey: KeyObject; trusted: TrustedReleaseKey } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { keyId, privateKey, trusted: { keyId, publicKey: rawPublicKey(publicKey) } };
}

export function signManifest(manifest: ReleaseManifest, key: { keyId: string; privateKey: KeyObject }): SignedRelease {
  return { manifest, keyId: key.keyId, signature: sign(null, Buffer.from(releaseSigningText(manifest), 'utf8'), key.privateKey).toString('base64url') };
}

/** Writes `content` to `file` and signs the release that names it. */
export async function publishFile(file: string, content: Buffer, version: string, key: { keyId: string; privateKey: KeyObject }, over: Partial<ReleaseManifest> = {}): Promise<SignedRelease> {
  writeFileSync(file, content);
  const manifest: ReleaseManifest = {
    version,
    channel: 'stable',
    fileName: `fidele-${version}.AppImage`,
    sha512: await sha512Base64(file),
    size: content.length,
    allowDowngrade: false,
    publishedAt: 1_765_000_000_000,
    ...over,
  };
  return signManifest(manifest, key);
}
