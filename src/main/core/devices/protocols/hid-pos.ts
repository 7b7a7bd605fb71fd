import { parseAimIdentifier, type Symbology } from './aim';
import { diagnostic, type ProtocolDiagnostic } from './diagnostic';

/**
 * USB HID POS barcode scanners (usage page 0x8C, usage 0x02), input report 02
 * as Honeywell lays it out (hardware.md §2.3). node-hid hands each report with
 * the report ID as its first byte, so offsets below are one more than in the
 * report body:
 *
 *   [0] report ID 02
 *   [1] data length   [2..4] AIM identifier   [5..60] data
 *   [61] vendor symbology code   [63] 1 when more reports follow
 *
 * Zebra and Datalogic implement the same usage page with other offsets, so a
 * layout is a parameter; recorded reports are the test fixtures.
 */

export interface HidPosLayout {
  reportId: number;
  /** Offsets in the buffer node-hid delivers (report ID at 0). */
  lengthAt: number;
  aimAt: number;
  dataAt: number;
  /** The data area ends here (exclusive): vendor bytes follow. */
  dataEnd: number;
  symbologyCodeAt: number;
  moreAt: number;
}

export const HONEYWELL_LAYOUT: HidPosLayout = { reportId: 0x02, lengthAt: 1, aimAt: 2, dataAt: 5, dataEnd: 61, symbologyCodeAt: 61, moreAt: 63 };

/** Honeywell's own code IDs (byte 60 of the report body), for scanners that send no AIM identifier. */
export const HONEYWELL_CODE_IDS: Readonly<Record<number, string>> = {
  0x64: 'EAN-13',
  0x44: 'EAN-8',
  0x6a: 'Code 128',
  0x49: 'GS1-128',
  0x62: 'Code 39',
  0x73: 'QR',
  0x77: 'Data Matrix',
  0x72: 'PDF417',
  0x7a: 'Aztec',
  0x63: 'UPC-A',
};

export type HidPosEvent =
  | {
      type: 'scan';
      data: string;
      symbology?: Symbology;
      /** The vendor's symbology code, named when known. */
      vendorSymbology?: string;
    }
  | ProtocolDiagnostic;

export interface HidPosOptions {
  layout?: HidPosLayout;
  /** Longest assembled scan (bytes); a continuation flag stuck at 1 cannot grow memory past it. */
  maxLength?: number;
}

const latin1 = new TextDecoder('latin1');

/** Assembles scans from HID POS input reports (one report per call, as node-hid's `data` event gives them). */
export class HidPosDecoder {
  private readonly layout: HidPosLayout;
  private readonly maxLength: number;
  private parts: Uint8Array[] = [];
  private partsLength = 0;
  private overflowed = false;

  constructor(options: HidPosOptions = {}) {
    this.layout = options.layout ?? HONEYWELL_LAYOUT;
    this.maxLength = options.maxLength ?? 4096;
  }

  push(report: ArrayLike<number>): HidPosEvent[] {
    const buf = Uint8Array.from(report);
    const layout = this.layout;
    if (buf.length === 0) return [diagnostic('empty_report', 'zero-length HID report')];
    if (buf[0] !== layout.reportId) return [diagnostic('other_report', `report ID 0x${buf[0]!.toString(16)} is not a scan`, buf)];
    if (buf.length <= layout.dataAt) return [diagnostic('short_report', `report of ${buf.length} bytes has no data area`, buf)];
    const out: HidPosEvent[] = [];
    const room = Math.min(layout.dataEnd, buf.length) - layout.dataAt;
    let length = buf[layout.lengthAt]!;
    if (length > room) {
      out.push(diagnostic('bad_length', `length byte ${length} exceeds the ${room}-byte data area`, buf));
      length = room;
    }
    const data = buf.subarray(layout.dataAt, layout.dataAt + length);
    const more = buf.length > layout.moreAt && buf[layout.moreAt] !== 0;
    if (!this.overflowed) {
      if (this.partsLength + data.length > this.maxLength) {
        this.overflowed = true;
        this.parts = [];
        this.partsLength = 0;
      } else {
        this.parts.push(data.slice());
        this.partsLength += data.length;
      }
    }
    if (more) return out;
    if (this.overflowed) {
      this.overflowed = false;
      out.push(diagnostic('overflow', `scan longer than ${this.maxLength} bytes dropped`));
      return out;
    }
    const assembled = new Uint8Array(this.partsLength);
    let at = 0;
    for (const part of this.parts) {
      assembled.set(part, at);
      at += part.length;
    }
    this.parts = [];
    this.partsLength = 0;
    // Scanners append their keyboard-mode suffix to the data too.
    let text = latin1.decode(assembled).replace(/[\r\n]+$/, '');
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1c\x1f\x7f]/.test(text)) {
      out.push(diagnostic('unprintable', 'scan data contains control bytes', assembled));
      return out;
    }
    if (text.length === 0) {
      out.push(diagnostic('empty', 'report without data', buf));
      return out;
    }
    const aimText = latin1.decode(buf.subarray(layout.aimAt, layout.aimAt + 3));
    const symbology = parseAimIdentifier(aimText) ?? undefined;
    // Some firmwares also leave the AIM identifier at the head of the data.
    if (symbology && text.startsWith(symbology.aim)) text = text.slice(3);
    const code = buf.length > layout.symbologyCodeAt ? buf[layout.symbologyCodeAt]! : 0;
    const vendorSymbology = HONEYWELL_CODE_IDS[code];
    out.push({ type: 'scan', data: text, ...(symbology ? { symbology } : {}), ...(vendorSymbology ? { vendorSymbology } : {}) });
    return out;
  }

  /** Drops a half-assembled scan, e.g. when the device is unplugged. */
  reset(): void {
    this.parts = [];
    this.partsLength = 0;
    this.overflowed = false;
  }
}

/**
 * Builds a report in a layout: what the recorded fixtures and the simulator
 * panel use, since there is no virtual HID device on a build machine.
 */
export function buildHidPosReport(data: Uint8Array, options: { aim?: string; vendorCode?: number; more?: boolean; layout?: HidPosLayout } = {}): Uint8Array {
  const layout = options.layout ?? HONEYWELL_LAYOUT;
  const report = new Uint8Array(layout.moreAt + 1);
  const room = layout.dataEnd - layout.dataAt;
  if (data.length > room) throw new RangeError(`a report carries at most ${room} data bytes`);
  report[0] = layout.reportId;
  report[layout.lengthAt] = data.length;
  if (options.aim) report.set(Array.from(options.aim.slice(0, 3), (c) => c.charCodeAt(0)), layout.aimAt);
  report.set(data, layout.dataAt);
  report[layout.symbologyCodeAt] = options.vendorCode ?? 0;
  report[layout.moreAt] = options.more ? 1 : 0;
  return report;
}
