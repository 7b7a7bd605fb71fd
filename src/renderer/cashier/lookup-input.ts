import { CARD_LENGTH, WALLET_QR_SCHEME } from '../../shared/domain/card-number';

/** The shortest text worth a search: one letter matches half the file. */
export const MIN_SEARCH_LENGTH = 2;

/** A phone number has 10 digits; a longer run of digits is a card number, mistyped or not. */
const LONGEST_PHONE_DIGITS = 10;

export type LookupIntent =
  /** Too short to search. */
  | { kind: 'none' }
  /** A card or wallet QR, read whole by a scanner or typed out: Enter identifies it. */
  | { kind: 'code'; code: string }
  | { kind: 'search'; query: string };

/**
 * What the text in the cashier's one input means. A keyboard-wedge scanner
 * types the card number then Enter, so a complete code is never searched for;
 * everything else is searched as the cashier types.
 */
export function lookupIntent(text: string): LookupIntent {
  const trimmed = text.trim();
  if (trimmed.length < MIN_SEARCH_LENGTH) return { kind: 'none' };
  if (looksLikeCode(trimmed)) return { kind: 'code', code: trimmed };
  return { kind: 'search', query: trimmed };
}

function looksLikeCode(trimmed: string): boolean {
  // The scheme's prefix up to its first colon is enough: nobody's name is "FIDELE:".
  if (trimmed.toUpperCase().startsWith(WALLET_QR_SCHEME.slice(0, WALLET_QR_SCHEME.indexOf(':') + 1))) return true;
  const compact = trimmed.replace(/[\s.-]/g, '');
  return /^\d+$/.test(compact) && compact.length === CARD_LENGTH;
}

/**
 * Enter on digits too long for a phone number that are not a card: identify
 * anyway, so the cashier learns what is wrong with the number (length, prefix)
 * instead of seeing nothing happen.
 */
export function isOverlongNumber(text: string): boolean {
  const compact = text.trim().replace(/[\s.-]/g, '');
  return /^\d+$/.test(compact) && compact.length > LONGEST_PHONE_DIGITS;
}
