import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { expect, snap, test } from './fixture';

/**
 * The README's « HQ for IT » walk, as an IT person does it: the CLI refuses
 * before init; init on a PostgreSQL server (Debian's, a throwaway cluster;
 * PGlite where it is missing) with the key where --key-file says; the first
 * staff account; HQ served; sign in from Chromium; one code per terminal;
 * two terminals enrolled from a shell; both in the fleet. Only the terminals'
 * screens are left out: they are the other end-to-end tests' subject.
 */
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
test.describe.configure({ timeout: 300_000 });

type Run = { code: number | null; out: string; err: string };

function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, script, ...args], { env: { ...process.env, HQ_DATA_DIR: '', HQ_KEY_FILE: '', FIDELE_HQ: '', FIDELE_DATA_DIR: '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

const unavailable = postgresUnavailable();

test('IT walk of the README: init, staff, HQ served, two terminals enrolled from a shell, the fleet', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-it-walk-'));
  let cluster: PostgresCluster | null = null;
  let hq: ChildProcess | null = null;
  try {
    cluster = unavailable === null ? await startPostgresCluster() : null;
    const env = { DATABASE_URL: cluster ? cluster.url('postgres') : '' };
    const where = ['--data', join(dir, 'hq'), '--key-file', join(dir, 'keys', 'hq-ed25519.pem')];
    const hqCli = (args: string[]) => run('src/hq/cli.ts', [...args, ...where], env);

    // Before init, every command refuses and says what to do.
    const early = await hqCli(['list']);
    expect(early.code).toBe(3);
    expect(early.err).toContain('npm run hq -- init');

    const init = await hqCli(['init']);
    expect(init.err).toBe('');
    expect(init.out).toContain(`created key ${join(dir, 'keys', 'hq-ed25519.pem')}`);
    const staff = await hqCli(['staff', 'create', '--username', 'it-marie', '--role', 'it']);
    expect(staff.code).toBe(0);
    const password = /Mot de passe \(affiché une seule fois[^:]*: (\S+)/.exec(staff.out)![1]!;

    hq = spawn(process.execPath, [tsx, 'src/hq/cli.ts', '--port', '0', ...where], { env: { ...process.env, ...env, HQ_DATA_DIR: '', HQ_KEY_FILE: '' } });
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: hq!.stdout! }).on('line', (line) => {
        const m = /^HQ (https?:\/\/\S+)/.exec(line);
        if (m) resolve(m[1]!);
      });
      hq!.once('exit', (code) => reject(new Error(`HQ exited with ${code}`)));
    });

    await page.goto(`${url}/login`);
    await page.getByLabel('Identifiant').fill('it-marie');
    await page.getByLabel('Mot de passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect(page).toHaveURL(/\/console\/fleet$/);

    // One code per terminal, each typed on its store's machine.
    for (const [store, terminal, code] of [
      ['paris-11', 'paris-11-t1', 11],
      ['lyon-2', 'lyon-2-t1', 21],
    ] as const) {
      const made = await hqCli(['enrol-code', '--store', store, '--terminal', terminal]);
      expect(made.err).toBe('');
      const enrolCode = /^(\S+)\s/.exec(made.out)![1]!;
      const config = join(dir, `${terminal}.json`);
      writeFileSync(config, JSON.stringify({ terminalId: terminal, terminalCode: code, storeId: store, storeName: store, demoSeed: null, hq: { url, pullEveryMs: 10_000 } }));
      const enrolled = await run('src/main/web-bridge/terminal-cli.ts', ['enrol', enrolCode, '--data', join(dir, terminal)], { FIDELE_CONFIG: config });
      expect(enrolled.err).toBe('');
      expect(enrolled.out).toContain(`terminal ${terminal}, store ${store}, HQ ${url}`);
    }

    // Step 7 of the walk: nothing to handle yet, said with HQ's time and its zone (straight from the database on PostgreSQL).
    const anomalies = await hqCli(['anomalies', '--open']);
    expect(anomalies.err).toBe('');
    expect(anomalies.out).toMatch(/^HQ time \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\S*: 0 open sync anomalies\nNothing to handle\.$/m);

    const listed = await hqCli(['list']);
    expect(listed.out).toMatch(/^paris-11-t1\tparis-11\tactive/m);
    expect(listed.out).toMatch(/^lyon-2-t1\tlyon-2\tactive/m);

    await page.reload();
    await expect(page.locator('#fleet-terminal-table').getByRole('rowheader', { name: 'paris-11-t1' })).toBeVisible();
    await expect(page.locator('#fleet-terminal-table').getByRole('rowheader', { name: 'lyon-2-t1' })).toBeVisible();
    await snap(page, 'it-walk-fleet-1280');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await snap(page, 'it-walk-fleet-1920');
  } finally {
    hq?.kill('SIGTERM');
    cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
