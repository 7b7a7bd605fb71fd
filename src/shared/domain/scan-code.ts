import { cardFromWalletQr, checkCardNumber, WALLET_QR_SCHEME, type CardNumberProblem } from './card-number';

export type ScanClass =
  | { kind: 'card'; cardNumber: string }
  | { kind: 'wallet_qr'; cardNumber: string }
  | { kind: 'invalid'; problem: CardNumberProblem | 'unrecognised' };

/**
 * What a scanned or typed code is: one of our card numbers, the QR a phone
 * wallet pass shows, or something else (a product barcode, a stranger's QR).
 */
export function classifyCode(raw: string): ScanClass {
  // Scanners append CR/LF or a tab as a suffix, and wedge input may carry spaces.
  const code = raw.trim();
  if (code.startsWith(WALLET_QR_SCHEME)) {
    const card = cardFromWalletQr(code);
    return card ? { kind: 'wallet_qr', cardNumber: card } : { kind: 'invalid', problem: 'unrecognised' };
  }
  const check = checkCardNumber(code);
  if (check.ok) return { kind: 'card', cardNumber: check.cardNumber };
  return { kind: 'invalid', problem: check.problem };
}
