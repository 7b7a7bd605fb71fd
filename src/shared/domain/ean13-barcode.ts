import { ean13CheckDigit } from './card-number';

/**
 * EAN-13 symbol encoding (GS1 General Specifications, §5.2): the 95 modules
 * of a barcode, as a string of '1' (bar) and '0' (space), so the screens can
 * draw our card numbers for any shop scanner to read off the glass.
 *
 * Only twelve digits are drawn as bar patterns; the first one is carried by
 * which left-hand digits use the odd-parity (L) or even-parity (G) set.
 */

export const EAN13_MODULES = 95;

/** Left-hand, odd parity. */
export const L_CODES: readonly string[] = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011'];

/** Right-hand: each L code with bars and spaces swapped. */
export const R_CODES: readonly string[] = L_CODES.map((code) => code.replace(/[01]/g, (bit) => (bit === '1' ? '0' : '1')));

/** Left-hand, even parity: each R code read backwards. */
export const G_CODES: readonly string[] = R_CODES.map((code) => [...code].reverse().join(''));

/** Which set each of the six left-hand digits uses, indexed by the first digit. */
export const PARITY_PATTERNS: readonly string[] = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'];

export const START_GUARD = '101';
export const CENTRE_GUARD = '01010';
export const END_GUARD = '101';

function digitAt(code: string, index: number): number {
  return code.charCodeAt(index) - 48;
}

/**
 * The 95 modules of a 13-digit EAN. Refuses anything else, including a wrong
 * check digit: drawing it would print a code no scanner accepts.
 */
export function ean13Modules(code: string): string {
  if (!/^\d{13}$/.test(code)) throw new RangeError(`an EAN-13 has 13 digits, not ${JSON.stringify(code)}`);
  if (digitAt(code, 12) !== ean13CheckDigit(code.slice(0, 12))) throw new RangeError(`EAN-13 check digit mismatch: ${code}`);
  const parity = PARITY_PATTERNS[digitAt(code, 0)]!;
  let modules = START_GUARD;
  for (let i = 1; i <= 6; i++) {
    const set = parity[i - 1] === 'L' ? L_CODES : G_CODES;
    modules += set[digitAt(code, i)]!;
  }
  modules += CENTRE_GUARD;
  for (let i = 7; i <= 12; i++) modules += R_CODES[digitAt(code, i)]!;
  return modules + END_GUARD;
}

export interface Bar {
  /** First module of the bar, 0-based from the start guard. */
  x: number;
  width: number;
  /** Guard bars are drawn longer, down into the row of digits. */
  guard: boolean;
}

function isGuardModule(index: number): boolean {
  return index < 3 || (index >= 45 && index < 50) || index >= 92;
}

/** Runs of adjacent dark modules, the rectangles a drawing needs. */
export function ean13Bars(code: string): Bar[] {
  const modules = ean13Modules(code);
  const bars: Bar[] = [];
  let i = 0;
  while (i < modules.length) {
    if (modules[i] === '1') {
      const start = i;
      while (i < modules.length && modules[i] === '1') i++;
      bars.push({ x: start, width: i - start, guard: isGuardModule(start) });
    } else {
      i++;
    }
  }
  return bars;
}
