import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { HQ_KEY_FILE } from '../../hq/keys';
import { readOperatorToken } from '../../hq/staff/operator-token';

export interface EmbeddedHq {
  url: string;
  /** The demo's staff login (an admin), its password drawn afresh at each start: for the banner. */
  staff: { username: string; password: string };
  /** A one-time enrolment code for terminal `terminalId` of `storeId`, from HQ's loopback operator API. */
  enrolCode(storeId: string, terminalId: string): Promise<string>;
  /** This HQ's release key (made on first use, as `npm run hq -- release key` does): the development kiosk trusts it. */
  releaseKey(): Promise<{ keyId: string; publicKey: string }>;
  close(): Promise<void>;
}

const STARTUP_MS = 60_000;
const DEMO_STAFF = 'demo-admin';

/**
 * HQ for the browser mode: `npm run hq` on PGlite in `dataDir`, as a child
 * process rather than inside the kiosk, so HQ's database work (a 20,000-entry
 * catch-up) never stalls the cashier's screen, and a crash of one leaves the
 * other running — as in a real chain, where HQ is elsewhere.
 */
export async function startEmbeddedHq(o: { dataDir: string; port: number }): Promise<EmbeddedHq> {
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const cli = join(import.meta.dirname, '../../hq/cli.ts');
  // HQ commands never create an HQ, except `init`: the demo calls it once, on a machine that has none yet.
  if (!existsSync(join(o.dataDir, HQ_KEY_FILE)) || !existsSync(join(o.dataDir, 'pglite', 'PG_VERSION'))) {
    const init = spawnSync(process.execPath, [tsx, cli, 'init', '--data', o.dataDir], { encoding: 'utf8', env: { ...process.env, DATABASE_URL: '', HQ_KEY_FILE: '' }, timeout: STARTUP_MS });
    if (init.status !== 0) throw new Error(`embedded HQ could not be initialised in ${o.dataDir}: ${(init.stderr || init.error?.message || '').trim().slice(-2000)}`);
  }
  const child = spawn(process.execPath, [tsx, cli, 'serve', '--data', o.dataDir, '--port', String(o.port), '--demo-staff', DEMO_STAFF], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: '', HQ_KEY_FILE: '' },
  });
  const errors: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => {
    errors.push(chunk.toString('utf8'));
    if (errors.length > 50) errors.shift();
  });
  let staff: EmbeddedHq['staff'] | null = null;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`embedded HQ did not start within ${STARTUP_MS / 1000} s`)), STARTUP_MS);
    const lines = createInterface({ input: child.stdout! });
    function fail(error: Error): void {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    }
    lines.on('line', (line) => {
      const demo = /^HQ demo staff: (\S+) (\S+)$/.exec(line);
      if (demo) staff = { username: demo[1]!, password: demo[2]! };
      const match = /^HQ (http:\/\/\S+)/.exec(line);
      if (!match) return;
      clearTimeout(timer);
      resolve(match[1]!);
    });
    child.once('exit', (code) => fail(new Error(`embedded HQ exited with ${code}: ${errors.join('').trim().slice(-2000)}`)));
  });
  child.removeAllListeners('exit');

  if (!staff) throw new Error('embedded HQ did not print its demo staff login');
  // The operator token HQ created in its data folder: the kiosk's way to ask for an enrolment code.
  const token = readOperatorToken(o.dataDir);
  return {
    url,
    staff,
    async enrolCode(storeId, terminalId) {
      const response = await fetch(`${url}/v1/admin/enrol-codes`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ storeId, terminalId }) });
      const body = (await response.json()) as { code?: unknown; error?: { message?: string } };
      if (!response.ok || typeof body.code !== 'string') throw new Error(`HQ refused an enrolment code: ${body.error?.message ?? response.status}`);
      return body.code;
    },
    async releaseKey() {
      const response = await fetch(`${url}/v1/releases/key`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: '{}' });
      const body = (await response.json()) as { keyId?: unknown; publicKey?: unknown; error?: { message?: string } };
      if (!response.ok || typeof body.keyId !== 'string' || typeof body.publicKey !== 'string') throw new Error(`HQ refused its release key: ${body.error?.message ?? response.status}`);
      return { keyId: body.keyId, publicKey: body.publicKey };
    },
    close: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
