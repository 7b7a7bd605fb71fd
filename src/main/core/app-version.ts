/**
 * The application's version and build: what the terminal reports to HQ (the
 * sync push header, enrolment, the update status) and shows in its Diagnostic
 * dialog. One source for every shell: the version is package.json's (the one
 * electron-builder stamps on the package and electron-updater compares), the
 * build is the commit and date electron.vite.config.ts stamps into the bundle.
 * Unbundled runs (the web bridge under tsx, tests) read package.json and say
 * 'dev': they were built by nobody.
 */
import { readFileSync } from 'node:fs';

export interface AppVersion {
  /** package.json's version, major.minor.patch[-prerelease]. */
  version: string;
  /** `<short commit>[-dirty]@<YYYY-MM-DD>` of the build, or 'dev' when nothing stamped one. */
  build: string;
}

// Replaced by electron-vite's `define` in the Electron bundle; undeclared anywhere else.
declare const __FIDELE_VERSION__: string;
declare const __FIDELE_BUILD__: string;

export const DEV_BUILD = 'dev';

/**
 * The build id stamped into a bundle: the commit it was built from (marked
 * when the tree had uncommitted changes: that build cannot be rebuilt from
 * the commit) and the UTC day it was built; 'dev' when git could not say.
 */
export function formatBuildId(facts: { commit: string | null; dirty: boolean; builtAt: Date }): string {
  if (!facts.commit || !/^[0-9a-f]{4,40}$/.test(facts.commit)) return DEV_BUILD;
  return `${facts.commit}${facts.dirty ? '-dirty' : ''}@${facts.builtAt.toISOString().slice(0, 10)}`;
}

/** The version in a package.json's text; throws when there is none, since reporting a made-up one to HQ is worse. */
export function versionOfPackageJson(text: string): string {
  const version = (JSON.parse(text) as { version?: unknown }).version;
  if (typeof version !== 'string' || version === '') throw new Error('package.json has no version');
  return version;
}

let current: AppVersion | null = null;

/** This running application's version and build. */
export function currentAppVersion(): AppVersion {
  current ??= {
    version: typeof __FIDELE_VERSION__ === 'string' ? __FIDELE_VERSION__ : versionOfPackageJson(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')),
    build: typeof __FIDELE_BUILD__ === 'string' ? __FIDELE_BUILD__ : DEV_BUILD,
  };
  return current;
}
