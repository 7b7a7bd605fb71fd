/**
 * Loyalty card numbers are EAN-13 codes under the GS1 prefix 04, which GS1
 * reserves for numbers a company assigns for its own use: they never clash with
 * a product barcode, every scanner already reads them, and the check digit
 * catches a mistyped or misread digit at the till.
 *
 * Layout: `04` + terminal code (4 digits) + serial (6 digits) + check digit.
 * The terminal code is unique in the chain, so a terminal can issue cards while
 * offline without ever colliding with another one. Enrolments draw the serial
 * at random (members/member-store.ts), so a card number says nothing of the
 * next one; older cards, issued in sequence, keep the same layout.
 */

export const CARD_PREFIX = '04';
export const CARD_LENGTH = 13;
export const CARD_SERIAL_MAX = 999_999;

export type CardNumberProblem = 'empty' | 'not_digits' | 'length' | 'prefix' | 'check_digit';

export type CardNumberCheck =
  | { ok: true; cardNumber: string }
  | { ok: false; problem: CardNumberProblem };

/** The EAN/GTIN check digit of the digits that precede it. */
export function ean13CheckDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < first12.length; i++) {
    const digit = first12.charCodeAt(i) - 48;
    // Weights 1,3,1,3… from the left for a 12-digit body (3,1,… from the right).
    sum += i % 2 === 0 ? digit : digit * 3;
  }
  return (10 - (sum % 10)) % 10;
}

/** Checks a card number as typed or scanned; spaces between digit groups are tolerated. */
export function checkCardNumber(raw: string): CardNumberCheck {
  const compact = raw.replace(/[\s.-]/g, '');
  if (compact.length === 0) return { ok: false, problem: 'empty' };
  if (!/^\d+$/.test(compact)) return { ok: false, problem: 'not_digits' };
  if (compact.length !== CARD_LENGTH) return { ok: false, problem: 'length' };
  if (!compact.startsWith(CARD_PREFIX)) return { ok: false, problem: 'prefix' };
  const expected = ean13CheckDigit(compact.slice(0, 12));
  if (compact.charCodeAt(12) - 48 !== expected) return { ok: false, problem: 'check_digit' };
  return { ok: true, cardNumber: compact };
}

export function isCardNumber(raw: string): boolean {
  return checkCardNumber(raw).ok;
}

export function makeCardNumber(terminalCode: number, serial: number): string {
  if (!Number.isInteger(terminalCode) || terminalCode < 0 || terminalCode > 9999) {
    throw new RangeError(`terminal code out of range: ${terminalCode}`);
  }
  if (!Number.isInteger(serial) || serial < 0 || serial > CARD_SERIAL_MAX) {
    throw new RangeError(`card serial out of range: ${serial}`);
  }
  const body = CARD_PREFIX + String(terminalCode).padStart(4, '0') + String(serial).padStart(6, '0');
  return body + String(ean13CheckDigit(body));
}

/** "0412345678901" → "0 412345 678901", the grouping printed under an EAN-13. */
export function formatCardNumber(cardNumber: string): string {
  return `${cardNumber.slice(0, 1)} ${cardNumber.slice(1, 7)} ${cardNumber.slice(7)}`;
}

/**
 * What a phone wallet pass or the app shows as a QR code. A versioned scheme
 * keeps it distinct from any other QR a customer might present, and carries
 * the full card number so the check digit still guards it.
 */
export const WALLET_QR_SCHEME = 'FIDELE:1:';

export function walletQrPayload(cardNumber: string): string {
  return WALLET_QR_SCHEME + cardNumber;
}

export function cardFromWalletQr(payload: string): string | null {
  if (!payload.startsWith(WALLET_QR_SCHEME)) return null;
  const check = checkCardNumber(payload.slice(WALLET_QR_SCHEME.length));
  return check.ok ? check.cardNumber : null;
}
