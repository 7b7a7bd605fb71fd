import { describe, expect, it } from 'vitest';
import { printerProfile, type PrinterProfileId } from '../../src/main/core/devices/printer-profiles';
import { EscPosBuilder } from '../../src/main/core/devices/protocols/escpos';
import { decodeText, encodeText, UNDEFINED_GLYPH } from '../../src/main/core/devices/protocols/escpos-codepages';
import { parseCommand } from '../../src/main/core/devices/protocols/escpos-parser';
import { EscPosPrinterEngine, type SimulatedPage } from '../../src/main/core/devices/simulators/printer-simulator';

/**
 * The simulator against streams our renderer never sends: each command's
 * parameters and data are bytes that would print as letters (0x41 « A »,
 * 0x0A LF, 0x1B ESC…) if a length were wrong, so any misparse shows in the
 * text.
 */

const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;
const LF = 0x0a;
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

function run(bytes: number[], profile: PrinterProfileId = 'epson-80'): { engine: EscPosPrinterEngine; page: SimulatedPage } {
  const engine = new EscPosPrinterEngine(printerProfile(profile));
  // One byte at a time: every length must also hold when the command arrives in pieces.
  for (const b of bytes) engine.receive(Uint8Array.of(b));
  expect(engine.buffered).toBe(0);
  return { engine, page: engine.printed[0]! };
}

/** Data that reads as text and commands if it is not skipped. */
const TRAP = [0x41, 0x42, LF, ESC, 0x40, GS, 0x56, 0x00, 0x43];

describe('the printer simulator parses ESC/POS by the Epson lengths', () => {
  it('images: GS v 0, GS 8 L and GS ( L graphics, ESC * bit images, FS p and GS / never print as text', () => {
    const raster = [GS, 0x76, 0x30, 0, 2, 0, 3, 0, ...TRAP.slice(0, 6)]; // 2 bytes × 3 rows
    const gfxData = [0x30, 0x70, 0x30, 1, 1, 0x31, 16, 0, 4, 0, ...TRAP.slice(0, 8)]; // 16 dots × 4 rows: 8 bytes
    const gs8 = [GS, 0x38, 0x4c, gfxData.length, 0, 0, 0, ...gfxData, GS, 0x28, 0x4c, 2, 0, 0x30, 0x32];
    const gsParen = [GS, 0x28, 0x4c, gfxData.length, 0, ...gfxData, GS, 0x28, 0x4c, 2, 0, 0x30, 0x32];
    const bitImage8 = [ESC, 0x2a, 0, 3, 0, ...TRAP.slice(0, 3), LF];
    const bitImage24 = [ESC, 0x2a, 33, 2, 0, ...TRAP.slice(0, 6), LF];
    const { page } = run([
      ...ascii('avant'),
      LF,
      ...raster,
      ...gs8,
      ...gsParen,
      ...bitImage8,
      ...bitImage24,
      FS,
      0x70,
      1,
      0,
      GS,
      0x2f,
      0,
      ...ascii('apres'),
      LF,
      GS,
      0x56,
      0,
    ]);
    // The two bit image bands take a line each, blank of text.
    expect(page.text).toBe('avant\n\n\napres\n');
    expect(page.images.map((i) => [i.kind, i.command, i.width, i.height])).toEqual([
      ['raster', 'GS v 0', 16, 3],
      ['graphics', 'GS 8 L', 16, 4],
      ['graphics', 'GS ( L', 16, 4],
      ['bit-image', 'ESC *', 6, 8],
      ['bit-image', 'ESC *', 2, 24],
      ['nv', 'FS p', 0, 0],
      ['downloaded', 'GS /', 0, 0],
    ]);
    expect(Array.from(page.images[0]!.raster!)).toEqual(TRAP.slice(0, 6));
    expect(page.unknown).toEqual([]);
  });

  it('barcodes in both GS k forms and the QR and PDF417 symbols of GS ( k', () => {
    const qrData = ascii('FIDELEM1:2000012000071');
    const qrStore = [GS, 0x28, 0x6b, qrData.length + 3, 0, 0x31, 0x50, 0x30, ...qrData];
    const pdfData = ascii('PDF\nLINE');
    const pdfStore = [GS, 0x28, 0x6b, pdfData.length + 3, 0, 0x30, 0x50, 0x30, ...pdfData];
    const { page } = run([
      GS, 0x6b, 2, ...ascii('400638133393'), 0, // form A EAN-13 without its check digit, NUL-terminated
      GS, 0x6b, 4, ...ascii('AB-12'), 0, // form A CODE39
      GS, 0x6b, 73, 10, ...ascii('{BAB{C'), 12, 34, 0x7b, 0x7b, // form B CODE128: « AB », « 1234 » in set C, then « { »
      GS, 0x6b, 67, 13, ...ascii('4006381333931'),
      ...qrStore,
      GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30,
      ...pdfStore,
      GS, 0x28, 0x6b, 3, 0, 0x30, 0x51, 0x30,
      GS, 0x56, 0x41, 0x03, // GS V 65 n: the feed byte is not text
    ]);
    expect(page.barcodes).toEqual([
      { symbology: 2, data: '4006381333931' },
      { symbology: 4, data: 'AB-12' },
      { symbology: 73, data: 'AB1234{' },
      { symbology: 67, data: '4006381333931' },
    ]);
    expect(page.symbols).toEqual([
      { type: 'qr', data: 'FIDELEM1:2000012000071' },
      { type: 'pdf417', data: 'PDF\nLINE' },
    ]);
    expect(page.text).toBe('');
    expect(page.cut).toEqual({ command: 'GS V', partial: false });
  });

  it.each([
    [[GS, 0x56, 0], 'GS V', false],
    [[GS, 0x56, 1], 'GS V', true],
    [[GS, 0x56, 48], 'GS V', false],
    [[GS, 0x56, 49], 'GS V', true],
    [[GS, 0x56, 65, 0x41], 'GS V', false],
    [[GS, 0x56, 66, 0x41], 'GS V', true],
    [[GS, 0x56, 97, 0x41], 'GS V', false],
    [[GS, 0x56, 98, 0x41], 'GS V', true],
    [[GS, 0x56, 103, 0x41], 'GS V', false],
    [[GS, 0x56, 104, 0x41], 'GS V', true],
    [[ESC, 0x69], 'ESC i', true],
    [[ESC, 0x6d], 'ESC m', true],
  ] as const)('cut %j: one page, cut as %s (partial: %s), its parameter not printed', (cut, command, partial) => {
    const { engine, page } = run([...ascii('ticket'), LF, ...cut, ...ascii('suite'), LF, GS, 0x56, 0]);
    expect(engine.printed).toHaveLength(2);
    expect(page).toMatchObject({ text: 'ticket\n', cut: { command, partial } });
    expect(engine.printed[1]!.text).toBe('suite\n');
  });

  it('tabs (HT, ESC D) and positions (ESC $, ESC \\, GS L, GS W) place the text in dots', () => {
    const { page } = run([
      ...ascii('a'), 0x09, ...ascii('b'), LF, // default tab stop: 8 characters of 12 dots
      ESC, 0x44, 4, 10, 0, ...ascii('x'), 0x09, ...ascii('y'), 0x09, ...ascii('z'), LF,
      ESC, 0x24, 120, 0, ...ascii('p'), ESC, 0x5c, 0xe8, 0xff, ...ascii('q'), LF, // absolute 120 dots, then 24 dots back
      GS, 0x4c, 60, 0, GS, 0x57, 120, 0, ...ascii('0123456789ABCDE'), LF, // 10 characters fit the 120-dot area
      GS, 0x56, 0,
    ]);
    expect(page.lines.slice(0, 3)).toEqual([
      { text: 'a       b', dots: 9 * 12 },
      { text: 'x   y     z', dots: 11 * 12 },
      { text: `${' '.repeat(9)}qp`, dots: 11 * 12 },
    ]);
    expect(page.lines.slice(3).map((l) => l.text)).toEqual(['0123456789', 'ABCDE']);
    expect(page.lines[3]!.dots).toBe(60 + 120);
    expect(page.wrapped).toBe(1);
  });

  it('fonts and sizes: widths in dots for Font A, Font B (ESC M, ESC !) and double width (GS !, ESC !)', () => {
    const { page } = run([
      ...ascii('abcd'), LF,
      ESC, 0x4d, 1, ...ascii('abcd'), LF,
      GS, 0x21, 0x10, ...ascii('abcd'), LF,
      ESC, 0x21, 0x21, ...ascii('abcd'), LF,
      ESC, 0x20, 3, ESC, 0x21, 0, ...ascii('abcd'), LF,
      GS, 0x56, 0,
    ]);
    expect(page.lines.map((l) => l.dots)).toEqual([48, 36, 72, 72, 60]);
  });

  it('code tables: ESC t in the vendor numbering, text decoded through the selected page', () => {
    const bytes = (page: 'pc437' | 'pc850' | 'pc858' | 'wpc1252', text: string) => Array.from(encodeText(text, page).bytes);
    const stream = [
      ...bytes('pc437', 'Ça coûte £5'), LF, // power-on page: PC437
      ESC, 0x74, 16, ...bytes('wpc1252', 'Œuf à 2 € – « bio »'), LF,
      ESC, 0x74, 2, ...bytes('pc850', 'Île Ø'), LF,
      ESC, 0x74, 19, ...bytes('pc858', 'Prix 5 €'), LF,
      ESC, 0x74, 1, 0x9c, 0x95, 0x95, 0x9d, LF, // Katakana page: receiptline's box rules
      ESC, 0x40, ...bytes('pc437', 'Ç'), LF, // ESC @ goes back to the power-on page
      ESC, 0x74, 99, 0xe9, LF,
      GS, 0x56, 0,
    ];
    const { page } = run(stream);
    expect(page.lines.map((l) => l.text)).toEqual(['Ça coûte £5', 'Œuf à 2 € – « bio »', 'Île Ø', 'Prix 5 €', '╭──╮', 'Ç', UNDEFINED_GLYPH]);
    expect(page.unknownCodeTables).toEqual([99]);
  });

  it('the same ESC t number means another page on another vendor: 2 is PC850 on an Epson, PC858 on a Citizen', () => {
    const job = new EscPosBuilder({ codePage: { page: 'pc858', table: 2 } }).initialize().line('Total 5 €').cut().bytes();
    expect(run(Array.from(job), 'citizen-80').page.text).toBe('Total 5 €\n');
    expect(run(Array.from(job), 'epson-80').page.text).toBe('Total 5 ı\n');
    expect(decodeText([0xd5], 'pc858')).toBe('€');
  });

  it('a Chinese clone left in Kanji mode prints accents as garbage; FS . cancels it', () => {
    const text = Array.from(encodeText('Crème', 'wpc1252').bytes);
    const inKanji = run([ESC, 0x40, ESC, 0x74, 16, ...text, LF, GS, 0x56, 0], 'xprinter-80').page;
    expect(inKanji.text).toContain(UNDEFINED_GLYPH);
    const cancelled = run([ESC, 0x40, ESC, 0x74, 16, FS, 0x2e, ...text, LF, GS, 0x56, 0], 'xprinter-80').page;
    expect(cancelled.text).toBe('Crème\n');
  });

  it('knows the length of every command it names, and flags the ones it does not know', () => {
    expect(parseCommand([GS, 0x38, 0x4c, 1, 0, 0, 0, 0x30], 0)).toEqual({ name: 'GS 8 L', length: 8, known: true });
    expect(parseCommand([GS, 0x38, 0x4c, 2, 0, 0, 0, 0x30], 0)).toBeNull();
    expect(parseCommand([ESC, 0x2a, 33, 1, 0, 1, 2], 0)).toBeNull();
    expect(parseCommand([ESC, 0x2a, 33, 1, 0, 1, 2, 3], 0)).toEqual({ name: 'ESC *', length: 8, known: true });
    expect(parseCommand([FS, 0x71, 1, 1, 0, 1, 0, ...new Array<number>(8).fill(0)], 0)).toEqual({ name: 'FS q', length: 15, known: true });
    const { page } = run([ESC, 0x7e, 0x41, ...ascii('ok'), LF, GS, 0x56, 0]);
    expect(page.unknown).toEqual(['1b7e41']);
    expect(page.text).toBe('ok\n');
  });
});
