import { describe, expect, it } from 'vitest';
import {
  ACK_FRAME,
  encodeCommand,
  encodeFrame,
  encodeResponse,
  ERROR_FRAME,
  getFirmwareVersion,
  inListPassiveTarget,
  isRandomUid,
  NACK_FRAME,
  parseFirmwareVersion,
  parsePassiveTargets,
  Pn532FrameParser,
  samConfiguration,
  setMaxRetries,
  uidToHex,
  wakeUpSequence,
  type Pn532Event,
} from '../../src/main/core/devices/protocols/pn532';

const hex = (s: string) => Uint8Array.from(s.trim().split(/\s+/).map((b) => parseInt(b, 16)));
const arr = (b: Uint8Array) => Array.from(b);

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
}

function frames(events: Pn532Event[]) {
  return events.filter((e): e is Extract<Pn532Event, { type: 'frame' }> => e.type === 'frame');
}

describe('PN532 frames from the host (UM0701-02 §6.2 vectors, hardware.md §3.1)', () => {
  it('builds GetFirmwareVersion as 00 00 FF 02 FE D4 02 2A 00', () => {
    expect(arr(getFirmwareVersion())).toEqual(arr(hex('00 00 FF 02 FE D4 02 2A 00')));
  });

  it('builds SAMConfiguration normal mode, 1 s timeout, IRQ as 00 00 FF 05 FB D4 14 01 14 01 02 00', () => {
    expect(arr(samConfiguration())).toEqual(arr(hex('00 00 FF 05 FB D4 14 01 14 01 02 00')));
  });

  it('builds RFConfiguration MaxRetries as 00 00 FF 06 FA D4 32 05 FF 01 02 F3 00', () => {
    expect(arr(setMaxRetries(0x02))).toEqual(arr(hex('00 00 FF 06 FA D4 32 05 FF 01 02 F3 00')));
  });

  it('builds InListPassiveTarget, 1 target, 106 kbps type A as 00 00 FF 04 FC D4 4A 01 00 E1 00', () => {
    expect(arr(inListPassiveTarget())).toEqual(arr(hex('00 00 FF 04 FC D4 4A 01 00 E1 00')));
  });

  it('reproduces the documented application error frame with the same checksum rules', () => {
    expect(arr(encodeFrame(0x7f, []))).toEqual(arr(ERROR_FRAME));
    expect(arr(ERROR_FRAME)).toEqual(arr(hex('00 00 FF 01 FF 7F 81 00')));
  });

  it('wakes the chip with 55 55 and a run of zeros', () => {
    expect(arr(wakeUpSequence())).toEqual([0x55, 0x55, ...new Array<number>(15).fill(0)]);
  });

  it('uses an extended frame past 255 bytes and refuses more than 265', () => {
    const big = encodeCommand(0x40, new Uint8Array(258));
    expect(arr(big.subarray(0, 8))).toEqual([0x00, 0x00, 0xff, 0xff, 0xff, 0x01, 0x04, (0x100 - 0x05) & 0xff]);
    const parsed = frames(new Pn532FrameParser().push(big));
    expect(parsed).toHaveLength(1);
    expect(parsed[0]).toMatchObject({ tfi: 0xd4, code: 0x40, extended: true });
    expect(parsed[0]!.params).toHaveLength(258);
    expect(() => encodeCommand(0x40, new Uint8Array(264))).toThrow(RangeError);
  });
});

describe('PN532 frames from the chip', () => {
  const firmwareReply = hex('00 00 FF 06 FA D5 03 32 01 06 07 E8 00');
  const oneCard = hex('00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 DE AD BE EF 96 00');
  const noCard = hex('00 00 FF 03 FD D5 4B 00 E0 00');

  it('parses ACK, NACK and error frames', () => {
    const parser = new Pn532FrameParser();
    expect(parser.push(ACK_FRAME)).toEqual([{ type: 'ack' }]);
    expect(parser.push(NACK_FRAME)).toEqual([{ type: 'nack' }]);
    expect(parser.push(ERROR_FRAME)).toEqual([{ type: 'error_frame' }]);
    expect(parser.buffered).toBe(0);
  });

  it('parses ACK then the GetFirmwareVersion reply (IC 32 = PN532, v1.6, support 07)', () => {
    expect(arr(encodeResponse(0x02, [0x32, 0x01, 0x06, 0x07]))).toEqual(arr(firmwareReply));
    const events = new Pn532FrameParser().push([...ACK_FRAME, ...firmwareReply]);
    expect(events[0]).toEqual({ type: 'ack' });
    const [reply] = frames(events);
    expect(reply).toMatchObject({ tfi: 0xd5, code: 0x03 });
    expect(parseFirmwareVersion(reply!.params)).toEqual({ ic: 0x32, version: 1, revision: 6, support: 7 });
  });

  it('parses a 4-byte UID (MIFARE Classic: ATQA 00 04, SAK 08)', () => {
    const [reply] = frames(new Pn532FrameParser().push(oneCard));
    expect(reply!.code).toBe(0x4b);
    const targets = parsePassiveTargets(reply!.params);
    expect(Array.isArray(targets)).toBe(true);
    if (!Array.isArray(targets)) return;
    expect(targets).toHaveLength(1);
    expect(targets[0]!.tg).toBe(1);
    expect(arr(targets[0]!.atqa)).toEqual([0x00, 0x04]);
    expect(targets[0]!.sak).toBe(0x08);
    expect(uidToHex(targets[0]!.uid)).toBe('DEADBEEF');
  });

  it('parses a 7-byte UID (NTAG: D5 4B 01 01 00 44 00 07 04 33 18 EA 70 32 80)', () => {
    const frame = encodeFrame(0xd5, hex('4B 01 01 00 44 00 07 04 33 18 EA 70 32 80'));
    const [reply] = frames(new Pn532FrameParser().push(frame));
    const targets = parsePassiveTargets(reply!.params);
    if (!Array.isArray(targets)) throw new Error(targets.detail);
    expect(uidToHex(targets[0]!.uid)).toBe('043318EA703280');
    expect(arr(targets[0]!.atqa)).toEqual([0x00, 0x44]);
    expect(targets[0]!.sak).toBe(0x00);
    expect(isRandomUid(targets[0]!.uid)).toBe(false);
  });

  it('parses "no card" as an empty target list', () => {
    const [reply] = frames(new Pn532FrameParser().push(noCard));
    expect(parsePassiveTargets(reply!.params)).toEqual([]);
  });

  it('reads the ATS of an ISO 14443-4 target (SAK 20), such as a phone', () => {
    const targets = parsePassiveTargets(hex('01 01 00 04 20 04 08 11 22 33 06 75 77 81 02 80'));
    if (!Array.isArray(targets)) throw new Error(targets.detail);
    expect(uidToHex(targets[0]!.uid)).toBe('08112233');
    expect(arr(targets[0]!.ats!)).toEqual([0x75, 0x77, 0x81, 0x02, 0x80]);
    expect(isRandomUid(targets[0]!.uid)).toBe(true);
  });

  it('reports malformed target lists as diagnostics', () => {
    for (const bad of ['', '03', '01 01 00 04', '01 01 00 04 08 05 01 02 03 04 05', '01 01 00 04 08 04 DE AD', '01 01 00 04 08 04 DE AD BE EF 99']) {
      const result = parsePassiveTargets(hex(bad || '00').subarray(bad ? 0 : 1));
      expect(Array.isArray(result), bad).toBe(false);
    }
    expect('type' in parseFirmwareVersion(hex('32 01'))).toBe(true);
  });

  it('gives the same frames fed one byte at a time', () => {
    const stream = [...ACK_FRAME, ...oneCard, ...NACK_FRAME, ...noCard];
    const parser = new Pn532FrameParser();
    const events = stream.flatMap((b) => parser.push([b]));
    expect(events.map((e) => e.type)).toEqual(['ack', 'frame', 'nack', 'frame']);
  });

  it('skips garbage before a start code and reports it', () => {
    const events = new Pn532FrameParser().push([0x12, 0x34, 0xfe, ...ACK_FRAME]);
    expect(events).toMatchObject([{ type: 'diagnostic', code: 'garbage' }, { type: 'ack' }]);
  });

  it('reports the wake-up preamble (the simulator side sees it before SAMConfiguration)', () => {
    const events = new Pn532FrameParser().push([...wakeUpSequence(), ...samConfiguration()]);
    expect(events.map((e) => e.type)).toEqual(['wakeup', 'frame']);
    expect(frames(events)[0]).toMatchObject({ tfi: 0xd4, code: 0x14 });
  });

  it('reports a bad length checksum and a bad data checksum, then finds the next frame', () => {
    const badLcs = hex('00 00 FF 0C F5 D5 4B 00');
    const badDcs = Uint8Array.from(oneCard);
    badDcs[badDcs.length - 2] = 0x97;
    const events = new Pn532FrameParser().push([...badLcs, ...badDcs, ...ACK_FRAME]);
    const codes = events.map((e) => (e.type === 'diagnostic' ? e.code : e.type));
    expect(codes[0]).toBe('bad_length_checksum');
    expect(codes).toContain('bad_checksum');
    expect(codes[codes.length - 1]).toBe('ack');
    expect(frames(events)).toHaveLength(0);
  });

  it('reports a frame cut short by the next one, and still parses the next one', () => {
    const cut = oneCard.subarray(0, 12);
    const events = new Pn532FrameParser().push([...cut, ...firmwareReply]);
    expect(events.some((e) => e.type === 'diagnostic' && e.code === 'truncated')).toBe(true);
    expect(frames(events).map((f) => f.code)).toEqual([0x03]);
  });

  it('reports a frame left incomplete when the chip goes quiet (flush on timeout)', () => {
    const parser = new Pn532FrameParser();
    expect(parser.push(oneCard.subarray(0, 10))).toEqual([]);
    expect(parser.flush()).toMatchObject([{ type: 'diagnostic', code: 'truncated' }]);
    expect(parser.buffered).toBe(0);
    expect(parser.push(ACK_FRAME)).toEqual([{ type: 'ack' }]);
  });

  it('survives random bytes in random chunks: no throw, bounded buffer, and recovers', () => {
    const next = prng(7);
    const parser = new Pn532FrameParser();
    let diagnostics = 0;
    for (let round = 0; round < 3000; round++) {
      const chunk = Array.from({ length: next() % 48 }, next);
      // Start codes are rare in random bytes; salt some in so the checksum paths run.
      if (round % 5 === 0) chunk.push(0x00, 0xff, next(), next());
      for (const event of parser.push(chunk)) if (event.type === 'diagnostic') diagnostics++;
      expect(parser.buffered).toBeLessThanOrEqual(8 + 265 + 2 + 52);
    }
    expect(diagnostics).toBeGreaterThan(0);
    parser.flush();
    expect(parser.push(oneCard).map((e) => e.type)).toEqual(['frame']);
  });
});

describe('random UIDs', () => {
  it('takes a 4-byte UID starting with 08 as random (phones), any other as a card', () => {
    expect(isRandomUid(hex('08 12 34 56'))).toBe(true);
    expect(isRandomUid(hex('DE AD BE EF'))).toBe(false);
    expect(isRandomUid(hex('04 33 18 EA 70 32 80'))).toBe(false);
    expect(isRandomUid(hex('08 33 18 EA 70 32 80'))).toBe(false);
  });
});
