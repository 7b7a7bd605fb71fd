import { z } from 'zod';

/**
 * The link in the card QR: `<hq>/c/<token>`, a page HQ serves with the
 * member's card (barcode, QR, balance, first name) for a phone to keep on its
 * home screen.
 *
 * Why the terminal signs the token rather than HQ issuing one at intake:
 * the customer scans the QR the moment they have enrolled, and the terminal
 * may be offline or not have sent the member yet; a token the terminal signs
 * with its enrolled Ed25519 key needs no round trip and no table of tokens.
 * HQ checks it against that terminal's registered public key, so revoking (or
 * re-keying) the terminal kills every link it issued, and nobody without a
 * terminal key can make one. The token names the member by id (random,
 * UUIDv7), never by card number, so a link neither reveals a card nor can be
 * walked to find others. The expiry bounds how long a leaked link works; the
 * customer is shown the link once, at enrolment, so it is long.
 *
 * The token is short, so the QR on the glass stays coarse enough for any
 * phone camera: `<terminal id>.<member uuid, 32 hex>.<YYYYMMDD>.<signature>`.
 * The signature is Ed25519 over the canonical JSON of the CardPageClaims the
 * three fields stand for (with the purpose), the way every protocol message
 * is signed.
 */
export const CARD_PAGE_PREFIX = '/c/';

/** Signed in the claims so this signature can never be taken for a protocol message's, nor one of those for it. */
export const CARD_PAGE_PURPOSE = 'card-page/1';

/** How long a link works: about the life of a phone. */
export const CARD_PAGE_DAYS = 730;

/** Longer than any token a terminal makes (ids are bounded in the protocol): refused before any decoding. */
export const MAX_CARD_TOKEN_LENGTH = 200;

export const CardPageClaims = z.strictObject({
  p: z.literal(CARD_PAGE_PURPOSE),
  /** The terminal that signed (protocol.ts's ids: no dot). */
  t: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/),
  /** The member: a UUID, as the terminals make them (ids.ts). */
  m: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  /** Last day (UTC) the link works, YYYY-MM-DD. */
  e: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
});
export type CardPageClaims = z.infer<typeof CardPageClaims>;

const DAY_MS = 86_400_000;

/** The UTC day `days` after `now`, as YYYY-MM-DD. */
export function dayAfter(now: number, days: number): string {
  return new Date(Math.floor(now / DAY_MS) * DAY_MS + days * DAY_MS).toISOString().slice(0, 10);
}

/** The claims a terminal signs for a member's link, valid CARD_PAGE_DAYS from `now`. */
export function cardPageClaims(terminalId: string, memberId: string, now: number): CardPageClaims {
  return { p: CARD_PAGE_PURPOSE, t: terminalId, m: memberId, e: dayAfter(now, CARD_PAGE_DAYS) };
}

/** Whether the link still works on `now` (the whole of its last day counts). */
export function cardPageValid(claims: CardPageClaims, now: number): boolean {
  return claims.e >= dayAfter(now, 0);
}

/** The token without its signature; null for a member id that is not a UUID (such a member gets no link). */
export function cardTokenBody(claims: CardPageClaims): string | null {
  const parsed = CardPageClaims.safeParse(claims);
  if (!parsed.success) return null;
  return `${claims.t}.${claims.m.replace(/-/g, '')}.${claims.e.replace(/-/g, '')}`;
}

const TOKEN = /^([a-z0-9][a-z0-9-]{0,63})\.([0-9a-f]{32})\.(\d{8})\.([A-Za-z0-9_-]{86})$/;

/** The claims a token stands for and its signature, still to be verified; null for anything not shaped as one. */
export function parseCardToken(token: string): { claims: CardPageClaims; signature: string } | null {
  if (token.length > MAX_CARD_TOKEN_LENGTH) return null;
  const parts = TOKEN.exec(token);
  if (!parts) return null;
  const [, t, hex, day, signature] = parts as unknown as [string, string, string, string, string];
  const m = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  const claims = CardPageClaims.safeParse({ p: CARD_PAGE_PURPOSE, t, m, e: `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}` });
  return claims.success ? { claims: claims.data, signature } : null;
}
