import { createServer, type Server, type Socket } from 'node:net';
import { ean13CheckDigit } from '../../../../shared/domain/card-number';
import { decodeByte, UNDEFINED_GLYPH, type CodePageName } from '../protocols/escpos-codepages';
import { parseCommand } from '../protocols/escpos-parser';
import { codePageOfTable, DEFAULT_PRINTER_PROFILE_ID, printerProfile, type FontName, type PrinterProfile } from '../printer-profiles';
import type { ByteTransport } from '../transport';

export { commandLength } from '../protocols/escpos-parser';

export interface PrintedLine {
  /** The characters as printed, through the code page selected at the time. */
  text: string;
  /** How far right the line reaches, in dots from the head's left edge (margin included). */
  dots: number;
}

export type PrintedImageKind = 'raster' | 'graphics' | 'bit-image' | 'downloaded' | 'nv';

export interface PrintedImage {
  kind: PrintedImageKind;
  command: string;
  /** Size in dots (unknown, 0, for images stored in the printer: FS p, GS /). */
  width: number;
  height: number;
  /** Monochrome raster rows, MSB leftmost, `ceil(width / 8)` bytes a row (raster and graphics images only). */
  raster?: Uint8Array;
}

export interface PrintedBarcode {
  /** `GS k` m (EAN-13 is 2 in form A, 67 in form B; CODE128 is 73). */
  symbology: number;
  /** The data as a scanner reads it (CODE128 code set switches resolved). */
  data: string;
}

export interface PrintedCut {
  command: string;
  partial: boolean;
}

export interface SimulatedPage {
  /** The text as printed (decoded through the selected code page, one LF per line). */
  text: string;
  lines: PrintedLine[];
  /** Every byte the printer processed for this page, commands included. */
  bytes: Uint8Array;
  /** Barcode and QR payloads, in order. */
  codes: string[];
  barcodes: PrintedBarcode[];
  /** 2D symbols printed (`GS ( k`): `qr` or `pdf417` with their payload. */
  symbols: { type: 'qr' | 'pdf417'; data: string }[];
  images: PrintedImage[];
  /** How the page was cut off; null for a torn page. */
  cut: PrintedCut | null;
  /** Lines the head could not fit, wrapped by the printer onto the next line. */
  wrapped: number;
  /** Commands the parser does not know, in hex: their length was guessed. */
  unknown: string[];
  /** The `ESC t n` numbers the page used that the simulated printer does not have. */
  unknownCodeTables: number[];
}

/** `silent`: switched off (bytes vanish, nothing answers); `nonsense`: prints, but answers garbage. */
export type PrinterSimMode = 'normal' | 'silent' | 'nonsense';

const DLE = 0x10;
const EOT = 0x04;
const ENQ = 0x05;

const u16 = (b: ArrayLike<number>, i: number) => b[i]! + 256 * b[i + 1]!;
const s16 = (b: ArrayLike<number>, i: number) => {
  const v = u16(b, i);
  return v >= 0x8000 ? v - 0x10000 : v;
};

/** Epson's default tab stops: every 8 characters. */
const DEFAULT_TABS = Array.from({ length: 32 }, (_v, i) => (i + 1) * 8);

interface TextState {
  font: FontName;
  widthMul: number;
  heightMul: number;
  spacing: number;
  codePage: CodePageName | undefined;
  kanji: boolean;
  leftMargin: number;
  areaWidth: number;
  tabs: number[];
}

class PageBuilder {
  lines: PrintedLine[] = [];
  text = '';
  bytes: number[] = [];
  codes: string[] = [];
  barcodes: PrintedBarcode[] = [];
  symbols: { type: 'qr' | 'pdf417'; data: string }[] = [];
  images: PrintedImage[] = [];
  wrapped = 0;
  unknown: string[] = [];
  unknownCodeTables: number[] = [];
  /** The line being composed: characters by their dot position from the print area's start. */
  cells: { x: number; char: string; width: number }[] = [];
  x = 0;

  get empty(): boolean {
    return this.lines.length === 0 && this.cells.length === 0 && this.codes.length === 0 && this.images.length === 0;
  }

  finish(cut: PrintedCut | null): SimulatedPage {
    return {
      text: this.text,
      lines: this.lines,
      bytes: Uint8Array.from(this.bytes),
      codes: this.codes,
      barcodes: this.barcodes,
      symbols: this.symbols,
      images: this.images,
      cut,
      wrapped: this.wrapped,
      unknown: this.unknown,
      unknownCodeTables: this.unknownCodeTables,
    };
  }
}

/**
 * `GS k` CODE128 data carries code set selectors (`{A`, `{B`, `{C`, `{S`)
 * and, in code set C, one byte per pair of digits: what a scanner returns is
 * the decoded characters.
 */
function decodeCode128(data: Uint8Array): string {
  let out = '';
  let set: 'A' | 'B' | 'C' = 'B';
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0x7b && i + 1 < data.length) {
      const sel = String.fromCharCode(data[++i]!);
      if (sel === 'A' || sel === 'B' || sel === 'C') set = sel;
      else if (sel === '{') out += '{';
      continue;
    }
    out += set === 'C' ? String(b).padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}

export const RETAINED_PAGES = 200;

function retain(pages: SimulatedPage[], page: SimulatedPage): void {
  pages.push(page);
  if (pages.length > RETAINED_PAGES) pages.splice(0, pages.length - RETAINED_PAGES);
}

/**
 * An ESC/POS printer at the far end of a pty or a TCP socket: every command
 * of the Epson reference split by its length (protocols/escpos-parser.ts),
 * text printed through the code page `ESC t` selected in the numbering of the
 * simulated model (printer-profiles.ts), lines measured in dots against its
 * head, the three status mechanisms (DLE EOT, ASB, GS r) and the faults a
 * till meets. A page is "printed" when the cutter cuts it; a page cleared by
 * DLE ENQ 2 before its cut is "torn" (the stub the cashier throws away).
 *
 * Real-time commands are acted on as bytes arrive, whatever the printer is
 * doing, exactly as Epson printers do (even inside image data, which is why
 * Epson has `GS ( D` to turn them off); everything else is processed in
 * order and stops while the paper is out or the cover is open, so whatever
 * was buffered then comes out when the fault clears unless the host cleared it.
 */
export class EscPosPrinterEngine {
  /**
   * The last pages printed and torn, oldest first. A real roll keeps nothing; the
   * simulator keeps the latest RETAINED_PAGES for the simulator page and the tests,
   * not every receipt of a day (each page holds its bytes and text: a kiosk left
   * running in the browser mode grew by the megabyte).
   */
  readonly printed: SimulatedPage[] = [];
  readonly torn: SimulatedPage[] = [];
  readonly profile: PrinterProfile;
  mode: PrinterSimMode = 'normal';
  /** Every byte received, for assertions on what the host sent. */
  received = 0;
  private buffer: Buffer = Buffer.alloc(0);
  /** The last bytes received, to spot real-time commands split across chunks. */
  private recent: number[] = [];
  private page = new PageBuilder();
  private state: TextState;
  /** A Kanji lead byte waiting for its second byte. */
  private lead: number | null = null;
  /** `GS ( k` QR/PDF417 data stored, printed by function 81. */
  private storedSymbol: { type: 'qr' | 'pdf417'; data: string } | null = null;
  /** `GS ( L` / `GS 8 L` function 112: graphics stored in the print buffer, printed by function 50. */
  private storedGraphics: PrintedImage | null = null;
  private asbMask = 0;
  private paperOut = false;
  private paperLow = false;
  private coverOpen = false;
  private paperLeft = Infinity;
  private readonly outputs = new Set<(bytes: Uint8Array) => void>();

  constructor(profile: PrinterProfile = printerProfile(DEFAULT_PRINTER_PROFILE_ID)) {
    this.profile = profile;
    this.state = this.powerOnState();
  }

  /** Where replies go: one pty, or every connected TCP client. */
  addOutput(write: (bytes: Uint8Array) => void): () => void {
    this.outputs.add(write);
    return () => this.outputs.delete(write);
  }

  receive(chunk: Uint8Array): void {
    // Switched off behind a USB-serial adapter that stays powered: the port is open, nothing listens.
    if (this.mode === 'silent') return;
    this.received += chunk.length;
    const data: number[] = [];
    for (const byte of chunk) {
      data.push(byte);
      this.recent.push(byte);
      if (this.recent.length > 3) this.recent.shift();
      const [dle, fn, n] = this.recent;
      if (dle !== DLE || n === undefined) continue;
      if (fn === EOT && n >= 1 && n <= 4) {
        this.recent = [];
        this.send([this.realtimeReply(n)]);
      } else if (fn === ENQ && n === 2) {
        // Everything received before the command is cleared with it, including
        // the bytes of this same chunk that came just before it.
        this.recent = [];
        data.length = 0;
        this.recoverClearing();
      }
    }
    this.buffer = Buffer.concat([this.buffer, Buffer.from(data)]);
    this.process();
  }

  /** The roll ends after this many more printed bytes (text and feed). */
  paperOutAfter(bytes: number): void {
    this.paperLeft = bytes;
  }

  /** The roll ends now, printing or not (the simulator page's « plus de papier »). */
  runOutOfPaper(): void {
    this.paperLeft = 0;
    this.setStatus(() => (this.paperOut = true));
  }

  loadPaper(): void {
    this.paperLeft = Infinity;
    this.setStatus(() => {
      this.paperOut = false;
      this.paperLow = false;
    });
    this.process();
  }

  setPaperLow(low: boolean): void {
    this.setStatus(() => (this.paperLow = low));
  }

  openCover(): void {
    this.setStatus(() => (this.coverOpen = true));
  }

  closeCover(): void {
    this.setStatus(() => (this.coverOpen = false));
    this.process();
  }

  get stopped(): boolean {
    return this.paperOut || this.coverOpen;
  }

  /** Bytes received and not yet processed (held while stopped). */
  get buffered(): number {
    return this.buffer.length;
  }

  private powerOnState(): TextState {
    return {
      font: 'A',
      widthMul: 1,
      heightMul: 1,
      spacing: 0,
      codePage: this.profile.powerOnCodePage,
      kanji: this.profile.kanjiAtPowerOn,
      leftMargin: 0,
      areaWidth: this.profile.headDots,
      tabs: DEFAULT_TABS,
    };
  }

  private send(bytes: number[]): void {
    if (this.mode === 'silent') return;
    const out = this.mode === 'nonsense' ? Uint8Array.from(bytes, (_b, i) => [0xff, 0x80, 0xa5, 0x93][i % 4]!) : Uint8Array.from(bytes);
    for (const write of this.outputs) write(out);
  }

  private setStatus(change: () => void): void {
    const before = this.asbFrame().join();
    change();
    if (this.asbMask !== 0 && this.asbFrame().join() !== before) this.send(this.asbFrame());
  }

  private asbFrame(): number[] {
    const offline = this.stopped;
    return [0x10 | (offline ? 0x08 : 0) | (this.coverOpen ? 0x20 : 0), 0x00, (this.paperLow ? 0x03 : 0) | (this.paperOut ? 0x0c : 0), 0x00];
  }

  private realtimeReply(n: number): number {
    const fixed = 0x12;
    switch (n) {
      case 1:
        return fixed | (this.stopped ? 0x08 : 0);
      case 2:
        return fixed | (this.coverOpen ? 0x04 : 0) | (this.paperOut ? 0x20 : 0);
      case 3:
        return fixed;
      case 4:
        return fixed | (this.paperLow ? 0x0c : 0) | (this.paperOut ? 0x60 : 0);
      default:
        return fixed;
    }
  }

  /** DLE ENQ 2: the receive and print buffers are emptied; a page begun and not cut is torn off. */
  private recoverClearing(): void {
    this.buffer = Buffer.alloc(0);
    this.storedSymbol = null;
    this.storedGraphics = null;
    this.lead = null;
    // The line being composed was never printed (only LF prints it): it goes with the buffer.
    if (!this.page.empty) retain(this.torn, this.page.finish(null));
    this.page = new PageBuilder();
  }

  private process(): void {
    while (this.buffer.length > 0 && !this.stopped) {
      const command = parseCommand(this.buffer);
      if (command === null) return; // incomplete: wait for the rest
      const bytes = this.buffer.subarray(0, command.length);
      this.buffer = this.buffer.subarray(command.length);
      this.page.bytes.push(...bytes);
      if (!command.known) this.page.unknown.push(bytes.toString('hex'));
      this.execute(command.name, bytes);
    }
  }

  private consumePaper(): void {
    if (--this.paperLeft <= 0 && Number.isFinite(this.paperLeft)) this.setStatus(() => (this.paperOut = true));
  }

  private charWidth(): number {
    return (this.profile.fonts[this.state.font].width + this.state.spacing) * this.state.widthMul;
  }

  /** Puts one printed character on the line; one that does not fit the print area goes to the next line, as the printer does. */
  private place(char: string, width: number): void {
    const page = this.page;
    const limit = Math.min(this.state.areaWidth, this.profile.headDots - this.state.leftMargin);
    if (page.x + width > limit && page.x > 0) {
      page.wrapped++;
      this.flushLine(true);
    }
    page.cells.push({ x: page.x, char, width });
    page.x += width;
  }

  /** Ends the line being composed: an LF prints it; so does a wrap, a feed or a cut with text pending. */
  private flushLine(always: boolean): void {
    const page = this.page;
    // Image columns (ESC *) sit on the line as cells without a character: such a line prints no text.
    const hasText = page.cells.some((cell) => cell.char !== '');
    if (!always && !hasText) {
      page.cells = [];
      page.x = 0;
      return;
    }
    // Characters are laid out by position (ESC $, ESC \, HT move it); gaps read as spaces of the font in use.
    const unit = this.profile.fonts[this.state.font].width;
    let text = '';
    let right = 0;
    for (const cell of [...page.cells].sort((a, b) => a.x - b.x)) {
      if (hasText && cell.x > right) text += ' '.repeat(Math.round((cell.x - right) / unit));
      if (hasText) text += cell.char;
      right = Math.max(right, cell.x + cell.width);
    }
    page.lines.push({ text, dots: page.cells.length > 0 ? this.state.leftMargin + right : 0 });
    page.text += text + '\n';
    page.cells = [];
    page.x = 0;
  }

  private printText(byte: number): void {
    this.consumePaper();
    if (this.state.kanji && (this.lead !== null || byte >= 0x80)) {
      // Kanji mode: two bytes make one double-width character, which a Latin page never meant.
      if (this.lead === null) {
        this.lead = byte;
        return;
      }
      this.lead = null;
      this.place(UNDEFINED_GLYPH, 2 * this.charWidth());
      return;
    }
    this.place(decodeByte(byte, this.state.codePage), this.charWidth());
  }

  private tab(): void {
    const unit = this.charWidth();
    const next = this.state.tabs.find((column) => column * unit > this.page.x);
    if (next !== undefined) this.page.x = next * unit;
  }

  private image(image: PrintedImage): void {
    this.flushLine(false);
    this.page.images.push(image);
  }

  private execute(name: string, c: Buffer): void {
    const s = this.state;
    const page = this.page;
    if (name !== 'text') this.lead = null;
    switch (name) {
      case 'text':
        this.printText(c[0]!);
        return;
      case 'LF':
        this.consumePaper();
        this.flushLine(true);
        return;
      case 'FF':
        this.flushLine(false);
        return;
      case 'HT':
        this.tab();
        return;
      case 'ESC @':
        this.flushLine(false);
        this.state = this.powerOnState();
        return;
      case 'ESC t': {
        const table = c[2]!;
        s.codePage = codePageOfTable(this.profile, table);
        if (s.codePage === undefined) page.unknownCodeTables.push(table);
        return;
      }
      case 'FS &':
        s.kanji = true;
        return;
      case 'FS .':
        s.kanji = false;
        return;
      case 'ESC M':
        s.font = (c[2]! & 1) === 1 ? 'B' : 'A';
        return;
      case 'ESC !':
        s.font = (c[2]! & 0x01) !== 0 ? 'B' : 'A';
        s.heightMul = (c[2]! & 0x10) !== 0 ? 2 : 1;
        s.widthMul = (c[2]! & 0x20) !== 0 ? 2 : 1;
        return;
      case 'GS !':
        s.widthMul = (c[2]! >> 4) + 1;
        s.heightMul = (c[2]! & 0x0f) + 1;
        return;
      case 'ESC SP':
        s.spacing = c[2]!;
        return;
      case 'ESC $':
        page.x = u16(c, 2);
        return;
      case 'ESC \\':
        page.x = Math.max(0, page.x + s16(c, 2));
        return;
      case 'GS L':
        s.leftMargin = u16(c, 2);
        return;
      case 'GS W':
        s.areaWidth = u16(c, 2);
        return;
      case 'ESC D': {
        const stops = Array.from(c.subarray(2)).filter((n) => n !== 0);
        s.tabs = stops;
        return;
      }
      case 'ESC d':
      case 'ESC J':
        this.flushLine(false);
        this.consumePaper();
        return;
      case 'GS V':
        this.cut(name, c[2] === 1 || c[2] === 49 || c[2] === 66 || (c[2]! >= 97 && c[2]! % 2 === 0));
        return;
      case 'ESC i':
        this.cut(name, true);
        return;
      case 'ESC m':
        this.cut(name, true);
        return;
      case 'GS r':
        this.send([(this.paperLow ? 0x03 : 0) | (this.paperOut ? 0x0c : 0)]);
        return;
      case 'GS a':
        this.asbMask = c[2]!;
        if (this.asbMask !== 0) this.send(this.asbFrame());
        return;
      case 'GS k':
        this.barcode(c);
        return;
      case 'GS ( k':
        this.symbol(c);
        return;
      case 'GS v 0': {
        const widthBytes = u16(c, 4);
        this.image({ kind: 'raster', command: name, width: widthBytes * 8, height: u16(c, 6), raster: Uint8Array.from(c.subarray(8)) });
        return;
      }
      case 'GS ( L':
        this.graphics(name, c, 5);
        return;
      case 'GS 8 L':
        this.graphics(name, c, 7);
        return;
      case 'ESC *': {
        // Bit image columns go into the line like characters; 8-dot single density doubles each column.
        const m = c[2]!;
        const columns = u16(c, 3);
        const width = m === 0 || m === 32 ? columns * 2 : columns;
        page.images.push({ kind: 'bit-image', command: name, width, height: m >= 32 ? 24 : 8 });
        page.x += width;
        page.cells.push({ x: page.x - width, char: '', width });
        return;
      }
      case 'GS /':
        this.image({ kind: 'downloaded', command: name, width: 0, height: 0 });
        return;
      case 'FS p':
        this.image({ kind: 'nv', command: name, width: 0, height: 0 });
        return;
      default:
        // Styles (bold, underline, alignment, reverse, HRI, bar sizes), line spacing and settings change no text.
        return;
    }
  }

  private cut(command: string, partial: boolean): void {
    this.flushLine(false);
    retain(this.printed, this.page.finish({ command, partial }));
    this.page = new PageBuilder();
  }

  private barcode(c: Buffer): void {
    const m = c[2]!;
    const data = m <= 6 ? c.subarray(3, c.length - 1) : c.subarray(4);
    let decoded = m === 73 ? decodeCode128(data) : data.toString('latin1');
    // EAN-13 (2, 67) and UPC-A (0, 65) sent without their check digit: the printer computes it, and a scanner reads it.
    if ((m === 2 || m === 67) && /^\d{12}$/.test(decoded)) decoded += ean13CheckDigit(decoded);
    if ((m === 0 || m === 65) && /^\d{11}$/.test(decoded)) decoded += ean13CheckDigit(`0${decoded}`);
    this.flushLine(false);
    this.page.barcodes.push({ symbology: m, data: decoded });
    this.page.codes.push(decoded);
  }

  /** `GS ( k pL pH cn fn …`: cn 49 QR, 48 PDF417; fn 80 stores the data (after m), fn 81 prints it. */
  private symbol(c: Buffer): void {
    const cn = c[5];
    const fn = c[6];
    if (cn !== 0x31 && cn !== 0x30) return;
    const type = cn === 0x31 ? 'qr' : 'pdf417';
    if (fn === 0x50) this.storedSymbol = { type, data: c.subarray(8).toString('latin1') };
    else if (fn === 0x51 && this.storedSymbol?.type === type) {
      this.flushLine(false);
      this.page.symbols.push(this.storedSymbol);
      this.page.codes.push(this.storedSymbol.data);
    }
  }

  /**
   * `GS ( L` / `GS 8 L` with `m fn` after the length: fn 112 stores a raster
   * in the print buffer (a bx by c xL xH yL yH d…), fn 50 prints it, fn 69
   * prints an NV graphic; the other functions define or delete and print
   * nothing.
   */
  private graphics(command: string, c: Buffer, at: number): void {
    const fn = c[at + 1];
    if (fn === 112 || fn === 0x70) {
      const width = u16(c, at + 6);
      const height = u16(c, at + 8);
      this.storedGraphics = { kind: 'graphics', command, width, height, raster: Uint8Array.from(c.subarray(at + 10)) };
    } else if (fn === 50 || fn === 2) {
      if (this.storedGraphics) this.image(this.storedGraphics);
      this.storedGraphics = null;
    } else if (fn === 69) {
      this.image({ kind: 'nv', command, width: 0, height: 0 });
    }
  }
}

/** The engine at the far end of a pty (the device side of a socat pair). */
export class SerialPrinterSimulator {
  readonly engine: EscPosPrinterEngine;
  private offOutput: (() => void) | null = null;

  constructor(
    private readonly port: ByteTransport,
    profile?: PrinterProfile,
  ) {
    this.engine = new EscPosPrinterEngine(profile);
  }

  async open(): Promise<void> {
    await this.port.open();
    this.port.onData((bytes) => this.engine.receive(bytes));
    this.offOutput = this.engine.addOutput((bytes) => void this.port.write(bytes).catch(() => undefined));
  }

  async close(): Promise<void> {
    this.offOutput?.();
    await this.port.close();
  }
}

/** A network printer on 127.0.0.1: the raw port 9100 protocol is the bytes themselves. */
export class TcpPrinterSimulator {
  readonly engine: EscPosPrinterEngine;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(profile?: PrinterProfile) {
    this.engine = new EscPosPrinterEngine(profile);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      const off = this.engine.addOutput((bytes) => socket.write(bytes));
      socket.on('data', (chunk: Buffer) => this.engine.receive(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        off();
        this.sockets.delete(socket);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  }

  /** Drops every client, as a printer switched off would. */
  dropClients(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
