import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Locale } from '../shared/contract';
import { createTranslator, type Catalog } from '../shared/i18n/i18n';
import { parseShareToken, SHARE_PREFIX, shareValid, type ShareClaims } from '../shared/sync/share-link';
import { CARD_ASSETS } from './card-page';
import type { HqContext } from './context';
import { verifySignature } from './keys';
import { escapeHtml } from './staff/pages';
import { localeOf } from './staff/text';

/**
 * The page a friend opens from « Demander l'avis d'un ami » (issue 16 item
 * 6; shared/sync/share-link.ts): what was looked at (a product of HQ's
 * catalogue, or the offer's label as the terminal signed it) and the store,
 * read-only, with no script and nothing about the customer who asked.
 *
 * A token that is malformed, forged, from a revoked terminal, or for a
 * product HQ no longer sells gets one 404 page; an expired one that is
 * genuine says so (410), since the friend can then ask for a new link.
 */
const fr: Catalog = {
  'share.page_title': 'Votre avis ? — Fidèle',
  'share.asked': 'Un ami vous demande votre avis',
  'share.intro': 'Il ou elle hésite en magasin. Qu’en pensez-vous ? Répondez-lui directement.',
  'share.product': 'Article',
  'share.offer': 'Offre',
  'share.category': 'Rayon : {category}',
  'share.price': 'Prix en magasin : {price}',
  'share.store': 'Vu au magasin {store}',
  'share.until': 'Ce lien fonctionne jusqu’au {day} inclus. Il ne dit rien de la personne qui l’a partagé.',
  'share.other_lang': 'English',
  'share.not_found_title': 'Lien introuvable',
  'share.not_found_body': 'Ce lien ne mène à rien : il a pu être mal recopié. Demandez-en un nouveau à votre ami.',
  'share.expired_title': 'Ce lien a expiré',
  'share.expired_body': 'Les liens de partage fonctionnent quelques jours. Demandez-en un nouveau à votre ami.',
};

const en: Catalog = {
  'share.page_title': 'Your opinion? — Fidèle',
  'share.asked': 'A friend would like your opinion',
  'share.intro': 'They are hesitating in the shop. What do you think? Answer them directly.',
  'share.product': 'Product',
  'share.offer': 'Offer',
  'share.category': 'Department: {category}',
  'share.price': 'Price in store: {price}',
  'share.store': 'Seen at the {store} store',
  'share.until': 'This link works until {day} included. It says nothing about the person who shared it.',
  'share.other_lang': 'Français',
  'share.not_found_title': 'Link not found',
  'share.not_found_body': 'This link leads nowhere: it may have been copied wrongly. Ask your friend for a new one.',
  'share.expired_title': 'This link has expired',
  'share.expired_body': 'Share links work for a few days. Ask your friend for a new one.',
};

const translate = createTranslator({ fr, en });

export interface ShareView {
  kind: 'product' | 'offer';
  title: string;
  category: string | null;
  priceCents: number | null;
  store: string;
  until: string;
}

type Verified = { ok: true; claims: ShareClaims } | { ok: false; expired: boolean };

/** Signature first: only a genuine link is told it expired. */
export async function verifyShareToken(ctx: HqContext, token: string): Promise<Verified> {
  const parsed = parseShareToken(token);
  if (!parsed) return { ok: false, expired: false };
  const rows = await ctx.sql.query<{ public_key: string; status: string }>('SELECT public_key, status FROM terminal WHERE terminal_id = $1', [parsed.claims.t]);
  const terminal = rows[0];
  if (!terminal || terminal.status === 'revoked' || !verifySignature(terminal.public_key, parsed.claims, parsed.signature)) return { ok: false, expired: false };
  if (!shareValid(parsed.claims, ctx.clock.now())) return { ok: false, expired: true };
  return { ok: true, claims: parsed.claims };
}

export async function readShareView(ctx: HqContext, claims: ShareClaims, locale: Locale): Promise<ShareView | null> {
  const stores = await ctx.sql.query<{ name: string }>('SELECT s.name FROM terminal t JOIN store s ON s.store_id = t.store_id WHERE t.terminal_id = $1', [claims.t]);
  const store = stores[0]?.name;
  if (store === undefined) return null;
  if (claims.k === 'offer') {
    if (!claims.l) return null;
    return { kind: 'offer', title: claims.l[locale], category: null, priceCents: null, store, until: claims.e };
  }
  const products = await ctx.sql.query<{ label: string; category: string; price_cents: string | number; withdrawn: boolean }>(
    'SELECT label, category, price_cents, withdrawn FROM product WHERE sku = $1',
    [claims.i],
  );
  const product = products[0];
  if (!product || product.withdrawn) return null;
  return { kind: 'product', title: product.label, category: product.category, priceCents: Number(product.price_cents), store, until: claims.e };
}

function page(locale: Locale, title: string, body: string, otherLang: string | null): string {
  const t = (key: string) => escapeHtml(translate(locale, key));
  const lang = otherLang === null ? '' : `<nav class="card-lang" aria-label="Langue / Language"><a href="${escapeHtml(otherLang)}" lang="${locale === 'en' ? 'fr' : 'en'}">${t('share.other_lang')}</a></nav>`;
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex, nofollow"><meta name="theme-color" content="#1f5fbf"><title>${escapeHtml(title)}</title>` +
    `<link rel="stylesheet" href="${CARD_ASSETS}/card.css"></head>` +
    `<body class="card-page"><header class="card-top"><span class="card-logo" aria-hidden="true">F</span><span class="card-brand">Fidèle</span>${lang}</header>` +
    `<main class="card-main">${body}</main></body></html>`
  );
}

function formatDay(locale: Locale, day: string): string {
  return new Intl.DateTimeFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));
}

function formatPrice(locale: Locale, cents: number): string {
  return new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'fr-FR', { style: 'currency', currency: 'EUR' }).format(cents / 100);
}

export function sharePageHtml(view: ShareView, token: string, locale: Locale): string {
  const t = (key: string, params?: Record<string, string | number>) => escapeHtml(translate(locale, key, params));
  const facts = [
    view.category === null ? '' : `<p class="card-note" data-testid="share-category">${t('share.category', { category: view.category })}</p>`,
    view.priceCents === null ? '' : `<p class="card-points" data-testid="share-price">${escapeHtml(formatPrice(locale, view.priceCents))}</p>`,
  ].join('');
  const body =
    `<h1>${t('share.asked')}</h1><p class="card-intro">${t('share.intro')}</p>` +
    `<section class="card-balance" aria-labelledby="share-what"><h2>${t(view.kind === 'offer' ? 'share.offer' : 'share.product')}</h2>` +
    `<p class="share-title" id="share-what" data-testid="share-title">${escapeHtml(view.title)}</p>${facts}</section>` +
    `<section class="card-keep"><p data-testid="share-store">${t('share.store', { store: view.store })}</p>` +
    `<p>${t('share.until', { day: formatDay(locale, view.until) })}</p></section>`;
  const otherLang = locale === 'en' ? `${SHARE_PREFIX}${token}` : `${SHARE_PREFIX}${token}?lang=en`;
  return page(locale, translate(locale, 'share.page_title'), body, otherLang);
}

const PAGE_HEADERS = { 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow', 'referrer-policy': 'no-referrer' };

function refusal(reply: FastifyReply, locale: Locale, expired: boolean): FastifyReply {
  const key = expired ? 'share.expired' : 'share.not_found';
  const html = page(locale, translate(locale, `${key}_title`), `<div class="card-missing"><h1>${escapeHtml(translate(locale, `${key}_title`))}</h1><p>${escapeHtml(translate(locale, `${key}_body`))}</p></div>`, null);
  return reply.code(expired ? 410 : 404).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
}

/** GET /a/<token>: public, matched as a wildcard (Fastify caps named parameters at 100 characters). */
export function registerSharePage(app: FastifyInstance, ctx: HqContext): void {
  app.get(`${SHARE_PREFIX}*`, async (request, reply) => {
    const locale = localeOf(request.query);
    const token = (request.params as { '*': string })['*'];
    const verified = await verifyShareToken(ctx, token);
    if (!verified.ok) return refusal(reply, locale, verified.expired);
    const view = await readShareView(ctx, verified.claims, locale);
    if (!view) return refusal(reply, locale, false);
    return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(sharePageHtml(view, token, locale));
  });
}
