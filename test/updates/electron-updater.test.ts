import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type ClientRequest, type IncomingMessage, type RequestOptions, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CancellationError } from 'builder-util-runtime';
import { AppImageUpdater, type AppUpdater } from 'electron-updater';
import type { AppAdapter } from 'electron-updater/out/AppAdapter';
import { ElectronHttpExecutor } from 'electron-updater/out/electronHttpExecutor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReleaseKey } from '../../src/hq/updates/release-key';
import { createRollout, setStoreCohort } from '../../src/hq/updates/rollout';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { silentLogger } from '../../src/main/core/ports';
import { UpdateService } from '../../src/main/core/updates/update-service';
import type { Updater } from '../../src/main/core/updates/updater-port';
import { verifyDownload, type TrustedReleaseKey } from '../../src/main/core/updates/verify';
import { createElectronUpdater } from '../../src/main/electron/updater';
import type { UpdateDirective, UpdateStatusReport } from '../../src/shared/updates/directive';
import { startTestHq, TestTerminal, type TestHq } from '../hq/hq-fixture';
import { directiveOf, publish } from '../hq/updates-fixture';
import { FakeTime } from '../sync/fake-timers';
import { releaseKey } from './release-fixture';

/**
 * The REAL electron-updater code (AppImageUpdater → AppUpdater → BaseUpdater,
 * GenericProvider, DownloadedUpdateHelper, ElectronHttpExecutor.download with
 * its sha512 check) reading the real HQ's per-terminal feed over loopback.
 * Where the Electron binary is missing, two seams stand in for it, both
 * documented by electron-updater itself: the `app` adapter its constructor
 * takes (AppAdapter) instead of Electron's `app`, and, since Electron's `net`
 * is not there either, ElectronHttpExecutor with only its `createRequest`
 * swapped for Node's http.request (its download, redirect and checksum code
 * is unchanged). Nothing requires 'electron' on this path.
 *
 * Between HQ and the updater sits a small HTTP proxy that can cut a file
 * mid-body (HQ going away) or serve a forged feed (a matching yml and file
 * that are not HQ's release).
 */

/** Electron's `net` is not here: Node's http does the requests, the rest of ElectronHttpExecutor is electron-updater's own. */
class NodeNetExecutor extends ElectronHttpExecutor {
  constructor() {
    super(() => {});
    // Electron's net.request and Node's http.request take the same options and answer with the same events here.
    const viaNode = (options: RequestOptions, callback: (response: IncomingMessage) => void): ClientRequest => request(options, callback);
    this.createRequest = viaNode as unknown as ElectronHttpExecutor['createRequest'];
  }
}

function standInApp(dir: string, version: string): AppAdapter {
  mkdirSync(join(dir, 'userData'), { recursive: true });
  writeFileSync(join(dir, 'app-update.yml'), 'provider: generic\nurl: http://127.0.0.1:9/unused\nupdaterCacheDirName: fidele-updater\n');
  return {
    version,
    name: 'fidele',
    isPackaged: true,
    appUpdateConfigPath: join(dir, 'app-update.yml'),
    userDataPath: join(dir, 'userData'),
    baseCachePath: join(dir, 'cache'),
    whenReady: () => Promise.resolve(),
    relaunch: () => {},
    quit: () => {},
    onQuit: () => {},
  };
}

/** The adapter of src/main/electron/updater.ts on the real AppImageUpdater, `app` and `net` stood in for. */
function electronUpdater(dir: string, version = '1.0.0'): { port: Updater; raw: () => AppUpdater } {
  let raw: AppUpdater | null = null;
  const port = createElectronUpdater({
    logger: silentLogger,
    create: () => {
      const u = new AppImageUpdater(undefined, standInApp(dir, version));
      (u as unknown as { httpExecutor: ElectronHttpExecutor }).httpExecutor = new NodeNetExecutor();
      // The blockmap diff needs a real running AppImage; its fallback is this same full download.
      u.disableDifferentialDownload = true;
      raw = u;
      return u;
    },
  });
  return { port, raw: () => raw! };
}

interface Seen {
  path: string;
  range: string | null;
  authorization: string | null;
  staging: string | null;
}

/** HTTP in front of HQ: forwards, and on demand cuts a file mid-body or forges the feed and the file. */
class FeedProxy {
  seen: Seen[] = [];
  cutNextFileAt: number | null = null;
  /** The next file stops after this many bytes and the connection stays open (a link gone quiet). */
  stallNextFileAt: number | null = null;
  forged: { yml: string; file: Buffer; fileName: string } | null = null;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(hqUrl: string): Promise<FeedProxy> {
    const target = new URL(hqUrl);
    let proxy: FeedProxy | null = null;
    const server = createServer((req, res) => proxy!.handle(req, res, target));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    proxy = new FeedProxy(server, `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
    return proxy;
  }

  private handle(req: IncomingMessage, res: ServerResponse, target: URL): void {
    const path = req.url ?? '/';
    this.seen.push({ path, range: req.headers.range ?? null, authorization: req.headers.authorization ?? null, staging: (req.headers['x-user-staging-id'] as string | undefined) ?? null });
    if (this.forged && path.split('?')[0]!.endsWith('/latest-linux.yml')) {
      res.writeHead(200, { 'content-type': 'text/yaml' }).end(this.forged.yml);
      return;
    }
    if (this.forged && path.endsWith(`/${this.forged.fileName}`)) {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': this.forged.file.length }).end(this.forged.file);
      return;
    }
    const isFile = path.startsWith('/v1/updates/files/');
    const stall = isFile ? this.stallNextFileAt : null;
    if (stall !== null) this.stallNextFileAt = null;
    const cut = isFile && stall === null ? this.cutNextFileAt : null;
    if (cut !== null) this.cutNextFileAt = null;
    const upstream = request({ hostname: target.hostname, port: target.port, path, method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (stall !== null) {
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          const part = chunk.subarray(0, Math.max(0, stall - sent));
          sent += part.length;
          if (part.length > 0) res.write(part);
        });
        return;
      }
      if (cut === null) {
        answer.pipe(res);
        return;
      }
      // HQ goes away mid-file: the first `cut` bytes, then the connection is destroyed.
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (sent >= cut) return;
        const part = chunk.subarray(0, cut - sent);
        sent += part.length;
        res.write(part);
        if (sent >= cut) {
          answer.destroy();
          res.socket?.destroy();
        }
      });
    });
    req.pipe(upstream);
  }

  fileRequests(): Seen[] {
    return this.seen.filter((s) => s.path.startsWith('/v1/updates/files/'));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function until(done: () => boolean, ms = 10_000): Promise<void> {
  for (let waited = 0; waited < ms && !done(); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(done()).toBe(true);
}

let hq: TestHq;
let proxy: FeedProxy;
let root: string;
let inCohort: TestTerminal;
let outside: TestTerminal;
let trusted: TrustedReleaseKey[];
let build: Buffer;
const terminals: TestTerminal[] = [];
const dbs: Db[] = [];
const services: UpdateService[] = [];

const appImageBefore = process.env.APPIMAGE;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'fidele-electron-updater-'));
  // What the AppImage runtime sets for a packaged terminal: AppImageUpdater is active only then.
  process.env.APPIMAGE = join(root, 'Fidele-1.0.0.AppImage');
  writeFileSync(process.env.APPIMAGE, 'the running build');
  hq = await startTestHq();
  inCohort = new TestTerminal('paris-11-t1', 'paris-11');
  outside = new TestTerminal('lyon-2-t1', 'lyon-2');
  for (const t of [inCohort, outside]) {
    terminals.push(t);
    await t.enrol(hq);
  }
  await setStoreCohort(hq.ctx, 'paris-11', 'pilot', 'test');
  build = (await publish(hq, '1.1.0', { size: 300_000 })).bytes;
  await createRollout(hq.ctx, { version: '1.1.0', cohorts: ['pilot'], percent: 100 }, 'test');
  const key = loadReleaseKey(hq.dir);
  trusted = [{ keyId: key.keyId, publicKey: key.publicKey }];
  proxy = await FeedProxy.start(hq.url);
}, 60_000);

afterAll(async () => {
  for (const s of services) s.stop();
  for (const db of dbs) db.close();
  for (const t of terminals) t.close();
  await proxy.close();
  await hq.stop();
  rmSync(root, { recursive: true, force: true });
  if (appImageBefore === undefined) delete process.env.APPIMAGE;
  else process.env.APPIMAGE = appImageBefore;
});

/** A terminal's update service on the electron-updater adapter, fed `d` as its last pull's directive; a sale stays open so nothing installs. */
function terminalService(name: string, d: UpdateDirective, keys = trusted) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const db = openDatabase(join(dir, 'terminal.sqlite'));
  dbs.push(db);
  const time = new FakeTime(Date.UTC(2026, 11, 7, 2, 0));
  const updater = electronUpdater(join(dir, 'electron'));
  const reports: UpdateStatusReport[] = [];
  const service = new UpdateService({
    db,
    dataDir: dir,
    appVersion: '1.0.0',
    build: 'test',
    clock: time.clock,
    timers: time,
    logger: silentLogger,
    updater: updater.port,
    releaseKeys: keys,
    hqUrl: proxy.url,
    directive: () => d,
    activity: () => ({ saleOpen: true, enrolmentOpen: false, printPending: false, syncInFlight: false }),
    check: async () => true,
    report: async (r) => {
      reports.push(r);
      return 'sent';
    },
    tickMs: 5_000,
  });
  services.push(service);
  service.start();
  return { service, time, reports, raw: updater.raw };
}

describe('electron-updater against HQ\'s feed over loopback', () => {
  it('a terminal in the rollout cohort downloads the release through electron-updater, and the policy verifies it', async () => {
    const d = await directiveOf(hq, inCohort);
    expect(d.target?.manifest.version).toBe('1.1.0');
    proxy.seen = [];
    const t = terminalService('in-cohort', d);
    await until(() => t.service.state().state === 'waiting');
    expect(t.service.view()).toMatchObject({ state: 'waiting', targetVersion: '1.1.0', waitingFor: ['sale-open'], lastError: null });
    const file = t.service.state().file!;
    expect(createHash('sha512').update(readFileSync(file)).digest('base64')).toBe(createHash('sha512').update(build).digest('base64'));
    expect(await verifyDownload(file, d.target!, trusted)).toEqual({ ok: true });
    // electron-updater read this terminal's feed and file with the pull's token.
    expect(proxy.seen.map((s) => s.path.split('?')[0])).toEqual(['/v1/updates/feed/pilot/latest-linux.yml', '/v1/updates/files/Fidele-1.1.0.AppImage']);
    expect(proxy.seen.every((s) => s.authorization === `Bearer ${d.feedToken}`)).toBe(true);
    expect(t.reports.map((r) => r.state)).toContain('verifying');
  });

  it('a terminal outside the cohort gets no target, and electron-updater finds nothing newer in its feed', async () => {
    const d = await directiveOf(hq, outside);
    expect(d.target).toBeNull();
    const t = terminalService('outside', d);
    await t.time.advance(10_000);
    expect(t.service.view()).toMatchObject({ state: 'idle', targetVersion: null });
    // Asked anyway, HQ's feed for this terminal offers its own version: no update.
    const raw = new AppImageUpdater(undefined, standInApp(join(root, 'outside-raw'), '0.1.0'));
    (raw as unknown as { httpExecutor: ElectronHttpExecutor }).httpExecutor = new NodeNetExecutor();
    raw.setFeedURL({ provider: 'generic', url: new URL(d.feedPath, proxy.url).toString() });
    raw.requestHeaders = { Authorization: `Bearer ${d.feedToken}` };
    const check = await raw.checkForUpdates();
    expect(check?.isUpdateAvailable).toBe(false);
    expect(check?.updateInfo.version).toBe('0.1.0');
  });

  it('a forged feed (its own file and a yml whose sha512 matches it) passes electron-updater\'s check, and the policy refuses it and deletes the file', async () => {
    const d = await directiveOf(hq, inCohort);
    // Exactly the size HQ signed: only the sha512 against the SIGNED manifest tells them apart.
    const file = Buffer.from('a build HQ never signed '.repeat(12_500));
    expect(file.length).toBe(build.length);
    const sha512 = createHash('sha512').update(file).digest('base64');
    proxy.forged = {
      fileName: 'Fidele-1.1.0.AppImage',
      file,
      yml: `version: '1.1.0'\nfiles:\n  - url: '/v1/updates/files/Fidele-1.1.0.AppImage'\n    sha512: '${sha512}'\n    size: ${file.length}\npath: 'Fidele-1.1.0.AppImage'\nsha512: '${sha512}'\nreleaseDate: '2026-12-07T00:00:00.000Z'\n`,
    };
    try {
      const t = terminalService('forged', d);
      await until(() => t.service.state().state === 'failed');
      expect(t.service.view().lastError).toMatchObject({ code: 'sha512-mismatch', version: '1.1.0' });
      const downloaded = join(root, 'forged', 'electron', 'cache', 'fidele-updater', 'pending', 'Fidele-1.1.0.AppImage');
      await until(() => !existsSync(downloaded));
      expect(t.reports.at(-1)).toMatchObject({ state: 'failed', appVersion: '1.0.0', lastError: { code: 'sha512-mismatch' } });
    } finally {
      proxy.forged = null;
    }
  });

  it('a release signed by a key this build does not ship is refused after the download and the file deleted', async () => {
    const d = await directiveOf(hq, inCohort);
    const t = terminalService('untrusted-key', d, [releaseKey(trusted[0]!.keyId).trusted]);
    await until(() => t.service.state().state === 'failed');
    expect(t.service.view().lastError).toMatchObject({ code: 'bad-signature', version: '1.1.0' });
    const downloaded = join(root, 'untrusted-key', 'electron', 'cache', 'fidele-updater', 'pending', 'Fidele-1.1.0.AppImage');
    await until(() => !existsSync(downloaded));
    // Refused for good: the same release is not fetched again, whatever the clock says.
    proxy.seen = [];
    await t.time.advance(3 * 60 * 60_000);
    expect(proxy.fileRequests()).toEqual([]);
  });

  it('an abort (HQ moved its target mid-download) cancels electron-updater\'s download through its CancellationToken', async () => {
    const d = await directiveOf(hq, inCohort);
    const dir = join(root, 'aborted');
    const { port } = electronUpdater(dir);
    proxy.stallNextFileAt = 50_000;
    const controller = new AbortController();
    const download = port.download({ url: new URL(d.feedPath, proxy.url).toString(), token: d.feedToken, channel: d.channel, allowDowngrade: false }, d.target!.manifest, () => {}, controller.signal);
    const outcome = download.then(
      () => 'completed',
      (error: unknown) => (error instanceof CancellationError ? 'cancelled' : String(error)),
    );
    proxy.seen = [];
    await until(() => proxy.fileRequests().length > 0);
    // The first bytes are in the temporary file, the rest will never come.
    await new Promise((resolve) => setTimeout(resolve, 200));
    controller.abort();
    expect(await outcome).toBe('cancelled');
    // electron-updater removes its partial file on cancellation: nothing of it is left to install.
    const pending = join(dir, 'cache', 'fidele-updater', 'pending');
    expect(existsSync(pending) ? readdirSync(pending).filter((n) => n.endsWith('.AppImage')) : []).toEqual([]);
  });

  it('a download HQ cuts mid-file fails as HQ unreachable, is retried after the backoff and completes (from the start: electron-updater does not resume)', async () => {
    const d = await directiveOf(hq, inCohort);
    proxy.seen = [];
    proxy.cutNextFileAt = 100_000;
    const t = terminalService('interrupted', d);
    await until(() => t.service.state().state === 'failed');
    expect(t.service.view()).toMatchObject({ state: 'failed', lastError: { code: 'hq-unreachable' } });
    expect(t.service.view().retryAt).toBe(t.time.value + 60_000);
    await t.time.advance(60_000);
    await until(() => t.service.state().state === 'waiting');
    expect(await verifyDownload(t.service.state().file!, d.target!, trusted)).toEqual({ ok: true });
    const files = proxy.fileRequests();
    expect(files).toHaveLength(2);
    // The second request asks for the whole file again: no Range, the partial file was deleted.
    expect(files.map((f) => f.range)).toEqual([null, null]);
  });
});
