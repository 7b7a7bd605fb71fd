import { concatBytes, diagnostic, toHex, type ProtocolDiagnostic } from './diagnostic';

/**
 * PN532 frames over HSU (UART), after NXP UM0701-02 §6.2 as summarised in
 * hardware.md §3.1:
 *
 *   00 | 00 FF | LEN | LCS | TFI | PD0 … PDn | DCS | 00
 *
 * LEN counts TFI and data; LEN + LCS ≡ 0 and TFI + PD… + DCS ≡ 0 (mod 256).
 * TFI is D4 from the host, D5 from the chip; a response code is the command
 * code + 1. Extended frames use `00 FF FF FF LENM LENL LCS`. Besides normal
 * frames there are ACK `00 00 FF 00 FF 00`, NACK `00 00 FF FF 00 00` and the
 * application error frame `00 00 FF 01 FF 7F 81 00`.
 */

export const TFI_HOST = 0xd4;
export const TFI_PN532 = 0xd5;

export const ACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x00, 0xff, 0x00);
export const NACK_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0xff, 0x00, 0x00);
export const ERROR_FRAME = Uint8Array.of(0x00, 0x00, 0xff, 0x01, 0xff, 0x7f, 0x81, 0x00);

// Command codes (UM0701-02 §7); the response code is each + 1.
export const CMD_DIAGNOSE = 0x00;
export const CMD_GET_FIRMWARE_VERSION = 0x02;
export const CMD_GET_GENERAL_STATUS = 0x04;
export const CMD_READ_REGISTER = 0x06;
export const CMD_WRITE_REGISTER = 0x08;
export const CMD_READ_GPIO = 0x0c;
export const CMD_WRITE_GPIO = 0x0e;
export const CMD_SET_SERIAL_BAUD_RATE = 0x10;
export const CMD_SET_PARAMETERS = 0x12;
export const CMD_SAM_CONFIGURATION = 0x14;
export const CMD_POWER_DOWN = 0x16;
export const CMD_RF_CONFIGURATION = 0x32;
export const CMD_IN_DATA_EXCHANGE = 0x40;
export const CMD_IN_COMMUNICATE_THRU = 0x42;
export const CMD_IN_DESELECT = 0x44;
export const CMD_IN_LIST_PASSIVE_TARGET = 0x4a;
export const CMD_IN_RELEASE = 0x52;
export const CMD_IN_AUTO_POLL = 0x60;

/** The IC byte of GetFirmwareVersion that names a PN532 (a PN533 says 0x33). */
export const PN532_IC = 0x32;

/** Largest TFI + data an extended frame carries. */
export const MAX_FRAME_DATA = 265;
const MAX_NORMAL_DATA = 255;

function checksum(bytes: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum += bytes[i]!;
  return (0x100 - (sum & 0xff)) & 0xff;
}

/** A normal (or, past 255 bytes, extended) information frame around TFI + data. */
export function encodeFrame(tfi: number, data: ArrayLike<number>): Uint8Array {
  const body = concatBytes([[tfi], data]);
  if (body.length > MAX_FRAME_DATA) throw new RangeError(`a PN532 frame carries at most ${MAX_FRAME_DATA} bytes, not ${body.length}`);
  const header =
    body.length <= MAX_NORMAL_DATA
      ? [0x00, 0x00, 0xff, body.length, checksum([body.length])]
      : [0x00, 0x00, 0xff, 0xff, 0xff, body.length >> 8, body.length & 0xff, checksum([body.length >> 8, body.length & 0xff])];
  return concatBytes([header, body, [checksum(body), 0x00]]);
}

/** A host command frame: TFI D4, the command code, its parameters. */
export function encodeCommand(command: number, params: ArrayLike<number> = []): Uint8Array {
  return encodeFrame(TFI_HOST, concatBytes([[command], params]));
}

/** A chip response frame (TFI D5, command + 1): what the simulator sends. */
export function encodeResponse(command: number, params: ArrayLike<number> = []): Uint8Array {
  return encodeFrame(TFI_PN532, concatBytes([[(command + 1) & 0xff], params]));
}

/**
 * Wake-up over HSU: 55 55 then a run of zeros, as Adafruit's driver does. The
 * chip leaves low-power mode only with the SAMConfiguration that must follow.
 */
export function wakeUpSequence(zeros = 15): Uint8Array {
  return concatBytes([[0x55, 0x55], new Uint8Array(zeros)]);
}

/** SAMConfiguration: normal mode (01), timeout in units of 50 ms (0x14 = 1 s), IRQ used (01). */
export function samConfiguration(mode = 0x01, timeout = 0x14, useIrq = true): Uint8Array {
  return encodeCommand(CMD_SAM_CONFIGURATION, [mode, timeout, useIrq ? 0x01 : 0x00]);
}

export function getFirmwareVersion(): Uint8Array {
  return encodeCommand(CMD_GET_FIRMWARE_VERSION);
}

/**
 * RFConfiguration item 05 (retries): the passive-activation retry count
 * defaults to FF (forever), which makes InListPassiveTarget block until a card
 * appears; a small number suits polling.
 */
export function setMaxRetries(passiveActivation: number, atr = 0xff, psl = 0x01): Uint8Array {
  return encodeCommand(CMD_RF_CONFIGURATION, [0x05, atr, psl, passiveActivation]);
}

/** InListPassiveTarget, 106 kbps type A (ISO 14443A, BrTy 00). */
export function inListPassiveTarget(maxTargets: 1 | 2 = 1): Uint8Array {
  return encodeCommand(CMD_IN_LIST_PASSIVE_TARGET, [maxTargets, 0x00]);
}

// ---------------------------------------------------------------------------
// Streaming parser

export type Pn532Event =
  | { type: 'ack' }
  | { type: 'nack' }
  /** The application error frame: the chip could not process the last frame. */
  | { type: 'error_frame' }
  /** A 55 55 wake-up preamble (seen by the simulator side). */
  | { type: 'wakeup' }
  /** An information frame: `code` is PD0 (the command, or command + 1 in a response), `params` the rest. */
  | { type: 'frame'; tfi: number; code: number; params: Uint8Array; extended: boolean }
  | ProtocolDiagnostic;

/** More than this many buffered bytes without a complete frame means the stream is lost. */
const MAX_BUFFER = 8 + MAX_FRAME_DATA + 2;

/**
 * Takes bytes in arbitrary chunks and yields frames. Garbage before a start
 * code is skipped and reported; a bad LEN/LCS or DCS drops only the start code
 * and scanning resumes just after it, so a frame that follows a broken one is
 * still found. A frame that stops short of its LEN stays buffered until more
 * bytes come or `flush()` (call it on an inter-byte timeout) reports it as
 * truncated. The buffer never exceeds one extended frame.
 */
export class Pn532FrameParser {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: ArrayLike<number>): Pn532Event[] {
    this.buffer = concatBytes([this.buffer, chunk]);
    const out: Pn532Event[] = [];
    this.drain(out);
    return out;
  }

  /** Gives up on a partial frame (the sender went quiet mid-frame). */
  flush(): Pn532Event[] {
    const out: Pn532Event[] = [];
    for (;;) {
      this.drain(out);
      if (this.buffer.length === 0) return out;
      // What is left is a lone 00 or an incomplete frame at a start code.
      if (this.buffer.some((b) => b !== 0x00)) out.push(diagnostic('truncated', `frame cut short after ${this.buffer.length} byte(s)`, this.buffer));
      // The rest is that frame's body, not garbage; resume at a later start code if there is one.
      const next = findStartCode(this.buffer.subarray(2));
      this.buffer = next < 0 ? new Uint8Array(0) : this.buffer.subarray(2 + next);
    }
  }

  get buffered(): number {
    return this.buffer.length;
  }

  private drain(out: Pn532Event[]): void {
    for (;;) {
      const start = findStartCode(this.buffer);
      if (start < 0) {
        // Keep a trailing 00: it may be the first half of a start code.
        const keep = this.buffer.length > 0 && this.buffer[this.buffer.length - 1] === 0x00 ? 1 : 0;
        this.skip(this.buffer.length - keep, out);
        return;
      }
      this.skip(start, out);
      const result = parseAt(this.buffer);
      if (result === 'incomplete') {
        if (this.buffer.length > MAX_BUFFER) {
          out.push(diagnostic('overflow', 'no complete frame in a full buffer', this.buffer));
          this.buffer = this.buffer.subarray(2);
          continue;
        }
        return;
      }
      if (result.event) out.push(result.event);
      this.buffer = this.buffer.subarray(result.consumed);
    }
  }

  /** Drops `count` bytes; zeros are preamble/postamble padding, 55s a wake-up, anything else is garbage. */
  private skip(count: number, out: Pn532Event[]): void {
    if (count <= 0) return;
    const skipped = this.buffer.subarray(0, count);
    this.buffer = this.buffer.subarray(count);
    const meaningful = skipped.filter((b) => b !== 0x00);
    if (meaningful.length === 0) return;
    if (meaningful.every((b) => b === 0x55)) {
      out.push({ type: 'wakeup' });
      return;
    }
    out.push(diagnostic('garbage', `skipped ${meaningful.length} byte(s) before a start code`, meaningful));
  }
}

/** Index of the 00 of the next `00 FF` start code, or -1. */
function findStartCode(buffer: Uint8Array): number {
  for (let i = 0; i + 1 < buffer.length; i++) if (buffer[i] === 0x00 && buffer[i + 1] === 0xff) return i;
  return -1;
}

type ParseResult = 'incomplete' | { consumed: number; event?: Pn532Event };

/** Parses a frame whose start code `00 FF` is at index 0. */
function parseAt(buf: Uint8Array): ParseResult {
  if (buf.length < 4) return 'incomplete';
  const len = buf[2]!;
  const lcs = buf[3]!;
  if (len === 0x00 && lcs === 0xff) return { consumed: postambleEnd(buf, 4), event: { type: 'ack' } };
  if (len === 0xff && lcs === 0x00) return { consumed: postambleEnd(buf, 4), event: { type: 'nack' } };
  let dataStart: number;
  let dataLength: number;
  let extended = false;
  if (len === 0xff && lcs === 0xff) {
    if (buf.length < 7) return 'incomplete';
    extended = true;
    dataLength = (buf[4]! << 8) | buf[5]!;
    if (((buf[4]! + buf[5]! + buf[6]!) & 0xff) !== 0 || dataLength === 0 || dataLength > MAX_FRAME_DATA) {
      return { consumed: 2, event: diagnostic('bad_length_checksum', 'extended frame LENM/LENL/LCS mismatch', buf.subarray(0, 7)) };
    }
    dataStart = 7;
  } else {
    if (((len + lcs) & 0xff) !== 0 || len === 0) {
      return { consumed: 2, event: diagnostic('bad_length_checksum', `LEN 0x${len.toString(16)} and LCS 0x${lcs.toString(16)} do not sum to 0`, buf.subarray(0, 4)) };
    }
    dataLength = len;
    dataStart = 4;
  }
  const dcsAt = dataStart + dataLength;
  if (buf.length < dcsAt + 1) return 'incomplete';
  const body = buf.subarray(dataStart, dcsAt);
  if (((sum(body) + buf[dcsAt]!) & 0xff) !== 0) {
    // A start code inside the claimed frame suggests this one was cut short and another began.
    const nested = findStartCode(buf.subarray(2, dcsAt + 1));
    const code = nested >= 0 ? 'truncated' : 'bad_checksum';
    return { consumed: 2, event: diagnostic(code, code === 'truncated' ? 'a new frame began inside this one' : 'DCS does not match the data', buf.subarray(0, dcsAt + 1)) };
  }
  const consumed = postambleEnd(buf, dcsAt + 1);
  if (dataLength === 1 && body[0] === 0x7f) return { consumed, event: { type: 'error_frame' } };
  if (dataLength < 2) return { consumed, event: diagnostic('short_frame', 'a frame needs TFI and a code', buf.subarray(0, consumed)) };
  return { consumed, event: { type: 'frame', tfi: body[0]!, code: body[1]!, params: body.slice(2), extended } };
}

function sum(bytes: Uint8Array): number {
  let s = 0;
  for (const b of bytes) s += b;
  return s;
}

/** Consumes the 00 postamble when present; a missing one is tolerated. */
function postambleEnd(buf: Uint8Array, at: number): number {
  return buf[at] === 0x00 ? at + 1 : at;
}

// ---------------------------------------------------------------------------
// Responses

export interface FirmwareVersion {
  /** 0x32 for a PN532. */
  ic: number;
  version: number;
  revision: number;
  /** Bit field: 1 ISO/IEC 14443 type A, 2 type B, 4 ISO 18092. */
  support: number;
}

/** Params of the GetFirmwareVersion response (after D5 03). */
export function parseFirmwareVersion(params: Uint8Array): FirmwareVersion | ProtocolDiagnostic {
  if (params.length !== 4) return diagnostic('bad_response', `GetFirmwareVersion answers 4 bytes, not ${params.length}`, params);
  return { ic: params[0]!, version: params[1]!, revision: params[2]!, support: params[3]! };
}

export interface PassiveTarget {
  /** Logical target number the chip assigned. */
  tg: number;
  /** SENS_RES, two bytes as sent (e.g. 00 04 for MIFARE Classic 1K). */
  atqa: Uint8Array;
  /** SEL_RES: 08 Classic 1K, 00 Ultralight/NTAG, 20 ISO 14443-4 (DESFire, phones). */
  sak: number;
  /** NFCID1: 4, 7 or 10 bytes, in reader order. */
  uid: Uint8Array;
  /** The ATS of an ISO 14443-4 target (SAK bit 0x20), when present. */
  ats?: Uint8Array;
}

/**
 * Params of an InListPassiveTarget (106 kbps type A) response, after D5 4B:
 * NbTg, then per target Tg, SENS_RES (2), SEL_RES, NFCIDLength, NFCID1, and
 * for ISO 14443-4 targets ATSLength (counting itself) + ATS.
 */
export function parsePassiveTargets(params: Uint8Array): PassiveTarget[] | ProtocolDiagnostic {
  if (params.length < 1) return diagnostic('bad_response', 'InListPassiveTarget response without NbTg', params);
  const count = params[0]!;
  if (count > 2) return diagnostic('bad_response', `NbTg ${count} exceeds the 2 targets a PN532 lists`, params);
  const targets: PassiveTarget[] = [];
  let at = 1;
  for (let n = 0; n < count; n++) {
    if (at + 5 > params.length) return diagnostic('bad_response', 'target header cut short', params);
    const tg = params[at]!;
    const atqa = params.slice(at + 1, at + 3);
    const sak = params[at + 3]!;
    const uidLength = params[at + 4]!;
    if (uidLength !== 4 && uidLength !== 7 && uidLength !== 10) return diagnostic('bad_uid_length', `NFCID1 of ${uidLength} bytes`, params);
    at += 5;
    if (at + uidLength > params.length) return diagnostic('bad_response', 'UID cut short', params);
    const uid = params.slice(at, at + uidLength);
    at += uidLength;
    const target: PassiveTarget = { tg, atqa, sak, uid };
    if ((sak & 0x20) !== 0 && at < params.length) {
      const atsLength = params[at]!;
      if (atsLength < 1 || at + atsLength > params.length) return diagnostic('bad_response', 'ATS cut short', params);
      target.ats = params.slice(at + 1, at + atsLength);
      at += atsLength;
    }
    targets.push(target);
  }
  if (at !== params.length) return diagnostic('bad_response', `${params.length - at} trailing byte(s) after the targets`, params);
  return targets;
}

/**
 * ISO 14443A single-size UIDs starting with 08 are random: phones (Android
 * HCE, wallets) present a new one on every tap, so they never identify a card.
 */
export function isRandomUid(uid: ArrayLike<number>): boolean {
  return uid.length === 4 && uid[0] === 0x08;
}

/** Upper-case hex in reader byte order, the one form a UID is stored and compared in. */
export function uidToHex(uid: ArrayLike<number>): string {
  return toHex(uid, '');
}
