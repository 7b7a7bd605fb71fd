import { parseAimIdentifier, type Symbology } from './aim';
import { concatBytes, diagnostic, type ProtocolDiagnostic } from './diagnostic';

/**
 * Framing of serial (RS-232 or USB CDC-ACM) barcode scanners: optional prefix,
 * optional AIM identifier `]cm`, the data, a suffix (hardware.md §2.2).
 */

/**
 * `CR`, `LF` and `CRLF` all accept either line ending: a scanner set to CR LF
 * on a till configured for CR (or the reverse) still works, and the empty
 * frame between CR and LF is dropped. `none` is for scanners configured
 * without a suffix: a frame then ends when the caller, after an idle gap,
 * calls `flush()`.
 */
export type ScannerSuffix = 'CR' | 'LF' | 'CRLF' | 'TAB' | 'none' | Uint8Array;

export interface SerialScannerOptions {
  prefix?: string | Uint8Array;
  suffix?: ScannerSuffix;
  /** Longest data accepted (bytes); longer frames are dropped, so a flooding scanner cannot grow memory. */
  maxLength?: number;
}

export type SerialScanEvent =
  | {
      type: 'scan';
      /** The data, prefix, AIM identifier and suffix removed. */
      data: string;
      /** Present when the scanner sent an AIM identifier. */
      symbology?: Symbology;
    }
  | ProtocolDiagnostic;

export const DEFAULT_MAX_SCAN_LENGTH = 1024;

const CR = 0x0d;
const LF = 0x0a;
const TAB = 0x09;
/** GS and RS separate fields in GS1 and ISO 15434 data; other controls mean line noise. */
const ALLOWED_CONTROLS = new Set([0x1d, 0x1e]);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? new TextEncoder().encode(value) : value;
}

function indexOfSequence(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  outer: for (let i = from; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** A streaming decoder: feed chunks as the port delivers them, get scans and diagnostics. */
export class SerialScannerDecoder {
  private readonly prefix: Uint8Array;
  private readonly suffix: ScannerSuffix;
  private readonly maxLength: number;
  private buffer: Uint8Array = new Uint8Array(0);
  private discarding = false;
  private discarded = 0;

  constructor(options: SerialScannerOptions = {}) {
    this.prefix = toBytes(options.prefix ?? new Uint8Array(0));
    this.suffix = options.suffix ?? 'CR';
    this.maxLength = options.maxLength ?? DEFAULT_MAX_SCAN_LENGTH;
  }

  push(chunk: ArrayLike<number>): SerialScanEvent[] {
    const out: SerialScanEvent[] = [];
    let data = Uint8Array.from(chunk);
    for (;;) {
      const end = this.findDelimiter(data);
      if (end === null) break;
      const frame = concatBytes([this.buffer, data.subarray(0, end.at)]);
      this.buffer = new Uint8Array(0);
      data = data.subarray(end.at + end.length);
      if (this.discarding) {
        out.push(diagnostic('overflow', `dropped ${this.discarded + frame.length} bytes with no suffix within ${this.maxLength}`));
        this.discarding = false;
        this.discarded = 0;
      } else {
        this.decodeFrame(frame, out);
      }
    }
    if (this.discarding) {
      this.discarded += data.length;
      return out;
    }
    this.buffer = concatBytes([this.buffer, data]);
    if (this.buffer.length > this.maxLength + this.prefix.length + 3) {
      // Keep dropping until the next suffix: the frame boundary is lost.
      this.discarding = true;
      this.discarded = this.buffer.length;
      this.buffer = new Uint8Array(0);
    }
    return out;
  }

  /**
   * Call after an idle gap. Without a suffix the buffered bytes are a scan;
   * with one they are a partial frame (a cable pulled mid-scan) and are dropped.
   */
  flush(): SerialScanEvent[] {
    const out: SerialScanEvent[] = [];
    const pending = this.buffer;
    this.buffer = new Uint8Array(0);
    if (this.discarding) {
      out.push(diagnostic('overflow', `dropped ${this.discarded} bytes with no suffix within ${this.maxLength}`));
      this.discarding = false;
      this.discarded = 0;
      return out;
    }
    if (pending.length === 0) return out;
    if (this.suffix === 'none') this.decodeFrame(pending, out);
    else if (!isLineNoise(pending)) out.push(diagnostic('truncated', `partial frame of ${pending.length} byte(s) without a suffix`, pending));
    return out;
  }

  get buffered(): number {
    return this.buffer.length;
  }

  private findDelimiter(data: Uint8Array): { at: number; length: number } | null {
    const suffix = this.suffix;
    if (suffix === 'none') return null;
    if (suffix === 'CR' || suffix === 'LF' || suffix === 'CRLF') {
      const at = data.findIndex((b) => b === CR || b === LF);
      return at < 0 ? null : { at, length: 1 };
    }
    if (suffix === 'TAB') {
      const at = data.indexOf(TAB);
      return at < 0 ? null : { at, length: 1 };
    }
    // A custom suffix may straddle two chunks: search the tail of the buffer too.
    const joined = concatBytes([this.buffer.subarray(Math.max(0, this.buffer.length - suffix.length + 1)), data]);
    const offset = joined.length - data.length;
    const at = indexOfSequence(joined, suffix);
    if (at < 0) return null;
    if (at < offset) {
      // The suffix began in the buffer: trim the buffered part of it.
      this.buffer = this.buffer.subarray(0, this.buffer.length - (offset - at));
      return { at: 0, length: suffix.length - (offset - at) };
    }
    return { at: at - offset, length: suffix.length };
  }

  private decodeFrame(frame: Uint8Array, out: SerialScanEvent[]): void {
    if (frame.length === 0) return; // the LF after a CR, or a bare suffix
    let body = frame;
    if (this.prefix.length > 0) {
      const at = indexOfSequence(frame, this.prefix);
      if (at < 0) {
        out.push(diagnostic('missing_prefix', 'frame without the configured prefix', frame));
        return;
      }
      if (at > 0) out.push(diagnostic('garbage', `${at} byte(s) before the prefix`, frame.subarray(0, at)));
      body = frame.subarray(at + this.prefix.length);
    }
    if (body.length > this.maxLength) {
      out.push(diagnostic('overflow', `scan of ${body.length} bytes exceeds ${this.maxLength}`, body));
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      out.push(diagnostic('bad_encoding', 'frame is not valid UTF-8', body));
      return;
    }
    if ([...text].some((c) => c.charCodeAt(0) < 0x20 && !ALLOWED_CONTROLS.has(c.charCodeAt(0))) || text.includes('\u007f')) {
      out.push(diagnostic('unprintable', 'frame contains control bytes', body));
      return;
    }
    const symbology = text.length >= 3 ? parseAimIdentifier(text.slice(0, 3)) : null;
    const data = symbology ? text.slice(3) : text;
    if (data.length === 0) {
      out.push(diagnostic('empty', 'frame without data', body));
      return;
    }
    out.push(symbology ? { type: 'scan', data, symbology } : { type: 'scan', data });
  }
}

/** A lone stray line ending or tab is not worth a diagnostic. */
function isLineNoise(bytes: Uint8Array): boolean {
  return bytes.every((b) => b === CR || b === LF || b === TAB || b === 0x00);
}
