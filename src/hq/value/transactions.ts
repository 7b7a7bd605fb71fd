/**
 * Transaction files for `hq value`: read, validated line by line, and merged
 * into purchase-days. Every refusal names the line and says what is wrong;
 * nothing is computed from a file that has one bad line.
 */
import type { PurchaseDay } from '../../shared/value/summaries';

export type InputFormat = 'csv' | 'cdnow-master' | 'cdnow-sample';
export const INPUT_FORMATS: readonly InputFormat[] = ['csv', 'cdnow-master', 'cdnow-sample'];

export interface Transaction {
  customerId: string;
  day: number;
  amount: number;
  /** 1-based line in the file. */
  line: number;
}

/** Bad input or a model that cannot be given as a result: the CLI prints the message and exits non-zero. */
export class ValueInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueInputError';
  }
}

const DAY_MS = 86_400_000;
const MAX_ERRORS_SHOWN = 5;

/** Whole days since 1970-01-01 of a calendar date, or null when it is no real date. */
export function dayNumber(year: number, month: number, day: number): number | null {
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / DAY_MS;
}

export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** YYYY-MM-DD (or YYYYMMDD when `compact`) as a day number, null when not a date. */
export function parseDate(text: string, compact = false): number | null {
  const m = compact ? /^(\d{4})(\d{2})(\d{2})$/.exec(text) : /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
}

function parseAmount(text: string, line: number): number {
  if (/^-\d+(\.\d+)?$/.test(text)) throw new ValueInputError(`line ${line}: negative amount « ${text} » (returns must be netted before export)`);
  if (!/^\d+(\.\d+)?$/.test(text)) throw new ValueInputError(`line ${line}: amount « ${text} » is not a number (expected digits with an optional decimal point, e.g. 12.50)`);
  return Number(text);
}

function lines(text: string): { text: string; line: number }[] {
  return text
    .split(/\r?\n/)
    .map((t, i) => ({ text: t.trim(), line: i + 1 }))
    .filter((l) => l.text.length > 0);
}

function parseCsv(text: string): Transaction[] {
  const all = lines(text);
  const header = all.shift();
  if (!header) throw new ValueInputError('the file is empty: expected a header customer_id,date,amount');
  const names = header.text.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  const missing = ['customer_id', 'date', 'amount'].filter((c) => !names.includes(c));
  if (missing.length) throw new ValueInputError(`line ${header.line}: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (the header must name customer_id,date,amount)`);
  const [ci, di, ai] = ['customer_id', 'date', 'amount'].map((c) => names.indexOf(c)) as [number, number, number];
  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  const out: Transaction[] = [];
  for (const { text: row, line } of all) {
    const cells = row.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    if (cells.length !== names.length) throw new ValueInputError(`line ${line}: ${cells.length} fields, the header has ${names.length}`);
    const customerId = cells[ci]!;
    if (!customerId) throw new ValueInputError(`line ${line}: empty customer_id`);
    const day = parseDate(cells[di]!);
    if (day === null) throw new ValueInputError(`line ${line}: date « ${cells[di]} » is not a calendar date YYYY-MM-DD`);
    const amount = parseAmount(cells[ai]!, line);
    // The same customer, day and amount twice is taken for an export that repeated a row, never merged silently.
    const key = `${customerId}\u0000${day}\u0000${amount}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) duplicates.push(`lines ${earlier} and ${line}`);
    else seen.set(key, line);
    out.push({ customerId, day, amount, line });
  }
  if (duplicates.length) {
    const more = duplicates.length > MAX_ERRORS_SHOWN ? ` and ${duplicates.length - MAX_ERRORS_SHOWN} more` : '';
    throw new ValueInputError(`duplicate rows (same customer_id, date and amount): ${duplicates.slice(0, MAX_ERRORS_SHOWN).join('; ')}${more}`);
  }
  return out;
}

/**
 * The CDNOW files (whitespace-separated; master: customer, date, CDs, dollars;
 * sample: master id, customer, date, CDs, dollars). They hold identical rows
 * on purpose (several identical transactions of one day): as in the benchmark
 * they are all kept and summed into the day, so duplicates are not refused here.
 */
function parseCdnow(text: string, sample: boolean): Transaction[] {
  const fields = sample ? 5 : 4;
  const out: Transaction[] = [];
  for (const { text: row, line } of lines(text)) {
    const cells = row.split(/\s+/);
    if (line === 1 && !/^\d/.test(cells[0]!)) continue; // lifetimes' header on the master file
    if (cells.length !== fields) throw new ValueInputError(`line ${line}: ${cells.length} fields, the ${sample ? 'cdnow-sample' : 'cdnow-master'} format has ${fields}`);
    const [customerId, date, cds, dollars] = (sample ? cells.slice(1) : cells) as [string, string, string, string];
    const day = parseDate(date, true);
    if (day === null) throw new ValueInputError(`line ${line}: date « ${date} » is not a calendar date YYYYMMDD`);
    if (!/^\d+$/.test(cds)) throw new ValueInputError(`line ${line}: number of CDs « ${cds} » is not a whole number`);
    out.push({ customerId, day, amount: parseAmount(dollars, line), line });
  }
  return out;
}

export function parseTransactions(text: string, format: InputFormat): Transaction[] {
  const out = format === 'csv' ? parseCsv(text) : parseCdnow(text, format === 'cdnow-sample');
  if (out.length === 0) throw new ValueInputError('the file has no transactions');
  return out;
}

/** Each customer's purchase-days, sorted: transactions of one day merged, their amounts summed. */
export function purchaseDays(transactions: readonly Transaction[]): Map<string, PurchaseDay[]> {
  const byCustomer = new Map<string, Map<number, number>>();
  for (const t of transactions) {
    let days = byCustomer.get(t.customerId);
    if (!days) byCustomer.set(t.customerId, (days = new Map()));
    days.set(t.day, (days.get(t.day) ?? 0) + t.amount);
  }
  const out = new Map<string, PurchaseDay[]>();
  for (const [id, days] of byCustomer) {
    out.set(id, [...days].map(([day, amount]) => ({ day, amount })).sort((a, b) => a.day - b.day));
  }
  return out;
}
