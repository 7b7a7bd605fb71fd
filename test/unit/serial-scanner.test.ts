import { describe, expect, it } from 'vitest';
import { SerialScannerDecoder, type SerialScanEvent } from '../../src/main/core/devices/protocols/serial-scanner';
import { makeCardNumber } from '../../src/shared/domain/card-number';

const enc = (s: string) => Array.from(new TextEncoder().encode(s));
const scans = (events: SerialScanEvent[]) => events.filter((e): e is Extract<SerialScanEvent, { type: 'scan' }> => e.type === 'scan');
const codes = (events: SerialScanEvent[]) => events.map((e) => (e.type === 'diagnostic' ? e.code : e.type));

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
}

const card = makeCardNumber(12, 7);

describe('serial scanner framing', () => {
  it('strips the AIM identifier and reports the symbology: ]E0 EAN-13, ]Q1 QR, ]C0 Code 128', () => {
    const decoder = new SerialScannerDecoder();
    const events = decoder.push(enc(`]E0${card}\r]Q1FIDELE:1:${card}\r]C0ABC-123\r`));
    expect(scans(events)).toEqual([
      { type: 'scan', data: card, symbology: { aim: ']E0', name: 'EAN-13' } },
      { type: 'scan', data: `FIDELE:1:${card}`, symbology: { aim: ']Q1', name: 'QR' } },
      { type: 'scan', data: 'ABC-123', symbology: { aim: ']C0', name: 'Code 128' } },
    ]);
  });

  it('keeps data without an AIM identifier as it is', () => {
    expect(scans(new SerialScannerDecoder().push(enc(`${card}\r`)))).toEqual([{ type: 'scan', data: card }]);
    // A "]" not followed by an identifier is data.
    expect(scans(new SerialScannerDecoder().push(enc(']!x\r')))[0]!.data).toBe(']!x');
  });

  it('accepts CR, LF or CR LF whatever the suffix setting, without empty scans', () => {
    for (const suffix of ['CR', 'LF', 'CRLF'] as const) {
      const events = new SerialScannerDecoder({ suffix }).push(enc(`${card}\r\n${card}\n${card}\r`));
      expect(codes(events), suffix).toEqual(['scan', 'scan', 'scan']);
    }
  });

  it('assembles a scan split across chunks, down to one byte at a time', () => {
    const decoder = new SerialScannerDecoder({ suffix: 'CRLF' });
    const events = enc(`]E0${card}\r\n`).flatMap((b) => decoder.push([b]));
    expect(scans(events)).toEqual([{ type: 'scan', data: card, symbology: { aim: ']E0', name: 'EAN-13' } }]);
    expect(decoder.buffered).toBe(0);
  });

  it('supports TAB and custom byte suffixes, even split between chunks', () => {
    expect(scans(new SerialScannerDecoder({ suffix: 'TAB' }).push(enc(`${card}\t`)))).toHaveLength(1);
    const etx = new SerialScannerDecoder({ suffix: Uint8Array.of(0x03) });
    expect(scans(etx.push([...enc(card), 0x03]))[0]!.data).toBe(card);
    const hashes = new SerialScannerDecoder({ suffix: Uint8Array.of(0x23, 0x23) });
    const events = [...hashes.push(enc(`${card}#`)), ...hashes.push(enc(`#${card}##`))];
    expect(scans(events).map((s) => s.data)).toEqual([card, card]);
  });

  it('requires the configured prefix, and reports bytes before it', () => {
    const decoder = new SerialScannerDecoder({ prefix: Uint8Array.of(0x02) });
    expect(scans(decoder.push([0x02, ...enc(`${card}\r`)]))[0]!.data).toBe(card);
    expect(codes(decoder.push(enc(`${card}\r`)))).toEqual(['missing_prefix']);
    expect(codes(decoder.push([0x41, 0x42, 0x02, ...enc(`${card}\r`)]))).toEqual(['garbage', 'scan']);
    const text = new SerialScannerDecoder({ prefix: 'SCN:' });
    expect(scans(text.push(enc(`SCN:]E0${card}\r`)))[0]).toMatchObject({ data: card, symbology: { aim: ']E0' } });
  });

  it('ends frames on flush() for scanners without a suffix', () => {
    const decoder = new SerialScannerDecoder({ suffix: 'none' });
    expect(decoder.push(enc(`]E0${card}`))).toEqual([]);
    expect(scans(decoder.flush())[0]!.data).toBe(card);
    expect(decoder.flush()).toEqual([]);
  });

  it('reports a partial frame as truncated when the line goes quiet', () => {
    const decoder = new SerialScannerDecoder();
    decoder.push(enc('0400'));
    expect(codes(decoder.flush())).toEqual(['truncated']);
    expect(scans(decoder.push(enc(`${card}\r`)))).toHaveLength(1);
  });

  it('drops frames that are not text: invalid UTF-8, control bytes', () => {
    const decoder = new SerialScannerDecoder();
    expect(codes(decoder.push([0xff, 0xfe, 0x41, 0x0d]))).toEqual(['bad_encoding']);
    expect(codes(decoder.push([0x41, 0x07, 0x42, 0x0d]))).toEqual(['unprintable']);
    expect(codes(decoder.push(enc(']E0\r')))).toEqual(['empty']);
    // GS separates GS1 fields: it is data, not noise.
    expect(scans(decoder.push(enc(']C1010123456789012\x1d10ABC\r')))[0]!.data).toBe('010123456789012\x1d10ABC');
    // UTF-8 QR payloads come through.
    expect(scans(decoder.push(enc(']Q1Hélène €\r')))[0]!.data).toBe('Hélène €');
  });

  it('guards against a flood: bounded buffer, one overflow diagnostic, then back to normal', () => {
    const decoder = new SerialScannerDecoder({ maxLength: 64 });
    const events: SerialScanEvent[] = [];
    for (let i = 0; i < 1000; i++) {
      events.push(...decoder.push(new Uint8Array(1000).fill(0x41)));
      expect(decoder.buffered).toBeLessThanOrEqual(64 + 3);
    }
    events.push(...decoder.push(enc(`\r${card}\r`)));
    expect(codes(events)).toEqual(['overflow', 'scan']);
    expect(codes(decoder.push(enc(`${'9'.repeat(65)}\r`)))).toEqual(['overflow']);
  });

  it('survives random bytes in random chunks: no throw, every scan printable text', () => {
    const next = prng(1234);
    const decoder = new SerialScannerDecoder({ maxLength: 128 });
    for (let round = 0; round < 3000; round++) {
      const chunk = Array.from({ length: next() % 80 }, next);
      const events = [...decoder.push(chunk), ...(round % 50 === 0 ? decoder.flush() : [])];
      for (const scan of scans(events)) {
        expect(scan.data.length).toBeGreaterThan(0);
        // eslint-disable-next-line no-control-regex
        expect(scan.data).not.toMatch(/[\x00-\x1c\x1f\x7f]/);
      }
      expect(decoder.buffered).toBeLessThanOrEqual(128 + 3);
    }
    expect(scans(decoder.push(enc(`\r]E0${card}\r`)))).toHaveLength(1);
  });
});
