import type { ReleaseChannel, ReleaseManifest } from '../../../shared/updates/release';

/**
 * What the update policy (policy.ts) needs from whatever really fetches and
 * installs a build: electron-updater in the Electron shell
 * (src/main/electron/updater.ts), a stand-in in the browser mode and in tests.
 * The port knows nothing of safe moments, signatures or HQ: the policy decides
 * when, and checks every file the port hands back before asking to install it.
 */
export interface UpdateFeed {
  /** HQ's feed URL for this terminal (the pull's `feedPath` on HQ's address). */
  url: string;
  /** The pull's short-lived feed token, sent as `Authorization: Bearer …` on the feed and the files. */
  token: string;
  channel: ReleaseChannel;
  /** Only true for a release HQ signed as a rollback. */
  allowDowngrade: boolean;
}

export interface DownloadProgress {
  transferred: number;
  total: number;
}

export interface Updater {
  /**
   * Fetches `target`'s file from the feed; resolves with the path of the
   * complete file on disk. Rejects on a feed that does not offer exactly that
   * version, a network failure or an abort; a later call may resume.
   */
  download(
    feed: UpdateFeed,
    target: ReleaseManifest,
    onProgress: (p: DownloadProgress) => void,
    signal: AbortSignal,
  ): Promise<{ file: string }>;
  /** Deletes a downloaded file (refused, superseded): it must never be installed later by accident. */
  discard(file: string): Promise<void>;
  /**
   * Installs a file the policy has verified and restarts the application.
   * Resolves only when the install could not even start (the app keeps running).
   */
  install(file: string, target: ReleaseManifest): Promise<void>;
}
