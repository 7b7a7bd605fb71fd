import type { TerminalConfig } from '../core/config/terminal-config';

/**
 * The HQ a terminal syncs with when `--hq URL` / FIDELE_HQ (or the embedded
 * HQ) names its address: only the address changes. The rest of the
 * configuration's `hq` section (its pull interval) still applies.
 */
export function hqAt(configured: TerminalConfig['hq'], url: string): NonNullable<TerminalConfig['hq']> {
  return { ...configured, url };
}
