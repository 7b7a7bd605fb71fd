import { describe, expect, it } from 'vitest';
import { ean13CheckDigit, makeCardNumber } from '../../src/shared/domain/card-number';
import { EAN13_MODULES, ean13Bars, ean13Modules } from '../../src/shared/domain/ean13-barcode';

/**
 * The GS1 symbol character tables, written out as printed in the
 * specification rather than derived, so the encoder's own derivation
 * (R = L inverted, G = R reversed) is checked against an independent source.
 */
const SPEC_L = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011'];
const SPEC_G = ['0100111', '0110011', '0011011', '0100001', '0011101', '0111001', '0000101', '0010001', '0001001', '0010111'];
const SPEC_R = ['1110010', '1100110', '1101100', '1000010', '1011100', '1001110', '1010000', '1000100', '1001000', '1110100'];
const SPEC_PARITY = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'];

/** Reads modules back into digits the way a scanner does, from the spec tables only. */
function decode(modules: string): string {
  expect(modules.slice(0, 3)).toBe('101');
  expect(modules.slice(45, 50)).toBe('01010');
  expect(modules.slice(92)).toBe('101');
  let parity = '';
  let digits = '';
  for (let i = 0; i < 6; i++) {
    const chunk = modules.slice(3 + 7 * i, 10 + 7 * i);
    const l = SPEC_L.indexOf(chunk);
    const g = SPEC_G.indexOf(chunk);
    expect(l >= 0 || g >= 0, `left chunk ${i} ${chunk}`).toBe(true);
    parity += l >= 0 ? 'L' : 'G';
    digits += String(l >= 0 ? l : g);
  }
  for (let i = 0; i < 6; i++) {
    const chunk = modules.slice(50 + 7 * i, 57 + 7 * i);
    const r = SPEC_R.indexOf(chunk);
    expect(r, `right chunk ${i} ${chunk}`).toBeGreaterThanOrEqual(0);
    digits += String(r);
  }
  const first = SPEC_PARITY.indexOf(parity);
  expect(first, `parity ${parity}`).toBeGreaterThanOrEqual(0);
  return String(first) + digits;
}

const join = (...parts: string[]) => parts.join('');

describe('ean13Modules', () => {
  it('encodes 4006381333931, the textbook example, module for module', () => {
    // First digit 4 → parity L G L L G G on 0 0 6 3 8 1; right half 3 3 3 9 3 1.
    const expected = join(
      '101',
      '0001101', // 0 L
      '0100111', // 0 G
      '0101111', // 6 L
      '0111101', // 3 L
      '0001001', // 8 G
      '0110011', // 1 G
      '01010',
      '1000010', // 3 R
      '1000010', // 3 R
      '1000010', // 3 R
      '1110100', // 9 R
      '1000010', // 3 R
      '1100110', // 1 R
      '101',
    );
    expect(ean13Modules('4006381333931')).toBe(expected);
  });

  it('encodes a UPC-A carried as EAN-13 (leading 0: the left half is all odd parity)', () => {
    // 0 036000 291452: left 0 3 6 0 0 0 in L, right 2 9 1 4 5 2 in R.
    const expected = join(
      '101',
      '0001101',
      '0111101',
      '0101111',
      '0001101',
      '0001101',
      '0001101',
      '01010',
      '1101100',
      '1110100',
      '1100110',
      '1011100',
      '1001110',
      '1101100',
      '101',
    );
    expect(ean13Modules('0036000291452')).toBe(expected);
  });

  it('encodes one of our card numbers (prefix 04, so first digit 0 and no G codes)', () => {
    const card = makeCardNumber(42, 1);
    expect(card).toBe('0400420000015');
    const expected = join(
      '101',
      '0100011', // 4 L
      '0001101', // 0 L
      '0001101', // 0 L
      '0100011', // 4 L
      '0010011', // 2 L
      '0001101', // 0 L
      '01010',
      '1110010', // 0 R
      '1110010',
      '1110010',
      '1110010',
      '1100110', // 1 R
      '1001110', // 5 R
      '101',
    );
    expect(ean13Modules(card)).toBe(expected);
    const left = ean13Modules(card).slice(3, 45);
    for (let i = 0; i < 6; i++) expect(SPEC_L).toContain(left.slice(7 * i, 7 * i + 7));
  });

  it('selects the parity pattern from the first digit, for every first digit', () => {
    for (let first = 0; first <= 9; first++) {
      const body = `${first}12345678901`;
      const code = body + String(ean13CheckDigit(body));
      const modules = ean13Modules(code);
      expect(modules).toHaveLength(EAN13_MODULES);
      expect(decode(modules)).toBe(code);
    }
  });

  it('round-trips many card numbers through a scanner-style decoder', () => {
    for (let serial = 0; serial < 500; serial += 7) {
      const card = makeCardNumber(1234, serial * 1999);
      expect(decode(ean13Modules(card))).toBe(card);
    }
  });

  it('keeps odd parity on L and R characters and even parity on G characters', () => {
    const ones = (s: string) => [...s].filter((c) => c === '1').length;
    const modules = ean13Modules('4006381333931');
    const chunks = Array.from({ length: 6 }, (_, i) => modules.slice(3 + 7 * i, 10 + 7 * i));
    expect(chunks.map((c) => ones(c) % 2)).toEqual([1, 0, 1, 1, 0, 0]); // L G L L G G
  });

  it('refuses what is not a valid EAN-13', () => {
    expect(() => ean13Modules('400638133393')).toThrow(RangeError);
    expect(() => ean13Modules('40063813339311')).toThrow(RangeError);
    expect(() => ean13Modules('400638133393x')).toThrow(RangeError);
    expect(() => ean13Modules('4006381333932')).toThrow(/check digit/);
  });
});

describe('ean13Bars', () => {
  it('turns the modules into non-overlapping runs of dark modules, guards marked', () => {
    const code = '4006381333931';
    const modules = ean13Modules(code);
    const bars = ean13Bars(code);
    const redrawn = Array.from({ length: EAN13_MODULES }, () => '0');
    for (const bar of bars) for (let x = bar.x; x < bar.x + bar.width; x++) redrawn[x] = '1';
    expect(redrawn.join('')).toBe(modules);
    // Two bars per guard: start (0, 2), centre (46, 48), end (92, 94).
    expect(bars.filter((b) => b.guard).map((b) => b.x)).toEqual([0, 2, 46, 48, 92, 94]);
    expect(bars.every((b) => b.width >= 1 && b.width <= 4)).toBe(true);
  });
});
