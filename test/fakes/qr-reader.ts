/**
 * Reads a QR code (versions 1–6) from a printed raster, as a phone would from
 * the paper: it finds the symbol, its module size and format, unmasks the
 * modules, de-interleaves the data codewords and decodes the numeric,
 * alphanumeric and byte segments. The raster is a clean print, so the
 * Reed-Solomon codewords are not needed to correct anything and are skipped.
 * Written from ISO/IEC 18004 so that the tests check another generator's QR
 * images against the payload the document names, not against that
 * generator's own encoder.
 */

/** Error correction blocks per version (1–6) and level (L, M, Q, H): [count, total codewords, data codewords] groups. */
const RS_BLOCKS: readonly (readonly number[])[][] = [
  [[1, 26, 19], [1, 26, 16], [1, 26, 13], [1, 26, 9]],
  [[1, 44, 34], [1, 44, 28], [1, 44, 22], [1, 44, 16]],
  [[1, 70, 55], [1, 70, 44], [2, 35, 17], [2, 35, 13]],
  [[1, 100, 80], [2, 50, 32], [2, 50, 24], [4, 25, 9]],
  [[1, 134, 108], [2, 67, 43], [2, 33, 15, 2, 34, 16], [2, 33, 11, 2, 34, 12]],
  [[2, 86, 68], [4, 43, 27], [4, 43, 19], [4, 43, 15]],
];

/** The two format bits of each level, in the table's order L, M, Q, H. */
const LEVEL_BITS = [0b01, 0b00, 0b11, 0b10];

const MASKS: readonly ((i: number, j: number) => boolean)[] = [
  (i, j) => (i + j) % 2 === 0,
  (i) => i % 2 === 0,
  (_i, j) => j % 3 === 0,
  (i, j) => (i + j) % 3 === 0,
  (i, j) => (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0,
  (i, j) => ((i * j) % 2) + ((i * j) % 3) === 0,
  (i, j) => (((i * j) % 2) + ((i * j) % 3)) % 2 === 0,
  (i, j) => (((i * j) % 3) + ((i + j) % 2)) % 2 === 0,
];

const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export interface Raster {
  width: number;
  height: number;
  /** Rows of ceil(width / 8) bytes, MSB leftmost, 1 = black. */
  raster: Uint8Array;
}

export function readQr(image: Raster): string {
  const rowBytes = Math.ceil(image.width / 8);
  const black = (x: number, y: number) => ((image.raster[y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1) === 1;

  let top = -1;
  let left = image.width;
  let right = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (!black(x, y)) continue;
      if (top < 0) top = y;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  if (top < 0) throw new Error('no QR code in the image: it is blank');
  // The finder pattern's top edge is 7 modules of black.
  let run = 0;
  while (black(left + run, top)) run++;
  const cell = run / 7;
  const size = Math.round((right - left + 1) / cell);
  const version = (size - 17) / 4;
  if (!Number.isInteger(version) || version < 1 || version > RS_BLOCKS.length) throw new Error(`not a QR code of version 1–6 (${size} modules)`);
  const module = (r: number, c: number) => black(left + Math.floor(c * cell + cell / 2), top + Math.floor(r * cell + cell / 2));

  let format = 0;
  for (let i = 0; i < 15; i++) {
    const r = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i;
    if (module(r, 8)) format |= 1 << i;
  }
  format ^= 0x5412;
  const levelBits = format >> 13;
  const mask = MASKS[(format >> 10) & 7]!;
  const level = LEVEL_BITS.indexOf(levelBits);

  const align = version >= 2 ? size - 7 : -100;
  const isFunction = (r: number, c: number) =>
    r === 6 ||
    c === 6 ||
    (r <= 8 && c <= 8) ||
    (r <= 8 && c >= size - 8) ||
    (r >= size - 8 && c <= 8) ||
    (Math.abs(r - align) <= 2 && Math.abs(c - align) <= 2);

  const bits: number[] = [];
  let row = size - 1;
  let step = -1;
  for (let col = size - 1; col > 0; col -= 2) {
    if (col === 6) col--;
    for (;;) {
      for (let c = 0; c < 2; c++) {
        if (!isFunction(row, col - c)) bits.push(Number(module(row, col - c) !== mask(row, col - c)));
      }
      row += step;
      if (row < 0 || row >= size) {
        row -= step;
        step = -step;
        break;
      }
    }
  }
  const codewords: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) codewords.push(bits.slice(i, i + 8).reduce((a, b) => (a << 1) | b, 0));

  // Data codewords are interleaved block by block; the error correction codewords follow.
  const groups = RS_BLOCKS[version - 1]![level]!;
  const blocks: number[][] = [];
  for (let g = 0; g < groups.length; g += 3) for (let k = 0; k < groups[g]!; k++) blocks.push(new Array<number>(groups[g + 2]!));
  let at = 0;
  const longest = Math.max(...blocks.map((b) => b.length));
  for (let i = 0; i < longest; i++) for (const block of blocks) if (i < block.length) block[i] = codewords[at++]!;
  const data = blocks.flat();

  let pos = 0;
  const take = (n: number) => {
    let v = 0;
    for (let k = 0; k < n; k++, pos++) v = (v << 1) | ((data[pos >> 3]! >> (7 - (pos & 7))) & 1);
    return v;
  };
  let text = '';
  while (pos + 4 <= data.length * 8) {
    const mode = take(4);
    if (mode === 0) break;
    if (mode === 0b0111) {
      take(8); // ECI designator: the payloads here are ASCII
      continue;
    }
    if (mode === 0b0001) {
      let count = take(10);
      for (; count >= 3; count -= 3) text += String(take(10)).padStart(3, '0');
      if (count === 2) text += String(take(7)).padStart(2, '0');
      if (count === 1) text += String(take(4));
    } else if (mode === 0b0010) {
      let count = take(9);
      for (; count >= 2; count -= 2) {
        const v = take(11);
        text += ALNUM[Math.floor(v / 45)]! + ALNUM[v % 45]!;
      }
      if (count === 1) text += ALNUM[take(6)]!;
    } else if (mode === 0b0100) {
      const count = take(8);
      const bytes: number[] = [];
      for (let k = 0; k < count; k++) bytes.push(take(8));
      text += Buffer.from(bytes).toString('utf8');
    } else {
      throw new Error(`QR mode ${mode.toString(2)} not supported`);
    }
  }
  return text;
}
