import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../src/main/core/ports';
import type { DownloadProgress, UpdateFeed } from '../../src/main/core/updates/updater-port';
import type { ReleaseManifest } from '../../src/shared/updates/release';
import { devReleaseKeys } from '../../src/main/web-bridge/dev-release-keys';
import {
  createStandinUpdater,
  parseFeedYaml,
  standinInstalledVersion,
  standinMarkerPath,
  StandinUpdateError,
  updatesDir,
} from '../../src/main/web-bridge/standin-updater';

const TOKEN = 'feed-token-0123456789abcdef';
const FILE = 'fidele-1.2.0.AppImage';
const SIZE = 3 * 1024 * 1024 + 123;

function artifact(): Buffer {
  const bytes = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 1) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
  return bytes;
}

/** HQ's two update routes as the HQ engineer serves them, with a switch to cut the file's answer half-way. */
class FakeHq {
  server!: Server;
  url = '';
  bytes = artifact();
  sha512 = createHash('sha512').update(this.bytes).digest('base64');
  /** Bytes of the file sent before the connection is cut, once; null: never. */
  cutAfter: number | null = null;
  ranges: (string | null)[] = [];
  feedVersion = '1.2.0';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end('unknown feed token');
    if (req.url === '/v1/updates/feed/stable/latest-linux.yml') {
      res.writeHead(200, { 'content-type': 'text/yaml' });
      res.end(
        [
          `version: ${this.feedVersion}`,
          'files:',
          `  - url: /v1/updates/files/${FILE}`,
          `    sha512: ${this.sha512}`,
          `    size: ${SIZE}`,
          `path: /v1/updates/files/${FILE}`,
          `sha512: ${this.sha512}`,
          "releaseDate: '2026-12-07T18:00:00.000Z'",
          '',
        ].join('\n'),
      );
      return;
    }
    if (req.url !== `/v1/updates/files/${FILE}`) return void res.writeHead(404).end();
    const range = req.headers.range ?? null;
    this.ranges.push(range);
    const from = range ? Number(/^bytes=(\d+)-$/.exec(range)![1]) : 0;
    const body = this.bytes.subarray(from);
    res.writeHead(range ? 206 : 200, {
      'content-length': String(body.length),
      ...(range ? { 'content-range': `bytes ${from}-${SIZE - 1}/${SIZE}` } : {}),
    });
    if (this.cutAfter !== null) {
      const cut = this.cutAfter;
      this.cutAfter = null;
      res.write(body.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 50));
      return;
    }
    res.end(body);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let hq: FakeHq;
let dataDir: string;

beforeEach(async () => {
  hq = new FakeHq();
  await hq.start();
  dataDir = mkdtempSync(join(tmpdir(), 'fidele-standin-'));
});

afterEach(async () => {
  await hq.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function feed(token = TOKEN): UpdateFeed {
  return { url: `${hq.url}/v1/updates/feed/stable`, token, channel: 'stable', allowDowngrade: false };
}

function target(): ReleaseManifest {
  return { version: '1.2.0', channel: 'stable', fileName: FILE, sha512: hq.sha512, size: SIZE, allowDowngrade: false, publishedAt: 1_800_000_000_000 };
}

function updater(restart: (() => void) | null = null) {
  return createStandinUpdater({ dataDir, logger: silentLogger, clock: { now: () => 1_800_000_000_000 }, baseVersion: '1.1.0', restart });
}

describe('the stand-in updater (browser mode and e2e only)', () => {
  it('downloads the feed’s file with the Bearer token, reporting progress up to the full size', async () => {
    const progress: DownloadProgress[] = [];
    const { file } = await updater().download(feed(), target(), (p) => progress.push(p), new AbortController().signal);
    expect(file).toBe(join(updatesDir(dataDir), FILE));
    expect(readFileSync(file).equals(hq.bytes)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.at(-1)).toEqual({ transferred: SIZE, total: SIZE });
    const seen = progress.map((p) => p.transferred);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(existsSync(`${file}.partial`)).toBe(false);
  });

  it('an interrupted download is resumed with a Range request and ends with exactly the release’s bytes', async () => {
    hq.cutAfter = 1_000_000;
    const u = updater();
    const first = u.download(feed(), target(), () => {}, new AbortController().signal);
    await expect(first).rejects.toThrow(/cut at byte \d+ of \d+; it resumes there next time/);
    const partial = join(updatesDir(dataDir), `${FILE}.partial`);
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(SIZE);

    const progress: DownloadProgress[] = [];
    const { file } = await u.download(feed(), target(), (p) => progress.push(p), new AbortController().signal);
    expect(hq.ranges).toEqual([null, `bytes=${kept}-`]);
    expect(progress[0]!.transferred).toBe(kept);
    expect(createHash('sha512').update(readFileSync(file)).digest('base64')).toBe(hq.sha512);
    expect(existsSync(partial)).toBe(false);
  });

  it('a wrong feed token is refused with a clear error and nothing is written', async () => {
    const error = await updater()
      .download(feed('stale-token-0123456789'), target(), () => {}, new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StandinUpdateError);
    expect((error as StandinUpdateError).message).toBe("HQ refused this terminal's feed token for the stable feed (HTTP 401): the next pull brings a new one");
    expect(existsSync(updatesDir(dataDir))).toBe(false);
  });

  it('a feed offering another version than the signed target is refused before any file is fetched', async () => {
    hq.feedVersion = '1.3.0';
    await expect(updater().download(feed(), target(), () => {}, new AbortController().signal)).rejects.toThrow("HQ's feed offers 1.3.0, not 1.2.0");
    expect(hq.ranges).toEqual([]);
  });

  it('discard deletes the downloaded file and any partial one, and refuses paths outside its folder', async () => {
    const u = updater();
    const { file } = await u.download(feed(), target(), () => {}, new AbortController().signal);
    writeFileSync(`${file}.partial`, 'left over');
    await u.discard(file);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.partial`)).toBe(false);
    const outside = join(dataDir, 'terminal.sqlite');
    writeFileSync(outside, 'precious');
    await expect(u.discard(outside)).rejects.toThrow('not a file this updater downloaded');
    expect(readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('install records the version in a private marker, deletes the file and asks for a restart; the marker then names the version', async () => {
    const restart = vi.fn();
    const u = updater(restart);
    const { file } = await u.download(feed(), target(), () => {}, new AbortController().signal);
    void u.install(file, target());
    await vi.waitFor(() => expect(restart).toHaveBeenCalledTimes(1));
    expect(statSync(standinMarkerPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(existsSync(file)).toBe(false);
    expect(standinInstalledVersion(dataDir, '1.1.0', silentLogger)).toBe('1.2.0');
    // A marker written over another build is stale: the build's own version is the truth again.
    expect(standinInstalledVersion(dataDir, '1.1.1', silentLogger)).toBeNull();
  });

  it('install without a supervisor changes nothing and resolves (the app keeps running)', async () => {
    const u = updater(null);
    const { file } = await u.download(feed(), target(), () => {}, new AbortController().signal);
    await u.install(file, target());
    expect(existsSync(standinMarkerPath(dataDir))).toBe(false);
    expect(existsSync(file)).toBe(true);
  });

  it('an unreadable marker is ignored', () => {
    writeFileSync(standinMarkerPath(dataDir), '{"version": "9.9.9"');
    expect(standinInstalledVersion(dataDir, '1.1.0', silentLogger)).toBeNull();
  });

  it('reads electron-builder’s feed layout and refuses other shapes', () => {
    expect(parseFeedYaml("version: '1.2.0'\nfiles:\n  - url: a.AppImage\n    sha512: " + 'A'.repeat(86) + '==\n    size: 10\n').files[0]).toEqual({
      url: 'a.AppImage',
      sha512: `${'A'.repeat(86)}==`,
      size: 10,
    });
    expect(parseFeedYaml("version: '1.1.0'\nfiles: []\nreleaseDate: '1970-01-01T00:00:00.000Z'\n")).toEqual({ version: '1.1.0', files: [] });
    expect(() => parseFeedYaml('version: 1.2.0\n  stray: 1\n')).toThrow('a line this updater does not read');
    expect(() => parseFeedYaml('files:\n  - url: a\n')).toThrow('the feed is malformed');
  });
});

describe('the release keys a browser-mode kiosk trusts (development only)', () => {
  const key = (seed: number) => {
    const publicKey = Buffer.alloc(32, seed).toString('base64url');
    return { keyId: `release-test-${seed}`, publicKey };
  };

  it('the shipped keys, a development folder’s and the embedded HQ’s, each once', () => {
    const shipped = join(dataDir, 'shipped');
    const extra = join(dataDir, 'extra');
    mkdirSync(shipped);
    mkdirSync(extra);
    writeFileSync(join(shipped, 'a.json'), JSON.stringify(key(1)));
    writeFileSync(join(extra, 'b.json'), JSON.stringify(key(2)));
    writeFileSync(join(extra, 'a-again.json'), JSON.stringify(key(1)));
    const keys = devReleaseKeys({ shippedDir: shipped, extraDir: extra, embedded: key(3) });
    expect(keys.map((k) => k.keyId).sort()).toEqual(['release-test-1', 'release-test-2', 'release-test-3']);
    expect(devReleaseKeys({ shippedDir: shipped }).map((k) => k.keyId)).toEqual(['release-test-1']);
  });

  it('a file in the development folder that holds no key stops the start, rather than trusting less than IT thinks', () => {
    const extra = join(dataDir, 'extra');
    mkdirSync(extra);
    writeFileSync(join(extra, 'bad.json'), JSON.stringify({ keyId: 'x', publicKey: 'short' }));
    expect(() => devReleaseKeys({ shippedDir: join(dataDir, 'none'), extraDir: extra })).toThrow('is not a release key');
  });
});
