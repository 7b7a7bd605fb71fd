import { describe, expect, it } from 'vitest';
import { buildHidPosReport, HidPosDecoder, type HidPosEvent } from '../../src/main/core/devices/protocols/hid-pos';

/**
 * Reports in the Honeywell HID POS layout (hardware.md §2.3), as node-hid
 * delivers them: report ID 02 first, then length, AIM identifier, data, the
 * vendor code at body byte 60 and the continuation flag at body byte 62.
 * There is no virtual HID device here, so the fixtures are written out byte
 * by byte from that layout rather than through the builder under test.
 */
function fixture(head: string, vendorCode: number, more: number): Uint8Array {
  const report = new Uint8Array(64);
  const bytes = head.trim().split(/\s+/).map((b) => parseInt(b, 16));
  report.set(bytes, 0);
  report[61] = vendorCode;
  report[63] = more;
  return report;
}

/** EAN-13 0400120000070 with AIM ]E0, vendor code 64h, and the CR the scanner appends. */
const EAN13_REPORT = fixture('02 0E 5D 45 30 30 34 30 30 31 32 30 30 30 30 30 37 30 0D', 0x64, 0);

const scans = (events: HidPosEvent[]) => events.filter((e): e is Extract<HidPosEvent, { type: 'scan' }> => e.type === 'scan');
const codes = (events: HidPosEvent[]) => events.map((e) => (e.type === 'diagnostic' ? e.code : e.type));

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
}

describe('HID POS (usage page 0x8C) input reports', () => {
  it('decodes a one-report EAN-13 scan: data, AIM symbology, vendor symbology, suffix stripped', () => {
    expect(new HidPosDecoder().push(EAN13_REPORT)).toEqual([
      { type: 'scan', data: '0400120000070', symbology: { aim: ']E0', name: 'EAN-13' }, vendorSymbology: 'EAN-13' },
    ]);
  });

  it('builds the same bytes as the fixture', () => {
    const built = buildHidPosReport(new TextEncoder().encode('0400120000070\r'), { aim: ']E0', vendorCode: 0x64 });
    expect(Array.from(built)).toEqual(Array.from(EAN13_REPORT));
  });

  it('concatenates reports while the continuation flag is set', () => {
    const payload = `FIDELE:1:0400120000070|${'x'.repeat(90)}`;
    const bytes = new TextEncoder().encode(payload);
    const decoder = new HidPosDecoder();
    const first = decoder.push(buildHidPosReport(bytes.subarray(0, 56), { aim: ']Q1', vendorCode: 0x73, more: true }));
    const second = decoder.push(buildHidPosReport(bytes.subarray(56, 112), { aim: ']Q1', vendorCode: 0x73, more: true }));
    const third = decoder.push(buildHidPosReport(bytes.subarray(112), { aim: ']Q1', vendorCode: 0x73 }));
    expect(first).toEqual([]);
    expect(second).toEqual([]);
    expect(scans(third)).toEqual([{ type: 'scan', data: payload, symbology: { aim: ']Q1', name: 'QR' }, vendorSymbology: 'QR' }]);
  });

  it('ignores other report IDs and short reports, with a diagnostic', () => {
    const decoder = new HidPosDecoder();
    expect(codes(decoder.push(fixture('04 01 41', 0, 0)))).toEqual(['other_report']);
    expect(codes(decoder.push(Uint8Array.of(0x02, 0x01)))).toEqual(['short_report']);
    expect(codes(decoder.push(new Uint8Array(0)))).toEqual(['empty_report']);
    expect(scans(decoder.push(EAN13_REPORT))).toHaveLength(1);
  });

  it('clamps a length byte larger than the data area and says so', () => {
    const report = fixture('02 FF 5D 45 30 41 42 43', 0, 0);
    const events = new HidPosDecoder().push(report);
    expect(codes(events)).toEqual(['bad_length', 'unprintable']);
  });

  it('bounds a scan whose continuation flag never clears', () => {
    const decoder = new HidPosDecoder({ maxLength: 1000 });
    const chunk = buildHidPosReport(new Uint8Array(56).fill(0x41), { more: true });
    for (let i = 0; i < 500; i++) expect(decoder.push(chunk)).toEqual([]);
    expect(codes(decoder.push(buildHidPosReport(new Uint8Array(4).fill(0x41))))).toEqual(['overflow']);
    expect(scans(decoder.push(EAN13_REPORT))).toHaveLength(1);
  });

  it('survives random reports: no throw, scans are printable text', () => {
    const next = prng(99);
    const decoder = new HidPosDecoder();
    for (let round = 0; round < 2000; round++) {
      const report = Uint8Array.from({ length: next() % 70 }, next);
      if (report.length > 0 && round % 2 === 0) report[0] = 0x02;
      for (const scan of scans(decoder.push(report))) {
        // eslint-disable-next-line no-control-regex
        expect(scan.data).not.toMatch(/[\x00-\x1c\x1f\x7f]/);
      }
    }
    decoder.reset();
    expect(scans(decoder.push(EAN13_REPORT))).toHaveLength(1);
  });
});
