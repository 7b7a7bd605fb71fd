import { addDays, addMonths, formatLocalDate, localDateOf, parseLocalDate, startOfLocalDay } from './local-time';
import type { ProgramRules } from './rules';

export interface Expiry {
  /** The last local day the points can be spent, 'YYYY-MM-DD' (what the receipt prints). */
  expiresOn: string;
  /** The instant they stop being valid: the local midnight that ends `expiresOn`. */
  expiresAt: number;
}

/**
 * When points credited at `at` expire. Rolling: the same local date N months
 * later (day clamped to the month). End of following year: 31 December of the
 * next calendar year. Both in the store's time zone.
 */
export function expiryFor(rules: ProgramRules, at: number): Expiry {
  const today = localDateOf(at, rules.timeZone);
  const last =
    rules.expiry.mode === 'rolling_months' ? addMonths(today, rules.expiry.months) : { year: today.year + 1, month: 12, day: 31 };
  return expiryOn(rules, formatLocalDate(last));
}

/** The expiry of the day's sales, computed once a day and zone (a dozen Intl calls) rather than once a sale. */
const recent = new Map<string, Expiry>();

export function expiryOn(rules: Pick<ProgramRules, 'timeZone'>, expiresOn: string): Expiry {
  const key = `${rules.timeZone}|${expiresOn}`;
  const known = recent.get(key);
  if (known) return { ...known };
  const date = parseLocalDate(expiresOn);
  if (!date) throw new RangeError(`not a date: ${expiresOn}`);
  const expiry = { expiresOn, expiresAt: startOfLocalDay(addDays(date, 1), rules.timeZone) };
  if (recent.size >= 64) recent.clear();
  recent.set(key, expiry);
  return { ...expiry };
}
