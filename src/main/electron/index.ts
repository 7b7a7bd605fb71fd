/**
 * The Electron entry: one instance, the app:// scheme, a hardened session,
 * the core, validated IPC and the two screens. Everything it decides is in
 * the small modules beside it; this file only wires them to Electron.
 * It never imports the web bridge (lint rule).
 */
import { join } from 'node:path';
import { app, Menu, powerSaveBlocker, safeStorage, session, type WebContents } from 'electron';
import { currentAppVersion } from '../core/app-version';
import { loadConfig } from '../core/config/terminal-config';
import { loadTerminalDevicesConfig } from '../core/devices/device-config';
import { createCore, type Core } from '../core/core';
import { DATABASE_REFUSED_EXIT, startupRefusal } from '../core/db/database';
import { cryptoRandom } from '../core/crypto-random';
import { jsonLogger } from '../core/logger';
import { LogRing } from '../core/it/log-ring';
import { systemClock } from '../core/ports';
import { seedDemoStoreIfEmpty } from '../core/seed/demo-members';
import { fileVault, vaultKeyPath } from '../core/security/file-vault';
import { lockDownDir, privateUmask } from '../core/security/private-files';
import { startConfiguredTillApi } from '../till-api/till-api';
import { loadReleaseKeys } from '../core/updates/verify';
import { createElectronUpdater } from './updater';
import { WINDOW_ROLES } from './app-url';
import { bindElectronIpc } from './ipc';
import { registerAppScheme, serveAppScheme } from './protocol';
import { hardenSession } from './session';
import { terminalKeyVault } from './key-vault';
import { installTestHooks } from './test-hooks';
import { WindowRegistry } from './window-registry';
import { devToolsAllowed } from './window-options';
import { createTerminalWindows } from './windows';

// The IT view's last lines, redacted, kept in memory as they are written.
const logRing = new LogRing();
const logger = jsonLogger('electron', logRing.tee((line) => process.stderr.write(line + '\n')));
/** out/main, beside out/preload and out/renderer (also inside the packaged asar). */
const outDir = join(import.meta.dirname, '..');

// Before `ready`, or the scheme gets no origin of its own.
registerAppScheme();
// Before Chromium writes its profile: whatever this process creates is the owner's alone.
privateUmask();

let quitting = false;
let shutdown: () => Promise<void> = async () => undefined;

/** A new process on the same screens: after crashes in a row, or IT's « Redémarrer ». */
function relaunchTerminal(): void {
  quitting = true;
  app.relaunch();
  void shutdown().finally(() => app.exit(0));
}

function fatal(error: unknown): void {
  // A bad terminal config lands here with a message naming the field; systemd restarts us.
  // A damaged database says what happened and what to do, and exits with a status not worth restarting on.
  const refusal = startupRefusal(error);
  if (refusal) console.error(refusal);
  logger.error('the terminal could not start', { error: refusal ?? (error instanceof Error ? error.message : String(error)) });
  app.exit(refusal ? DATABASE_REFUSED_EXIT : 1);
}

async function start(): Promise<void> {
  // Whatever webContents appears (devtools included) opens no window and hosts no webview.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  await app.whenReady();
  Menu.setApplicationMenu(null);
  hardenSession(session.defaultSession);

  const config = loadConfig(join(app.getAppPath(), 'resources', 'terminal.default.json'), process.env.FIDELE_CONFIG || undefined);
  const dataDir = process.env.FIDELE_DATA_DIR || app.getPath('userData');
  // 0700 and 0600, including what an older build left readable (terminal.sqlite was 0644 in a 0755 folder).
  const madePrivate = lockDownDir(dataDir);
  if (madePrivate.length > 0) logger.warn('the data folder was readable by others: made private', { dataDir, paths: madePrivate.length });
  // The bundle's stamp: package.json's version (app.getVersion() reads the same file) and the build HQ is told.
  const { version, build } = currentAppVersion();
  logger.info('starting', { version, build, electron: process.versions.electron, node: process.versions.node, dataDir });

  // The OS keychain where there is a real one; else a key file outside the database, with a warning.
  const keyVault = terminalKeyVault(safeStorage, process.platform, fileVault({ path: vaultKeyPath(dataDir), random: cryptoRandom, logger }));
  const core: Core = createCore({
    dbPath: join(dataDir, 'terminal.sqlite'),
    config,
    keyVault,
    shell: 'electron',
    logRing,
    // Answered first, then relaunched: the IT view hears that the restart is on its way.
    restart: () => {
      logger.info('IT asked for a restart');
      setTimeout(relaunchTerminal, 200);
      return { restarting: true, reason: null };
    },
    appVersion: version,
    clock: systemClock,
    random: cryptoRandom,
    logger,
    // A handler drifting from its schema shows up in development, not at the till.
    validateOutput: !app.isPackaged,
    // Real devices are named in resources/, which lives beside the app, not in the working directory.
    ...(config.devices === 'real' ? { devicesConfig: loadTerminalDevicesConfig(join(app.getAppPath(), 'resources'), process.env) } : {}),
    // Only a packaged terminal updates itself (electron-updater, checked by the policy against the release keys it shipped with).
    ...(app.isPackaged ? { updater: createElectronUpdater({ logger }), releaseKeys: loadReleaseKeys(join(app.getAppPath(), 'resources', 'release-keys')) } : {}),
  });
  const seeded = seedDemoStoreIfEmpty(core.members, config.demoSeed, systemClock.now());
  if (seeded > 0) logger.info('seeded the demo store', { members: seeded });
  if (!app.isPackaged && config.devices === 'simulated' && process.env.FIDELE_TEST_HOOKS === '1') installTestHooks(core);

  // The simulator page is for the browser mode; no Electron window has its role.
  serveAppScheme(join(outDir, 'renderer'), logger, ['simulator']);
  const registry = new WindowRegistry<WebContents>();
  const unbindIpc = bindElectronIpc({ dispatch: core.dispatch, bus: core.bus, registry, logger });
  await core.start();
  const tillApi = await startConfiguredTillApi({ core, config, clock: systemClock, random: cryptoRandom, logger });
  const sleepBlocker = powerSaveBlocker.start('prevent-display-sleep');

  let stopped: Promise<void> | undefined;
  shutdown = () =>
    (stopped ??= (async () => {
      await tillApi?.close();
      unbindIpc();
      if (powerSaveBlocker.isStarted(sleepBlocker)) powerSaveBlocker.stop(sleepBlocker);
      await core.close();
    })());

  const kiosk = app.isPackaged || config.kiosk === true;
  const terminal = createTerminalWindows({
    preloadDir: join(outDir, 'preload'),
    kiosk,
    devTools: devToolsAllowed({ packaged: app.isPackaged, env: process.env, argv: process.argv }),
    customerDisplayId: config.customerDisplayId ?? null,
    registry,
    clock: systemClock,
    logger,
    isQuitting: () => quitting,
    relaunch() {
      logger.error('screens keep crashing: relaunching the terminal');
      relaunchTerminal();
    },
  });
  logger.info('screens open', { roles: WINDOW_ROLES, kiosk });

  app.on('second-instance', () => terminal.focus());
}

if (!app.requestSingleInstanceLock()) {
  // Another terminal process owns the screens and the database: hand over to it.
  app.quit();
} else {
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => app.quit());
  // Close the database cleanly before the process goes.
  let closed = false;
  app.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    void shutdown()
      .catch((error: unknown) => logger.error('closing the core failed', { error: String(error) }))
      .finally(() => {
        closed = true;
        app.exit(0);
      });
  });
  start().catch(fatal);
}
