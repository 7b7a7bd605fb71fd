import { deflateSync } from 'node:zlib';
import receiptline from 'receiptline';
import { describe, expect, it } from 'vitest';
import { printerProfile, type PrinterProfileId } from '../../src/main/core/devices/printer-profiles';
import { UNDEFINED_GLYPH } from '../../src/main/core/devices/protocols/escpos-codepages';
import { EscPosPrinterEngine, type SimulatedPage } from '../../src/main/core/devices/simulators/printer-simulator';
import { readQr } from '../fakes/qr-reader';

/**
 * The printer simulator fed by receiptline, an ESC/POS generator that is not
 * ours: its streams use commands our renderer never sends (GS 8 L and GS v 0
 * images, GS ( L, ESC $ / ESC \ positions, GS L / GS W print areas, FS ( A,
 * FS C, the Katakana page for rules, GS V 66 with its feed byte). What the
 * simulator reads back must be what the document says.
 */

const QR_URL = 'https://fidele.example/c/2000012000071';
const EAN = '4006381333931';

/** A 16×8 black-and-white PNG: a frame with a diagonal, so that any misplaced byte shows. */
const IMAGE_W = 16;
const IMAGE_H = 8;
const pixel = (x: number, y: number) => x === 0 || y === 0 || x === IMAGE_W - 1 || y === IMAGE_H - 1 || x === 2 * y;

function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function testPng(): string {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(IMAGE_W, 0);
  header.writeUInt32BE(IMAGE_H, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  const rows: number[] = [];
  for (let y = 0; y < IMAGE_H; y++) {
    rows.push(0); // filter: none
    for (let x = 0; x < IMAGE_W; x++) rows.push(pixel(x, y) ? 0 : 255);
  }
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.from(rows))),
    pngChunk('IEND', new Uint8Array()),
  ]);
  return png.toString('base64');
}

type Encoding = 'cp1252' | 'cp858' | 'cp437';

/** Two priced lines each code page can print (œ only in WPC1252, € not in PC437). */
const ITEMS: Record<Encoding, [string, string][]> = {
  cp1252: [
    ['Crème brûlée', '4,50 €'],
    ['Œufs « bio » …', '3,20 €'],
  ],
  cp858: [
    ['Crème brûlée', '4,50 €'],
    ['Île flottante', '3,20 €'],
  ],
  cp437: [
    ['Crème brûlée', '4,50 F'],
    ['Ça coûte', '3,20 £'],
  ],
};

function document(encoding: Encoding): string {
  return [
    '^^^Fidèle Épicerie',
    '12, rue de la République',
    '---',
    ...ITEMS[encoding].map(([label, price]) => `${label} | ${price}`),
    '"Total" | "7,70"',
    `{code:${EAN}; option:ean,hri}`,
    '{code:FIDELE-12345; option:code128,2,72,hri}',
    `{code:${QR_URL}; option:qrcode,4,m}`,
    `{image:${testPng()}}`,
    '|Merci de votre visite !|',
    '',
  ].join('\n');
}

function print(stream: string, profile: PrinterProfileId = 'epson-80'): { engine: EscPosPrinterEngine; page: SimulatedPage } {
  const engine = new EscPosPrinterEngine(printerProfile(profile));
  // Byte by byte in places: a command split across reads must not change what is printed.
  const bytes = Buffer.from(stream, 'binary');
  engine.receive(bytes.subarray(0, 7));
  for (let i = 7; i < 40; i++) engine.receive(bytes.subarray(i, i + 1));
  engine.receive(bytes.subarray(40));
  expect(engine.printed).toHaveLength(1);
  return { engine, page: engine.printed[0]! };
}

const trimmed = (page: SimulatedPage) => page.lines.map((l) => l.text.trim()).filter((t) => t.length > 0);

describe('the printer simulator reads receipts made by receiptline', () => {
  const cases = (['escpos', 'generic', 'citizen'] as const).flatMap((command) => (['cp1252', 'cp858', 'cp437'] as const).map((encoding) => [command, encoding] as const));

  it.each(cases)('%s commands in %s: the text, the barcodes, the QR payload, the image and one cut, nothing else', (command, encoding) => {
    const stream = receiptline.transform(document(encoding), { command, cpl: 42, encoding, gradient: false });
    const { engine, page } = print(stream);

    expect(trimmed(page)).toEqual([
      'Fidèle Épicerie',
      '12, rue de la République',
      '─'.repeat(42),
      ...ITEMS[encoding].map(([label, price]) => expect.stringMatching(new RegExp(`^${label} +${price}$`))),
      expect.stringMatching(/^Total +7,70$/),
      'Merci de votre visite !',
    ]);
    // The store name at double width takes twice the dots of its characters.
    const name = page.lines.find((l) => l.text.trim() === 'Fidèle Épicerie')!;
    expect(name.dots).toBeGreaterThanOrEqual('Fidèle Épicerie'.length * 24);
    expect(page.text).not.toContain(UNDEFINED_GLYPH);
    expect(page.text).not.toContain('?');
    expect(page.unknown).toEqual([]);
    expect(page.unknownCodeTables).toEqual([]);
    expect(page.wrapped).toBe(0);

    expect(page.barcodes).toEqual([
      { symbology: 67, data: EAN },
      { symbology: 73, data: 'FIDELE-12345' },
    ]);
    expect(page.images).toHaveLength(2);
    const [qr, image] = page.images;
    expect(readQr({ width: qr!.width, height: qr!.height, raster: qr!.raster! })).toBe(QR_URL);
    expect(image).toMatchObject({ width: Math.ceil(IMAGE_W / 8) * 8, height: IMAGE_H });
    const rowBytes = Math.ceil(IMAGE_W / 8);
    for (let y = 0; y < IMAGE_H; y++) {
      for (let x = 0; x < IMAGE_W; x++) {
        const bit = (image!.raster![y * rowBytes + (x >> 3)]! >> (7 - (x & 7))) & 1;
        expect(bit, `pixel ${x},${y}`).toBe(pixel(x, y) ? 1 : 0);
      }
    }

    expect(page.cut).toEqual({ command: 'GS V', partial: true });
    expect(engine.torn).toEqual([]);
    expect(engine.buffered).toBe(0);
  });

  it('a printer numbering its code pages otherwise prints garbage for the same stream: the vendor numbering matters', () => {
    // receiptline numbers PC858 as Epson does (ESC t 19); a Citizen has PC858 at 2 and nothing at 19.
    const stream = receiptline.transform(document('cp858'), { command: 'escpos', cpl: 42, encoding: 'cp858' });
    const epson = print(stream, 'epson-80').page;
    const citizen = print(stream, 'citizen-80').page;
    expect(epson.text).toContain('Crème brûlée');
    expect(citizen.unknownCodeTables).toContain(19);
    expect(citizen.text).toContain(`Cr${UNDEFINED_GLYPH}me br${UNDEFINED_GLYPH}l${UNDEFINED_GLYPH}e`);
  });

  it('42 columns of Font A overflow a 58 mm head, and the simulator shows the wrapped lines; 32 columns fit', () => {
    // receiptline always prints in Font A (ESC M 0): 42 × 12 = 504 dots, the head has 384.
    const wide = print(receiptline.transform(document('cp1252'), { command: 'escpos', cpl: 42, encoding: 'cp1252' }), 'epson-58').page;
    expect(wide.wrapped).toBeGreaterThan(0);
    const narrow = print(receiptline.transform(document('cp1252'), { command: 'escpos', cpl: 32, encoding: 'cp1252' }), 'epson-58').page;
    expect(narrow.wrapped).toBe(0);
    expect(Math.max(...narrow.lines.map((l) => l.dots))).toBeLessThanOrEqual(384);
  });
});
