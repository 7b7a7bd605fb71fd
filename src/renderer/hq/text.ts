import { createContext, useContext } from 'react';
import type { Locale } from '../../shared/contract';
import type { Catalog, Params } from '../../shared/i18n/i18n';

/**
 * The console imports only types from src/shared: any of its code would pull
 * in the kiosk screens' shared chunk, with their stylesheet (the build's
 * codeSplitting groups). So this is shared/i18n's createTranslator again,
 * in a few lines: French fallback, `{name}` placeholders.
 */
function createTranslator(catalogs: Readonly<Record<Locale, Catalog>>) {
  return (locale: Locale, key: string, params?: Params): string => {
    const text = catalogs[locale][key] ?? catalogs.fr[key] ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
  };
}

/** The console's own words (frame, navigation, states); each view brings its own catalog (viewText). */
const fr: Catalog = {
  'console.brand': 'Fidèle',
  'console.brand_sub': 'Siège — console du personnel',
  'console.title_suffix': 'Fidèle Siège',
  'console.skip': 'Aller au contenu',
  'console.nav': 'Vues de la console',
  'console.signed_in_as': 'Connecté : {username} ({role})',
  'console.sign_out': 'Se déconnecter',
  'console.other_lang': 'English',
  'console.loading': 'Chargement…',
  'console.retry': 'Réessayer',
  'console.refresh': 'Actualiser',
  'console.error': 'HQ n’a pas répondu : {message}',
  'console.forbidden.title': 'Accès refusé',
  'console.forbidden.body': 'Votre rôle ({role}) ne donne pas accès à cette vue.',
  'console.forbidden.api': 'Le siège refuse ces données à votre rôle ({message}).',
  'console.not_found.title': 'Vue introuvable',
  'console.not_found.body': 'Cette adresse ne correspond à aucune vue de la console.',
  'console.no_view': 'Votre rôle ne donne accès à aucune vue pour l’instant.',
  'console.role.it': 'informatique',
  'console.role.marketing': 'marketing',
  'console.role.service': 'service client',
  'console.role.admin': 'administration',
  'console.never': 'jamais',
  'console.none': 'Aucun',
};

const en: Catalog = {
  'console.brand': 'Fidèle',
  'console.brand_sub': 'Headquarters — staff console',
  'console.title_suffix': 'Fidèle HQ',
  'console.skip': 'Skip to content',
  'console.nav': 'Console views',
  'console.signed_in_as': 'Signed in: {username} ({role})',
  'console.sign_out': 'Sign out',
  'console.other_lang': 'Français',
  'console.loading': 'Loading…',
  'console.retry': 'Try again',
  'console.refresh': 'Refresh',
  'console.error': 'HQ did not answer: {message}',
  'console.forbidden.title': 'Access denied',
  'console.forbidden.body': 'Your role ({role}) does not give access to this view.',
  'console.forbidden.api': 'HQ refuses this data to your role ({message}).',
  'console.not_found.title': 'No such view',
  'console.not_found.body': 'This address is not one of the console’s views.',
  'console.no_view': 'Your role gives access to no view yet.',
  'console.role.it': 'IT',
  'console.role.marketing': 'marketing',
  'console.role.service': 'customer service',
  'console.role.admin': 'administration',
  'console.never': 'never',
  'console.none': 'None',
};

const translateConsole = createTranslator({ fr, en });

export type Translate = (key: string, params?: Params) => string;

export const LocaleContext = createContext<Locale>('fr');

export function useLocale(): Locale {
  return useContext(LocaleContext);
}

/** The console's words in the current language. */
export function useConsoleText(): Translate {
  const locale = useLocale();
  return (key, params) => translateConsole(locale, key, params);
}

/**
 * A view's own catalog, French first: `const useText = viewText(fr, en)` at
 * module level, then `const t = useText()` in the component. Keys missing
 * here fall back to the console's.
 */
export function viewText(frCatalog: Catalog, enCatalog: Catalog): () => Translate {
  const translate = createTranslator({ fr: { ...fr, ...frCatalog }, en: { ...en, ...enCatalog } });
  return function useText() {
    const locale = useLocale();
    return (key, params) => translate(locale, key, params);
  };
}

const TIME_ZONE = 'Europe/Paris';

/** A moment as staff read it, with its zone (HQ's stores are in France): « 07/12/2026 15:40:12 UTC+1 ». */
export function formatTime(locale: Locale, ms: number): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName: the fields one by one.
  return new Intl.DateTimeFormat(locale === 'fr' ? 'fr-FR' : 'en-GB', {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZone: TIME_ZONE,
    timeZoneName: 'short',
  }).format(new Date(ms));
}

/** How long ago, in the largest unit that says it: « 3 min », « 2 h », « 5 j ». */
export function formatAge(locale: Locale, ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const units: Array<[number, string, string]> = [
    [86_400, 'j', 'd'],
    [3_600, 'h', 'h'],
    [60, 'min', 'min'],
  ];
  for (const [size, frUnit, enUnit] of units) if (s >= size) return `${Math.floor(s / size)} ${locale === 'fr' ? frUnit : enUnit}`;
  return `${s} s`;
}

export function formatNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(locale === 'fr' ? 'fr-FR' : 'en-GB').format(n);
}
