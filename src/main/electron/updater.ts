import { rm } from 'node:fs/promises';
import { AppImageUpdater, CancellationToken, NsisUpdater, type AppUpdater, type ProgressInfo, type UpdateDownloadedEvent } from 'electron-updater';
import type { Logger } from '../core/ports';
import type { DownloadProgress, UpdateFeed, Updater } from '../core/updates/updater-port';
import type { ReleaseManifest } from '../../shared/updates/release';

/**
 * The Updater port on electron-updater (issue 13; electron.md §3.1), thin on
 * purpose: the policy (core/updates/policy.ts) decides when, verify.ts decides
 * whether; this only fetches and installs.
 *
 * - autoDownload and autoInstallOnAppQuit off: nothing happens unless the policy asks.
 * - The feed is HQ's per terminal (`setFeedURL({ provider: 'generic', url })`,
 *   the pull's feedPath already names the channel: …/feed/<channel>/latest-linux.yml),
 *   so electron-updater's own `channel` is left alone: setting it would make it
 *   look for `<channel>-linux.yml` and switch allowDowngrade on behind our back.
 * - The pull's feed token goes in `requestHeaders` (feed and file alike).
 * - `isUserWithinRollout` → true: HQ already decided who is in the rollout
 *   (the directive names a target only for the terminals it reaches), and a
 *   random staging id in userData must not overrule it.
 * - allowDowngrade only when HQ signed the release as a rollback.
 * - The feed must offer exactly the version HQ's signed directive names.
 * - A download is not resumed across attempts: electron-updater deletes its
 *   temporary file when a download fails and starts the next from zero
 *   (AppImage's differential download re-uses blocks of the RUNNING AppImage,
 *   not of a half-downloaded file).
 */
export interface ElectronUpdaterOptions {
  logger: Logger;
  /** Builds the electron-updater instance: the Electron app's AppImageUpdater (NsisUpdater on Windows) by default; tests build one on a stand-in `app`. */
  create?: () => AppUpdater;
}

export class UpdaterError extends Error {
  constructor(
    readonly code: 'download-failed' | 'hq-unreachable' | 'install-failed',
    message: string,
  ) {
    super(message);
    this.name = 'UpdaterError';
  }
}

export function createElectronUpdater(o: ElectronUpdaterOptions): Updater {
  let instance: AppUpdater | null = null;
  const updater = (): AppUpdater => {
    if (instance) return instance;
    // Linux terminals run the AppImage (the deb needs a graphical sudo: electron.md §3.1); Windows the NSIS installer.
    const u = o.create ? o.create() : process.platform === 'win32' ? new NsisUpdater() : new AppImageUpdater();
    u.autoDownload = false;
    u.autoInstallOnAppQuit = false;
    u.isUserWithinRollout = () => true;
    u.logger = { info: (m: unknown) => o.logger.info(`updater: ${String(m)}`), warn: (m: unknown) => o.logger.warn(`updater: ${String(m)}`), error: (m: unknown) => o.logger.error(`updater: ${String(m)}`) };
    // An unhandled 'error' event would throw: every failure reaches the policy through the promises below.
    u.on('error', () => {});
    instance = u;
    return u;
  };

  return {
    async download(feed: UpdateFeed, target: ReleaseManifest, onProgress: (p: DownloadProgress) => void, signal: AbortSignal): Promise<{ file: string }> {
      const u = updater();
      u.setFeedURL({ provider: 'generic', url: feed.url });
      u.requestHeaders = { Authorization: `Bearer ${feed.token}` };
      u.allowDowngrade = feed.allowDowngrade;
      const check = await u.checkForUpdates();
      if (!check) throw new UpdaterError('download-failed', 'electron-updater is not active here (not a packaged AppImage)');
      if (check.updateInfo.version !== target.version) {
        throw new UpdaterError('download-failed', `HQ's feed offers ${check.updateInfo.version}, its signed directive names ${target.version}`);
      }
      if (!check.isUpdateAvailable) throw new UpdaterError('download-failed', `electron-updater does not take ${target.version} (a downgrade HQ did not sign as a rollback?)`);
      if (signal.aborted) throw new UpdaterError('download-failed', 'download aborted');
      const token = new CancellationToken();
      const abort = () => token.cancel();
      signal.addEventListener('abort', abort, { once: true });
      let downloaded: string | null = null;
      const progress = (p: ProgressInfo) => onProgress({ transferred: p.transferred, total: p.total });
      const done = (event: UpdateDownloadedEvent) => (downloaded = event.downloadedFile);
      u.on('download-progress', progress);
      u.on('update-downloaded', done);
      try {
        const files = await u.downloadUpdate(token);
        const file = downloaded ?? files[0];
        if (!file) throw new UpdaterError('download-failed', 'electron-updater downloaded no file');
        return { file };
      } finally {
        signal.removeEventListener('abort', abort);
        u.off('download-progress', progress);
        u.off('update-downloaded', done);
      }
    },

    async discard(file: string): Promise<void> {
      await rm(file, { force: true });
    },

    async install(file: string, target: ReleaseManifest): Promise<void> {
      const u = updater() as AppUpdater & { installerPath?: string | null };
      // electron-updater installs the file IT downloaded last: it must be the one the policy verified.
      if (u.installerPath !== file) throw new UpdaterError('install-failed', `electron-updater holds ${u.installerPath ?? 'no file'}, not the verified ${file}`);
      let failure: unknown = null;
      const onError = (error: unknown) => (failure = error);
      u.on('error', onError);
      try {
        o.logger.info('installing and restarting', { version: target.version });
        u.quitAndInstall(true, true);
      } finally {
        u.off('error', onError);
      }
      if (failure !== null) throw new UpdaterError('install-failed', failure instanceof Error ? failure.message : String(failure));
      // The app is quitting: nothing more to say.
      await new Promise(() => {});
    },
  };
}
