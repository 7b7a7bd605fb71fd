import { BrowserWindow, screen, type WebContents } from 'electron';
import type { Clock, Logger } from '../core/ports';
import { isAllowedNavigation, pageUrl, WINDOW_ROLES, type WindowRole } from './app-url';
import { CrashBackoff } from './crash-backoff';
import { windowOptionsFor } from './window-options';
import { placeWindows, type WindowSpot } from './window-placement';
import type { WindowRegistry } from './window-registry';

export interface WindowsOptions {
  preloadDir: string;
  kiosk: boolean;
  devTools: boolean;
  /** The Electron display id of the customer screen, from the terminal config. */
  customerDisplayId: number | null;
  registry: WindowRegistry<WebContents>;
  clock: Clock;
  logger: Logger;
  /** Called when reloading a crashed screen keeps failing. */
  relaunch: () => void;
  /** True once the app is quitting: in kiosk mode that is the only way a window closes. */
  isQuitting: () => boolean;
}

export interface TerminalWindows {
  readonly windows: Readonly<Record<WindowRole, BrowserWindow>>;
  /** Bring the screens forward, e.g. when a second instance is started. */
  focus(): void;
}

/** Re-placing waits for the display list to settle: a hot-plug fires several events. */
const REPLACE_DEBOUNCE_MS = 300;

function currentPlacement(options: WindowsOptions) {
  return placeWindows(screen.getAllDisplays(), screen.getPrimaryDisplay().id, options.customerDisplayId);
}

function applySpot(win: BrowserWindow, role: WindowRole, spot: WindowSpot, kiosk: boolean): void {
  if (win.isDestroyed()) return;
  // A fullscreen window only moves to another display once it has left fullscreen.
  if (win.isKiosk()) win.setKiosk(false);
  if (win.isFullScreen()) win.setFullScreen(false);
  win.setBounds(spot.bounds);
  // The customer screen fills its own display whenever it has one; the cashier's only in kiosk mode.
  const fill = spot.fullscreen && (kiosk || role === 'customer');
  if (fill && kiosk) win.setKiosk(true);
  else if (fill) win.setFullScreen(true);
}

function hardenContents(contents: WebContents, role: WindowRole, logger: Logger): void {
  const refuse = (event: { preventDefault(): void; url: string }, kind: string) => {
    if (isAllowedNavigation(event.url, role)) return;
    event.preventDefault();
    logger.warn('refused a navigation', { role, kind, url: event.url.slice(0, 200) });
  };
  contents.on('will-navigate', (event) => refuse(event, 'navigate'));
  contents.on('will-frame-navigate', (event) => refuse(event, 'frame-navigate'));
  contents.on('will-redirect', (event) => refuse(event, 'redirect'));
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  // A touchscreen pinch must not zoom the till.
  void contents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
}

function recoverFromCrashes(win: BrowserWindow, role: WindowRole, options: WindowsOptions): void {
  const backoff = new CrashBackoff(options.clock);
  win.webContents.on('render-process-gone', (_event, details) => {
    const decision = backoff.onCrash();
    options.logger.error('a screen crashed', { role, reason: details.reason, exitCode: details.exitCode, ...decision });
    if (decision.action === 'relaunch') {
      options.relaunch();
      return;
    }
    setTimeout(() => {
      if (win.isDestroyed()) return;
      win.loadURL(pageUrl(role)).catch((error: unknown) => options.logger.error('reloading a screen failed', { role, error: String(error) }));
    }, decision.delayMs);
  });
  win.webContents.on('unresponsive', () => options.logger.warn('a screen is unresponsive', { role }));
  win.webContents.on('responsive', () => options.logger.info('a screen is responsive again', { role }));
}

function createWindow(role: WindowRole, spot: WindowSpot, options: WindowsOptions): BrowserWindow {
  const win = new BrowserWindow(
    windowOptionsFor({ role, preloadDir: options.preloadDir, bounds: spot.bounds, kiosk: options.kiosk, devTools: options.devTools }),
  );
  const contents = win.webContents;
  const unregister = options.registry.register(contents, role);
  contents.once('destroyed', unregister);
  hardenContents(contents, role, options.logger);
  recoverFromCrashes(win, role, options);
  if (options.kiosk) {
    win.on('close', (event) => {
      if (!options.isQuitting()) event.preventDefault();
    });
  }
  win.once('ready-to-show', () => {
    applySpot(win, role, currentPlacement(options)[role], options.kiosk);
    win.show();
  });
  win.loadURL(pageUrl(role)).catch((error: unknown) => options.logger.error('loading a screen failed', { role, error: String(error) }));
  return win;
}

/** The cashier and customer windows, placed on their displays and kept there as screens come and go. */
export function createTerminalWindows(options: WindowsOptions): TerminalWindows {
  const placement = currentPlacement(options);
  const windows = {
    cashier: createWindow('cashier', placement.cashier, options),
    customer: createWindow('customer', placement.customer, options),
  };

  let pending: ReturnType<typeof setTimeout> | undefined;
  const replace = () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      const next = currentPlacement(options);
      options.logger.info('placing the screens', { customerHasOwnDisplay: next.customerHasOwnDisplay, customerDisplayId: next.customer.displayId });
      for (const role of WINDOW_ROLES) applySpot(windows[role], role, next[role], options.kiosk);
    }, REPLACE_DEBOUNCE_MS);
  };
  screen.on('display-added', replace);
  screen.on('display-removed', replace);
  screen.on('display-metrics-changed', replace);

  return {
    windows,
    focus() {
      for (const role of WINDOW_ROLES) {
        const win = windows[role];
        if (win.isDestroyed()) continue;
        if (win.isMinimized()) win.restore();
        win.show();
      }
      if (!windows.cashier.isDestroyed()) windows.cashier.focus();
    },
  };
}
