import type { Locale } from '../../../shared/contract';
import type { Translate } from '../text';

/** One chart's answer from HQ (docs/hq-api.md, « Dashboard »): a table, and what the chart states besides. */
export interface ChartData {
  chart: string;
  from: string;
  to: string;
  store: string | null;
  columns: string[];
  rows: Record<string, number | string>[];
  facts: Record<string, number | string | null>;
}

/** Columns whose numbers are shares of a whole (0 to 1): shown as percentages. */
const SHARES = new Set(['customerShare', 'revenueShare']);
const DATES = new Set(['week', 'weekEnd', 'asOf']);
const SEGMENT_NAMES = new Set(['most_valued', 'growing', 'steady', 'at_risk', 'lapsed', 'new']);

const tag = (locale: Locale) => (locale === 'fr' ? 'fr-FR' : 'en-GB');

export function formatShare(locale: Locale, share: number): string {
  return new Intl.NumberFormat(tag(locale), { style: 'percent', maximumFractionDigits: 2 }).format(share);
}

/** A calendar day YYYY-MM-DD as staff read it (« 02/03/2026 »), whatever the browser's zone. */
export function formatDay(locale: Locale, iso: string, short = false): string {
  return new Intl.DateTimeFormat(tag(locale), short ? { day: '2-digit', month: '2-digit', timeZone: 'UTC' } : { dateStyle: 'short', timeZone: 'UTC' }).format(new Date(`${iso}T00:00:00Z`));
}

/** YYYY-MM as « mars 2026 » (or « mars 26 » when short). */
export function formatMonth(locale: Locale, month: string, short = false): string {
  return new Intl.DateTimeFormat(tag(locale), { month: short ? 'short' : 'long', year: short ? '2-digit' : 'numeric', timeZone: 'UTC' }).format(new Date(`${month}-01T00:00:00Z`));
}

export function formatCount(locale: Locale, n: number): string {
  return new Intl.NumberFormat(tag(locale), { maximumFractionDigits: 1 }).format(n);
}

/** A column's header: its own name, or the segment, tier or incident kind it counts. */
export function columnHeader(t: Translate, chart: string, column: string): string {
  if (chart === 'palive' && (column === 'from' || column === 'to')) return t(`col.palive_${column}`);
  if (chart === 'segments' && SEGMENT_NAMES.has(column)) return t(`segment.${column}`);
  if (chart === 'incidents' && column !== 'week') return kindLabel(t, column);
  return t(`col.${column}`);
}

export function segmentLabel(t: Translate, segment: string): string {
  return SEGMENT_NAMES.has(segment) ? t(`segment.${segment}`) : segment;
}

/** An incident kind HQ sent: its words when the console knows it, else the kind as it came. */
export function kindLabel(t: Translate, kind: string): string {
  const key = `kind.${kind}`;
  const text = t(key);
  return text === key ? kind : text;
}

/** A table cell as text, in the reader's language. */
export function cellText(t: Translate, locale: Locale, chart: string, column: string, value: number | string | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    if (DATES.has(column)) return formatDay(locale, value);
    if (column === 'month') return formatMonth(locale, value);
    if (chart === 'flows') return segmentLabel(t, value);
    return value;
  }
  if (SHARES.has(column) || (chart === 'palive' && (column === 'from' || column === 'to'))) return formatShare(locale, value);
  return formatCount(locale, value);
}
