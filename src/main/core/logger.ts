import { closeSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from './ports';

/** One JSON line per entry on stderr: journald and the tests read it alike. */
export function jsonLogger(component: string, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ t: new Date().toISOString(), level, component, message, ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}

/** Past this size at start the log is kept as `<file>.1` (one generation) and a new one begun. */
const ROTATE_BYTES = 10 * 1024 * 1024;

export interface LogFile {
  write(line: string): void;
  close(): void;
}

/**
 * Log lines appended to a file (0600, in a 0700 folder: logs name members'
 * ids and the terminal's state), and echoed to stderr when asked. The browser
 * mode logs here so its start banner is not buried under them.
 */
export function logFile(path: string, options: { echo: boolean }): LogFile {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    if (statSync(path).size > ROTATE_BYTES) renameSync(path, `${path}.1`);
  } catch {
    // No log yet.
  }
  const fd = openSync(path, 'a', 0o600);
  return {
    write(line) {
      writeSync(fd, line + '\n');
      if (options.echo) process.stderr.write(line + '\n');
    },
    close: () => closeSync(fd),
  };
}
