import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The bearer token a terminal's updater sends to the feed and file routes:
 * electron-updater cannot sign its requests, so each pull (itself signed by
 * the terminal's key) hands out a short-lived token, an HMAC with HQ's feed
 * secret over the terminal id and the expiry. Stateless: any HQ process with
 * the secret checks it; a revoked terminal is refused at the lookup that follows.
 *
 *   ft1.<terminalId>.<expiresAt>.<mac>
 */
const PREFIX = 'ft1';
const TOKEN = /^ft1\.([a-z0-9][a-z0-9-]{0,63})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

function mac(secret: Buffer, terminalId: string, expiresAt: number): string {
  return createHmac('sha256', secret).update(`fidele/feed/v1|${terminalId}|${expiresAt}`).digest('base64url');
}

export function issueFeedToken(secret: Buffer, terminalId: string, expiresAt: number): string {
  return `${PREFIX}.${terminalId}.${expiresAt}.${mac(secret, terminalId, expiresAt)}`;
}

export type FeedTokenCheck = { ok: true; terminalId: string; expiresAt: number } | { ok: false; code: 'no_token' | 'bad_token' | 'expired_token' };

/** Reads `Authorization: Bearer <token>`. */
export function checkFeedToken(secret: Buffer, authorization: string | undefined, now: number): FeedTokenCheck {
  const m = /^Bearer ([^\s]+)$/.exec(authorization ?? '');
  if (!m) return { ok: false, code: 'no_token' };
  const parts = TOKEN.exec(m[1]!);
  if (!parts) return { ok: false, code: 'bad_token' };
  const terminalId = parts[1]!;
  const expiresAt = Number(parts[2]);
  const expected = Buffer.from(mac(secret, terminalId, expiresAt));
  const presented = Buffer.from(parts[3]!);
  if (expected.length !== presented.length || !timingSafeEqual(expected, presented)) return { ok: false, code: 'bad_token' };
  if (expiresAt <= now) return { ok: false, code: 'expired_token' };
  return { ok: true, terminalId, expiresAt };
}
