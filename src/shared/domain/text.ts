/**
 * Text rules shared by the screens (checking as the customer types) and the
 * core (checking again at the edge, because a screen is never trusted).
 */

/** Folds case and accents so « Hélène » and « helene » meet, and ß, œ, æ fold as people type them. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/ł/g, 'l')
    .replace(/đ/g, 'd');
}

/** The words of a name or query, folded: hyphens and apostrophes separate words (Jean-Pierre, D'Almeida). */
export function searchWords(text: string): string[] {
  return foldForSearch(text)
    .split(/[^\p{L}\p{N}@._+]+/u)
    .filter((w) => w.length > 0);
}

// C0/C1 controls, bidi overrides and zero-width characters other than the
// joiners emoji need: none of them has a place in a name or an email.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/u;

export function hasControlCharacters(text: string): boolean {
  return FORBIDDEN_CHARS.test(text);
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one. Without the
// `u` flag, so it sees code units: the one form every engine reads the same way.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// The 66 noncharacters: U+FDD0–U+FDEF and the last two code points of every plane (U+xxFFFE, U+xxFFFF).
const NONCHARACTER = new RegExp(
  `[\\uFDD0-\\uFDEF${Array.from({ length: 17 }, (_, plane) => `\\u{${(plane * 0x10000 + 0xfffe).toString(16)}}\\u{${(plane * 0x10000 + 0xffff).toString(16)}}`).join('')}]`,
  'u',
);

/**
 * Whether text can be stored and signed as it is. A lone UTF-16 surrogate has
 * no UTF-8 form: SQLite turns it into U+FFFD (the stored text is not what was
 * checked) and the journal's canonical encoding refuses it (a commit that can
 * never succeed). Noncharacters are Unicode's « never interchange » code
 * points. Every schema that takes free text from outside applies this rule.
 */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text) && !NONCHARACTER.test(text);
}

export const NAME_MAX_LENGTH = 60;
export const EMAIL_MAX_LENGTH = 254;

export type NameProblem = 'empty' | 'too_long' | 'malformed' | 'control_chars' | 'no_letter' | 'bad_chars';

/**
 * Any Unicode letter is welcome (Zoë, Nguyễn, Ørsted, 王), as are emoji, since
 * people do use them; hyphens, apostrophes, spaces and dots join the parts.
 * Digits and other symbols are refused: they are almost always a slip.
 */
export function checkName(raw: string): NameProblem | null {
  if (!isWellFormedText(raw)) return 'malformed';
  const name = raw.normalize('NFC').trim();
  if (name.length === 0) return 'empty';
  if ([...name].length > NAME_MAX_LENGTH) return 'too_long';
  if (hasControlCharacters(name)) return 'control_chars';
  if (!/\p{L}/u.test(name)) return 'no_letter';
  if (!/^(?:\p{L}|\p{M}|\p{Extended_Pictographic}|\p{Emoji_Modifier}|\u200d|\ufe0f|['’. -]|\s)+$/u.test(name)) {
    return 'bad_chars';
  }
  return null;
}

/** Trims, collapses inner spaces, and stores the composed (NFC) form. */
export function cleanName(raw: string): string {
  return raw.normalize('NFC').trim().replace(/\s+/g, ' ').replace(/’/g, "'");
}

export type EmailProblem = 'too_long' | 'malformed' | 'control_chars' | 'format';

/** A pragmatic check: one @, a dotted domain, no spaces. Deliverability is the mail server's job. */
export function checkEmail(raw: string): EmailProblem | null {
  const email = raw.trim();
  if (email.length > EMAIL_MAX_LENGTH) return 'too_long';
  if (!isWellFormedText(email)) return 'malformed';
  if (hasControlCharacters(email)) return 'control_chars';
  if (!/^[^\s@]{1,64}@[^\s@.]+(?:\.[^\s@.]+)+$/u.test(email)) return 'format';
  return null;
}

export function cleanEmail(raw: string): string {
  const email = raw.trim();
  const at = email.lastIndexOf('@');
  // The domain is case-insensitive; the local part is kept as the customer typed it.
  return email.slice(0, at + 1) + email.slice(at + 1).toLowerCase();
}
