import type { ReleaseRow } from './releases';

/** Where the feed says a release file is: an absolute path on HQ, so a client resolves it the same whatever its base URL. */
export function fileUrlOf(fileName: string): string {
  return `/v1/updates/files/${encodeURIComponent(fileName)}`;
}

/** A YAML scalar in single quotes: nothing inside is read as YAML syntax. */
const q = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/**
 * electron-updater's generic-provider channel file (latest-linux.yml,
 * latest.yml) for ONE terminal: its target release, or — when no rollout
 * reaches it — its own current version and no file, which electron-updater
 * reads as « nothing new » (update-not-available).
 */
export function feedYaml(target: ReleaseRow | null, currentVersion: string): string {
  if (!target) return `version: ${q(currentVersion)}\nfiles: []\nreleaseDate: ${q(new Date(0).toISOString())}\n`;
  const url = fileUrlOf(target.file_name);
  return [
    `version: ${q(target.version)}`,
    'files:',
    `  - url: ${q(url)}`,
    `    sha512: ${q(target.sha512)}`,
    `    size: ${target.size}`,
    `path: ${q(url)}`,
    `sha512: ${q(target.sha512)}`,
    `releaseDate: ${q(new Date(target.published_at).toISOString())}`,
    '',
  ].join('\n');
}
