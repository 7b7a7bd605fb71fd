import type { Clock, Logger } from '../ports';
import { redactLogLine } from './redact';

export const LOG_RING_LINES = 300;

/**
 * The last log lines, kept in memory for the IT view and the diagnostics
 * bundle, each redacted as it arrives: what is held here can be shown and
 * exported. The log file itself is left as it was.
 */
export class LogRing {
  private readonly buffer: string[] = [];

  constructor(private readonly capacity = LOG_RING_LINES) {}

  record(line: string): void {
    this.buffer.push(redactLogLine(line));
    if (this.buffer.length > this.capacity) this.buffer.splice(0, this.buffer.length - this.capacity);
  }

  /** Oldest first; at most `count` of the newest. */
  lines(count = this.capacity): string[] {
    return this.buffer.slice(Math.max(0, this.buffer.length - count));
  }

  /** A line writer that also keeps each line here: compose it where the logger is made (jsonLogger(component, ring.tee(write))). */
  tee(write: (line: string) => void): (line: string) => void {
    return (line) => {
      this.record(line);
      write(line);
    };
  }
}

/** For a logger made elsewhere (tests, a shell that passes none): each entry goes to the ring as a JSON line too. */
export function ringLogger(inner: Logger, ring: LogRing, clock: Clock, component = 'core'): Logger {
  const log = (level: 'info' | 'warn' | 'error') => (message: string, fields?: Record<string, unknown>) => {
    ring.record(JSON.stringify({ t: new Date(clock.now()).toISOString(), level, component, message, ...fields }));
    inner[level](message, fields);
  };
  return { info: log('info'), warn: log('warn'), error: log('error') };
}
