import { checkCardNumber, makeCardNumber, walletQrPayload, type CardNumberProblem } from '../../shared/domain/card-number';

/** A terminal code no real terminal has, so its cards are well formed yet belong to nobody. */
const SPARE_TERMINAL_CODE = 9998;

/** A chocolate spread's EAN-13: the kind of product barcode a cashier scans by mistake. */
export const PRODUCT_CODE = '3017620422003';

/** A card number nobody holds; a new serial each time, so the scanner's duplicate filter never swallows it. */
export function unknownCardNumber(serial: number): string {
  return makeCardNumber(SPARE_TERMINAL_CODE, serial % 1_000_000);
}

/** A card number with every digit right but the last, as a misread or a typo gives. */
export function wrongCheckDigitNumber(serial: number): string {
  const good = unknownCardNumber(serial);
  const wrong = (Number(good.slice(-1)) + 1) % 10;
  return good.slice(0, -1) + String(wrong);
}

/** The QR a member's phone wallet shows for a card typed in the field. */
export function walletQrFor(typed: string): { ok: true; payload: string } | { ok: false; problem: CardNumberProblem } {
  const check = checkCardNumber(typed);
  return check.ok ? { ok: true, payload: walletQrPayload(check.cardNumber) } : { ok: false, problem: check.problem };
}
