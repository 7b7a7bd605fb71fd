import { classifyCode } from '../../../shared/domain/scan-code';
import { isRandomUid, uidToHex } from './protocols/pn532';
import { isEan13Symbology, type Symbology } from './protocols/aim';

/**
 * What a decoded scan means to the till. Scanners of every kind (serial, HID
 * POS, keyboard wedge, simulator) end here, so the rules live in one place:
 * the content decides (scan-code.ts), and the AIM symbology, when the scanner
 * sent one, must agree with it.
 */

export type ClassifiedScan =
  | { kind: 'card'; cardNumber: string }
  | { kind: 'wallet_qr'; cardNumber: string }
  /** Anything else (a product barcode, a stranger's QR): ignored, with the reason for the diagnostics view. */
  | { kind: 'other'; reason: string };

export interface DecodedScan {
  data: string;
  symbology?: Symbology;
}

export function classifyScan(scan: DecodedScan): ClassifiedScan {
  const result = classifyCode(scan.data);
  if (result.kind === 'invalid') return { kind: 'other', reason: result.problem };
  // A card number printed as a QR or Code 128 is still ours; only a one-dimensional
  // EAN-13 reading of a wallet payload would be impossible, hence suspicious.
  if (result.kind === 'wallet_qr' && isEan13Symbology(scan.symbology)) return { kind: 'other', reason: 'symbology_mismatch' };
  return result;
}

export type ClassifiedTag =
  /** A physical card's UID, stable from tap to tap: it may be paired with a member. */
  | { kind: 'nfc_card'; uid: string }
  /** A phone or other random-UID device: a new UID on every tap, so never a card. */
  | { kind: 'nfc_random'; uid: string };

/** An NFC UID follows its own path: it is never a card number, only a key paired with one. */
export function classifyNfcUid(uid: ArrayLike<number>): ClassifiedTag {
  const hex = uidToHex(uid);
  return isRandomUid(uid) ? { kind: 'nfc_random', uid: hex } : { kind: 'nfc_card', uid: hex };
}
