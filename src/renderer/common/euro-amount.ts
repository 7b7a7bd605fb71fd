import type { Locale } from '../../shared/contract';

export type AmountProblem = 'empty' | 'format' | 'zero' | 'too_large';
export type AmountParse = { ok: true; cents: number } | { ok: false; problem: AmountProblem };

/** The largest amount a manual line may carry, as the contract's ManualLine allows. */
export const MAX_AMOUNT_CENTS = 100_000_000;

// Euros, then at most two decimals after a comma or a point; spaces may group thousands.
const AMOUNT = /^(\d{1,9})(?:[.,](\d{1,2}))?$/;

/**
 * « 12,50 », « 12.50 », « 1 234,5 € » → integer cents, read from the digits
 * themselves: going through a float would turn 0,29 into 28 cents.
 */
export function parseEuroAmount(text: string): AmountParse {
  const compact = text.replace(/[\s\u00a0\u202f]/g, '').replace(/€$/, '');
  if (compact === '') return { ok: false, problem: 'empty' };
  const match = AMOUNT.exec(compact);
  if (!match) return { ok: false, problem: 'format' };
  const euros = Number.parseInt(match[1]!, 10);
  const fraction = (match[2] ?? '').padEnd(2, '0');
  const cents = euros * 100 + Number.parseInt(fraction, 10);
  if (cents === 0) return { ok: false, problem: 'zero' };
  if (cents > MAX_AMOUNT_CENTS) return { ok: false, problem: 'too_large' };
  return { ok: true, cents };
}

/** 123456 → « 1 234,56 € » in French, « €1,234.56 » in English, from integers only. */
export function formatEuros(locale: Locale, cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const euros = String(Math.floor(abs / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'fr' ? '\u00a0' : ',');
  const rest = String(abs % 100).padStart(2, '0');
  return locale === 'fr' ? `${sign}${euros},${rest}\u00a0€` : `${sign}€${euros}.${rest}`;
}
