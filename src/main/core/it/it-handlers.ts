import { AppFailure } from '../../../shared/contract/errors';
import type { ItOverview, ItRestartView } from '../../../shared/contract/it-views';
import type { UpdateStatusView } from '../../../shared/updates/status-view';
import type { DeviceDiagnosticView, DeviceInfo } from '../../../shared/contract/schemas';
import type { SyncStatusView } from '../../../shared/contract/sync-views';
import type { TerminalConfig } from '../config/terminal-config';
import type { PrinterDevice } from '../devices/printer-device';
import type { Clock } from '../ports';
import type { Handlers } from '../rpc/dispatch';
import { buildBundle, writeBundle } from './diagnostics-bundle';
import type { ItGate } from './it-gate';
import type { LogRing } from './log-ring';
import { printTestPage, testPageDocument } from './test-print';
import type { ItScanTest } from './test-scan';

/** The shell's way to restart the app (Electron: relaunch and exit; the web bridge: its own process). */
export type RestartShell = () => ItRestartView | Promise<ItRestartView>;

/** Log lines the IT view shows; the bundle carries the whole ring. */
const SHOWN_LOG_LINES = 60;

export interface ItDeps {
  gate: ItGate;
  config: TerminalConfig;
  shell: 'electron' | 'browser';
  clock: Clock;
  dataDir: string | null;
  ring: LogRing;
  /** What the terminal reports to HQ (app-version.ts). */
  app: { version: string; build: string };
  sync(): SyncStatusView;
  devices(): Array<DeviceInfo & { endpoint: string | null }>;
  deviceDiagnostics(): DeviceDiagnosticView[];
  /** The update policy's view (`updates.status`). */
  updates(): UpdateStatusView | Promise<UpdateStatusView>;
  printers(): readonly PrinterDevice[];
  scans: ItScanTest;
  restart: RestartShell | null;
}

type ItMethod = 'it.unlock' | 'it.lock' | 'it.overview' | 'it.testScan' | 'it.testPrint' | 'it.diagnosticsBundle' | 'it.restart';

function tillApiView(config: TerminalConfig): ItOverview['tillApi'] {
  const api = config.tillApi;
  if (!api || !api.enabled) return null;
  const host = api.host.includes(':') ? `[${api.host}]` : api.host;
  return { url: `http://${host}:${api.port}/v1`, lan: api.lan, tills: api.tills.length };
}

/**
 * The IT view's methods. Each but it.unlock asks the gate first, so a locked
 * terminal answers `it_locked` whatever the screen shows; the cashier role
 * alone reaches them (METHOD_ROLES), never the customer's.
 */
export function itHandlers(deps: ItDeps): Pick<Handlers, ItMethod> {
  const { gate, config, clock } = deps;

  /** The rest of the view still shows when the update state cannot be read (IT is here to find out why). */
  async function updatesOrNull(): Promise<UpdateStatusView | null> {
    try {
      return await deps.updates();
    } catch {
      return null;
    }
  }

  async function overview(lines: number): Promise<ItOverview> {
    const session = gate.require();
    const sync = deps.sync();
    return {
      session,
      app: { ...deps.app, shell: deps.shell, node: process.versions.node },
      updates: await updatesOrNull(),
      hq: { url: config.hq?.url ?? null, sync },
      terminal: { terminalId: config.terminalId, terminalCode: config.terminalCode, storeId: sync.storeId ?? config.storeId ?? null, storeName: config.storeName },
      devices: deps.devices(),
      dataDir: deps.dataDir,
      tillApi: tillApiView(config),
      logLines: deps.ring.lines(lines),
    };
  }

  return {
    'it.unlock': (_ctx, { pin }) => gate.unlock(pin),
    'it.lock': () => {
      gate.lock();
      deps.scans.cancel();
      return { locked: true as const };
    },
    'it.overview': () => overview(SHOWN_LOG_LINES),
    'it.testScan': (_ctx, { timeoutMs }) => {
      gate.require();
      return deps.scans.arm(timeoutMs);
    },
    'it.testPrint': () => {
      gate.require();
      const printer = deps.printers()[0];
      if (!printer) throw new AppFailure('unavailable', 'no printer on this terminal');
      const at = clock.now();
      const doc = testPageDocument({ locale: config.locale, storeName: config.storeName, terminalId: config.terminalId, at, columns: printer.options.columns });
      return { printerId: printer.id, jobId: printTestPage(printer, doc, at) };
    },
    'it.diagnosticsBundle': async () => {
      const { session: _session, ...view } = await overview(Number.MAX_SAFE_INTEGER);
      const { fileName, content } = buildBundle({ at: clock.now(), overview: view, config, deviceDiagnostics: deps.deviceDiagnostics() });
      const path = deps.dataDir === null ? null : writeBundle(deps.dataDir, fileName, content);
      return { fileName, path, bytes: Buffer.byteLength(content), content };
    },
    'it.restart': async () => {
      gate.require();
      if (!deps.restart) return { restarting: false, reason: 'this shell cannot restart itself' };
      const answer = await deps.restart();
      // Whoever comes back after the restart types the PIN again.
      if (answer.restarting) gate.lock();
      return answer;
    },
  };
}
