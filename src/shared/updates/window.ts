import type { MaintenanceWindow } from './directive';

/**
 * Whether `nowMs` falls inside a store's maintenance window, read on the
 * store's own wall clock (issue 13). The window is [start, end): 22:00 → 05:00
 * wraps past midnight; start equal to end means the whole day.
 *
 * Wall-clock minutes, not elapsed time, are compared: on the day clocks go
 * forward a 02:00 → 04:00 window in Europe/Paris lasts one hour (02:00–03:00
 * never happens), and on the day they go back the repeated hour is inside
 * twice. An unknown time zone is never inside: a terminal that cannot tell
 * the store's time installs only what HQ forces.
 */
export function insideWindow(window: MaintenanceWindow, nowMs: number): boolean {
  const minute = localMinuteOfDay(window.timeZone, nowMs);
  if (minute === null) return false;
  const start = hhmmToMinutes(window.start);
  const end = hhmmToMinutes(window.end);
  if (start === end) return true;
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}

function hhmmToMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

// Building a DateTimeFormat is far costlier than using one; the policy asks at every tick.
const formats = new Map<string, Intl.DateTimeFormat | null>();

function formatFor(timeZone: string): Intl.DateTimeFormat | null {
  let format = formats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      format = null;
    }
    if (formats.size > 64) formats.clear();
    formats.set(timeZone, format);
  }
  return format;
}

/** Minutes since local midnight in `timeZone`; null for a time zone Intl does not know. */
export function localMinuteOfDay(timeZone: string, nowMs: number): number | null {
  const format = formatFor(timeZone);
  if (!format || !Number.isFinite(nowMs)) return null;
  let hour = 0;
  let minute = 0;
  for (const part of format.formatToParts(new Date(nowMs))) {
    if (part.type === 'hour') hour = Number(part.value) % 24;
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return hour * 60 + minute;
}
