import type { Locale } from '../../shared/contract';
import { PRIVACY_NOTICE_PATH } from '../../shared/contract/privacy-self';
import { translate } from '../../shared/i18n/messages';
import { NOTICE_SECTIONS } from '../../shared/i18n/privacy';
import { CARD_ASSETS } from '../card-page';
import { escapeHtml } from '../staff/pages';

/**
 * HQ's public pages for privacy (issue 17 item 7): the full notice the
 * customer screen's QR opens, and the page an export link that cannot serve
 * shows. Same text as the screens (shared/i18n/privacy.ts), the card page's
 * stylesheet, no script.
 */
function page(locale: Locale, title: string, body: string, otherLang: string | null): string {
  const t = (key: string) => escapeHtml(translate(locale, key));
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${CARD_ASSETS}/card.css"></head>` +
    `<body class="card-page"><header class="card-top"><span class="card-logo" aria-hidden="true">F</span><span class="card-brand">Fidèle</span>` +
    (otherLang ? `<nav class="card-lang" aria-label="Langue / Language"><a href="${escapeHtml(otherLang)}" lang="${locale === 'en' ? 'fr' : 'en'}">${t('privacy.notice.other_lang')}</a></nav>` : '') +
    `</header><main class="card-main">${body}</main></body></html>`
  );
}

export function noticeHtml(locale: Locale): string {
  const t = (key: string) => escapeHtml(translate(locale, key));
  const sections = NOTICE_SECTIONS.map(
    (s) => `<section class="card-keep" aria-labelledby="notice-${s}"><h2 id="notice-${s}">${t(`privacy.notice.${s}.title`)}</h2><p>${t(`privacy.notice.${s}.body`)}</p></section>`,
  ).join('');
  return page(locale, translate(locale, 'privacy.notice.page_title'), `<h1>${t('privacy.notice.title')}</h1>${sections}`, `${PRIVACY_NOTICE_PATH}${locale === 'en' ? '' : '?lang=en'}`);
}

const REFUSED = {
  fr: {
    unknown: ['Lien inconnu', 'Ce lien ne mène à aucun export. Vérifiez que vous avez scanné le QR code en entier.'],
    expired: ['Lien expiré ou déjà utilisé', 'Un lien d’export sert une seule fois et pendant 15 minutes. Demandez une nouvelle copie sur l’écran client (« Mes données »).'],
    too_many: ['Trop de tentatives', 'Réessayez dans une minute.'],
  },
  en: {
    unknown: ['Unknown link', 'This link leads to no export. Check that the whole QR code was scanned.'],
    expired: ['Link expired or already used', 'An export link works once and for 15 minutes. Ask for a new copy on the customer screen (“My data”).'],
    too_many: ['Too many attempts', 'Try again in a minute.'],
  },
} as const;

export function refusedExportHtml(locale: Locale, why: 'unknown' | 'expired' | 'too_many'): string {
  const [title, body] = REFUSED[locale][why];
  return page(locale, title, `<div class="card-missing"><h1 data-testid="export-refused">${escapeHtml(title)}</h1><p>${escapeHtml(body)}</p></div>`, null);
}
