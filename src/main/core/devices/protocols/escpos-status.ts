import { diagnostic, type ProtocolDiagnostic } from './diagnostic';
import type { RealtimeStatusQuery } from './escpos';

/**
 * Decoders for what an ESC/POS printer sends back (hardware.md §1.3): the
 * one-byte `DLE EOT n` replies, the 4-byte Automatic Status Back frames and
 * the `GS r 1` reply that closes a job.
 *
 * Printers answer late, or interleave ASB frames and XON/XOFF with replies,
 * so every byte is classified by its fixed bits (Citizen's "Identification of
 * Send Status", which ReceiptIO also follows) instead of assuming that the
 * next byte answers the last question.
 */

export interface PrinterStatus {
  online: boolean;
  coverOpen: boolean;
  paperOut: boolean;
  paperLow: boolean;
  error: boolean;
}

/** What one reply tells; a `DLE EOT 4` reply says nothing about the cover, for instance. */
export type PrinterStatusPatch = Partial<PrinterStatus>;

export const UNKNOWN_STATUS: PrinterStatus = { online: false, coverOpen: false, paperOut: false, paperLow: false, error: false };

export function applyStatus(current: PrinterStatus, patch: PrinterStatusPatch): PrinterStatus {
  return { ...current, ...patch };
}

/** Every `DLE EOT` reply has bits 1 and 4 set and bits 0 and 7 clear. */
export function isRealtimeReply(byte: number): boolean {
  return (byte & 0x93) === 0x12;
}

/** The first byte of an ASB frame is `0xx1xx00`. */
export function isAsbFirstByte(byte: number): boolean {
  return (byte & 0x93) === 0x10;
}

/** ASB bytes 2–4 and `GS r` replies are `0xx0xxxx`. */
export function isStatusDataByte(byte: number): boolean {
  return (byte & 0x90) === 0;
}

export const XON = 0x11;
export const XOFF = 0x13;

export interface RealtimeDetails {
  drawerHigh?: boolean;
  waitingForRecovery?: boolean;
  feedButton?: boolean;
  paperEndStop?: boolean;
  mechanicalError?: boolean;
  autocutterError?: boolean;
  unrecoverableError?: boolean;
  autoRecoverableError?: boolean;
}

export type RealtimeDecode =
  | { ok: true; status: PrinterStatusPatch; details: RealtimeDetails }
  | { ok: false; diagnostic: ProtocolDiagnostic };

/**
 * Decodes the reply to `DLE EOT n`. 0x16 to `DLE EOT 1` is "online, drawer pin
 * high" (the fixed bits 0x12 plus bit 2), not an error, whatever node-escpos
 * #288 assumed.
 */
export function decodeRealtimeStatus(n: RealtimeStatusQuery, byte: number): RealtimeDecode {
  if (!isRealtimeReply(byte)) {
    return { ok: false, diagnostic: diagnostic('not_a_status_reply', `byte 0x${byte.toString(16)} fails the DLE EOT mask (b & 0x93 = 0x12)`, Uint8Array.of(byte)) };
  }
  const bit = (mask: number) => (byte & mask) !== 0;
  switch (n) {
    case 1:
      return {
        ok: true,
        status: { online: !bit(0x08) },
        details: { drawerHigh: bit(0x04), waitingForRecovery: bit(0x20), feedButton: bit(0x40) },
      };
    case 2:
      return {
        ok: true,
        status: { coverOpen: bit(0x04), error: bit(0x40), ...(bit(0x20) ? { paperOut: true } : {}) },
        details: { feedButton: bit(0x08), paperEndStop: bit(0x20) },
      };
    case 3: {
      const details = { mechanicalError: bit(0x04), autocutterError: bit(0x08), unrecoverableError: bit(0x20), autoRecoverableError: bit(0x40) };
      return { ok: true, status: { error: (byte & 0x6c) !== 0 }, details };
    }
    case 4:
      return { ok: true, status: { paperLow: (byte & 0x0c) !== 0, paperOut: (byte & 0x60) !== 0 }, details: {} };
  }
}

/**
 * Decodes a 4-byte ASB frame into a full status. Error counts the mechanical,
 * autocutter, unrecoverable and auto-recoverable (head overheat) bits: each
 * stops printing while it lasts.
 */
export function decodeAsb(frame: ArrayLike<number>): { ok: true; status: PrinterStatus } | { ok: false; diagnostic: ProtocolDiagnostic } {
  const bytes = Uint8Array.from(frame);
  if (bytes.length !== 4 || !isAsbFirstByte(bytes[0]!) || !bytes.subarray(1).every(isStatusDataByte)) {
    return { ok: false, diagnostic: diagnostic('bad_asb_frame', 'not a 4-byte Automatic Status Back frame', bytes) };
  }
  const [b1, b2, b3] = [bytes[0]!, bytes[1]!, bytes[2]!];
  return {
    ok: true,
    status: {
      online: (b1 & 0x08) === 0,
      coverOpen: (b1 & 0x20) !== 0,
      error: (b2 & 0x6c) !== 0,
      paperLow: (b3 & 0x03) !== 0,
      paperOut: (b3 & 0x0c) !== 0,
    },
  };
}

/** Decodes the `GS r 1` reply: bits 0–1 paper near end, bits 2–3 paper end. */
export function decodePaperStatus(byte: number): { ok: true; status: PrinterStatusPatch } | { ok: false; diagnostic: ProtocolDiagnostic } {
  if (!isStatusDataByte(byte)) {
    return { ok: false, diagnostic: diagnostic('not_a_paper_reply', `byte 0x${byte.toString(16)} fails the GS r mask (b & 0x90 = 0)`, Uint8Array.of(byte)) };
  }
  return { ok: true, status: { paperLow: (byte & 0x03) !== 0, paperOut: (byte & 0x0c) !== 0 } };
}

export type PrinterReply =
  | { type: 'realtime'; query: RealtimeStatusQuery; byte: number; status: PrinterStatusPatch; details: RealtimeDetails }
  | { type: 'asb'; frame: Uint8Array; status: PrinterStatus }
  /** The `GS r 1` reply: every byte sent before it has been processed. */
  | { type: 'job_done'; byte: number; status: PrinterStatusPatch }
  | { type: 'flow'; xon: boolean }
  | ProtocolDiagnostic;

/**
 * A streaming classifier of the bytes a printer sends. Tell it which queries
 * are outstanding (`expectRealtime`, `expectPaperStatus`, in the order sent);
 * feed it whatever the transport delivers, in any chunking. Memory is bounded:
 * at most 3 pending ASB bytes and the queue of queries the caller made.
 */
export class PrinterReplyParser {
  private readonly realtimeQueue: RealtimeStatusQuery[] = [];
  private paperRepliesExpected = 0;
  private asb: number[] = [];
  private garbageCount = 0;
  private garbageSample: number[] = [];

  /** Call after writing `DLE EOT n`. */
  expectRealtime(n: RealtimeStatusQuery): void {
    this.realtimeQueue.push(n);
  }

  /** Call after writing `GS r 1` (the end of a job). */
  expectPaperStatus(): void {
    this.paperRepliesExpected++;
  }

  /** Forgets outstanding queries, e.g. after a reconnect. */
  reset(): void {
    this.forgetRealtime();
    this.forgetPaperReplies();
    this.asb = [];
  }

  /** Forgets `DLE EOT` questions a printer never answered. */
  forgetRealtime(): void {
    this.realtimeQueue.length = 0;
  }

  /** Forgets `GS r` questions whose replies can no longer come (the buffer holding them was cleared). */
  forgetPaperReplies(): void {
    this.paperRepliesExpected = 0;
  }

  get pendingQueries(): number {
    return this.realtimeQueue.length + this.paperRepliesExpected;
  }

  push(chunk: ArrayLike<number>): PrinterReply[] {
    const out: PrinterReply[] = [];
    for (let i = 0; i < chunk.length; i++) this.take(chunk[i]! & 0xff, out);
    this.flushGarbage(out);
    return out;
  }

  /** A run of junk is one diagnostic, not one per byte: a noisy line must not flood the log. */
  private flushGarbage(out: PrinterReply[]): void {
    if (this.garbageCount === 0) return;
    out.push(diagnostic('garbage', `${this.garbageCount} unexpected byte(s) from the printer`, Uint8Array.from(this.garbageSample)));
    this.garbageCount = 0;
    this.garbageSample = [];
  }

  private take(byte: number, out: PrinterReply[]): void {
    const event = this.classify(byte);
    if (event === 'garbage') {
      this.garbageCount++;
      if (this.garbageSample.length < 32) this.garbageSample.push(byte);
      return;
    }
    if (event.length > 0) this.flushGarbage(out);
    out.push(...event);
  }

  private classify(byte: number): PrinterReply[] | 'garbage' {
    const out: PrinterReply[] = [];
    if (this.asb.length > 0) {
      if (isStatusDataByte(byte)) {
        this.asb.push(byte);
        if (this.asb.length === 4) {
          const frame = Uint8Array.from(this.asb);
          this.asb = [];
          const decoded = decodeAsb(frame);
          out.push(decoded.ok ? { type: 'asb', frame, status: decoded.status } : decoded.diagnostic);
        }
        return out;
      }
      out.push(diagnostic('truncated_asb', `ASB frame cut after ${this.asb.length} byte(s)`, Uint8Array.from(this.asb)));
      this.asb = [];
    }
    if (byte === XON || byte === XOFF) {
      out.push({ type: 'flow', xon: byte === XON });
      return out;
    }
    if (isRealtimeReply(byte)) {
      const query = this.realtimeQueue.shift();
      if (query === undefined) {
        out.push(diagnostic('unsolicited_status', `status byte 0x${byte.toString(16)} with no DLE EOT outstanding`, Uint8Array.of(byte)));
        return out;
      }
      const decoded = decodeRealtimeStatus(query, byte);
      out.push(decoded.ok ? { type: 'realtime', query, byte, status: decoded.status, details: decoded.details } : decoded.diagnostic);
      return out;
    }
    if (isAsbFirstByte(byte)) {
      this.asb = [byte];
      return out;
    }
    if (isStatusDataByte(byte) && this.paperRepliesExpected > 0) {
      this.paperRepliesExpected--;
      const decoded = decodePaperStatus(byte);
      out.push(decoded.ok ? { type: 'job_done', byte, status: decoded.status } : decoded.diagnostic);
      return out;
    }
    if (out.length === 0) return 'garbage';
    out.push(diagnostic('garbage', `unexpected byte 0x${byte.toString(16)} from the printer`, Uint8Array.of(byte)));
    return out;
  }
}
