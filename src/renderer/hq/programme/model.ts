import type { BasketPreview, DiffAnswer, MemberPreview, ProgrammeOverview, PublishAnswer, ValidateAnswer, VersionSummary } from '../../../shared/programme/api';
import type { DiffLine } from '../../../shared/programme/diff';
import type { ProgrammeDocument } from '../../../shared/programme/document';
import type { Problem } from '../../../shared/programme/validate';

/**
 * The editor's data, as HQ's programme API sends it (src/shared/programme/api.ts),
 * and the pure helpers the page needs. The draft is plain JSON the person is
 * typing: it may be anything, and only HQ's validator (the shared one, behind
 * POST /v1/programme/validate) says whether it is a programme. The console
 * imports no code from src/shared (docs/hq-console.md), so validation as you
 * type goes through HQ.
 */
export type { BasketPreview, DiffAnswer, DiffLine, MemberPreview, Problem, ProgrammeDocument, ProgrammeOverview, PublishAnswer, ValidateAnswer, VersionSummary };

export type Draft = Record<string, unknown>;

export interface PreviewLine {
  category: string;
  price: string;
  taxRateBp: number;
}

type Key = string | number;

export const pathOf = (...keys: Key[]): string => keys.join('.');

export function getAt(value: unknown, keys: readonly Key[]): unknown {
  let at = value;
  for (const key of keys) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

/** A copy of `root` with `keys` set to `next` (undefined removes it); lists stay lists. */
export function setAt<T>(root: T, keys: readonly Key[], next: unknown): T {
  if (keys.length === 0) return next as T;
  const [head, ...rest] = keys as [Key, ...Key[]];
  const base: unknown = typeof root === 'object' && root !== null ? root : typeof head === 'number' ? [] : {};
  const child = setAt((base as Record<Key, unknown>)[head], rest, next);
  if (Array.isArray(base)) {
    const copy = [...(base as unknown[])];
    copy[head as number] = child;
    return copy as T;
  }
  const copy = { ...(base as Record<string, unknown>) };
  if (child === undefined) delete copy[head];
  else copy[head] = child;
  return copy as T;
}

/** What a number field holds: the number when it reads as one, else the text as typed, for the validator to refuse. */
export function numberOrText(text: string): number | string {
  const t = text.trim().replace(',', '.');
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : text;
}

/** A nullable number field: empty is null (« none »). */
export const nullableNumber = (text: string): number | string | null => (text.trim() === '' ? null : numberOrText(text));

/** Euros as people type them (« 2 », « 2,50 ») to integer cents; anything else stays text for the validator to refuse. */
export function centsOf(text: string): number | string {
  const t = text.trim().replace(',', '.');
  return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : text;
}

export const euros = (value: unknown): string => (typeof value === 'number' ? (value / 100).toFixed(2).replace(/\.00$/, '') : String(value ?? ''));

export const textOf = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));

export const listText = (value: unknown): string => (Array.isArray(value) ? value.join(', ') : textOf(value));

export const listOf = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/**
 * Where each problem shows: the deepest field of the form whose path is the
 * problem's or a parent of it; null: only in the JSON view (the list there
 * names its path).
 */
export function homeOf(problemPath: string, fields: ReadonlySet<string>): string | null {
  let best: string | null = null;
  for (const field of fields) {
    if ((problemPath === field || problemPath.startsWith(`${field}.`)) && (best === null || field.length > best.length)) best = field;
  }
  return best;
}

export const fieldId = (path: string): string => `pg-${path.replace(/[^A-Za-z0-9_-]/g, '-') || 'document'}`;

/** The next version's id: the current one with its last number one up (« fr-2026.1 » → « fr-2026.2 »). */
export function nextVersionId(version: string): string {
  const m = /^(.*?)(\d+)$/.exec(version);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${version}.2`.slice(0, 32);
}

/** Minutes east of UTC that `timeZone` is at instant `ms`. */
function offsetMinutes(ms: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' }).formatToParts(
    new Date(ms),
  );
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Math.round((Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute')) - Math.floor(ms / 60_000) * 60_000) / 60_000);
}

const two = (n: number) => String(Math.abs(n)).padStart(2, '0');

/** A wall-clock time in `timeZone` (« 2027-01-04T06:00 ») as an instant with its offset (« 2027-01-04T06:00:00+01:00 »). */
export function zonedInstant(local: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  let zone: number;
  try {
    const guess = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
    zone = offsetMinutes(guess - offsetMinutes(guess, timeZone) * 60_000, timeZone);
  } catch {
    return null;
  }
  const sign = zone < 0 ? '-' : '+';
  return `${local}:00${sign}${two(Math.trunc(zone / 60))}:${two(zone % 60)}`;
}

/** An instant as the wall-clock time of `timeZone`, for a datetime-local field. */
export function localOf(ms: number, timeZone: string): string {
  try {
    const shifted = new Date(ms + offsetMinutes(ms, timeZone) * 60_000);
    return shifted.toISOString().slice(0, 16);
  } catch {
    return new Date(ms).toISOString().slice(0, 16);
  }
}

/** The draft a person starts from: the version in force, a new version id, in force from the next full hour at HQ. */
export function startDraft(overview: ProgrammeOverview): Draft {
  const doc = overview.document;
  const timeZone = typeof doc.timeZone === 'string' ? doc.timeZone : 'Europe/Paris';
  const nextHour = Math.ceil((overview.hqTime + 60_000) / 3_600_000) * 3_600_000;
  return { ...doc, version: nextVersionId(doc.version), effectiveFrom: zonedInstant(localOf(nextHour, timeZone), timeZone) ?? new Date(nextHour).toISOString() };
}

/** The preview basket as HQ's sale lines; null when a price does not read as euros. */
export function basketLines(lines: readonly PreviewLine[]): Array<Record<string, unknown>> | null {
  const out: Array<Record<string, unknown>> = [];
  for (const [i, line] of lines.entries()) {
    const cents = centsOf(line.price);
    if (typeof cents !== 'number') return null;
    out.push({ lineId: `l${i + 1}`, sku: `PREVIEW-${i + 1}`, label: line.category, category: line.category, quantity: 1, unitPriceCents: cents, taxRateBp: line.taxRateBp });
  }
  return out;
}
