import {
  CMD_DIAGNOSE,
  CMD_GET_FIRMWARE_VERSION,
  CMD_GET_GENERAL_STATUS,
  CMD_IN_AUTO_POLL,
  CMD_IN_COMMUNICATE_THRU,
  CMD_IN_DATA_EXCHANGE,
  CMD_IN_DESELECT,
  CMD_IN_LIST_PASSIVE_TARGET,
  CMD_IN_RELEASE,
  CMD_POWER_DOWN,
  CMD_READ_GPIO,
  CMD_READ_REGISTER,
  CMD_RF_CONFIGURATION,
  CMD_SAM_CONFIGURATION,
  CMD_SET_PARAMETERS,
  CMD_SET_SERIAL_BAUD_RATE,
  CMD_WRITE_GPIO,
  CMD_WRITE_REGISTER,
  PN532_IC,
  type FirmwareVersion,
} from '../protocols/pn532';

export interface SimulatedTag {
  uid: Uint8Array;
  /** SEL_RES: 08 MIFARE Classic 1K, 00 Ultralight/NTAG, 20 ISO 14443-4 (a phone). */
  sak: number;
  atqa: [number, number];
  /** The ATS an ISO 14443-4 tag returns to RATS (without its length byte). */
  ats?: Uint8Array;
  /** Type 2 tag memory, 4-byte pages, for READ (30 nn) through InDataExchange / InCommunicateThru. */
  pages?: Uint8Array;
}

/** What the chip does with one host frame: acknowledge it, then answer it, or answer the application error frame. */
export type ChipAnswer = { kind: 'response'; params: number[] } | { kind: 'error_frame' } | { kind: 'ack_only' };

// Status bytes of In* responses (UM0701-02 §7.1, Table 1).
const STATUS_OK = 0x00;
const STATUS_TIMEOUT = 0x01;
const STATUS_WRONG_CONTEXT = 0x27;
/** SetParameters bit fAutomaticRATS: the chip sends RATS itself to an ISO 14443-4 target. */
const PARAM_AUTO_RATS = 0x10;
const TYPE_A_106 = 0x00;
const MAX_BRTY = 0x08;

// InAutoPoll target types a 106 kbps type A card answers to (UM0701-02 §7.3.13).
const AUTOPOLL_GENERIC_A = 0x00;
const AUTOPOLL_MIFARE = 0x10;
const AUTOPOLL_ISO14443_4A = 0x20;

/**
 * CIU register values after reset that hosts read before changing a few bits
 * (libnfc masks TxMode, RxMode, TxAuto, ManualRCV, Status2, Control,
 * BitFraming). Every other address of the register space reads 00 until written.
 */
const CIU_RESET: ReadonlyArray<[number, number]> = [
  [0x6301, 0x3f], // Mode
  [0x6302, 0x80], // TxMode: CRC on
  [0x6303, 0x80], // RxMode: CRC on
  [0x6304, 0x80], // TxControl
  [0x6305, 0x00], // TxAuto
  [0x6306, 0x10], // TxSel
  [0x6307, 0x84], // RxSel
  [0x6308, 0x84], // RxThreshold
  [0x6309, 0x4d], // Demod
  [0x630d, 0x00], // ManualRCV
  [0x6316, 0x48], // RFCfg
  [0x6317, 0x88], // GsNOn
  [0x6318, 0x20], // CWGsP
  [0x6319, 0x20], // ModGsP
  [0x6327, 0x80], // Version
  [0x6338, 0x00], // Status2
  [0x633c, 0x10], // Control: initiator
  [0x633d, 0x00], // BitFraming
  [0xffb0, 0xff], // SFR P3
  [0xfff7, 0xff], // SFR P7
];

/**
 * The command set of a PN532 as a host sees it over HSU (NXP UM0701-02 §7),
 * with no transport: one host command in, what the chip answers out. It keeps
 * what a host can read back (registers, parameters, SAM mode, RF field, the
 * selected target) and holds at most one card on its antenna. Malformed
 * parameters and unknown commands get the application error frame, as the
 * manual specifies for syntax errors.
 */
export class Pn532Chip {
  firmware: FirmwareVersion = { ic: PN532_IC, version: 0x01, revision: 0x06, support: 0x07 };
  private readonly registers = new Map<number, number>(CIU_RESET);
  private parameters = 0x00;
  private samMode = 0x01;
  private field = false;
  private lastError = 0x00;
  private tag: SimulatedTag | null = null;
  /** The logical number of the target the chip activated, while it is. */
  private selected: number | null = null;
  private gpio = { p3: 0xff, p7: 0xff };

  presentTag(tag: SimulatedTag): void {
    this.tag = tag;
    this.selected = null;
  }

  removeTag(): void {
    this.tag = null;
    this.selected = null;
  }

  /** SAMConfiguration mode: 1 normal, 2 virtual card, 3 wired card, 4 dual card. */
  get sam(): number {
    return this.samMode;
  }

  get rfField(): boolean {
    return this.field;
  }

  readRegister(address: number): number {
    return this.registers.get(address) ?? 0x00;
  }

  /** What PowerDown does beyond its answer: the field drops, targets are lost. */
  powerDown(): void {
    this.field = false;
    this.selected = null;
  }

  answer(code: number, params: Uint8Array): ChipAnswer {
    const handler = this.handlers[code];
    if (!handler) return { kind: 'error_frame' };
    const result = handler(params);
    if (result === null) return { kind: 'error_frame' };
    if (result === 'ack_only') return { kind: 'ack_only' };
    return { kind: 'response', params: result };
  }

  private readonly handlers: Record<number, (p: Uint8Array) => number[] | null | 'ack_only'> = {
    [CMD_DIAGNOSE]: (p) => this.diagnose(p),
    [CMD_GET_FIRMWARE_VERSION]: (p) => (p.length === 0 ? [this.firmware.ic, this.firmware.version, this.firmware.revision, this.firmware.support] : null),
    [CMD_GET_GENERAL_STATUS]: (p) => (p.length === 0 ? this.generalStatus() : null),
    [CMD_READ_REGISTER]: (p) => this.readRegisters(p),
    [CMD_WRITE_REGISTER]: (p) => this.writeRegisters(p),
    [CMD_READ_GPIO]: (p) => (p.length === 0 ? [this.gpio.p3, this.gpio.p7, 0x00] : null),
    [CMD_WRITE_GPIO]: (p) => this.writeGpio(p),
    [CMD_SET_SERIAL_BAUD_RATE]: (p) => (p.length === 1 && p[0]! <= 0x08 ? [] : null),
    [CMD_SET_PARAMETERS]: (p) => {
      if (p.length !== 1) return null;
      this.parameters = p[0]!;
      return [];
    },
    [CMD_SAM_CONFIGURATION]: (p) => {
      if (p.length < 1 || p.length > 3 || p[0]! < 0x01 || p[0]! > 0x04) return null;
      this.samMode = p[0]!;
      return [];
    },
    [CMD_POWER_DOWN]: (p) => (p.length === 1 || p.length === 2 ? [STATUS_OK] : null),
    [CMD_RF_CONFIGURATION]: (p) => this.rfConfiguration(p),
    [CMD_IN_LIST_PASSIVE_TARGET]: (p) => this.inListPassiveTarget(p),
    [CMD_IN_AUTO_POLL]: (p) => this.inAutoPoll(p),
    [CMD_IN_DESELECT]: (p) => this.releaseTarget(p),
    [CMD_IN_RELEASE]: (p) => this.releaseTarget(p),
    [CMD_IN_DATA_EXCHANGE]: (p) => {
      if (p.length < 1) return null;
      if (this.selected === null || p[0] !== this.selected) return this.status(STATUS_WRONG_CONTEXT);
      return this.transceive(p.subarray(1));
    },
    [CMD_IN_COMMUNICATE_THRU]: (p) => (this.selected === null ? this.status(STATUS_TIMEOUT) : this.transceive(p)),
  };

  private status(code: number, data: ArrayLike<number> = []): number[] {
    this.lastError = code;
    return [code, ...Array.from(data)];
  }

  private diagnose(p: Uint8Array): number[] | null | 'ack_only' {
    if (p.length < 1) return null;
    switch (p[0]) {
      case 0x00: // communication line test: the chip echoes NumTst and the data
        return Array.from(p);
      case 0x01: // ROM checksum
      case 0x02: // RAM
        return [STATUS_OK];
      case 0x04: // polling test to target: failures out of 128 polls
        return [this.tag ? 0x00 : 0x80];
      case 0x05: // echo back: the chip then echoes raw frames until reset, with no response to this command
        return 'ack_only';
      case 0x06: // attention request / card presence
        return [this.selected !== null && this.tag ? STATUS_OK : STATUS_TIMEOUT];
      case 0x07: // self antenna test
        return [STATUS_OK];
      default:
        return null;
    }
  }

  private generalStatus(): number[] {
    const targets = this.selected === null ? [] : [this.selected, 0x00, 0x00, 0x00];
    return [this.lastError, this.field ? 0x01 : 0x00, targets.length / 4, ...targets, 0x00];
  }

  private readRegisters(p: Uint8Array): number[] | null {
    if (p.length === 0 || p.length % 2 !== 0) return null;
    const values: number[] = [];
    for (let i = 0; i < p.length; i += 2) values.push(this.readRegister((p[i]! << 8) | p[i + 1]!));
    return values;
  }

  private writeRegisters(p: Uint8Array): number[] | null {
    if (p.length === 0 || p.length % 3 !== 0) return null;
    for (let i = 0; i < p.length; i += 3) this.registers.set((p[i]! << 8) | p[i + 1]!, p[i + 2]!);
    return [];
  }

  private writeGpio(p: Uint8Array): number[] | null {
    if (p.length !== 2) return null;
    // Bit 7 set validates the new value of that port.
    if (p[0]! & 0x80) this.gpio.p3 = p[0]! & 0x3f;
    if (p[1]! & 0x80) this.gpio.p7 = p[1]! & 0x06;
    return [];
  }

  private rfConfiguration(p: Uint8Array): number[] | null {
    if (p.length < 1) return null;
    // Configuration items and their value lengths (UM0701-02 §7.3.1).
    const lengths: Record<number, number> = { 0x01: 1, 0x02: 3, 0x04: 1, 0x05: 3, 0x0a: 11, 0x0b: 3, 0x0c: 1, 0x0d: 9 };
    const expected = lengths[p[0]!];
    if (expected === undefined || p.length !== expected + 1) return null;
    if (p[0] === 0x01) {
      this.field = (p[1]! & 0x01) !== 0;
      // A card loses power with the field and must be activated again.
      if (!this.field) this.selected = null;
    }
    return [];
  }

  /** TargetData of a 106 kbps type A card: Tg, SENS_RES, SEL_RES, NFCIDLength, NFCID1 [, ATS]. */
  private targetData(tg: number, tag: SimulatedTag): number[] {
    const data = [tg, ...tag.atqa, tag.sak, tag.uid.length, ...tag.uid];
    if ((tag.sak & 0x20) !== 0 && tag.ats && (this.parameters & PARAM_AUTO_RATS) !== 0) data.push(tag.ats.length + 1, ...tag.ats);
    return data;
  }

  private inListPassiveTarget(p: Uint8Array): number[] | null {
    if (p.length < 2 || p[0]! < 1 || p[0]! > 2 || p[1]! > MAX_BRTY) return null;
    this.field = true;
    this.selected = null;
    const tag = this.tag;
    // Type B, FeliCa and Jewel find nothing: the simulated cards are all 106 kbps type A.
    if (p[1] !== TYPE_A_106 || !tag) return [0x00];
    // InitiatorData at 106 kbps type A is the UID of the one card to select.
    const wanted = p.subarray(2);
    if (wanted.length > 0 && !sameBytes(wanted, tag.uid)) return [0x00];
    this.selected = 0x01;
    return [0x01, ...this.targetData(0x01, tag)];
  }

  private inAutoPoll(p: Uint8Array): number[] | null {
    if (p.length < 3 || p.length > 17 || p[0] === 0x00 || p[1] === 0x00 || p[1]! > 0x0f) return null;
    this.field = true;
    this.selected = null;
    const tag = this.tag;
    if (!tag) return [0x00];
    const iso4 = (tag.sak & 0x20) !== 0;
    const type = Array.from(p.subarray(2)).find((t) => t === AUTOPOLL_GENERIC_A || t === (iso4 ? AUTOPOLL_ISO14443_4A : AUTOPOLL_MIFARE));
    if (type === undefined) return [0x00];
    this.selected = 0x01;
    const data = this.targetData(0x01, tag);
    return [0x01, type, data.length, ...data];
  }

  private releaseTarget(p: Uint8Array): number[] | null {
    if (p.length !== 1) return null;
    const tg = p[0]!;
    if (tg !== 0x00 && tg !== this.selected) return this.status(STATUS_WRONG_CONTEXT);
    this.selected = null;
    return this.status(STATUS_OK);
  }

  /** A frame to the selected card: a type 2 READ of 4 pages is the only command the simulated cards answer. */
  private transceive(data: Uint8Array): number[] {
    const pages = this.tag?.pages;
    if (!pages || data.length !== 2 || data[0] !== 0x30) return this.status(STATUS_TIMEOUT);
    const pageCount = pages.length / 4;
    const out: number[] = [];
    // Reading past the end wraps to page 0, as type 2 tags do.
    for (let i = 0; i < 16; i++) out.push(pages[((data[1]! * 4 + i) % (pageCount * 4)) | 0]!);
    return this.status(STATUS_OK, out);
  }
}

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
