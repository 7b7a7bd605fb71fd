import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ItOverview } from '../../../shared/contract/it-views';
import { redactValue, withoutSecrets } from './redact';

export const BUNDLE_FORMAT = 'fidele-diagnostics/1';

export interface BundleInput {
  at: number;
  overview: Omit<ItOverview, 'session'>;
  config: unknown;
  deviceDiagnostics: unknown;
}

/**
 * What IT attaches to a ticket: versions, the configuration without its
 * secrets, devices, sync and update state, and the recent logs. Everything
 * that may carry free text goes through the redactor once more here, so no
 * member's name, email, phone or card leaves the terminal this way, even from
 * a writer that forgot to redact.
 */
export function buildBundle(input: BundleInput): { fileName: string; content: string } {
  const { overview } = input;
  const stamp = new Date(input.at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const bundle = {
    format: BUNDLE_FORMAT,
    createdAt: new Date(input.at).toISOString(),
    app: overview.app,
    terminal: overview.terminal,
    dataDir: overview.dataDir,
    tillApi: overview.tillApi,
    hq: redactValue(overview.hq),
    updates: redactValue(overview.updates),
    config: redactValue(withoutSecrets(input.config)),
    // Device names and endpoints are the installer's, not people's.
    devices: overview.devices,
    deviceDiagnostics: redactValue(input.deviceDiagnostics),
    logs: overview.logLines.map((line) => redactValue(line)),
  };
  return { fileName: `fidele-diagnostics-${overview.terminal.terminalId}-${stamp}.json`, content: JSON.stringify(bundle, null, 2) + '\n' };
}

/** Into <dataDir>/diagnostics (0700), the file 0600: it names the store's setup. */
export function writeBundle(dataDir: string, fileName: string, content: string): string {
  const dir = join(dataDir, 'diagnostics');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, fileName);
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
