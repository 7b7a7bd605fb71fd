import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';

/**
 * `npm run hq -- …` never makes an HQ by accident: only `init` creates the
 * database and the key; every other command, pointed where there is none
 * (no init, a wrong --data, a wrong DATABASE_URL), refuses with exit 3,
 * names what it looked for and says to run init — and writes nothing.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-hq-cli-init-'));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, 'src/hq/cli.ts', ...args], { env: { ...process.env, DATABASE_URL: '', HQ_DATA_DIR: '', HQ_KEY_FILE: '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

it('refuses every command where init was not run, naming what it looked for, and creates nothing', async () => {
  const nowhere = join(dir, 'no-hq-here');
  const listed = await cli(['list', '--data', nowhere]);
  expect(listed.code).toBe(3);
  expect(listed.out).toBe('');
  expect(listed.err).toContain(`no HQ database in ${join(nowhere, 'pglite')}`);
  expect(listed.err).toContain(`no HQ key at ${join(nowhere, 'hq-ed25519.pem')}`);
  expect(listed.err).toContain(`npm run hq -- init --data ${nowhere}`);
  expect(existsSync(nowhere)).toBe(false);

  // The same folder named by HQ_DATA_DIR: the same resolver, the same refusal; an enrolment code writes no stray key.
  const code = await cli(['enrol-code', '--store', 'paris-11', '--terminal', 'paris-11-t1'], { HQ_DATA_DIR: nowhere });
  expect(code.code).toBe(3);
  expect(code.err).toContain(`(data folder from HQ_DATA_DIR)`);
  expect(existsSync(nowhere)).toBe(false);

  // A wrong --data: a folder that exists but holds no HQ is left as it was.
  const other = join(dir, 'some-folder');
  mkdirSync(other);
  writeFileSync(join(other, 'notes.txt'), 'not an HQ');
  const served = await cli(['serve', '--data', other, '--port', '0']);
  expect(served.code).toBe(3);
  expect(served.err).toContain('No HQ here');
  expect(readdirSync(other)).toEqual(['notes.txt']);
}, 120_000);

it('init creates the database and the key once; a lost key is refused rather than replaced', async () => {
  const data = join(dir, 'hq');
  const made = await cli(['init', '--data', data]);
  expect(made.err).toBe('');
  expect(made.code).toBe(0);
  expect(made.out).toContain(`created key ${join(data, 'hq-ed25519.pem')}`);
  const key = readFileSync(join(data, 'hq-ed25519.pem'), 'utf8');

  const again = await cli(['init', '--data', data]);
  expect(again.code).toBe(0);
  expect(again.out).toContain('nothing changed');
  expect(readFileSync(join(data, 'hq-ed25519.pem'), 'utf8')).toBe(key);

  const listed = await cli(['list', '--data', data]);
  expect(listed.code).toBe(0);
  expect(listed.out).toContain('no terminal enrolled yet');

  rmSync(join(data, 'hq-ed25519.pem'));
  const lost = await cli(['enrol-code', '--store', 'paris-11', '--terminal', 'paris-11-t1', '--data', data]);
  expect(lost.code).toBe(3);
  expect(lost.err).toContain('restore its key from your backup');
  const reinit = await cli(['init', '--data', data]);
  expect(reinit.code).toBe(3);
  expect(reinit.err).toContain('--new-key');
  expect(existsSync(join(data, 'hq-ed25519.pem'))).toBe(false);
}, 180_000);

it('says clearly when DATABASE_URL is wrong, without repeating its password', async () => {
  const refused = await cli(['list', '--data', join(dir, 'pg-nothing')], { DATABASE_URL: 'postgres://fidele:s3cret@127.0.0.1:1/hq' });
  expect(refused.code).toBe(3);
  expect(refused.err).toContain('cannot open the PostgreSQL database of DATABASE_URL postgres://fidele:***@127.0.0.1:1/hq');
  expect(refused.err).toContain('connection refused');
  expect(refused.err).not.toContain('s3cret');
  const notUrl = await cli(['list'], { DATABASE_URL: 'mysql://x@h/db' });
  expect(notUrl.code).toBe(3);
  expect(notUrl.err).toContain('DATABASE_URL must start with postgres://');
}, 60_000);

const unavailable = postgresUnavailable();
describe.skipIf(unavailable !== null)(`on a PostgreSQL server (${unavailable ?? 'Debian PostgreSQL 15'})`, () => {
  let cluster: PostgresCluster | null = null;
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 60_000);
  afterAll(() => cluster?.stop(), 30_000);

  it('refuses a database without HQ tables; init makes them, with the key where --key-file / HQ_KEY_FILE says', async () => {
    const url = cluster!.url('postgres');
    const data = join(dir, 'pg-hq');
    const keyFile = join(dir, 'secrets', 'hq.pem');
    const before = await cli(['list', '--data', data, '--key-file', keyFile], { DATABASE_URL: url });
    expect(before.code).toBe(3);
    expect(before.err).toContain(`no HQ tables in PostgreSQL ${url}`);
    expect(before.err).toContain(`no HQ key at ${keyFile} (key file from --key-file)`);
    expect(existsSync(keyFile)).toBe(false);

    const made = await cli(['init', '--data', data, '--key-file', keyFile], { DATABASE_URL: url });
    expect(made.code).toBe(0);
    expect(existsSync(keyFile)).toBe(true);
    expect(existsSync(join(data, 'pglite'))).toBe(false);
    const listed = await cli(['list', '--data', data], { DATABASE_URL: url, HQ_KEY_FILE: keyFile });
    expect(listed.err).toBe('');
    expect(listed.code).toBe(0);
  }, 180_000);
});
