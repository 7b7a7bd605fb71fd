import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRollout } from '../../src/hq/updates/rollout';
import { silentLogger } from '../../src/main/core/ports';
import type { DownloadProgress, UpdateFeed } from '../../src/main/core/updates/updater-port';
import { createStandinUpdater, updatesDir } from '../../src/main/web-bridge/standin-updater';
import type { UpdateDirective } from '../../src/shared/updates/directive';
import { startTestHq, TestTerminal, type TestHq } from '../hq/hq-fixture';
import { directiveOf, publish } from '../hq/updates-fixture';

/**
 * The browser mode's stand-in updater against HQ's real feed and file routes
 * (the HQ engineer's), not a fake: what HQ serves is what the stand-in reads,
 * its Range answer is what the stand-in resumes from, and a terminal outside
 * the rollout is offered nothing.
 */
let hq: TestHq;
let paris: TestTerminal;
let lyon: TestTerminal;
let build: Buffer;
let dataDir: string;

beforeAll(async () => {
  hq = await startTestHq();
  paris = new TestTerminal('paris-11-t1', 'paris-11');
  lyon = new TestTerminal('lyon-2-t1', 'lyon-2');
  await paris.enrol(hq);
  await lyon.enrol(hq);
  build = (await publish(hq, '1.1.0', { size: 300_000 })).bytes;
  await createRollout(hq.ctx, { version: '1.1.0', stores: ['paris-11'], percent: 100 }, 'test');
}, 60_000);

afterAll(async () => {
  paris.close();
  lyon.close();
  await hq.stop();
});

function feedOf(d: UpdateDirective, token = d.feedToken): UpdateFeed {
  return { url: `${hq.url}${d.feedPath}`, token, channel: d.channel, allowDowngrade: false };
}

function updater() {
  dataDir = mkdtempSync(join(tmpdir(), 'fidele-standin-hq-'));
  return createStandinUpdater({ dataDir, logger: silentLogger, clock: { now: () => 0 }, baseVersion: '0.1.0', restart: null });
}

describe('the stand-in updater against HQ', () => {
  it('resumes a partial file from HQ with a Range request and ends with the published bytes', async () => {
    const d = await directiveOf(hq, paris);
    const target = d.target!.manifest;
    const u = updater();
    // What a cut download left: the first 100,000 bytes.
    mkdirSync(updatesDir(dataDir), { recursive: true });
    writeFileSync(join(updatesDir(dataDir), `${target.fileName}.partial`), build.subarray(0, 100_000));
    const progress: DownloadProgress[] = [];
    const { file } = await u.download(feedOf(d), target, (p) => progress.push(p), new AbortController().signal);
    expect(progress[0]).toEqual({ transferred: 100_000, total: 300_000 });
    expect(progress.at(-1)).toEqual({ transferred: 300_000, total: 300_000 });
    expect(createHash('sha512').update(readFileSync(file)).digest('base64')).toBe(target.sha512);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a forged feed token is refused by HQ and said so', async () => {
    const d = await directiveOf(hq, paris);
    const forged = d.feedToken.slice(0, -4) + (d.feedToken.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await expect(updater().download(feedOf(d, forged), d.target!.manifest, () => {}, new AbortController().signal)).rejects.toThrow(
      "HQ refused this terminal's feed token for the stable feed (HTTP 401): the next pull brings a new one",
    );
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a terminal outside the rollout is offered nothing, even asking for the release by name', async () => {
    const parisTarget = (await directiveOf(hq, paris)).target!.manifest;
    const d = await directiveOf(hq, lyon);
    expect(d.target).toBeNull();
    await expect(updater().download(feedOf(d), parisTarget, () => {}, new AbortController().signal)).rejects.toThrow("HQ's feed offers 0.1.0, not 1.1.0");
    rmSync(dataDir, { recursive: true, force: true });
  });
});
