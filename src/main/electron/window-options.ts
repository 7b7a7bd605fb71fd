import { join } from 'node:path';
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';
import type { WindowRole } from './app-url';
import type { Rect } from './window-placement';

export interface WindowOptionsInput {
  role: WindowRole;
  /** The folder holding the built preloads, `<role>.cjs` each. */
  preloadDir: string;
  bounds: Rect;
  kiosk: boolean;
  devTools: boolean;
}

/** The explicit development flag: `FIDELE_DEVTOOLS=1` in the environment, or `--devtools` on the command line. */
export const DEVTOOLS_ENV = 'FIDELE_DEVTOOLS';
export const DEVTOOLS_ARG = '--devtools';

/**
 * DevTools give whoever stands at the till the core's IPC and every member's
 * data: off, including in unpackaged runs, unless a developer asks for them
 * explicitly; never in a packaged build, whatever the environment says.
 */
export function devToolsAllowed(o: { packaged: boolean; env: Readonly<Record<string, string | undefined>>; argv: readonly string[] }): boolean {
  if (o.packaged) return false;
  return o.env[DEVTOOLS_ENV] === '1' || o.argv.includes(DEVTOOLS_ARG);
}

/**
 * The hardening of every window in one pure function, so a test can read it:
 * sandboxed, isolated, no Node, no webview, only our preload.
 */
export function webPreferencesFor(input: Pick<WindowOptionsInput, 'role' | 'preloadDir' | 'devTools'>): WebPreferences {
  return {
    preload: join(input.preloadDir, `${input.role}.cjs`),
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    safeDialogs: true,
    devTools: input.devTools,
    // Nobody ever focuses the customer screen, and Chromium throttles the timers of background windows.
    backgroundThrottling: input.role !== 'customer',
  };
}

export function windowOptionsFor(input: WindowOptionsInput): BrowserWindowConstructorOptions {
  return {
    ...input.bounds,
    show: false,
    frame: !input.kiosk,
    autoHideMenuBar: true,
    backgroundColor: '#ffffff',
    webPreferences: webPreferencesFor(input),
  };
}
