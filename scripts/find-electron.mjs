// Where the Electron binary is, without loading the `electron` package: its
// index.js tries to download a missing binary, with no timeout, the moment it
// is required. Used by `npm start` and by the Electron smoke tests.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * @typedef {{ path: string, reason?: undefined } | { path: null, reason: string }} ElectronLookup
 * @typedef {{
 *   resolvePackage?: () => string,
 *   env?: Record<string, string | undefined>,
 *   exists?: (path: string) => boolean,
 *   read?: (path: string) => string,
 * }} LookupDeps
 */

/**
 * The same lookup as node_modules/electron/index.js (path.txt names the
 * executable under dist/, ELECTRON_OVERRIDE_DIST_PATH replaces dist/), minus
 * the download.
 * @param {LookupDeps} [deps]
 * @returns {ElectronLookup}
 */
export function findElectronBinary(deps = {}) {
  const resolvePackage = deps.resolvePackage ?? (() => require.resolve('electron/package.json'));
  const env = deps.env ?? process.env;
  const exists = deps.exists ?? existsSync;
  const read = deps.read ?? ((path) => readFileSync(path, 'utf8'));

  let packageDir;
  try {
    packageDir = dirname(resolvePackage());
  } catch {
    return { path: null, reason: 'the electron package is not installed' };
  }
  const pathFile = join(packageDir, 'path.txt');
  if (!exists(pathFile)) return { path: null, reason: 'the electron package has no downloaded binary: its install script did not run' };
  const executable = read(pathFile).trim();
  if (executable === '') return { path: null, reason: 'node_modules/electron/path.txt is empty' };
  const distDir = env.ELECTRON_OVERRIDE_DIST_PATH || join(packageDir, 'dist');
  const path = join(distDir, executable);
  if (!exists(path)) return { path: null, reason: `${path} is missing` };
  return { path };
}

/** The electron package's own download script, for one fetch attempt. */
export function electronInstallScript() {
  return join(dirname(require.resolve('electron/package.json')), 'install.js');
}

/**
 * What `npm start` does, decided from facts gathered beforehand so it can be
 * tested: one fetch attempt when the binary is missing, Electron when it is
 * here and there is a screen to open it on, else the browser mode with the
 * reason.
 * @param {{
 *   forceBrowser: boolean,
 *   lookup: ElectronLookup,
 *   platform: string,
 *   env: Record<string, string | undefined>,
 *   fetchFailure?: string | null,
 * }} facts  `fetchFailure` is undefined until a fetch was tried, then null (it worked) or why not.
 * @returns {{ mode: 'electron', binary: string } | { mode: 'fetch' } | { mode: 'browser', reason: string | null }}
 */
export function chooseStart({ forceBrowser, lookup, platform, env, fetchFailure }) {
  if (forceBrowser) return { mode: 'browser', reason: null };
  if (!lookup.path) {
    if (fetchFailure === undefined) return { mode: 'fetch' };
    return { mode: 'browser', reason: fetchFailure ? `${lookup.reason}; fetching it failed: ${fetchFailure}` : lookup.reason };
  }
  // Electron would only die with "Missing X server or $DISPLAY".
  if (platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    return { mode: 'browser', reason: 'the binary is here but there is no graphical display: $DISPLAY and $WAYLAND_DISPLAY are unset' };
  }
  return { mode: 'electron', binary: lookup.path };
}
