import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { AppVersion, ReleaseFileName, Sha512Base64, type ReleaseManifest } from '../../shared/updates/release';
import type { UpdateErrorCode } from '../../shared/updates/directive';
import type { DownloadProgress, UpdateFeed, Updater } from '../core/updates/updater-port';
import type { Clock, Logger } from '../core/ports';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../core/security/private-files';

/**
 * A STAND-IN for the real updater, for the browser mode and the end-to-end
 * tests only. It is NOT an installer: it downloads the release from HQ's feed
 * exactly as electron-updater's generic provider would (the feed YAML, then
 * the file, with the pull's Bearer token, resuming a partial file with a
 * Range request), but « installing » only records the version in a small
 * marker in the data folder and asks the supervisor (supervisor.ts) to start
 * the kiosk process again, which then reports that version as its own. The
 * code that runs is the same before and after. In Electron the real
 * electron-updater adapter (src/main/electron) does the install.
 */

/** Where downloads live, inside the data folder: a partial file is `<name>.partial` beside it. */
export function updatesDir(dataDir: string): string {
  return join(dataDir, 'updates');
}

export function standinMarkerPath(dataDir: string): string {
  return join(dataDir, 'standin-installed.json');
}

/** An error the update policy can file under one of its codes, with words for IT. */
export class StandinUpdateError extends Error {
  constructor(
    readonly code: UpdateErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'StandinUpdateError';
  }
}

const FeedFile = z.object({ url: z.string().min(1).max(1024), sha512: Sha512Base64, size: z.number().int().positive() });
// No file: HQ's answer to a terminal no rollout reaches (its own version, `files: []`).
const Feed = z.object({ version: AppVersion, files: z.array(FeedFile).max(16) });
type Feed = z.infer<typeof Feed>;

const MAX_FEED_BYTES = 64 * 1024;

function scalar(raw: string): string | number {
  const v = raw.trim();
  if (/^'.*'$/.test(v)) return v.slice(1, -1).replace(/''/g, "'");
  if (/^".*"$/.test(v)) return v.slice(1, -1);
  return /^\d+$/.test(v) ? Number(v) : v;
}

/**
 * Reads the few keys of electron-updater's `latest-linux.yml` this stand-in
 * needs (`version`, and `files` with url, sha512 and size). Not a YAML parser:
 * the feed is HQ's, in the one layout electron-builder writes, and anything
 * else is refused rather than guessed at.
 */
export function parseFeedYaml(text: string): Feed {
  const top: Record<string, unknown> = {};
  const files: Record<string, unknown>[] = [];
  let inFiles = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const topLevel = /^([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (topLevel) {
      inFiles = topLevel[1] === 'files' && topLevel[2] === '';
      if (topLevel[1] === 'files' && topLevel[2]!.trim() === '[]') continue;
      if (!inFiles) top[topLevel[1]!] = scalar(topLevel[2]!);
      continue;
    }
    const item = /^\s+(-\s+)?([A-Za-z][\w-]*):\s*(.*)$/.exec(line);
    if (!item || !inFiles) throw new StandinUpdateError('download-failed', `the feed has a line this updater does not read: ${line.slice(0, 80)}`);
    if (item[1]) files.push({});
    const current = files.at(-1);
    if (!current) throw new StandinUpdateError('download-failed', 'the feed lists a file field outside any file');
    current[item[2]!] = scalar(item[3]!);
  }
  const parsed = Feed.safeParse({ version: typeof top.version === 'number' ? String(top.version) : top.version, files });
  if (!parsed.success) throw new StandinUpdateError('download-failed', `the feed is malformed: ${parsed.error.issues[0]?.message ?? 'unreadable'}`);
  return parsed.data;
}

/** The feed document, as electron-updater's generic provider asks for it on Linux: the feed URL names the channel already. */
export function feedYamlUrl(feed: UpdateFeed): URL {
  return new URL(`${feed.url.replace(/\/+$/, '')}/latest-linux.yml`);
}

async function get(url: URL, feed: UpdateFeed, signal: AbortSignal, what: string, headers: Record<string, string> = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: `Bearer ${feed.token}`, ...headers }, signal, redirect: 'error' });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StandinUpdateError('hq-unreachable', `HQ did not answer for the ${what} (${url.origin}): ${error instanceof Error ? error.message : String(error)}`);
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new StandinUpdateError('download-failed', `HQ refused this terminal's feed token for the ${what} (HTTP ${response.status}): the next pull brings a new one`);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    throw new StandinUpdateError('download-failed', `HQ does not offer the ${what} to this terminal (HTTP 404)`);
  }
  return response;
}

function sizeOf(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

export interface StandinUpdaterOptions {
  dataDir: string;
  logger: Logger;
  clock: Clock;
  /** The version this code calls itself without a marker (app-version): recorded so a marker left by an older build is ignored. */
  baseVersion: string;
  /**
   * Ends this kiosk process so the supervisor starts it again; null where no
   * supervisor would (started by hand): installing is then refused.
   */
  restart: (() => void) | null;
}

/** Reports progress about a hundred times over a download, and always its first and last byte counts. */
function progressReporter(total: number, onProgress: (p: DownloadProgress) => void): (transferred: number) => void {
  const step = Math.max(1, Math.floor(total / 100));
  let next = 0;
  return (transferred) => {
    if (transferred < next && transferred < total) return;
    next = transferred + step;
    onProgress({ transferred, total });
  };
}

export function createStandinUpdater(options: StandinUpdaterOptions): Updater {
  const dir = updatesDir(options.dataDir);

  /** Only files this updater wrote, in its own folder: a path from anywhere else is never deleted or « installed ». */
  function own(file: string): string {
    const path = resolve(file);
    if (dirname(path) !== resolve(dir) || ReleaseFileName.safeParse(basename(path)).success === false) {
      throw new StandinUpdateError('install-failed', `not a file this updater downloaded: ${file}`);
    }
    return path;
  }

  async function fetchFile(url: URL, feed: UpdateFeed, target: ReleaseManifest, partial: string, onProgress: (p: DownloadProgress) => void, signal: AbortSignal): Promise<void> {
    let have = sizeOf(partial) ?? 0;
    if (have > target.size) {
      rmSync(partial, { force: true });
      have = 0;
    }
    const report = progressReporter(target.size, onProgress);
    if (have === target.size) return report(have);
    const response = await get(url, feed, signal, `file ${target.fileName}`, have > 0 ? { range: `bytes=${have}-` } : {});
    if (response.status === 416) {
      // HQ cannot serve what follows our partial file (the release changed under the same name): start over next time.
      await response.body?.cancel();
      rmSync(partial, { force: true });
      throw new StandinUpdateError('download-failed', `HQ refused to resume ${target.fileName} at byte ${have}; the partial file was deleted`);
    }
    if (response.status !== 200 && response.status !== 206) {
      await response.body?.cancel();
      throw new StandinUpdateError('download-failed', `HQ answered HTTP ${response.status} for ${target.fileName}`);
    }
    if (response.status === 206) {
      const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
      if (!range || Number(range[1]) !== have) {
        await response.body?.cancel();
        rmSync(partial, { force: true });
        throw new StandinUpdateError('download-failed', `HQ resumed ${target.fileName} at the wrong place (${response.headers.get('content-range') ?? 'no Content-Range'}); the partial file was deleted`);
      }
      if (have > 0) options.logger.info('stand-in updater resumes a download', { file: target.fileName, from: have, size: target.size });
    } else {
      have = 0; // a full answer: whatever was there is rewritten
    }
    if (!response.body) throw new StandinUpdateError('download-failed', `HQ sent no body for ${target.fileName}`);
    const handle = await open(partial, have > 0 ? 'a' : 'w', PRIVATE_FILE_MODE);
    try {
      report(have);
      for await (const chunk of response.body) {
        if (have + chunk.byteLength > target.size) {
          throw new StandinUpdateError('size-mismatch', `HQ sent more than the release's ${target.size} bytes for ${target.fileName}`);
        }
        await handle.write(chunk);
        have += chunk.byteLength;
        report(have);
      }
    } catch (error) {
      if (error instanceof StandinUpdateError || signal.aborted) throw error;
      throw new StandinUpdateError('hq-unreachable', `the download of ${target.fileName} was cut at byte ${have} of ${target.size}; it resumes there next time`);
    } finally {
      await handle.close();
    }
    if (have < target.size) {
      throw new StandinUpdateError('download-failed', `the download of ${target.fileName} ended at byte ${have} of ${target.size}; it resumes there next time`);
    }
  }

  return {
    async download(feed, target, onProgress, signal) {
      const feedUrl = feedYamlUrl(feed);
      const response = await get(feedUrl, feed, signal, `${feed.channel} feed`);
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new StandinUpdateError('download-failed', `HQ answered HTTP ${response.status} for the ${feed.channel} feed`);
      }
      const text = await response.text();
      if (text.length > MAX_FEED_BYTES) throw new StandinUpdateError('download-failed', 'the feed is too large to be one');
      const offered = parseFeedYaml(text);
      const file = offered.files.find((f) => basename(new URL(f.url, feedUrl).pathname) === target.fileName);
      if (offered.version !== target.version || !file) {
        throw new StandinUpdateError('download-failed', `HQ's feed offers ${offered.version}, not ${target.version} (${target.fileName})`);
      }
      if (file.size !== target.size || file.sha512 !== target.sha512) {
        throw new StandinUpdateError('size-mismatch', `HQ's feed and the signed release disagree on ${target.fileName}'s size or sha512`);
      }
      const fileUrl = new URL(file.url, feedUrl);
      // The token is HQ's: never sent to another origin a feed might point at.
      if (fileUrl.origin !== feedUrl.origin) throw new StandinUpdateError('download-failed', `the feed points at another server (${fileUrl.origin})`);

      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      const complete = join(dir, target.fileName);
      const partial = `${complete}.partial`;
      if (sizeOf(complete) === target.size) {
        onProgress({ transferred: target.size, total: target.size });
        return { file: complete };
      }
      rmSync(complete, { force: true });
      await fetchFile(fileUrl, feed, target, partial, onProgress, signal);
      renameSync(partial, complete);
      return { file: complete };
    },

    async discard(file) {
      const path = own(file);
      rmSync(path, { force: true });
      rmSync(`${path}.partial`, { force: true });
    },

    async install(file, target) {
      const path = own(file);
      if (!options.restart) {
        options.logger.error('stand-in install refused: this kiosk was not started by the supervisor, so nothing would start it again', { version: target.version });
        return;
      }
      if (sizeOf(path) !== target.size) {
        options.logger.error('stand-in install refused: the downloaded file is gone or has the wrong size', { version: target.version });
        return;
      }
      const marker: StandinMarker = {
        version: target.version,
        fileName: target.fileName,
        sha512: target.sha512,
        baseVersion: options.baseVersion,
        installedAt: options.clock.now(),
      };
      const markerPath = standinMarkerPath(options.dataDir);
      writeFileSync(`${markerPath}.tmp`, JSON.stringify(marker), { mode: PRIVATE_FILE_MODE });
      renameSync(`${markerPath}.tmp`, markerPath);
      rmSync(path, { force: true });
      options.logger.warn('stand-in install: version recorded, the kiosk restarts (browser mode: no code was replaced)', { version: target.version });
      try {
        options.restart();
      } catch (error) {
        rmSync(markerPath, { force: true });
        options.logger.error('stand-in install: the restart could not be asked for', { error: String(error) });
        return;
      }
      // Installing ends this process: like a real installer, this never resolves once the restart is under way.
      await new Promise<never>(() => {});
    },
  };
}

const StandinMarker = z.strictObject({
  version: AppVersion,
  fileName: ReleaseFileName,
  sha512: Sha512Base64,
  baseVersion: AppVersion,
  installedAt: z.number().int().nonnegative(),
});
type StandinMarker = z.infer<typeof StandinMarker>;

/**
 * The version the stand-in last « installed » over this build, or null: no
 * marker, an unreadable one, or one written over another build (the code was
 * changed by hand since, so app-version is the truth again).
 */
export function standinInstalledVersion(dataDir: string, baseVersion: string, logger: Logger): string | null {
  let raw: string;
  try {
    raw = readFileSync(standinMarkerPath(dataDir), 'utf8');
  } catch {
    return null;
  }
  let parsed: ReturnType<typeof StandinMarker.safeParse>;
  try {
    parsed = StandinMarker.safeParse(JSON.parse(raw));
  } catch {
    parsed = StandinMarker.safeParse(null);
  }
  if (!parsed.success) {
    logger.warn('stand-in install marker unreadable: ignored', { path: standinMarkerPath(dataDir) });
    return null;
  }
  if (parsed.data.baseVersion !== baseVersion) {
    logger.info('stand-in install marker left by another build: ignored', { marker: parsed.data.baseVersion, build: baseVersion });
    return null;
  }
  return parsed.data.version;
}
