import { createHash } from 'node:crypto';
import type { UpdateDirective } from '../../src/shared/updates/directive';
import type { ReleaseManifest, SignedRelease } from '../../src/shared/updates/release';

/** A release as HQ would sign it; the policy does not check signatures (verify.ts does), only compares them. */
export function release(version: string, over: Partial<ReleaseManifest> = {}): SignedRelease {
  const manifest: ReleaseManifest = {
    version,
    channel: 'stable',
    fileName: `fidele-${version}.AppImage`,
    sha512: `${'A'.repeat(86)}==`,
    size: 1000,
    allowDowngrade: false,
    publishedAt: 1_700_000_000_000,
    ...over,
  };
  // Stands for a signature: different manifests, different values.
  return { manifest, keyId: 'release-test', signature: createHash('sha512').update(JSON.stringify(manifest)).digest('base64url').slice(0, 86) };
}

export function directive(target: SignedRelease | null, over: Partial<UpdateDirective> = {}): UpdateDirective {
  return {
    channel: 'stable',
    target,
    minAppVersion: '0.1.0',
    maintenanceWindow: null,
    feedPath: '/v1/updates/feed/stable',
    feedToken: 'feed-token-0123456789abcdef',
    feedTokenExpiresAt: 2_000_000_000_000,
    ...over,
  };
}
