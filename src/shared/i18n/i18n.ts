import type { Locale } from '../contract/schemas';

/**
 * Message catalogs are flat maps from key to text, French first. Every
 * visible string goes through `translate`; `{name}` placeholders are filled
 * from params. A key missing in English falls back to French, and a key
 * missing everywhere shows itself, which tests catch.
 */
export type Catalog = Readonly<Record<string, string>>;

export type Params = Readonly<Record<string, string | number>>;

export const LOCALES: readonly Locale[] = ['fr', 'en'];

export function createTranslator(catalogs: Readonly<Record<Locale, Catalog>>) {
  return function translate(locale: Locale, key: string, params?: Params): string {
    const text = catalogs[locale][key] ?? catalogs.fr[key];
    if (text === undefined) return key;
    if (!params) return text;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  };
}

export function mergeCatalogs(...parts: Catalog[]): Catalog {
  const merged: Record<string, string> = {};
  for (const part of parts) {
    for (const [key, text] of Object.entries(part)) {
      if (key in merged) throw new Error(`duplicate message key: ${key}`);
      merged[key] = text;
    }
  }
  return merged;
}

export function formatDate(locale: Locale, epochMs: number): string {
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' }).format(
    new Date(epochMs),
  );
}
