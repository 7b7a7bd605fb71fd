/**
 * Store-local calendar arithmetic from epoch milliseconds, through Intl (the
 * IANA database Node ships), so promotions and expiry follow the store's
 * wall clock across daylight-saving changes. Dates travel as 'YYYY-MM-DD'.
 */
export interface LocalDate {
  year: number;
  month: number; // 1–12
  day: number;
}

export interface LocalParts extends LocalDate {
  hour: number;
  minute: number;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The last second each zone was asked about: a sale prices, checks its
 * promotions and dates its lot at the same instant, and Intl's formatToParts
 * costs tens of µs a call. Every field is a function of the whole second.
 */
const lastSecond = new Map<string, { second: number; parts: Readonly<LocalParts & { second: number }> }>();

export function localParts(epochMs: number, timeZone: string): LocalParts & { second: number } {
  const second = Math.floor(epochMs / 1000);
  const memo = lastSecond.get(timeZone);
  if (memo && memo.second === second) return { ...memo.parts };
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const local = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday!] ?? 0,
  };
  lastSecond.set(timeZone, { second, parts: local });
  return { ...local };
}

/** Local time minus UTC at that instant, in ms (e.g. +3,600,000 for Paris in winter). */
function offsetAt(epochMs: number, timeZone: string): number {
  const p = localParts(epochMs, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/**
 * The instant a local day starts. Midnight exists on every day in the zones we
 * serve (European changes happen at 02:00/03:00), so two passes settle it.
 */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  const guess = Date.UTC(date.year, date.month - 1, date.day);
  let t = guess - offsetAt(guess, timeZone);
  const second = guess - offsetAt(t, timeZone);
  if (second !== t) t = second;
  return t;
}

export function localDateOf(epochMs: number, timeZone: string): LocalDate {
  const { year, month, day } = localParts(epochMs, timeZone);
  return { year, month, day };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Adds calendar months, clamping the day (31 March + 1 month = 30 April; 29 Feb + 12 = 28 Feb). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const index = date.year * 12 + (date.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return { year, month, day: Math.min(date.day, daysInMonth(year, month)) };
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const t = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

export function formatLocalDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function parseLocalDate(text: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) return null;
  return date;
}

/** 'HH:MM' → minutes since local midnight. */
export function minutesOfDay(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return h! * 60 + m!;
}
