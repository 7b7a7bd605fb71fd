import { describe, expect, it } from 'vitest';
import {
  automaticStatusBack,
  decodeWpc1252,
  encodeWpc1252,
  EscPosBuilder,
  realtimeStatusRequest,
} from '../../src/main/core/devices/protocols/escpos';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const bytesOf = (b: EscPosBuilder) => Array.from(b.bytes());

describe('ESC/POS initialisation', () => {
  it('sends ESC @ (1B 40) then ESC t 16 (1B 74 10, WPC1252) every time', () => {
    const job = new EscPosBuilder().initialize().text('a').initialize().bytes();
    expect(Array.from(job)).toEqual(Array.from(hex('1B 40 1B 74 10 61 1B 40 1B 74 10')));
  });

  it('cancels Kanji mode with FS . (1C 2E) for clones', () => {
    expect(bytesOf(new EscPosBuilder({ cancelKanji: true }).initialize())).toEqual(Array.from(hex('1B 40 1B 74 10 1C 2E')));
  });
});

describe('WPC1252 text', () => {
  it('maps € to 0x80 and the French accents to their Latin-1 bytes', () => {
    expect(Array.from(encodeWpc1252('€').bytes)).toEqual([0x80]);
    expect(Array.from(encodeWpc1252('é').bytes)).toEqual([0xe9]);
    expect(Array.from(encodeWpc1252('èàçùêôÉ').bytes)).toEqual(Array.from(hex('E8 E0 E7 F9 EA F4 C9')));
    expect(Array.from(encodeWpc1252('œŒ’…«»Ÿ').bytes)).toEqual(Array.from(hex('9C 8C 92 85 AB BB 9F')));
    expect(encodeWpc1252('Crème brûlée 5 €').replaced).toEqual([]);
  });

  it('composes decomposed accents before encoding', () => {
    expect(Array.from(encodeWpc1252('e\u0301').bytes)).toEqual([0xe9]);
  });

  it('replaces what it cannot print, and says so', () => {
    const coffee = encodeWpc1252('café ☕');
    expect(Array.from(coffee.bytes)).toEqual(Array.from(hex('63 61 66 E9 20 3F')));
    expect(coffee.replaced).toEqual(['☕']);
    // An accented letter outside WPC1252 keeps its base letter; a narrow no-break space becomes a space.
    const hungarian = encodeWpc1252('ő\u202f!');
    expect(Array.from(hungarian.bytes)).toEqual([0x6f, 0x20, 0x21]);
    expect(hungarian.replaced).toEqual(['ő', '\u202f']);
    expect(encodeWpc1252('😀').bytes).toHaveLength(1);
  });

  it('never lets a control byte through, so text cannot smuggle a real-time command', () => {
    const encoded = encodeWpc1252('a\x10\x04\x01\x1b@b');
    expect(Array.from(encoded.bytes)).toEqual(Array.from(hex('61 3F 3F 3F 3F 40 62')));
    expect(encoded.replaced).toHaveLength(4);
  });

  it('reads back what it wrote', () => {
    const text = "Bon d'achat 10 € : œufs, crème brûlée… « Zoë »";
    expect(decodeWpc1252(encodeWpc1252(text).bytes)).toBe(text);
  });

  it('collects replaced characters across a job', () => {
    const job = new EscPosBuilder().line('ok ☕').line('Łódź');
    expect(job.replaced).toEqual(['☕', 'Ł', 'ź']);
  });
});

describe('ESC/POS formatting commands', () => {
  it('encodes alignment, bold, size, feed and line feeds', () => {
    expect(bytesOf(new EscPosBuilder().align('center'))).toEqual([0x1b, 0x61, 0x01]);
    expect(bytesOf(new EscPosBuilder().align('right'))).toEqual([0x1b, 0x61, 0x02]);
    expect(bytesOf(new EscPosBuilder().bold(true).bold(false))).toEqual(Array.from(hex('1B 45 01 1B 45 00')));
    // GS ! 11 = double width and height; width in the high nibble (Epson).
    expect(bytesOf(new EscPosBuilder().size(2, 2))).toEqual([0x1d, 0x21, 0x11]);
    expect(bytesOf(new EscPosBuilder().size(2, 1))).toEqual([0x1d, 0x21, 0x10]);
    expect(bytesOf(new EscPosBuilder().size(1, 3))).toEqual([0x1d, 0x21, 0x02]);
    expect(bytesOf(new EscPosBuilder().feed(3))).toEqual([0x1b, 0x64, 0x03]);
    expect(bytesOf(new EscPosBuilder().line('é'))).toEqual([0xe9, 0x0a]);
    expect(bytesOf(new EscPosBuilder().text('a\nb'))).toEqual([0x61, 0x0a, 0x62]);
    expect(() => new EscPosBuilder().size(9, 1)).toThrow(RangeError);
  });

  it('feeds past the cutter then cuts (GS V 0 full, GS V 1 partial)', () => {
    expect(bytesOf(new EscPosBuilder().cut())).toEqual(Array.from(hex('1B 64 04 1D 56 00')));
    expect(bytesOf(new EscPosBuilder().cut({ feedLines: 2, partial: true }))).toEqual(Array.from(hex('1B 64 02 1D 56 01')));
  });

  it('requests status: GS r 1, DLE EOT n, GS a n', () => {
    expect(bytesOf(new EscPosBuilder().requestPaperStatus())).toEqual(Array.from(hex('1D 72 01')));
    for (const n of [1, 2, 3, 4] as const) expect(Array.from(realtimeStatusRequest(n))).toEqual([0x10, 0x04, n]);
    expect(Array.from(automaticStatusBack())).toEqual(Array.from(hex('1D 61 0F')));
    expect(Array.from(automaticStatusBack(0xff))).toEqual(Array.from(hex('1D 61 FF')));
    expect(Array.from(automaticStatusBack(0))).toEqual(Array.from(hex('1D 61 00')));
  });
});

describe('EAN-13 through GS k', () => {
  it('sets HRI below, height and module width, then GS k 67 13 and the digits', () => {
    const job = bytesOf(new EscPosBuilder().ean13('4006381333931', { height: 100, moduleWidth: 3 }));
    const digits = Array.from('4006381333931', (c) => c.charCodeAt(0));
    expect(job).toEqual([...hex('1D 48 02 1D 66 00 1D 68 64 1D 77 03 1D 6B 43 0D'), ...digits]);
  });

  it('refuses a wrong check digit or length rather than print an unreadable code', () => {
    expect(() => new EscPosBuilder().ean13('4006381333932')).toThrow(RangeError);
    expect(() => new EscPosBuilder().ean13('400638133393')).toThrow(RangeError);
  });
});

describe('QR code through the five GS ( k functions', () => {
  it('sends model 2, module size, error correction, store (pL pH = k + 3) and print', () => {
    const payload = 'FIDELE:1:0400120000070';
    const job = bytesOf(new EscPosBuilder().qr(payload, { moduleSize: 5, errorCorrection: 'M' }));
    const data = Array.from(payload, (c) => c.charCodeAt(0));
    const k = data.length + 3;
    expect(job).toEqual([
      ...hex('1D 28 6B 04 00 31 41 32 00'),
      ...hex('1D 28 6B 03 00 31 43 05'),
      ...hex('1D 28 6B 03 00 31 45 31'),
      0x1d, 0x28, 0x6b, k & 0xff, k >> 8, 0x31, 0x50, 0x30, ...data,
      ...hex('1D 28 6B 03 00 31 51 30'),
    ]);
  });

  it('computes pL/pH from the byte count past 255 bytes', () => {
    const job = new EscPosBuilder().qr('A'.repeat(300)).bytes();
    const store = job.findIndex((_, i) => job[i] === 0x1d && job[i + 5] === 0x31 && job[i + 6] === 0x50);
    // 300 + 3 = 303 = 0x012F
    expect([job[store + 3], job[store + 4]]).toEqual([0x2f, 0x01]);
  });

  it('refuses non-ASCII or empty payloads (their length would be ambiguous, their bytes unsafe)', () => {
    expect(() => new EscPosBuilder().qr('café')).toThrow(RangeError);
    expect(() => new EscPosBuilder().qr('')).toThrow(RangeError);
    expect(() => new EscPosBuilder().qr('a\x10\x04\x01')).toThrow(RangeError);
  });
});
