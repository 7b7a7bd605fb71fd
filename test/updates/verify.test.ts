import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadReleaseKeys, verifyDownload } from '../../src/main/core/updates/verify';
import { publishFile, releaseKey, signManifest } from './release-fixture';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-verify-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const content = Buffer.from('#!AppImage\n'.repeat(5000));

describe('verifying a downloaded release', () => {
  it('accepts the file the signed manifest names', async () => {
    const key = releaseKey();
    const file = join(dir, 'f.AppImage');
    const release = await publishFile(file, content, '1.1.0', key);
    expect(await verifyDownload(file, release, [key.trusted])).toEqual({ ok: true });
  });

  it('refuses a manifest signed by a key the app does not ship, or altered after signing', async () => {
    const key = releaseKey();
    const stranger = releaseKey('release-test');
    const file = join(dir, 'f.AppImage');
    const release = await publishFile(file, content, '1.1.0', stranger);
    expect(await verifyDownload(file, release, [key.trusted])).toMatchObject({ ok: false, code: 'bad-signature' });
    const unknownId = signManifest(release.manifest, { ...key, keyId: 'release-other' });
    expect(await verifyDownload(file, unknownId, [key.trusted])).toMatchObject({ ok: false, code: 'bad-signature', message: expect.stringContaining('does not trust') });
    // A feed that raises the size or swaps the hash after HQ signed: the signature no longer holds.
    const good = signManifest(release.manifest, key);
    const tampered = { ...good, manifest: { ...good.manifest, allowDowngrade: true } };
    expect(await verifyDownload(file, tampered, [key.trusted])).toMatchObject({ ok: false, code: 'bad-signature' });
  });

  it('a file whose content differs (same size) is a sha512 mismatch', async () => {
    const key = releaseKey();
    const file = join(dir, 'f.AppImage');
    const release = await publishFile(file, content, '1.1.0', key);
    const swapped = Buffer.from(content);
    swapped[100] = swapped[100]! ^ 1;
    writeFileSync(file, swapped);
    expect(await verifyDownload(file, release, [key.trusted])).toMatchObject({ ok: false, code: 'sha512-mismatch' });
  });

  it('a truncated download is a size mismatch', async () => {
    const key = releaseKey();
    const file = join(dir, 'f.AppImage');
    const release = await publishFile(file, content, '1.1.0', key);
    truncateSync(file, content.length - 1);
    expect(await verifyDownload(file, release, [key.trusted])).toMatchObject({ ok: false, code: 'size-mismatch', message: expect.stringContaining('truncated') });
  });

  it('loads the release keys shipped in resources/release-keys, and refuses a file that is not one', () => {
    const keys = join(dir, 'release-keys');
    expect(loadReleaseKeys(keys)).toEqual([]);
    mkdirSync(keys);
    const key = releaseKey('release-2026');
    writeFileSync(join(keys, 'release-2026.json'), JSON.stringify(key.trusted));
    expect(loadReleaseKeys(keys)).toEqual([key.trusted]);
    writeFileSync(join(keys, 'broken.json'), JSON.stringify({ keyId: 'x', publicKey: 'not-a-key' }));
    expect(() => loadReleaseKeys(keys)).toThrow(/broken\.json is not a release key/);
  });
});
