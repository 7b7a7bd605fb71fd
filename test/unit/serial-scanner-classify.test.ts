import { describe, expect, it } from 'vitest';
import { classifyNfcUid, classifyScan } from '../../src/main/core/devices/classify-scan';
import { parseAimIdentifier } from '../../src/main/core/devices/protocols/aim';
import { makeCardNumber, walletQrPayload } from '../../src/shared/domain/card-number';

const card = makeCardNumber(1, 42);
const ean13 = parseAimIdentifier(']E0')!;
const qr = parseAimIdentifier(']Q1')!;

describe('classifying a decoded scan', () => {
  it('recognises our card number, with or without a symbology', () => {
    expect(classifyScan({ data: card })).toEqual({ kind: 'card', cardNumber: card });
    expect(classifyScan({ data: card, symbology: ean13 })).toEqual({ kind: 'card', cardNumber: card });
    expect(classifyScan({ data: `${card}\r\n` })).toEqual({ kind: 'card', cardNumber: card });
  });

  it('recognises a wallet-pass QR and refuses one read as a 1D EAN-13', () => {
    expect(classifyScan({ data: walletQrPayload(card), symbology: qr })).toEqual({ kind: 'wallet_qr', cardNumber: card });
    expect(classifyScan({ data: walletQrPayload(card), symbology: ean13 })).toEqual({ kind: 'other', reason: 'symbology_mismatch' });
  });

  it('ignores product barcodes, strangers\u2019 QR codes and mistyped cards, with the reason', () => {
    expect(classifyScan({ data: '4006381333931', symbology: ean13 })).toEqual({ kind: 'other', reason: 'prefix' });
    expect(classifyScan({ data: 'https://example.com', symbology: qr })).toEqual({ kind: 'other', reason: 'not_digits' });
    const wrongCheck = card.slice(0, 12) + String((Number(card[12]) + 1) % 10);
    expect(classifyScan({ data: wrongCheck })).toEqual({ kind: 'other', reason: 'check_digit' });
    expect(classifyScan({ data: 'FIDELE:1:garbage' })).toEqual({ kind: 'other', reason: 'unrecognised' });
  });

  it('keeps NFC UIDs apart: a stable card UID, or a phone\u2019s random one', () => {
    expect(classifyNfcUid([0xde, 0xad, 0xbe, 0xef])).toEqual({ kind: 'nfc_card', uid: 'DEADBEEF' });
    expect(classifyNfcUid([0x04, 0x33, 0x18, 0xea, 0x70, 0x32, 0x80])).toEqual({ kind: 'nfc_card', uid: '043318EA703280' });
    expect(classifyNfcUid([0x08, 0x9a, 0x01, 0x7c])).toEqual({ kind: 'nfc_random', uid: '089A017C' });
  });

  it('names AIM identifiers and refuses what is not one', () => {
    expect(parseAimIdentifier(']d2')).toEqual({ aim: ']d2', name: 'GS1 DataMatrix' });
    expect(parseAimIdentifier(']X9')).toEqual({ aim: ']X9', name: 'unknown' });
    expect(parseAimIdentifier('E00')).toBeNull();
    expect(parseAimIdentifier(']E')).toBeNull();
  });
});
