import { z } from 'zod';

/**
 * « Demander l'avis d'un ami » (issue 16 item 6): a QR on the customer
 * screen that opens, on a friend's phone, a short public page HQ serves about
 * a product or an offer and the store it was seen in: `<hq>/a/<token>`.
 *
 * Like the card page (card-page.ts), the terminal signs the token with its
 * enrolled Ed25519 key: the customer asks now, offline or not, and HQ needs no
 * table of links. Unlike the card page, the token names no person at all: a
 * link forwarded to anyone tells them what was looked at and where, never by
 * whom. It works for SHARE_DAYS, long enough for a friend to answer.
 *
 * The token is the claims as base64url JSON, a dot, and the Ed25519 signature
 * of their canonical JSON (with the purpose, so it can never pass for a
 * protocol message's signature nor a card link's). An offer carries its label:
 * the terminal may be running an offer HQ holds no copy of, and the label is
 * public marketing text the store already shows on its screen.
 */
export const SHARE_PREFIX = '/a/';

export const SHARE_PURPOSE = 'share/1';

/** Days a link works after it is made, the whole last day included. */
export const SHARE_DAYS = 7;

/** Longer than any token a terminal makes: refused before any decoding. */
export const MAX_SHARE_TOKEN_LENGTH = 900;

const Label = z.strictObject({ fr: z.string().min(1).max(120), en: z.string().min(1).max(120) });

export const ShareClaims = z.strictObject({
  p: z.literal(SHARE_PURPOSE),
  /** The terminal that signed (protocol.ts's ids). */
  t: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  /** What is shared: a product of the catalogue by SKU, or an offer by id with its label. */
  k: z.enum(['product', 'offer']),
  i: z.string().min(1).max(64),
  l: Label.optional(),
  /** Last day (UTC) the link works, YYYY-MM-DD. */
  e: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type ShareClaims = z.infer<typeof ShareClaims>;

const DAY_MS = 86_400_000;
const utcDay = (at: number) => new Date(Math.floor(at / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

export function shareClaims(o: { terminalId: string; kind: 'product' | 'offer'; id: string; label?: { fr: string; en: string }; now: number }): ShareClaims {
  return { p: SHARE_PURPOSE, t: o.terminalId, k: o.kind, i: o.id, ...(o.label ? { l: o.label } : {}), e: utcDay(o.now + SHARE_DAYS * DAY_MS) };
}

export function shareValid(claims: ShareClaims, now: number): boolean {
  return claims.e >= utcDay(now);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** UTF-8 bytes through encodeURIComponent: src/shared has neither TextEncoder nor Buffer. */
function utf8(text: string): number[] {
  const escaped = encodeURIComponent(text);
  const bytes: number[] = [];
  for (let i = 0; i < escaped.length; i++) {
    if (escaped[i] === '%') {
      bytes.push(parseInt(escaped.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(escaped.charCodeAt(i));
  }
  return bytes;
}

function base64url(text: string): string {
  const bytes = utf8(text);
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = Math.min(4, Math.ceil(((bytes.length - i) * 8) / 6));
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

function fromBase64url(text: string): string | null {
  if (text.length % 4 === 1) return null;
  let bits = 0;
  let value = 0;
  let escaped = '';
  for (const char of text) {
    value = ((value << 6) | ALPHABET.indexOf(char)) & 0x3fff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      escaped += `%${((value >> bits) & 255).toString(16).padStart(2, '0')}`;
    }
  }
  try {
    return decodeURIComponent(escaped);
  } catch {
    // Not UTF-8: no terminal made this.
    return null;
  }
}

/** The token without its signature: the claims, checked, as base64url JSON; null for claims that do not parse. */
export function shareTokenBody(claims: ShareClaims): string | null {
  const parsed = ShareClaims.safeParse(claims);
  return parsed.success ? base64url(JSON.stringify(parsed.data)) : null;
}

const TOKEN = /^([A-Za-z0-9_-]{20,800})\.([A-Za-z0-9_-]{86})$/;

/** The claims a token stands for and its signature, still to be verified; null for anything not shaped as one. */
export function parseShareToken(token: string): { claims: ShareClaims; signature: string } | null {
  if (token.length > MAX_SHARE_TOKEN_LENGTH) return null;
  const parts = TOKEN.exec(token);
  if (!parts) return null;
  const json = fromBase64url(parts[1]!);
  if (json === null) return null;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return null;
  }
  const claims = ShareClaims.safeParse(value);
  return claims.success ? { claims: claims.data, signature: parts[2]! } : null;
}
