/**
 * A clock offset measured the NTP way, from one request and its answer:
 * t0 the client's clock when it sent, t1 the server's when it received,
 * t2 the server's when it answered, t3 the client's when the answer came.
 * offset = ((t1 − t0) + (t2 − t3)) / 2 is the server's clock minus the
 * client's; the time the request and the answer spent travelling (or waiting
 * in a paused server) cancels out, to within half the round trip's asymmetry.
 * A server that gives one time only (its Date header, an `hqTime` field)
 * passes it as both t1 and t2: the offset is then taken at the round trip's
 * midpoint.
 */
export interface Exchange {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
}

export function clockOffsetMs(x: Exchange): number {
  return Math.round((x.t1 - x.t0 + (x.t2 - x.t3)) / 2);
}

/** The round trip spent on the wire (and in queues): the offset's uncertainty is half of it. */
export function roundTripMs(x: Exchange): number {
  return Math.max(0, x.t3 - x.t0 - (x.t2 - x.t1));
}

/** Below this an offset is noise (a round trip, a tick): it is shown as none. */
export const SIGNIFICANT_OFFSET_MS = 1000;

/**
 * An offset for people: null when it is not significant (no « −0 s »),
 * otherwise its sign and unit, « +3 s », « −2 min 05 s », « +1 h 00 min ».
 * Positive: the other clock (HQ's) is ahead of this one.
 */
export function formatOffset(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms) || Math.abs(ms) < SIGNIFICANT_OFFSET_MS) return null;
  const sign = ms > 0 ? '+' : '−';
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${sign}${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${sign}${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/**
 * An instant with its zone, e.g. « 2026-12-07 15:04:05 UTC+01:00 »: a time
 * read off one machine by someone on another is never ambiguous. The zone is
 * the reader's (given as minutes east of UTC at that instant) unless asked.
 */
export function formatInstant(at: number, offsetMinutes: number): string {
  const local = new Date(at + offsetMinutes * 60_000);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sign = offsetMinutes >= 0 ? '+' : '−';
  const abs = Math.abs(offsetMinutes);
  const zone = offsetMinutes === 0 ? 'UTC' : `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${zone}`;
}
