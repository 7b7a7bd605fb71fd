/**
 * The browser mode: the kiosk's core and its screens served on loopback, for
 * machines where Electron cannot run and for the end-to-end tests.
 *
 *   tsx src/main/web-bridge/cli.ts [--port 5170] [--data ./data] [--config terminal.json] [--devices auto|simulated|rig|real]
 *                                  [--hq embedded|none|<url>] [--release-keys DIR] [--seed-only] [--verbose]
 *
 * `--hq embedded` (the default when the configuration names no HQ) runs HQ on
 * PGlite in <data>/hq as a child process and enrols the terminal with it.
 * Logs go to <data>/logs/terminal.log, and to stderr as well with --verbose,
 * so the start banner is not buried under them.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { currentAppVersion } from '../core/app-version';
import { loadConfig } from '../core/config/terminal-config';
import { createCore, type Core } from '../core/core';
import { DATABASE_REFUSED_EXIT, startupRefusal } from '../core/db/database';
import { cryptoRandom } from '../core/crypto-random';
import { jsonLogger, logFile } from '../core/logger';
import { systemClock, type Clock } from '../core/ports';
import { demoCards, seedDemoHistory } from '../core/seed/demo-history';
import { seedDemoStoreIfEmpty } from '../core/seed/demo-members';
import { fileVault, vaultKeyPath } from '../core/security/file-vault';
import { privateDataDir } from '../core/security/private-files';
import { SOCAT_BIN, socatAvailable } from '../core/devices/simulated-rig';
import { startConfiguredTillApi } from '../till-api/till-api';
import { startEmbeddedHq, type EmbeddedHq } from './embedded-hq';
import { startWebBridge } from './web-bridge';
import { formatCardNumber } from '../../shared/domain/card-number';
import { hqAt } from './hq-setting';
import { createStandinUpdater, standinInstalledVersion } from './standin-updater';
import { devReleaseKeys } from './dev-release-keys';
import { isSupervised, KIOSK_RESTART_EXIT, screenTokensFromEnv } from './supervisor';
import { LogRing } from '../core/it/log-ring';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.FIDELE_PORT ?? '5170' },
    data: { type: 'string', default: process.env.FIDELE_DATA_DIR ?? 'data' },
    config: { type: 'string', default: process.env.FIDELE_CONFIG },
    'seed-only': { type: 'boolean', default: false },
    devices: { type: 'string', default: process.env.FIDELE_DEVICES ?? 'auto' },
    hq: { type: 'string', default: process.env.FIDELE_HQ },
    'hq-port': { type: 'string', default: process.env.FIDELE_HQ_PORT ?? '8787' },
    // Development only: more release keys to trust, e.g. `npm run hq -- release key --out DIR` of a separate dev HQ.
    'release-keys': { type: 'string', default: process.env.FIDELE_RELEASE_KEYS },
    verbose: { type: 'boolean', default: false },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(2);
}

const loaded = loadConfig(resolve('resources/terminal.default.json'), values.config ? resolve(values.config) : undefined);
// 'auto': a terminal configured with simulated devices gets the socat rig (the real drivers against protocol
// simulators) when socat is installed, and the in-process scanner otherwise.
if (!['auto', 'simulated', 'rig', 'real'].includes(values.devices)) {
  console.error(`--devices must be auto, simulated, rig or real, not ${values.devices}`);
  process.exit(2);
}
let devicesNote: string;
let devices = loaded.devices;
if (values.devices !== 'auto') {
  devices = values.devices as typeof devices;
  devicesNote = `${devices} (asked for)`;
} else if (loaded.devices !== 'simulated') {
  devicesNote = `${devices} (from the configuration)`;
} else if (socatAvailable()) {
  devices = 'rig';
  devicesNote = 'rig: the real drivers talking to simulated devices over socat ptys';
} else {
  devicesNote = `simulated (in-process scanner): ${SOCAT_BIN} not found, install socat for the NFC reader and printer simulators`;
}
const dataDir = resolve(values.data);
const logPath = join(dataDir, 'logs', 'terminal.log');
const logs = logFile(logPath, { echo: values.verbose });
// The IT view's last lines, redacted, kept in memory as they are written.
const logRing = new LogRing();
const logger = jsonLogger('web-bridge', logRing.tee(logs.write));
// The folder 0700 and everything in it 0600, including what an older build left readable; new files are born so.
const madePrivate = privateDataDir(dataDir);
if (madePrivate.length > 0) logger.warn('the data folder was readable by others: made private', { dataDir, paths: madePrivate.length });
// No OS keychain in a browser: the HQ key is sealed by a key file beside the database, not in it.
const keyVault = fileVault({ path: vaultKeyPath(dataDir), random: cryptoRandom, logger });

// HQ: the configured one, a URL given here, none, or (by default) one embedded in this machine.
const hqMode = values.hq ?? (loaded.hq ? 'configured' : 'embedded');
let embeddedHq: EmbeddedHq | null = null;
let hq = loaded.hq;
let hqNote: string;
if (hqMode === 'none') {
  hq = undefined;
  hqNote = 'none (the ledger stays on this terminal)';
} else if (hqMode === 'embedded') {
  const hqDir = join(dataDir, 'hq');
  const started = performance.now();
  // The demo HQ gives this store's members a chain history (src/hq/value/demo-history.ts).
  process.env.HQ_DEMO_STORE = loaded.storeId ?? 'demo';
  embeddedHq = await startEmbeddedHq({ dataDir: hqDir, port: Number(values['hq-port']) });
  hq = hqAt(loaded.hq, embeddedHq.url);
  hqNote = `embedded ${embeddedHq.url} (PGlite in ${hqDir}, started in ${((performance.now() - started) / 1000).toFixed(1)} s)`;
} else if (hqMode === 'configured') {
  hqNote = `${loaded.hq!.url} (from the configuration)`;
} else if (/^https?:\/\//.test(hqMode)) {
  hq = hqAt(loaded.hq, hqMode);
  hqNote = `${hqMode} (asked for)`;
} else {
  console.error(`--hq must be embedded, none or an http(s) URL, not ${hqMode}`);
  process.exit(2);
}
const config = { ...loaded, devices, hq };
// The ledger's clock, moved back in time only while the demo history is seeded, before anything is served.
let seedingAt: number | null = null;
const clock: Clock = { now: () => seedingAt ?? systemClock.now() };

// Browser mode only: the version the stand-in updater last « installed » (standin-updater.ts), else this build's.
const buildVersion = currentAppVersion().version;
const appVersion = standinInstalledVersion(dataDir, buildVersion, logger) ?? buildVersion;
// Updates in the browser mode: the stand-in updater (downloads from HQ, « installs » by restarting under the
// supervisor), trusting the shipped release keys and, in development, the embedded HQ's (dev-release-keys.ts).
const embeddedReleaseKey = embeddedHq
  ? await embeddedHq.releaseKey().catch((error: unknown) => {
      logger.warn('the embedded HQ gave no release key: its releases will be refused', { error: String(error) });
      return null;
    })
  : null;
const releaseKeys = devReleaseKeys({ extraDir: values['release-keys'], embedded: embeddedReleaseKey });
const updater = createStandinUpdater({
  dataDir,
  logger,
  clock: systemClock,
  baseVersion: buildVersion,
  restart: isSupervised() ? () => void stop(KIOSK_RESTART_EXIT) : null,
});

let core: Core;
try {
  core = createCore({
    dbPath: join(dataDir, 'terminal.sqlite'),
    config,
    keyVault,
    shell: 'browser',
    clock,
    random: cryptoRandom,
    logger,
    appVersion,
    updater,
    releaseKeys,
    logRing,
    // The IT view's « Redémarrer »: the supervisor starts this kiosk again; without it, say so rather than stop for good.
    restart: () => {
      if (!isSupervised()) return { restarting: false, reason: 'browser mode without its supervisor: stop it and run npm run start:browser again' };
      setTimeout(() => void stop(KIOSK_RESTART_EXIT), 200);
      return { restarting: true, reason: null };
    },
  });
} catch (error) {
  // A damaged or too-new database is a state to explain, not a crash to dump.
  const refusal = startupRefusal(error);
  if (!refusal) throw error;
  console.error(refusal);
  await embeddedHq?.close();
  process.exit(DATABASE_REFUSED_EXIT);
}

const seedStarted = performance.now();
const seeded = seedDemoStoreIfEmpty(core.members, config.demoSeed, systemClock.now());
let seedNote = '';
if (seeded > 0 && config.demoSeed) {
  // Real sales through the ledger over two years, in steady and unsteady rhythms (seed/demo-rhythms.ts).
  const history = seedDemoHistory({ db: core.db, ledger: core.ledger, lookups: core.lookups, setNow: (at) => (seedingAt = at), seed: config.demoSeed.seed, now: systemClock.now() });
  seedNote = `seeded just now: ${seeded} members, ${history.sales} past sales for ${history.members} of them (${((performance.now() - seedStarted) / 1000).toFixed(1)} s)`;
  logger.info('demo store seeded', { members: seeded, sales: history.sales, shoppers: history.members, dataDir });
}

if (values['seed-only']) {
  await core.close();
  await embeddedHq?.close();
  process.exit(0);
}

await core.start();
const bridge = await startWebBridge({
  core,
  staticDir: resolve('out/renderer'),
  port,
  random: cryptoRandom,
  logger,
  roles: config.devices === 'real' ? ['cashier', 'customer'] : ['cashier', 'customer', 'simulator'],
  tokens: screenTokensFromEnv(),
});
const tillApi = await startConfiguredTillApi({ core, config, clock: systemClock, random: cryptoRandom, logger });

// The embedded HQ is this machine's own: enrol with it at once, as IT staff would with a code from the fleet page.
if (embeddedHq && core.sync.view().state === 'unenrolled') {
  const storeId = config.storeId ?? 'demo';
  try {
    const code = await embeddedHq.enrolCode(storeId, config.terminalId);
    const enrolled = await core.dispatch('cashier', 'sync.enrol', { code, storeId });
    if (!enrolled.ok) throw new Error(enrolled.error.message);
    hqNote += `, terminal enrolled in store ${storeId}`;
  } catch (error) {
    hqNote += `, enrolment failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

// An HQ this terminal is not enrolled with receives nothing: the banner says so, and how to enrol.
if (hq && core.sync.view().state === 'unenrolled') {
  hqNote += `; terminal ${config.terminalId} NOT ENROLLED: nothing reaches HQ until IT enrols it (npm run terminal -- enrol <CODE> --hq ${hq.url}, or the Diagnostic dialog)`;
}

const cards = demoCards({ db: core.db, ledger: core.ledger, members: core.members });
const rule = '─'.repeat(72);
const lines = [
  rule,
  `Fidèle — browser mode (${config.storeName}, ${core.members.count()} members${seedNote ? `; ${seedNote}` : ''})`,
  `  Devices:          ${devicesNote}`,
  `  HQ:               ${hqNote}`,
  ...(embeddedHq ? [`  HQ console:       ${embeddedHq.url}/console/ — sign in as ${embeddedHq.staff.username} / ${embeddedHq.staff.password} (demo admin, new password at each start)`] : []),
  `  Cashier screen:   ${bridge.urls.cashier}`,
  `  Customer screen:  ${bridge.urls.customer}`,
  ...(bridge.urls.simulator ? [`  Device simulator: ${bridge.urls.simulator}`] : []),
  ...(tillApi ? [`  Till API:         ${tillApi.origin}/v1 (OpenAPI: ${tillApi.origin}/openapi.json); a token for a till: npm run till:token -- caisse-2`] : []),
  ...(cards.length > 0
    ? ['  Demo cards to scan (simulator page, or type the number at the till):', ...cards.map((c) => `    ${formatCardNumber(c.cardNumber)}  ${c.name}, ${c.balance} pts${c.note ? ` — ${c.note}` : ''}`)]
    : []),
  `  Logs:             ${logPath}${values.verbose ? ' (and below)' : ' (--verbose to print them here too)'}`,
  'Open each link in its own Chromium window. Ctrl+C stops the kiosk.',
  rule,
];
console.log(`\n${lines.join('\n')}\n`);

let stopping = false;
/** Under the supervisor, KIOSK_RESTART_EXIT starts this kiosk again (supervisor.ts). */
async function stop(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  await tillApi?.close();
  await bridge.close();
  await core.close();
  await embeddedHq?.close();
  logs.close();
  process.exit(exitCode);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
