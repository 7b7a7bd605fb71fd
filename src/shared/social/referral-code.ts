/**
 * A member's referral code as people read, type and scan it: eight letters
 * and digits from an alphabet without the look-alikes (0/O, 1/I/L), shown
 * as `ABCD-EFGH`; its QR carries `FIDELE-PARRAIN:ABCDEFGH`. The code is
 * derived from the member's id (main/core/social/referral-code.ts), so every
 * store and HQ compute the same one without a table to sync.
 */
export const REFERRAL_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const REFERRAL_CODE_LENGTH = 8;
export const REFERRAL_QR_PREFIX = 'FIDELE-PARRAIN:';

/** What was typed or scanned, as a bare code; null when it cannot be one. */
export function normaliseReferralCode(text: string): string | null {
  let raw = text.trim().toUpperCase();
  if (raw.startsWith(REFERRAL_QR_PREFIX)) raw = raw.slice(REFERRAL_QR_PREFIX.length);
  raw = raw.replace(/[\s-]/g, '');
  if (raw.length !== REFERRAL_CODE_LENGTH) return null;
  for (const c of raw) if (!REFERRAL_ALPHABET.includes(c)) return null;
  return raw;
}

export const formatReferralCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;
export const referralQrPayload = (code: string): string => `${REFERRAL_QR_PREFIX}${code}`;
