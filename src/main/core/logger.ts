import type { Logger } from './ports';

/** One JSON line per entry on stderr: journald and the tests read it alike. */
export function jsonLogger(component: string, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    write(JSON.stringify({ t: new Date().toISOString(), level, component, message, ...fields }));
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
