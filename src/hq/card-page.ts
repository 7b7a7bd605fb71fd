import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Locale } from '../shared/contract';
import { checkCardNumber, formatCardNumber, walletQrPayload } from '../shared/domain/card-number';
import { EAN13_MODULES, ean13Bars } from '../shared/domain/ean13-barcode';
import { qrPath } from '../shared/domain/qr-code';
import { formatPoints } from '../shared/domain/receipt-layout';
import { createTranslator, type Catalog } from '../shared/i18n/i18n';
import { CARD_PAGE_PREFIX, cardPageValid, parseCardToken, type CardPageClaims } from '../shared/sync/card-page';
import { cardIcon } from './card-icon';
import type { HqContext } from './context';
import { verifySignature } from './keys';
import { escapeHtml } from './staff/pages';
import { localeOf } from './staff/text';

/**
 * The member's card page: what the card QR on the enrolment screen opens on
 * the customer's phone, to keep on its home screen. Public (no session): the
 * signed token in the link is the only key (shared/sync/card-page.ts), and it
 * shows nothing a card does not already carry: the first name, the card's
 * barcode and QR, and the chain-wide balance. Everything is drawn on the
 * server as SVG, so the page runs no script at all under HQ's strict CSP;
 * styles and icons come from HQ itself.
 *
 * A token that is malformed, forged, expired, from a revoked or re-keyed
 * terminal, or for a member HQ does not hold (yet) gets one and the same 404
 * page: the answer never says which, so it tells a prober nothing.
 */
export const CARD_ASSETS = '/card';
const STYLESHEET_PATH = `${CARD_ASSETS}/card.css`;
const MANIFEST_PATH = `${CARD_ASSETS}/manifest.webmanifest`;
const ICON_SIZES = [192, 512] as const;
const iconPath = (size: number) => `${CARD_ASSETS}/icon-${size}.png`;

const fr: Catalog = {
  'card.app_name': 'Ma carte Fidèle',
  'card.short_name': 'Ma carte',
  'card.page_title': 'Ma carte de fidélité — Fidèle',
  'card.hello': 'Bonjour {firstName}',
  'card.intro': 'Votre carte de fidélité, à montrer en caisse.',
  'card.balance': 'Votre solde',
  'card.points': '{points} points',
  'card.balance_note': 'Solde dans tous nos magasins, mis à jour à chaque passage en caisse.',
  'card.barcode_label': 'Code-barres de la carte {number}',
  'card.qr_label': 'QR code de la carte {number}',
  'card.scan_hint': 'En caisse, faites scanner le code-barres ou le QR code.',
  'card.keep_title': 'Garder la carte sur votre téléphone',
  'card.keep_body': 'Dans le menu du navigateur, choisissez « Ajouter à l’écran d’accueil » (« Sur l’écran d’accueil » sur iPhone, bouton Partager).',
  'card.other_lang': 'English',
  'card.not_found_title': 'Carte introuvable',
  'card.not_found_body': 'Ce lien ne mène à aucune carte. S’il vient d’être créé, réessayez dans quelques minutes ; sinon, demandez en caisse.',
};

const en: Catalog = {
  'card.app_name': 'My Fidèle card',
  'card.short_name': 'My card',
  'card.page_title': 'My loyalty card — Fidèle',
  'card.hello': 'Hello {firstName}',
  'card.intro': 'Your loyalty card, to show at the till.',
  'card.balance': 'Your balance',
  'card.points': '{points} points',
  'card.balance_note': 'Balance across all our stores, updated at every visit to the till.',
  'card.barcode_label': 'Barcode of card {number}',
  'card.qr_label': 'QR code of card {number}',
  'card.scan_hint': 'At the till, have the barcode or the QR code scanned.',
  'card.keep_title': 'Keep the card on your phone',
  'card.keep_body': 'In the browser menu, choose “Add to Home screen” (“Add to Home Screen” on iPhone, Share button).',
  'card.other_lang': 'Français',
  'card.not_found_title': 'Card not found',
  'card.not_found_body': 'This link leads to no card. If it was just created, try again in a few minutes; otherwise, ask at the till.',
};

const translate = createTranslator({ fr, en });

/** What the page shows: nothing else of the member is read. */
export interface CardView {
  firstName: string;
  cardNumber: string;
  balance: number;
}

/** The claims of a token that verifies against its terminal's enrolled key and has not expired; null otherwise. */
export async function verifyCardToken(ctx: HqContext, token: string): Promise<CardPageClaims | null> {
  const parsed = parseCardToken(token);
  if (!parsed || !cardPageValid(parsed.claims, ctx.clock.now())) return null;
  const rows = await ctx.sql.query<{ public_key: string; status: string }>('SELECT public_key, status FROM terminal WHERE terminal_id = $1', [parsed.claims.t]);
  const terminal = rows[0];
  if (!terminal || terminal.status === 'revoked') return null;
  return verifySignature(terminal.public_key, parsed.claims, parsed.signature) ? parsed.claims : null;
}

/** The member's first name, card and chain-wide balance, or null for a member HQ holds no record of (or no card for). */
export async function readCardView(ctx: HqContext, memberId: string): Promise<CardView | null> {
  const rows = await ctx.sql.query<{ record: { firstName?: unknown; cards?: unknown } | null; balance: number | null }>(
    `SELECT m.record, b.balance FROM member m
     LEFT JOIN account_balance b ON b.customer_id = m.customer_id AND b.account = 'member:' || m.customer_id || ':points'
     WHERE m.customer_id = $1`,
    [memberId],
  );
  const record = rows[0]?.record;
  if (!record || typeof record.firstName !== 'string' || !Array.isArray(record.cards)) return null;
  const card = checkCardNumber(String(record.cards[0] ?? ''));
  if (!card.ok) return null;
  return { firstName: record.firstName, cardNumber: card.cardNumber, balance: Number(rows[0]!.balance ?? 0) };
}

/** The card's EAN-13 as SVG markup (the digits are printed beneath it as text): any till scanner reads it off the phone's glass. */
export function barcodeSvg(code: string, label: string): string {
  // GS1's quiet zones, in modules: 11 on the left, 7 on the right.
  const quietLeft = 11;
  const width = quietLeft + EAN13_MODULES + 7;
  const height = 50;
  const bars = ean13Bars(code)
    .map((b) => `<rect x="${quietLeft + b.x}" y="2" width="${b.width}" height="${height - (b.guard ? 2 : 6)}"/>`)
    .join('');
  return (
    `<svg class="barcode" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${width} ${height}" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">` +
    `<rect width="${width}" height="${height}" fill="#fff"/><g fill="#000">${bars}</g></svg>`
  );
}

/** A QR symbol as SVG markup, dark on white whatever the phone's theme. */
export function qrSvg(payload: string, label: string): string {
  const { size, d } = qrPath(payload);
  return (
    `<svg class="qr" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" xmlns="http://www.w3.org/2000/svg">` +
    `<rect width="${size}" height="${size}" fill="#fff"/><path d="${d}" fill="#000"/></svg>`
  );
}

function head(locale: Locale, title: string, extra: string): string {
  return (
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="robots" content="noindex, nofollow"><meta name="theme-color" content="#1f5fbf">` +
    `<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${STYLESHEET_PATH}">${extra}</head>`
  );
}

export function cardPageHtml(view: CardView, token: string, locale: Locale): string {
  const t = (key: string, params?: Record<string, string | number>) => escapeHtml(translate(locale, key, params));
  const number = formatCardNumber(view.cardNumber);
  const manifest = `${MANIFEST_PATH}?c=${encodeURIComponent(token)}${locale === 'en' ? '&lang=en' : ''}`;
  const otherLang = locale === 'en' ? `${CARD_PAGE_PREFIX}${token}` : `${CARD_PAGE_PREFIX}${token}?lang=en`;
  const links =
    `<link rel="manifest" href="${escapeHtml(manifest)}"><link rel="icon" href="${iconPath(192)}" type="image/png">` +
    `<link rel="apple-touch-icon" href="${iconPath(192)}"><meta name="mobile-web-app-capable" content="yes">` +
    `<meta name="apple-mobile-web-app-capable" content="yes"><meta name="apple-mobile-web-app-title" content="${t('card.short_name')}">`;
  return (
    head(locale, translate(locale, 'card.page_title'), links) +
    `<body class="card-page"><header class="card-top"><span class="card-logo" aria-hidden="true">F</span><span class="card-brand">Fidèle</span>` +
    `<nav class="card-lang" aria-label="Langue / Language"><a href="${escapeHtml(otherLang)}" lang="${locale === 'en' ? 'fr' : 'en'}">${t('card.other_lang')}</a></nav></header>` +
    `<main class="card-main"><h1 data-testid="card-hello">${t('card.hello', { firstName: view.firstName })}</h1>` +
    `<p class="card-intro">${t('card.intro')}</p>` +
    `<section class="card-balance" aria-labelledby="balance-title"><h2 id="balance-title">${t('card.balance')}</h2>` +
    `<p class="card-points" data-testid="card-balance">${t('card.points', { points: formatPoints(locale, view.balance) })}</p>` +
    `<p class="card-note">${t('card.balance_note')}</p></section>` +
    `<section class="card-codes" aria-label="${t('card.scan_hint')}">` +
    `${barcodeSvg(view.cardNumber, translate(locale, 'card.barcode_label', { number }))}` +
    `<p class="card-number" data-testid="card-number">${escapeHtml(number)}</p>` +
    `${qrSvg(walletQrPayload(view.cardNumber), translate(locale, 'card.qr_label', { number }))}` +
    `<p class="card-hint">${t('card.scan_hint')}</p></section>` +
    `<section class="card-keep" aria-labelledby="keep-title"><h2 id="keep-title">${t('card.keep_title')}</h2><p>${t('card.keep_body')}</p></section>` +
    `</main></body></html>`
  );
}

export function notFoundHtml(locale: Locale): string {
  const t = (key: string) => escapeHtml(translate(locale, key));
  return (
    head(locale, translate(locale, 'card.not_found_title'), '') +
    `<body class="card-page"><main class="card-main card-missing"><h1>${t('card.not_found_title')}</h1><p>${t('card.not_found_body')}</p></main></body></html>`
  );
}

/** The manifest that makes the card installable: it opens on this card's page, standalone, with HQ's icons. */
export function cardManifest(token: string, locale: Locale): Record<string, unknown> {
  const start = `${CARD_PAGE_PREFIX}${token}${locale === 'en' ? '?lang=en' : ''}`;
  return {
    id: `${CARD_PAGE_PREFIX}${token}`,
    name: translate(locale, 'card.app_name'),
    short_name: translate(locale, 'card.short_name'),
    lang: locale,
    start_url: start,
    scope: CARD_PAGE_PREFIX,
    display: 'standalone',
    background_color: '#f4f6f9',
    theme_color: '#1f5fbf',
    icons: ICON_SIZES.map((size) => ({ src: iconPath(size), sizes: `${size}x${size}`, type: 'image/png', purpose: 'any maskable' })),
  };
}

export const CARD_STYLESHEET = `
:root{--ink:#17202a;--muted:#4f5d6b;--line:#dde3ea;--bg:#f4f6f9;--brand:#1f5fbf}
*{box-sizing:border-box}
body.card-page{margin:0;min-height:100vh;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg);line-height:1.45}
a{color:var(--brand)}
a:focus-visible{outline:3px solid #8db4ff;outline-offset:2px}
.card-top{display:flex;align-items:center;gap:.6rem;padding:.8rem 1rem;background:var(--brand);color:#fff}
.card-logo{display:inline-grid;place-items:center;width:2rem;height:2rem;border-radius:.5rem;background:#fff;color:var(--brand);font-weight:800}
.card-brand{font-weight:700;font-size:1.1rem;flex:1}
.card-lang a{color:#fff;font-size:.95rem}
.card-main{max-width:28rem;margin:0 auto;padding:1.25rem 1rem 2rem}
.card-main h1{font-size:1.6rem;margin:.25rem 0 .25rem}
.card-intro{margin:0 0 1rem;color:var(--muted)}
.card-balance,.card-codes,.card-keep{background:#fff;border:1px solid var(--line);border-radius:1rem;padding:1rem 1.1rem;margin:0 0 1rem}
.card-balance h2,.card-keep h2{font-size:1rem;margin:0;color:var(--muted);font-weight:600}
.card-points{font-size:2.2rem;font-weight:800;margin:.1rem 0;color:var(--brand)}
.card-note,.card-keep p{margin:0;font-size:.9rem;color:var(--muted)}
.card-keep p{margin-top:.35rem}
.card-codes{display:flex;flex-direction:column;align-items:center;text-align:center}
.card-codes svg.barcode{width:100%;max-width:22rem;height:auto}
.card-number{margin:.3rem 0 .9rem;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:1.35rem;letter-spacing:.08em}
.card-codes svg.qr{width:11rem;height:11rem}
.card-hint{margin:.6rem 0 0;font-size:.9rem;color:var(--muted)}
.card-missing{text-align:center;padding-top:4rem}
.share-title{font-size:1.5rem;font-weight:700;margin:.2rem 0 .4rem}
`;

const PAGE_HEADERS = { 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow' };

function notFound(reply: FastifyReply, locale: Locale): FastifyReply {
  return reply.code(404).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(notFoundHtml(locale));
}

/** GET /c/<token> and its assets. The token is matched as a wildcard: Fastify caps named parameters at 100 characters. */
export function registerCardPage(app: FastifyInstance, ctx: HqContext): void {
  app.get(`${CARD_PAGE_PREFIX}*`, async (request, reply) => {
    const locale = localeOf(request.query);
    const token = (request.params as { '*': string })['*'];
    const claims = await verifyCardToken(ctx, token);
    const view = claims ? await readCardView(ctx, claims.m) : null;
    if (!view) return notFound(reply, locale);
    return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(cardPageHtml(view, token, locale));
  });
  app.get(MANIFEST_PATH, async (request, reply) => {
    const locale = localeOf(request.query);
    const token = (request.query as { c?: unknown }).c;
    // The manifest names the card's address, so only for a token that would open a card.
    if (typeof token !== 'string' || !(await verifyCardToken(ctx, token))) return notFound(reply, locale);
    return reply.headers(PAGE_HEADERS).type('application/manifest+json; charset=utf-8').send(JSON.stringify(cardManifest(token, locale)));
  });
  app.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(CARD_STYLESHEET));
  for (const size of ICON_SIZES) {
    app.get(iconPath(size), async (_request, reply) => reply.type('image/png').header('cache-control', 'public, max-age=86400').send(cardIcon(size)));
  }
}
