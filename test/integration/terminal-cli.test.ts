import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEnrolCode } from '../../src/hq/enrolment';
import { startHq, type Hq } from '../../src/hq/server';
import { silentLogger } from '../../src/main/core/ports';
import { freePort } from '../fakes/postgres-cluster';

/**
 * `npm run terminal -- enrol CODE --hq URL`: a terminal enrolled from a
 * shell through the same core command as the Diagnostic dialog, with HQ's
 * refusals in words (a code for another store, an expired code) and an HQ
 * that cannot be reached named with its URL and the cause.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-terminal-cli-'));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
const shift = { ms: 0 };
let hq: Hq;
const config = join(dir, 'terminal.json');

beforeAll(async () => {
  hq = await startHq({ dataDir: join(dir, 'hq'), inMemory: true, port: 0, clock: { now: () => Date.now() + shift.ms }, logger: silentLogger, maintenanceIntervalMs: 0 });
  writeFileSync(config, JSON.stringify({ terminalId: 'paris-11-t1', terminalCode: 11, storeId: 'paris-11', storeName: 'Paris 11e', demoSeed: null }));
}, 60_000);

afterAll(async () => {
  await hq.close();
  rmSync(dir, { recursive: true, force: true });
});

function terminal(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, 'src/main/web-bridge/terminal-cli.ts', ...args, '--config', config], { env: { ...process.env, FIDELE_HQ: '', FIDELE_DATA_DIR: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

const data = join(dir, 'terminal-data');

it('names the HQ it could not reach and why, before touching the terminal’s data', async () => {
  const closed = await freePort();
  const away = await terminal(['enrol', 'ABCD-EFGH-1234', '--hq', `http://127.0.0.1:${closed}`, '--data', join(dir, 'untouched')]);
  expect(away.code).toBe(3);
  expect(away.err).toContain('Siège injoignable');
  expect(away.err).toContain(`http://127.0.0.1:${closed}/v1/hq: connection refused`);
  expect(existsSync(join(dir, 'untouched'))).toBe(false);
  expect((await terminal(['enrol', '--hq', hq.url])).code).toBe(2);
}, 60_000);

it('refuses a code for another store and an expired code in words, then enrols with a good one, as the dialog does', async () => {
  const otherStore = await createEnrolCode(hq.ctx, 'lyon-2', 'paris-11-t1');
  const refused = await terminal(['enrol', otherStore.code, '--hq', hq.url, '--data', data]);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain('Ce code est pour un autre magasin.');
  expect(refused.err).toContain('store paris-11');

  const late = await createEnrolCode(hq.ctx, 'paris-11', 'paris-11-t1');
  shift.ms = 16 * 60_000;
  const expired = await terminal(['enrol', late.code, '--hq', hq.url, '--data', data, '--lang', 'en']);
  shift.ms = 0;
  expect(expired.code).toBe(1);
  expect(expired.err).toContain('This code has expired: ask for a new one.');
  expect(await hq.ctx.sql.query('SELECT terminal_id FROM terminal')).toEqual([]);

  const good = await createEnrolCode(hq.ctx, 'paris-11', 'paris-11-t1');
  const enrolled = await terminal(['enrol', good.code.toLowerCase(), '--hq', hq.url, '--data', data]);
  expect(enrolled.err).toBe('');
  expect(enrolled.code).toBe(0);
  expect(enrolled.out).toContain('Caisse enrôlée auprès du siège. terminal paris-11-t1, store paris-11');
  expect(await hq.ctx.sql.query('SELECT terminal_id, store_id, status FROM terminal')).toEqual([{ terminal_id: 'paris-11-t1', store_id: 'paris-11', status: 'active' }]);

  const again = await terminal(['enrol', (await createEnrolCode(hq.ctx, 'paris-11', 'paris-11-t1', { replace: true })).code, '--hq', hq.url, '--data', data]);
  expect(again.code).toBe(1);
  expect(again.err).toContain('Cette caisse est déjà enrôlée.');
}, 180_000);
