import type { Locale } from '../../shared/contract';

/** 'YYYY-MM-DD' (a store-local day) → « 30/06/2027 », as on the receipt; never through Date, which would shift it by the time zone. */
export function formatStoreDay(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}/${m}/${y}`;
}

const visitTime: Record<Locale, Intl.DateTimeFormat> = {
  fr: new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }),
  en: new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' }),
};

/** When a visit happened, in the store's time zone. */
export function formatVisitTime(locale: Locale, epochMs: number): string {
  return visitTime[locale].format(new Date(epochMs));
}

/** The program's VAT rates in basis points, as the till types them: 550 → « 5,5 ». */
export function formatRateBp(locale: Locale, bp: number): string {
  const whole = Math.floor(bp / 100);
  const fraction = String(bp % 100).padStart(2, '0').replace(/0+$/, '');
  return fraction === '' ? String(whole) : `${whole}${locale === 'fr' ? ',' : '.'}${fraction}`;
}
