import { describe, expect, it } from 'vitest';
import {
  cardFromWalletQr,
  checkCardNumber,
  ean13CheckDigit,
  formatCardNumber,
  makeCardNumber,
  walletQrPayload,
} from '../../src/shared/domain/card-number';
import { classifyCode } from '../../src/shared/domain/scan-code';

describe('card numbers', () => {
  it('computes the GS1 check digit of known EAN-13 codes', () => {
    // Published examples: 4006381333931 and 5901234123457.
    expect(ean13CheckDigit('400638133393')).toBe(1);
    expect(ean13CheckDigit('590123412345')).toBe(7);
  });

  it('issues numbers under prefix 04 that check out, terminal code and serial in place', () => {
    const card = makeCardNumber(42, 17);
    expect(card).toMatch(/^040042000017\d$/);
    expect(checkCardNumber(card)).toEqual({ ok: true, cardNumber: card });
  });

  it('refuses every single-digit error in a card number', () => {
    const card = makeCardNumber(1234, 987654);
    for (let i = 2; i < 13; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === card[i]) continue;
        const typo = card.slice(0, i) + d + card.slice(i + 1);
        expect(checkCardNumber(typo).ok, typo).toBe(false);
      }
    }
  });

  it('explains what is wrong', () => {
    const card = makeCardNumber(1, 1);
    const wrongCheck = card.slice(0, 12) + String((Number(card[12]) + 1) % 10);
    expect(checkCardNumber('')).toEqual({ ok: false, problem: 'empty' });
    expect(checkCardNumber('04A0000000017')).toEqual({ ok: false, problem: 'not_digits' });
    expect(checkCardNumber(card.slice(1))).toEqual({ ok: false, problem: 'length' });
    expect(checkCardNumber('4006381333931')).toEqual({ ok: false, problem: 'prefix' });
    expect(checkCardNumber(wrongCheck)).toEqual({ ok: false, problem: 'check_digit' });
    expect(checkCardNumber("0400010000011' OR 1=1")).toEqual({ ok: false, problem: 'not_digits' });
  });

  it('tolerates the grouping printed under the barcode', () => {
    const card = makeCardNumber(7, 123);
    expect(checkCardNumber(formatCardNumber(card))).toEqual({ ok: true, cardNumber: card });
  });

  it('refuses terminal codes and serials out of range', () => {
    expect(() => makeCardNumber(10_000, 1)).toThrow(RangeError);
    expect(() => makeCardNumber(1, 1_000_000)).toThrow(RangeError);
    expect(() => makeCardNumber(-1, 1)).toThrow(RangeError);
  });

  it('round-trips the wallet pass QR payload and refuses a tampered one', () => {
    const card = makeCardNumber(3, 3);
    expect(cardFromWalletQr(walletQrPayload(card))).toBe(card);
    expect(cardFromWalletQr(`FIDELE:1:${card.slice(0, 12)}0`.replace(/0$/, String((Number(card[12]) + 1) % 10)))).toBeNull();
    expect(cardFromWalletQr(`OTHER:${card}`)).toBeNull();
  });

  it('classifies scans: card, wallet QR, or something else', () => {
    const card = makeCardNumber(5, 55);
    expect(classifyCode(`${card}\r\n`)).toEqual({ kind: 'card', cardNumber: card });
    expect(classifyCode(walletQrPayload(card))).toEqual({ kind: 'wallet_qr', cardNumber: card });
    expect(classifyCode('3017620422003')).toEqual({ kind: 'invalid', problem: 'prefix' });
    expect(classifyCode('FIDELE:1:garbage')).toEqual({ kind: 'invalid', problem: 'unrecognised' });
    expect(classifyCode('https://example.com')).toEqual({ kind: 'invalid', problem: 'not_digits' });
  });
});
