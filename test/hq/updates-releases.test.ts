import { spawn } from 'node:child_process';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseSigningText, SignedRelease } from '../../src/shared/updates/release';
import { loadReleaseKey, RELEASE_KEY_FILE, writeTrustFile } from '../../src/hq/updates/release-key';
import { listReleases, publishRelease } from '../../src/hq/updates/releases';
import { keyIdOf } from '../../src/hq/keys';
import { startTestHq, type TestHq } from './hq-fixture';
import { artifact, publish } from './updates-fixture';

/**
 * Publishing a release at HQ (issue 13 §3): the artifact stored, its sha512
 * and size, the manifest signed with the RELEASE key (not HQ's sync key), and
 * every refusal leaving nothing behind.
 */
let hq: TestHq;

/** Everything a publication could leave: rows, audit records, stored files. */
async function footprint() {
  const dir = join(hq.dir, 'releases');
  return {
    releases: await hq.count('app_release'),
    audit: await hq.count('audit'),
    files: existsSync(dir) ? readdirSync(dir).sort() : [],
  };
}

function verifiesWith(trustFile: string, signed: SignedRelease): boolean {
  const trust = JSON.parse(readFileSync(trustFile, 'utf8')) as { keyId: string; publicKey: string };
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: trust.publicKey }, format: 'jwk' });
  return trust.keyId === signed.keyId && verify(null, Buffer.from(releaseSigningText(signed.manifest), 'utf8'), key, Buffer.from(signed.signature, 'base64url'));
}

beforeAll(async () => {
  hq = await startTestHq();
}, 60_000);

afterAll(async () => {
  await hq.stop();
});

describe('release publish', () => {
  it('refuses to publish before a release key exists, storing nothing', async () => {
    const file = artifact(hq.dir, 'early.AppImage');
    const before = await footprint();
    await expect(publishRelease(hq.ctx, { file: file.path, version: '0.9.0', channel: 'stable' }, 'test')).rejects.toThrow(/release key/);
    expect(await footprint()).toEqual(before);
  });

  it('stores the file, computes sha512 and size, and signs with the release key: the exported public key verifies it', async () => {
    const { signed, bytes } = await publish(hq, '1.1.0', { size: 300_000 });
    expect(SignedRelease.safeParse(signed).success).toBe(true);
    expect(signed.manifest).toMatchObject({ version: '1.1.0', channel: 'stable', fileName: 'Fidele-1.1.0.AppImage', size: 300_000, allowDowngrade: false });
    expect(signed.manifest.sha512).toBe(createHash('sha512').update(bytes).digest('base64'));
    // The trust file the app ships, in its format: keyId and the raw 32-byte key, base64url.
    const out = mkdtempSync(join(tmpdir(), 'fidele-trust-'));
    const trustFile = writeTrustFile(loadReleaseKey(hq.dir), out);
    const trust = JSON.parse(readFileSync(trustFile, 'utf8')) as Record<string, string>;
    expect(Object.keys(trust).sort()).toEqual(['keyId', 'publicKey']);
    expect(Buffer.from(trust.publicKey!, 'base64url')).toHaveLength(32);
    expect(verifiesWith(trustFile, signed)).toBe(true);
    // Not HQ's sync key, and a changed manifest does not verify.
    expect(trust.publicKey).not.toBe(hq.ctx.key.publicKey);
    expect(signed.keyId).not.toBe(keyIdOf(hq.ctx.key.publicKey));
    expect(verifiesWith(trustFile, { ...signed, manifest: { ...signed.manifest, size: signed.manifest.size + 1 } })).toBe(false);
    // The stored copy is the file, owner-only, as is the key.
    const stored = join(hq.dir, 'releases', `sha512-${createHash('sha512').update(bytes).digest('hex')}`);
    expect(readFileSync(stored).equals(bytes)).toBe(true);
    expect(statSync(stored).mode & 0o077).toBe(0);
    expect(statSync(join(hq.dir, RELEASE_KEY_FILE)).mode & 0o077).toBe(0);
    // Audited as an IT action.
    const rows = await hq.ctx.sql.query<{ action: string; code: string }>("SELECT action, code FROM audit WHERE action = 'release'");
    expect(rows.map((r) => r.code)).toEqual(expect.arrayContaining(['key', 'published']));
    rmSync(out, { recursive: true, force: true });
  });

  it.each([
    ['a version already published', { version: '1.1.0' }, /already published/],
    ['a malformed version', { version: '1.2' }, /major\.minor\.patch/],
    ['a version with build metadata', { version: '1.2.0+abc' }, /major\.minor\.patch/],
    ['an unknown channel', { channel: 'beta' }, /channel « beta » is unknown/],
    ['a missing file', { file: '/nonexistent/Fidele.AppImage' }, /does not exist/],
    ['a lower version without --allow-downgrade', { version: '1.0.5' }, /lower than 1\.1\.0.*roll back/],
    ['a file name with a space', { fileName: 'Fidele 1.2.AppImage' }, /file name/],
  ] as const)('refuses %s with a clear message, storing nothing', async (_what, change, message) => {
    const file = artifact(hq.dir, 'candidate.AppImage');
    const before = await footprint();
    await expect(publishRelease(hq.ctx, { file: file.path, version: '1.2.0', channel: 'stable', ...change }, 'test')).rejects.toThrow(message);
    expect(await footprint()).toEqual(before);
  });

  it('publishes the exceptional signed downgrade only with --allow-downgrade, and lists releases newest first', async () => {
    const file = artifact(hq.dir, 'Fidele-1.0.5.AppImage');
    const signed = await publishRelease(hq.ctx, { file: file.path, version: '1.0.5', channel: 'stable', allowDowngrade: true }, 'test');
    expect(signed.manifest.allowDowngrade).toBe(true);
    await publish(hq, '1.2.0-rc.1', { channel: 'pilot' });
    expect((await listReleases(hq.ctx)).map((r) => `${r.version}/${r.channel}`)).toEqual(['1.2.0-rc.1/pilot', '1.1.0/stable', '1.0.5/stable']);
  });
});

describe('npm run hq -- release (CLI)', () => {
  const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
  let dataDir = '';
  const cli = (args: string[]) =>
    new Promise<{ code: number; out: string; err: string }>((resolve) => {
      const child = spawn(tsx, ['src/hq/cli.ts', ...args, '--data', dataDir], { env: { ...process.env, DATABASE_URL: '', HQ_DATA_DIR: '', HQ_KEY_FILE: '' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (err += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
    });

  // Each command is a process opening PGlite: slow on a loaded machine, hence the long timeout.
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'fidele-hq-cli-release-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('makes the release key and its trust file, publishes, refuses a republication, lists', async () => {
    expect((await cli(['init'])).code).toBe(0);
    const keys = join(dataDir, 'trust');
    const key = await cli(['release', 'key', '--out', keys]);
    expect(key.code, key.err).toBe(0);
    const [trustName] = readdirSync(keys);
    expect(trustName).toMatch(/^release-[0-9a-f]{16}\.json$/);
    const build = artifact(dataDir, 'Fidele-2.0.0.AppImage', 10_000);
    const published = await cli(['release', 'publish', build.path, '--version', '2.0.0', '--channel', 'stable']);
    expect(published.code, published.err).toBe(0);
    expect(published.out).toContain('2.0.0');
    const again = await cli(['release', 'publish', build.path, '--version', '2.0.0', '--channel', 'stable']);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already published');
    const listed = await cli(['release', 'list']);
    expect(listed.out).toMatch(/2\.0\.0\tstable\tFidele-2\.0\.0\.AppImage\t10000/);
  }, 240_000);
});
