import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startEmbeddedHq, type EmbeddedHq } from '../../src/main/web-bridge/embedded-hq';
import { updatesDir } from '../../src/main/web-bridge/standin-updater';
import type { Page } from '@playwright/test';
import { expect, snapAtBothSizes, test } from './fixture';

/**
 * Issue 13's end-to-end walk in Chromium: IT publishes a release at HQ for
 * ONE store; that store's terminal downloads it (its Diagnostic dialog shows
 * the progress), holds the install while a sale is open (and says so),
 * installs once the sale is closed — the browser mode's stand-in installer
 * records the version and the supervisor starts the kiosk again — and the
 * page, reconnected, shows the new version, as does HQ's fleet. The other
 * store's terminal is left alone. Both kiosks are real processes under the
 * supervisor (src/main/web-bridge/supervisor.ts), as `npm start` runs them.
 */
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
test.describe.configure({ timeout: 180_000 });

type Run = { code: number | null; out: string; err: string };

/** The environment of a child: none of this shell's Fidèle or HQ settings leak in. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) if (/^(FIDELE_|HQ_)/.test(name) || name === 'DATABASE_URL') delete env[name];
  return { ...env, ...extra };
}

function run(script: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsx, script, ...args], { env: cleanEnv(env) });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/**
 * Between one terminal and HQ: passes everything through, except that a
 * release file stops after `holdAt` bytes until `release()` — the download is
 * on screen for as long as the test needs, whatever the machine's speed.
 */
class HoldingProxy {
  server!: Server;
  url = '';
  fileRequests = 0;
  private opened!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.opened = resolve));

  constructor(
    private readonly upstream: string,
    private readonly holdAt: number,
  ) {}

  async start(): Promise<void> {
    const up = new URL(this.upstream);
    this.server = createServer((req, res) => {
      const isFile = req.url?.startsWith('/v1/updates/files/') ?? false;
      if (isFile) this.fileRequests += 1;
      const forward = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!isFile) return void answer.pipe(res);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= this.holdAt) return void res.write(chunk);
          const head = chunk.subarray(0, this.holdAt - sent);
          sent += chunk.length;
          res.write(head);
          if (sent >= this.holdAt) {
            answer.pause();
            const rest = chunk.subarray(head.length);
            void this.gate.then(() => {
              res.write(rest);
              answer.resume();
            });
          }
        });
        answer.on('end', () => void this.gate.then(() => res.end()));
      });
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  release(): void {
    this.opened();
  }

  close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A kiosk process under its supervisor; `starts` counts the banners it printed (one per start). */
interface KioskProcess {
  child: ChildProcess;
  dataDir: string;
  cashierUrl: string;
  /** A demo member's card, as the banner lists them. */
  card: string | null;
  starts: () => number;
  log: () => string;
}

async function startKiosk(o: { dir: string; terminalId: string; storeId: string; hqUrl: string; code: number; hq: EmbeddedHq; keys: string; members: number }): Promise<KioskProcess> {
  const dataDir = join(o.dir, o.terminalId);
  mkdirSync(dataDir, { recursive: true });
  const config = join(o.dir, `${o.terminalId}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      terminalId: o.terminalId,
      terminalCode: o.code,
      storeId: o.storeId,
      storeName: o.storeId,
      devices: 'simulated',
      demoSeed: o.members > 0 ? { members: o.members, seed: o.code } : null,
      hq: { url: o.hqUrl, pullEveryMs: 5_000 },
      // A second of quiet at the customer screen is enough here (three minutes in a store).
      updates: { customerIdleMs: 1_000, tickMs: 500 },
    }),
  );
  const code = await o.hq.enrolCode(o.storeId, o.terminalId);
  const enrolled = await run('src/main/web-bridge/terminal-cli.ts', ['enrol', code, '--data', dataDir, '--config', config]);
  expect(enrolled.err).toBe('');

  const child = spawn(process.execPath, [tsx, 'src/main/web-bridge/supervisor.ts', '--port', '0', '--data', dataDir, '--config', config, '--devices', 'simulated', '--release-keys', o.keys], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let starts = 0;
  let card: string | null = null;
  child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  let url = '';
  const cashierUrl = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output += `${line}\n`;
      card ??= /^\s{4}(\d[\d ]+\d)\s{2}/.exec(line)?.[1]?.replace(/ /g, '') ?? null;
      url = /^\s+Cashier screen:\s+(\S+)$/.exec(line)?.[1] ?? url;
      // The banner's last line: one per start of the kiosk.
      if (!line.startsWith('Open each link')) return;
      starts += 1;
      resolve(url);
    });
    child.once('exit', (exit) => reject(new Error(`kiosk ${o.terminalId} exited with ${exit}: ${output.slice(-2000)}`)));
  });
  return { child, dataDir, cashierUrl, card, starts: () => starts, log: () => output };
}

function stopKiosk(k: KioskProcess | null): Promise<void> {
  if (!k || k.child.exitCode !== null || k.child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => k.child.kill('SIGKILL'), 10_000);
    k.child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    k.child.kill('SIGTERM');
  });
}

/** A maintenance window around now in the store's zone, so the test never waits for the night. */
function windowAroundNow(timeZone: string): [string, string] {
  const hhmm = (at: number) => new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(new Date(at));
  return [hhmm(Date.now() - 60 * 60_000), hhmm(Date.now() + 60 * 60_000)];
}

test('IT publishes a release for one store: its terminal downloads, waits for the sale to close, installs and restarts; the other store is untouched', async ({ page, context }) => {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-e2e-updates-'));
  let hq: EmbeddedHq | null = null;
  let proxy: HoldingProxy | null = null;
  const kiosks: (KioskProcess | null)[] = [];
  try {
    hq = await startEmbeddedHq({ dataDir: join(dir, 'hq'), port: 0 });
    const hqCli = (args: string[]) => run('src/hq/cli.ts', [...args, '--data', join(dir, 'hq')]);
    // IT makes HQ's release key; its public half is what the terminals trust (resources/release-keys in a package).
    const keys = join(dir, 'release-keys');
    const key = await hqCli(['release', 'key', '--out', keys]);
    expect(key.err).toBe('');

    const artifact = join(dir, 'Fidele-0.2.0.AppImage');
    const size = 4 * 1024 * 1024;
    writeFileSync(artifact, randomBytes(size));
    proxy = new HoldingProxy(hq.url, Math.floor(size * 0.4));
    await proxy.start();

    const [window] = await Promise.all([
      hqCli(['release', 'window', 'paris-11', ...windowAroundNow('Europe/Paris'), '--tz', 'Europe/Paris']),
      startKiosk({ dir, terminalId: 'paris-11-t1', storeId: 'paris-11', hqUrl: proxy.url, code: 11, hq, keys, members: 12 }).then((k) => kiosks.push(k)),
      startKiosk({ dir, terminalId: 'lyon-2-t1', storeId: 'lyon-2', hqUrl: hq.url, code: 21, hq, keys, members: 0 }).then((k) => kiosks.push(k)),
    ]);
    expect(window.err).toBe('');
    const paris = kiosks.find((k) => k!.dataDir.endsWith('paris-11-t1'))!;
    const lyon = kiosks.find((k) => k!.dataDir.endsWith('lyon-2-t1'))!;

    await page.goto(paris.cashierUrl);
    const lyonPage = await context.newPage();
    await lyonPage.goto(lyon.cashierUrl);
    const openDiagnostics = async (p: Page) => {
      await p.getByRole('button', { name: 'Diagnostic' }).click();
      return p.getByTestId('cashier-diagnostics');
    };
    let dialog = await openDiagnostics(page);
    await expect(dialog.getByTestId('cashier-diagnostics-version')).toContainText('Fidèle 0.1.0');

    // IT publishes 0.2.0 and rolls it out to the Paris store alone.
    const publishedAt = Date.now();
    const published = await hqCli(['release', 'publish', artifact, '--version', '0.2.0', '--channel', 'stable']);
    expect(published.err).toBe('');
    const rollout = await hqCli(['release', 'rollout', '0.2.0', '--stores', 'paris-11', '--percent', '100']);
    expect(rollout.err).toBe('');

    // The next pull brings the directive; the download stops at 40 % (the proxy holds it) while the dialog shows it.
    await expect.poll(() => proxy!.fileRequests, { timeout: 30_000 }).toBe(1);
    const panel = page.getByTestId('update-panel');
    await expect(panel.getByTestId('update-state')).toHaveText('Téléchargement de la version 0.2.0…');
    // Held at 40 %: the bar and its label say so while the rest of the file waits.
    await expect(panel.getByText(/^Téléchargement : (39|40) %$/)).toBeVisible({ timeout: 15_000 });
    const held = Number(await panel.getByTestId('update-progress').getAttribute('value'));
    expect(held).toBeGreaterThan(30);
    expect(held).toBeLessThanOrEqual(40);
    await panel.scrollIntoViewIfNeeded();
    await snapAtBothSizes(page, 'cashier-update-downloading');
    await dialog.getByRole('button', { name: 'Fermer' }).click();

    // A customer at the till: a sale is open when the download ends, so the install waits and the dialog says why.
    const lookup = page.getByRole('combobox', { name: 'Carte, nom, téléphone ou e-mail' });
    await lookup.fill(paris.card!);
    await lookup.press('Enter');
    const member = page.getByTestId('cashier-member');
    await expect(member.getByRole('button', { name: 'Client suivant' })).toBeVisible();
    proxy.release();
    dialog = await openDiagnostics(page);
    await expect(panel.getByTestId('update-state')).toHaveText('Version 0.2.0 prête : installation au prochain moment calme', { timeout: 30_000 });
    await expect(panel.getByTestId('update-waiting-for').locator('[data-blocker="sale-open"]')).toHaveText('une vente en cours');
    await panel.scrollIntoViewIfNeeded();
    await snapAtBothSizes(page, 'cashier-update-waiting');
    await dialog.getByRole('button', { name: 'Fermer' }).click();
    expect(paris.starts()).toBe(1);

    // The sale closes: the stand-in installs, the supervisor starts the kiosk again, the page reconnects on 0.2.0.
    await member.getByRole('button', { name: 'Client suivant' }).click();
    await expect.poll(() => paris.starts(), { timeout: 60_000 }).toBe(2);
    await expect(page.locator('.connection-banner')).toHaveCount(0, { timeout: 15_000 });
    dialog = await openDiagnostics(page);
    await expect(dialog.getByTestId('cashier-diagnostics-version')).toContainText('Fidèle 0.2.0');

    // HQ's fleet: Paris on 0.2.0, Lyon still on 0.1.0.
    const office = await context.newPage();
    await office.goto(`${hq.url}/login`);
    await office.getByLabel('Identifiant').fill(hq.staff.username);
    await office.getByLabel('Mot de passe').fill(hq.staff.password);
    await office.getByRole('button', { name: 'Se connecter' }).click();
    await expect(office).toHaveURL(/\/console\/fleet$/);
    const updatesRow = (terminal: string) => office.locator(`#fleet-update-table tr[data-terminal="${terminal}"]`);
    await expect(updatesRow('paris-11-t1').locator('[data-field="version"]')).toHaveText('0.2.0', { timeout: 20_000 });
    await expect(updatesRow('paris-11-t1')).toHaveAttribute('data-state', 'idle');
    await expect(updatesRow('lyon-2-t1').locator('td').first()).toHaveText('0.1.0');
    await expect(updatesRow('lyon-2-t1')).not.toContainText('0.2.0');
    await snapAtBothSizes(office, 'hq-fleet-after-update');
    // The update itself, publish to fleet, screenshots and the held download included (the kiosks' start is not).
    const seconds = ((Date.now() - publishedAt) / 1000).toFixed(1);
    test.info().annotations.push({ type: 'update flow', description: `${seconds} s from publish to HQ's fleet on 0.2.0` });
    console.log(`update flow: ${seconds} s from publish to HQ's fleet on 0.2.0`);

    // Lyon was never offered the release: nothing downloaded, still 0.1.0, never restarted.
    expect(existsSync(updatesDir(lyon.dataDir))).toBe(false);
    expect(lyon.starts()).toBe(1);
    const lyonDialog = await openDiagnostics(lyonPage);
    await expect(lyonDialog.getByTestId('cashier-diagnostics-version')).toContainText('Fidèle 0.1.0');
    expect(proxy.fileRequests).toBe(1);
  } finally {
    for (const k of kiosks) await stopKiosk(k);
    await proxy?.close();
    await hq?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
