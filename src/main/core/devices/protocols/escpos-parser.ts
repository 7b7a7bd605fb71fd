/**
 * Splits an ESC/POS stream into commands by the lengths the Epson ESC/POS
 * reference gives, so that the parameters and data of one command (an
 * image's bytes, a barcode's digits, a QR payload) are never read as text or
 * as the next command. Used by the printer simulator; anything another
 * generator may send a printer is covered: images (GS v 0, GS 8 L, GS ( L,
 * ESC *, GS *, FS p, FS q), barcodes (GS k, both forms), 2D codes (GS ( k),
 * every cut, positions and tabs, code tables, Kanji mode, status requests.
 */

export interface ParsedCommand {
  /** `text` for one printable byte, `HT`/`LF`/… for a control byte, or the command's ASCII name (`GS V`, `GS ( k`). */
  name: string;
  length: number;
  /** False for a command this table does not know: its length is a guess (3 bytes for ESC/GS/FS x n). */
  known: boolean;
}

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const DLE = 0x10;

const u16 = (b: ArrayLike<number>, i: number) => b[i]! + 256 * b[i + 1]!;
const u32 = (b: ArrayLike<number>, i: number) => b[i]! + 256 * b[i + 1]! + 65_536 * b[i + 2]! + 16_777_216 * b[i + 3]!;

/** A rule gives the command's length, or 0 while the bytes needed to know it have not all arrived. */
type Rule = number | ((b: ArrayLike<number>, i: number, avail: number) => number);

/** `X ( c pL pH …`: five bytes, then pL + 256 pH of parameters and data. */
const withLength16: Rule = (b, i, avail) => (avail < 5 ? 0 : 5 + u16(b, i + 3));

/** `ESC D n1 … nk NUL` (k ≤ 32) and the like: up to and including a NUL. */
type RuleFn = (b: ArrayLike<number>, i: number, avail: number) => number;

const untilNul =
  (start: number, max: number): RuleFn =>
  (b, i, avail) => {
    for (let j = start; j < Math.min(avail, max); j++) if (b[i + j] === 0) return j + 1;
    // No NUL within the limit: the printer ends the command there.
    return avail >= max ? max : 0;
  };

/** `ESC * m nL nH d…`: 8-dot modes (0, 1) send one byte per column, 24-dot modes (32, 33) three. */
const escStar: Rule = (b, i, avail) => {
  if (avail < 5) return 0;
  const m = b[i + 2]!;
  return 5 + u16(b, i + 3) * (m === 32 || m === 33 ? 3 : 1);
};

/** `ESC & y c1 c2 [x d1 … d(y·x)] × (c2 − c1 + 1)`: user-defined characters. */
const escAmpersand: Rule = (b, i, avail) => {
  if (avail < 5) return 0;
  const y = b[i + 2]!;
  const count = Math.max(0, b[i + 4]! - b[i + 3]! + 1);
  let at = 5;
  for (let k = 0; k < count; k++) {
    if (avail <= at) return 0;
    at += 1 + y * b[i + at]!;
  }
  return avail >= at ? at : 0;
};

/** `GS * x y d1 … d(x·y·8)`: define a downloaded bit image. */
const gsStar: Rule = (b, i, avail) => (avail < 4 ? 0 : 4 + b[i + 2]! * b[i + 3]! * 8);

/** `GS V m [n]`: m 0/1/48/49 cut now; 65/66 feed n then cut; 97–104 cut at the next position past n (with a feed byte). */
const gsV: Rule = (b, i, avail) => {
  if (avail < 3) return 0;
  const m = b[i + 2]!;
  return (m >= 65 && m <= 66) || (m >= 97 && m <= 104) ? 4 : 3;
};

/** `GS k m d1 … NUL` (m 0–6) or `GS k m n d1 … dn` (m 65–79). */
const gsK: Rule = (b, i, avail) => {
  if (avail < 3) return 0;
  const m = b[i + 2]!;
  if (m <= 6) return untilNul(3, 3 + 256)(b, i, avail);
  return avail < 4 ? 0 : 4 + b[i + 3]!;
};

/** `GS v 0 m xL xH yL yH d1 … d(x·y)`: raster bit image, x in bytes. */
const gsV0: Rule = (b, i, avail) => {
  if (avail < 3) return 0;
  if (b[i + 2] !== 0x30) return 3;
  return avail < 8 ? 0 : 8 + u16(b, i + 4) * u16(b, i + 6);
};

/** `GS 8 L p1 p2 p3 p4 m fn …`: the graphics functions with a four-byte length. */
const gs8: Rule = (b, i, avail) => {
  if (avail < 3) return 0;
  if (b[i + 2] !== 0x4c) return 3;
  return avail < 7 ? 0 : 7 + u32(b, i + 3);
};

/** `FS q n [xL xH yL yH d1 … d(x·y·8)] × n`: define NV bit images. */
const fsQ: Rule = (b, i, avail) => {
  if (avail < 3) return 0;
  let at = 3;
  for (let k = 0; k < b[i + 2]!; k++) {
    if (avail < at + 4) return 0;
    at += 4 + u16(b, i + at) * u16(b, i + at + 2) * 8;
  }
  return avail >= at ? at : 0;
};

/** `DLE DC4 fn …`: fn 1 (pulse) and 2 (power off) take 5 bytes, 7 takes 4, 8 (clear buffers) 10. */
const dleDc4: Rule = (b, i, avail) => {
  if (avail < 3) return 0;
  const fn = b[i + 2]!;
  return fn === 7 ? 4 : fn === 8 ? 10 : 5;
};

const ESC_RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  [0x0c, 2], // ESC FF  print data in page mode
  [0x20, 3], // ESC SP n  right-side character spacing
  [0x21, 3], // ESC ! n  print mode
  [0x24, 4], // ESC $ nL nH  absolute position
  [0x25, 3], // ESC % n
  [0x26, escAmpersand],
  [0x28, withLength16], // ESC ( A …
  [0x2a, escStar],
  [0x2d, 3], // ESC - n  underline
  [0x32, 2], // ESC 2
  [0x33, 3], // ESC 3 n
  [0x3c, 2], // ESC <
  [0x3d, 3], // ESC = n
  [0x3f, 3], // ESC ? n
  [0x40, 2], // ESC @
  [0x44, untilNul(2, 2 + 33)], // ESC D n1 … NUL  tab positions
  [0x45, 3], // ESC E n
  [0x47, 3], // ESC G n
  [0x4a, 3], // ESC J n
  [0x4b, 3], // ESC K n
  [0x4c, 2], // ESC L
  [0x4d, 3], // ESC M n  font
  [0x52, 3], // ESC R n
  [0x53, 2], // ESC S
  [0x54, 3], // ESC T n
  [0x55, 3], // ESC U n
  [0x56, 3], // ESC V n
  [0x57, 10], // ESC W xL xH yL yH dxL dxH dyL dyH
  [0x5c, 4], // ESC \ nL nH  relative position
  [0x61, 3], // ESC a n
  [0x63, 4], // ESC c 3|4|5 n
  [0x64, 3], // ESC d n
  [0x65, 3], // ESC e n
  [0x69, 2], // ESC i  partial cut (one point left)
  [0x6d, 2], // ESC m  partial cut (three points left)
  [0x70, 5], // ESC p m t1 t2  drawer pulse
  [0x72, 3], // ESC r n
  [0x74, 3], // ESC t n  code table
  [0x75, 3], // ESC u n
  [0x76, 2], // ESC v
  [0x7b, 3], // ESC { n
]);

const GS_RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  [0x21, 3], // GS ! n  character size
  [0x24, 4], // GS $ nL nH
  [0x28, withLength16], // GS ( k, GS ( L, GS ( E …
  [0x2a, gsStar],
  [0x2f, 3], // GS / m  print downloaded bit image
  [0x38, gs8], // GS 8 L
  [0x3a, 2], // GS :
  [0x42, 3], // GS B n  reverse
  [0x48, 3], // GS H n  HRI position
  [0x49, 3], // GS I n
  [0x4c, 4], // GS L nL nH  left margin
  [0x50, 4], // GS P x y
  [0x54, 3], // GS T n
  [0x56, gsV],
  [0x57, 4], // GS W nL nH  print area width
  [0x5c, 4], // GS \ nL nH
  [0x5e, 5], // GS ^ r t m
  [0x61, 3], // GS a n  ASB
  [0x62, 3], // GS b n
  [0x63, 2], // GS c
  [0x66, 3], // GS f n
  [0x67, 6], // GS g 0|2 m nL nH
  [0x68, 3], // GS h n
  [0x6a, 3], // GS j n
  [0x6b, gsK],
  [0x72, 3], // GS r n
  [0x76, gsV0],
  [0x77, 3], // GS w n
  [0x7a, 5], // GS z 0 t1 t2
]);

const FS_RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  [0x21, 3], // FS ! n
  [0x26, 2], // FS &  Kanji mode on
  [0x28, withLength16], // FS ( A …
  [0x2d, 3], // FS - n
  [0x2e, 2], // FS .  Kanji mode off
  [0x32, 76], // FS 2 c1 c2 d1 … d72
  [0x43, 3], // FS C n
  [0x53, 4], // FS S n1 n2
  [0x57, 3], // FS W n
  [0x70, 4], // FS p n m  print NV bit image
  [0x71, fsQ],
]);

const DLE_RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  [0x04, 3], // DLE EOT n
  [0x05, 3], // DLE ENQ n
  [0x14, dleDc4],
]);

const CONTROL_NAMES: ReadonlyMap<number, string> = new Map([
  [0x09, 'HT'],
  [0x0a, 'LF'],
  [0x0c, 'FF'],
  [0x0d, 'CR'],
  [0x18, 'CAN'],
]);

const PREFIX: ReadonlyMap<number, [string, ReadonlyMap<number, Rule>]> = new Map([
  [ESC, ['ESC', ESC_RULES]],
  [GS, ['GS', GS_RULES]],
  [FS, ['FS', FS_RULES]],
  [DLE, ['DLE', DLE_RULES]],
]);

function printableName(byte: number): string {
  if (byte === 0x20) return 'SP';
  if (byte > 0x20 && byte < 0x7f) return String.fromCharCode(byte);
  return byte.toString(16).padStart(2, '0');
}

/**
 * The command starting at `b[i]`, or null while it is incomplete (the rest
 * has not arrived). `avail` bytes are readable from `i`.
 */
export function parseCommand(b: ArrayLike<number>, i = 0, avail = b.length - i): ParsedCommand | null {
  if (avail <= 0) return null;
  const first = b[i]!;
  const prefix = PREFIX.get(first);
  if (!prefix) {
    if (first >= 0x20) return { name: 'text', length: 1, known: true };
    // NUL is what a host sends to complete a command an unplug cut short: the printer ignores it.
    if (first === 0) return { name: 'NUL', length: 1, known: true };
    return { name: CONTROL_NAMES.get(first) ?? `C0 ${printableName(first)}`, length: 1, known: CONTROL_NAMES.has(first) };
  }
  if (avail < 2) return null;
  const [prefixName, rules] = prefix;
  const code = b[i + 1]!;
  const rule = rules.get(code);
  let name = `${prefixName} ${printableName(code)}`;
  if ((code === 0x28 || code === 0x38) && avail >= 3) name += ` ${printableName(b[i + 2]!)}`;
  if (code === 0x76 && first === GS && avail >= 3) name += ` ${printableName(b[i + 2]!)}`;
  if (rule === undefined) {
    // An unknown DLE is a data byte; an unknown ESC/GS/FS x usually takes one parameter.
    if (first === DLE) return { name: 'DLE', length: 1, known: false };
    return avail >= 3 ? { name, length: 3, known: false } : null;
  }
  const length = typeof rule === 'number' ? rule : rule(b, i, avail);
  if (length === 0 || length > avail) return null;
  return { name, length, known: true };
}

/** How many bytes the command at the start of `b` takes; 0 when it is not complete yet. */
export function commandLength(b: ArrayLike<number>): number {
  return parseCommand(b)?.length ?? 0;
}
