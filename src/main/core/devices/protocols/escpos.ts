import { ean13CheckDigit } from '../../../../shared/domain/card-number';
import { concatBytes } from './diagnostic';
import { decodeText, encodeText, type CodePageName, type EncodedText } from './escpos-codepages';

/**
 * ESC/POS command encoder (Epson reference, which the clones follow).
 *
 * The traps it avoids (../shared/reference/hardware.md §1): `ESC @` resets the
 * code page to the power-on default, so `ESC t n` (WPC1252 in the vendor's
 * numbering, printer-profiles.ts) follows it every time; Chinese clones start
 * in Kanji mode and read bytes ≥ 0x80 as lead
 * bytes, hence the optional `FS .`; the QR store length counts bytes, not
 * UTF-16 characters; text can never carry a control byte, because a stray
 * `DLE EOT n` inside a job is acted on by the printer in real time.
 */

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

/** Epson `ESC t` number of WPC1252, the only common code page with €, œ, ’ and … (hardware.md §1.2). */
export const CODE_PAGE_WPC1252 = 16;

export const INITIALIZE = Uint8Array.of(ESC, 0x40);
export const SELECT_WPC1252 = Uint8Array.of(ESC, 0x74, CODE_PAGE_WPC1252);
export const CANCEL_KANJI = Uint8Array.of(FS, 0x2e);
/** `GS r 1`: its reply only comes once every earlier byte was processed, so it confirms the end of a job. */
export const PAPER_STATUS_REQUEST = Uint8Array.of(GS, 0x72, 0x01);

/** `DLE EOT n`: real-time status; 1 printer, 2 offline cause, 3 error cause, 4 paper sensor. */
export type RealtimeStatusQuery = 1 | 2 | 3 | 4;

export function realtimeStatusRequest(n: RealtimeStatusQuery): Uint8Array {
  return Uint8Array.of(DLE, EOT, n);
}

/** Automatic Status Back bits of `GS a n`. */
export const ASB_DRAWER = 0x01;
export const ASB_ONLINE = 0x02;
export const ASB_ERROR = 0x04;
export const ASB_PAPER = 0x08;
export const ASB_ALL = ASB_DRAWER | ASB_ONLINE | ASB_ERROR | ASB_PAPER;

/** `GS a n`: the printer then pushes 4 status bytes on every change; 0 turns it off. */
export function automaticStatusBack(mask: number = ASB_ALL): Uint8Array {
  return Uint8Array.of(GS, 0x61, mask & 0xff);
}

/** `DLE ENQ 2`: clears the buffers and recovers from a recoverable error. */
export const RECOVER_CLEAR = Uint8Array.of(DLE, 0x05, 0x02);

// ---------------------------------------------------------------------------
// WPC1252 text encoding (the tables of every page are in escpos-codepages.ts)

export { REPLACEMENT_CHAR, type EncodedText } from './escpos-codepages';

/** Encodes text for a printer set to WPC1252; see `encodeText`. */
export function encodeWpc1252(text: string): EncodedText {
  return encodeText(text, 'wpc1252');
}

/** The reverse mapping, for simulators and tests reading a printed job back. */
export function decodeWpc1252(bytes: ArrayLike<number>): string {
  return decodeText(bytes, 'wpc1252');
}

// ---------------------------------------------------------------------------
// Builder

export type Alignment = 'left' | 'center' | 'right';
export type QrErrorCorrection = 'L' | 'M' | 'Q' | 'H';

export interface EscPosOptions {
  /** Send `FS .` after each initialisation: Chinese-market clones start in Kanji mode. */
  cancelKanji?: boolean;
  /** The page text is encoded in and its `ESC t` number in the printer vendor's numbering; WPC1252 as Epson numbers it (16) by default. */
  codePage?: { page: CodePageName; table: number };
}

export interface BarcodeOptions {
  /** Bar height in dots, 1–255. */
  height?: number;
  /** Module width in dots, 2–6. */
  moduleWidth?: number;
  /** Print the digits under the bars. */
  hri?: boolean;
}

export interface QrOptions {
  /** Module size in dots, 1–16. */
  moduleSize?: number;
  errorCorrection?: QrErrorCorrection;
}

const ALIGN: Record<Alignment, number> = { left: 0, center: 1, right: 2 };
const QR_ECC: Record<QrErrorCorrection, number> = { L: 0x30, M: 0x31, Q: 0x32, H: 0x33 };
/** Epson's limit for the QR store function; clones may accept less. */
export const QR_MAX_BYTES = 7089;

function checkRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`${name} must be an integer in ${min}..${max}, got ${value}`);
  return value;
}

/** One `GS ( k` command of the QR function set (cn = 0x31). */
function qrCommand(fn: number, params: ArrayLike<number>): Uint8Array {
  const length = params.length + 2; // cn and fn count in pL/pH
  return concatBytes([[GS, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, fn], params]);
}

/**
 * Builds an ESC/POS job. Commands append bytes in order; `bytes()` returns the
 * job so far. Invalid arguments (a wrong EAN-13 check digit, a non-ASCII QR
 * payload) throw a RangeError: they are programming errors, and printing them
 * would give a symbol no scanner reads.
 */
export class EscPosBuilder {
  private readonly parts: Uint8Array[] = [];
  private readonly replacedChars: string[] = [];

  constructor(private readonly options: EscPosOptions = {}) {}

  /** Characters that had to be replaced in the text so far. */
  get replaced(): readonly string[] {
    return this.replacedChars;
  }

  raw(bytes: ArrayLike<number>): this {
    this.parts.push(Uint8Array.from(bytes));
    return this;
  }

  private get codePage(): { page: CodePageName; table: number } {
    return this.options.codePage ?? { page: 'wpc1252', table: CODE_PAGE_WPC1252 };
  }

  /** `ESC @`, then `ESC t n` again (the reset forgets it), then `FS .` for clones. */
  initialize(): this {
    this.raw(INITIALIZE).raw([ESC, 0x74, checkRange('code table', this.codePage.table, 0, 255)]);
    if (this.options.cancelKanji) this.raw(CANCEL_KANJI);
    return this;
  }

  align(alignment: Alignment): this {
    return this.raw([ESC, 0x61, ALIGN[alignment]]);
  }

  bold(on: boolean): this {
    return this.raw([ESC, 0x45, on ? 1 : 0]);
  }

  underline(on: boolean): this {
    return this.raw([ESC, 0x2d, on ? 1 : 0]);
  }

  /** `GS ! n`: width multiplier in the high nibble, height in the low one (Epson order). */
  size(width: number, height: number): this {
    checkRange('width', width, 1, 8);
    checkRange('height', height, 1, 8);
    return this.raw([GS, 0x21, ((width - 1) << 4) | (height - 1)]);
  }

  /** `ESC M n`: Font A (12 dots wide on most heads) or the narrower Font B (9 dots). */
  font(font: 'A' | 'B'): this {
    return this.raw([ESC, 0x4d, font === 'A' ? 0 : 1]);
  }

  /** Text in the builder's code page, without a line feed. Newlines in `value` become line feeds. */
  text(value: string): this {
    const lines = value.split(/\r?\n/);
    lines.forEach((line, index) => {
      if (index > 0) this.raw([LF]);
      const encoded = encodeText(line, this.codePage.page);
      this.replacedChars.push(...encoded.replaced);
      this.raw(encoded.bytes);
    });
    return this;
  }

  line(value = ''): this {
    return this.text(value).raw([LF]);
  }

  /** `ESC d n`: feeds n lines. */
  feed(lines: number): this {
    return this.raw([ESC, 0x64, checkRange('lines', lines, 0, 255)]);
  }

  /**
   * EAN-13 through `GS k` function B (m = 67, n = 13), with height, module
   * width and HRI position set first. The check digit is verified here rather
   * than left to the printer, which would silently print nothing.
   */
  ean13(code: string, options: BarcodeOptions = {}): this {
    if (!/^\d{13}$/.test(code)) throw new RangeError(`an EAN-13 has 13 digits, not ${JSON.stringify(code)}`);
    if (code.charCodeAt(12) - 48 !== ean13CheckDigit(code.slice(0, 12))) throw new RangeError(`EAN-13 check digit mismatch: ${code}`);
    const height = checkRange('barcode height', options.height ?? 80, 1, 255);
    const moduleWidth = checkRange('module width', options.moduleWidth ?? 2, 2, 6);
    this.raw([GS, 0x48, options.hri === false ? 0 : 2]);
    this.raw([GS, 0x66, 0]);
    this.raw([GS, 0x68, height]);
    this.raw([GS, 0x77, moduleWidth]);
    const digits = Array.from(code, (c) => c.charCodeAt(0));
    return this.raw([GS, 0x6b, 67, 13, ...digits]);
  }

  /**
   * A QR code as Epson's five `GS ( k` functions: model 2 (165), module size
   * (167), error correction (169), store (180) and print (181). The payload
   * must be printable ASCII, which also keeps real-time command bytes out.
   */
  qr(payload: string, options: QrOptions = {}): this {
    if (!/^[\x20-\x7e]+$/.test(payload)) throw new RangeError('a QR payload must be non-empty printable ASCII');
    if (payload.length > QR_MAX_BYTES) throw new RangeError(`a QR payload is at most ${QR_MAX_BYTES} bytes`);
    const moduleSize = checkRange('QR module size', options.moduleSize ?? 6, 1, 16);
    const data = Array.from(payload, (c) => c.charCodeAt(0));
    this.raw(qrCommand(0x41, [0x32, 0x00]));
    this.raw(qrCommand(0x43, [moduleSize]));
    this.raw(qrCommand(0x45, [QR_ECC[options.errorCorrection ?? 'M']]));
    this.raw(qrCommand(0x50, [0x30, ...data]));
    return this.raw(qrCommand(0x51, [0x30]));
  }

  /** Feeds past the cutter (it sits above the print head), then `GS V` full or partial cut. */
  cut(options: { feedLines?: number; partial?: boolean } = {}): this {
    this.feed(options.feedLines ?? 4);
    return this.raw([GS, 0x56, options.partial ? 1 : 0]);
  }

  automaticStatusBack(mask: number = ASB_ALL): this {
    return this.raw(automaticStatusBack(mask));
  }

  /** `GS r 1` as the last command: its reply proves the job was processed. */
  requestPaperStatus(): this {
    return this.raw(PAPER_STATUS_REQUEST);
  }

  realtimeStatus(n: RealtimeStatusQuery): this {
    return this.raw(realtimeStatusRequest(n));
  }

  bytes(): Uint8Array {
    return concatBytes(this.parts);
  }
}
