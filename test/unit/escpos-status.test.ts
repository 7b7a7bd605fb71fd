import { describe, expect, it } from 'vitest';
import {
  applyStatus,
  decodeAsb,
  decodePaperStatus,
  decodeRealtimeStatus,
  PrinterReplyParser,
  UNKNOWN_STATUS,
  type PrinterReply,
} from '../../src/main/core/devices/protocols/escpos-status';

function ok<T extends { ok: boolean }>(result: T): Extract<T, { ok: true }> {
  expect(result.ok).toBe(true);
  return result as Extract<T, { ok: true }>;
}

/** A deterministic byte source, so a failing fuzz case can be replayed. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s >>> 24;
  };
}

describe('DLE EOT replies (every reply matches b & 0x93 = 0x12)', () => {
  it('n = 1: 0x12 is online; 0x16 is online with the drawer pin high (node-escpos #288), 0x1A offline', () => {
    expect(ok(decodeRealtimeStatus(1, 0x12)).status).toEqual({ online: true });
    const drawer = ok(decodeRealtimeStatus(1, 0x16));
    expect(drawer.status).toEqual({ online: true });
    expect(drawer.details.drawerHigh).toBe(true);
    expect(ok(decodeRealtimeStatus(1, 0x1a)).status).toEqual({ online: false });
    expect(ok(decodeRealtimeStatus(1, 0x32)).details.waitingForRecovery).toBe(true);
  });

  it('n = 2: cover open (bit 2), paper-end stop (bit 5), error (bit 6)', () => {
    expect(ok(decodeRealtimeStatus(2, 0x12)).status).toEqual({ coverOpen: false, error: false });
    expect(ok(decodeRealtimeStatus(2, 0x16)).status).toEqual({ coverOpen: true, error: false });
    expect(ok(decodeRealtimeStatus(2, 0x32)).status).toEqual({ coverOpen: false, error: false, paperOut: true });
    expect(ok(decodeRealtimeStatus(2, 0x52)).status).toEqual({ coverOpen: false, error: true });
  });

  it('n = 3: autocutter, unrecoverable and auto-recoverable errors', () => {
    expect(ok(decodeRealtimeStatus(3, 0x12)).status).toEqual({ error: false });
    const cutter = ok(decodeRealtimeStatus(3, 0x1a));
    expect(cutter.status).toEqual({ error: true });
    expect(cutter.details.autocutterError).toBe(true);
    expect(ok(decodeRealtimeStatus(3, 0x52)).details.autoRecoverableError).toBe(true);
    expect(ok(decodeRealtimeStatus(3, 0x32)).details.unrecoverableError).toBe(true);
  });

  it('n = 4: 0x12 paper OK, 0x1E near end, 0x72 no paper (python-escpos constants)', () => {
    expect(ok(decodeRealtimeStatus(4, 0x12)).status).toEqual({ paperLow: false, paperOut: false });
    expect(ok(decodeRealtimeStatus(4, 0x1e)).status).toEqual({ paperLow: true, paperOut: false });
    expect(ok(decodeRealtimeStatus(4, 0x72)).status).toEqual({ paperLow: false, paperOut: true });
  });

  it('refuses a byte that fails the mask, as a diagnostic', () => {
    for (const byte of [0x00, 0x10, 0x13, 0x92, 0xff]) {
      const result = decodeRealtimeStatus(1, byte);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.diagnostic.code).toBe('not_a_status_reply');
    }
  });
});

describe('Automatic Status Back frames', () => {
  it('decodes cover, offline, errors and paper sensors', () => {
    expect(ok(decodeAsb([0x10, 0x00, 0x00, 0x00])).status).toEqual({ online: true, coverOpen: false, error: false, paperLow: false, paperOut: false });
    expect(ok(decodeAsb([0x18, 0x00, 0x00, 0x00])).status.online).toBe(false);
    expect(ok(decodeAsb([0x30, 0x00, 0x00, 0x00])).status.coverOpen).toBe(true);
    expect(ok(decodeAsb([0x10, 0x08, 0x00, 0x00])).status.error).toBe(true);
    expect(ok(decodeAsb([0x10, 0x20, 0x00, 0x00])).status.error).toBe(true);
    expect(ok(decodeAsb([0x10, 0x00, 0x03, 0x00])).status).toMatchObject({ paperLow: true, paperOut: false });
    expect(ok(decodeAsb([0x10, 0x00, 0x0f, 0x00])).status).toMatchObject({ paperLow: true, paperOut: true });
  });

  it('refuses frames of the wrong size or shape', () => {
    expect(decodeAsb([0x10, 0x00, 0x00]).ok).toBe(false);
    expect(decodeAsb([0x12, 0x00, 0x00, 0x00]).ok).toBe(false);
    expect(decodeAsb([0x10, 0x80, 0x00, 0x00]).ok).toBe(false);
  });
});

describe('GS r 1 replies', () => {
  it('decodes the paper sensors and refuses bytes with bit 4 or 7 set', () => {
    expect(ok(decodePaperStatus(0x00)).status).toEqual({ paperLow: false, paperOut: false });
    expect(ok(decodePaperStatus(0x03)).status).toEqual({ paperLow: true, paperOut: false });
    expect(ok(decodePaperStatus(0x0c)).status).toEqual({ paperLow: false, paperOut: true });
    expect(decodePaperStatus(0x12).ok).toBe(false);
  });
});

describe('the reply stream', () => {
  const interleaved = [0x11, 0x16, 0x30, 0x00, 0x00, 0x00, 0x1e, 0x13, 0x00];

  function expectInterleaved(replies: PrinterReply[]) {
    expect(replies.map((r) => r.type)).toEqual(['flow', 'realtime', 'asb', 'realtime', 'flow', 'job_done']);
    const [, first, asb, second, , done] = replies;
    expect(first).toMatchObject({ type: 'realtime', query: 1, status: { online: true } });
    expect(asb).toMatchObject({ type: 'asb', status: { coverOpen: true } });
    expect(second).toMatchObject({ type: 'realtime', query: 4, status: { paperLow: true } });
    expect(done).toMatchObject({ type: 'job_done', status: { paperOut: false } });
  }

  it('classifies interleaved XON, DLE EOT replies, ASB frames and the GS r reply', () => {
    const parser = new PrinterReplyParser();
    parser.expectRealtime(1);
    parser.expectRealtime(4);
    parser.expectPaperStatus();
    expectInterleaved(parser.push(interleaved));
    expect(parser.pendingQueries).toBe(0);
  });

  it('gives the same result fed one byte at a time', () => {
    const parser = new PrinterReplyParser();
    parser.expectRealtime(1);
    parser.expectRealtime(4);
    parser.expectPaperStatus();
    expectInterleaved(interleaved.flatMap((b) => parser.push([b])));
  });

  it('reports a status byte nobody asked for, a cut ASB frame, and junk, without losing the next reply', () => {
    const parser = new PrinterReplyParser();
    expect(parser.push([0x12])).toMatchObject([{ type: 'diagnostic', code: 'unsolicited_status' }]);
    parser.expectRealtime(2);
    const replies = parser.push([0x10, 0x00, 0x16]);
    expect(replies).toMatchObject([
      { type: 'diagnostic', code: 'truncated_asb' },
      { type: 'realtime', query: 2, status: { coverOpen: true } },
    ]);
    // Junk in one chunk is one diagnostic, not one per byte.
    const junk = parser.push([0x80, 0x81, 0xff, 0x05, 0x40]);
    expect(junk).toHaveLength(1);
    expect(junk[0]).toMatchObject({ type: 'diagnostic', code: 'garbage' });
  });

  it('forgets unanswered DLE EOT questions and a cleared GS r separately', () => {
    const parser = new PrinterReplyParser();
    parser.expectRealtime(1);
    parser.expectPaperStatus();
    parser.forgetRealtime();
    // The GS r question still stands: a late reply to an interrupted copy is still recognised.
    expect(parser.push([0x12, 0x00])).toMatchObject([
      { type: 'diagnostic', code: 'unsolicited_status' },
      { type: 'job_done', status: { paperOut: false } },
    ]);
    parser.expectRealtime(4);
    parser.expectPaperStatus();
    parser.forgetPaperReplies();
    expect(parser.push([0x12, 0x00])).toMatchObject([
      { type: 'realtime', query: 4 },
      { type: 'diagnostic', code: 'garbage' },
    ]);
    expect(parser.pendingQueries).toBe(0);
  });

  it('keeps a status as it changes', () => {
    let status = UNKNOWN_STATUS;
    status = applyStatus(status, ok(decodeRealtimeStatus(1, 0x12)).status);
    status = applyStatus(status, ok(decodeRealtimeStatus(4, 0x1e)).status);
    expect(status).toEqual({ online: true, coverOpen: false, paperOut: false, paperLow: true, error: false });
  });

  it('survives random bytes in random chunks: no throw, only known reply types, bounded state', () => {
    const next = prng(42);
    const parser = new PrinterReplyParser();
    const types = new Set<string>();
    for (let round = 0; round < 2000; round++) {
      if (round % 7 === 0) parser.expectRealtime(((round % 4) + 1) as 1 | 2 | 3 | 4);
      if (round % 11 === 0) parser.expectPaperStatus();
      const chunk = Array.from({ length: next() % 64 }, next);
      for (const reply of parser.push(chunk)) types.add(reply.type);
      expect(parser.pendingQueries).toBeLessThan(600);
    }
    expect([...types].every((t) => ['realtime', 'asb', 'job_done', 'flow', 'diagnostic'].includes(t))).toBe(true);
    expect(types.has('diagnostic')).toBe(true);
  });
});
