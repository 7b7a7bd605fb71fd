import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { silentLogger } from '../../src/main/core/ports';
import { startHq, type Hq } from '../../src/hq/server';
import { OPERATOR_TOKEN_FILE } from '../../src/hq/staff/operator-token';

/**
 * `npm run hq -- staff …`: the first accounts are made from the command line,
 * with HQ stopped (straight into its database) or running (through its
 * operator API, with the token from its data folder).
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-hq-staff-cli-'));
const dataDir = join(dir, 'hq');
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
let hq: Hq | null = null;
afterAll(async () => {
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[], stdin?: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, 'src/hq/cli.ts', ...args, '--data', dataDir], { env: { ...process.env, DATABASE_URL: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, out, err }));
    child.stdin.end(stdin);
  });
}

const login = (url: string, username: string, password: string) =>
  fetch(`${url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

it('creates the first admin with HQ stopped, prints its password once; with HQ running, goes through the operator token', async () => {
  expect((await cli(['init'])).code).toBe(0);
  const first = await cli(['staff', 'create', '--username', 'premier-admin', '--role', 'admin']);
  expect(first.err).toBe('');
  expect(first.code).toBe(0);
  const password = /Mot de passe \(affiché une seule fois[^:]*: (\S+)/.exec(first.out)?.[1];
  expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
  const listed = await cli(['staff', 'list']);
  expect(listed.out).toMatch(/^premier-admin\tadmin\tactif\t/m);
  expect(listed.out).not.toContain(password);

  hq = await startHq({ dataDir, port: 0, logger: silentLogger, maintenanceIntervalMs: 0 });
  expect(statSync(join(dataDir, OPERATOR_TOKEN_FILE)).mode & 0o777).toBe(0o600);
  expect((await login(hq.url, 'premier-admin', password!)).status).toBe(200);

  const viaStdin = await cli(['staff', 'create', '--username', 'marie', '--role', 'marketing', '--password-stdin'], 'un mot de passe assez long\n');
  expect(viaStdin.code).toBe(0);
  expect(viaStdin.out).not.toContain('Mot de passe');
  expect((await login(hq.url, 'marie', 'un mot de passe assez long')).status).toBe(200);
  expect((await cli(['list'])).code).toBe(0);
  expect((await cli(['staff', 'disable', 'marie'])).code).toBe(0);
  expect((await login(hq.url, 'marie', 'un mot de passe assez long')).status).toBe(401);

  // Without the token, the CLI on the same machine is refused like anyone else.
  rmSync(join(dataDir, OPERATOR_TOKEN_FILE));
  const refused = await cli(['staff', 'list']);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('unauthenticated');
}, 120_000);

it('reaches an HQ serving TLS, pinning the certificate HQ noted in its data folder', async () => {
  await hq?.close();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=hq.example', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  hq = await startHq({ dataDir, port: 0, logger: silentLogger, maintenanceIntervalMs: 0, tls: { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') } });
  const listed = await cli(['staff', 'list']);
  expect(listed.err).toBe('');
  expect(listed.out).toContain('premier-admin');
}, 120_000);
