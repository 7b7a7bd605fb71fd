import {
  ACK_FRAME,
  CMD_GET_FIRMWARE_VERSION,
  CMD_IN_LIST_PASSIVE_TARGET,
  CMD_RF_CONFIGURATION,
  CMD_SAM_CONFIGURATION,
  ERROR_FRAME,
  NACK_FRAME,
  Pn532FrameParser,
  TFI_HOST,
  encodeResponse,
} from '../protocols/pn532';
import type { ByteTransport } from '../transport';

export interface SimulatedTag {
  uid: Uint8Array;
  /** SEL_RES: 08 MIFARE Classic 1K, 00 Ultralight/NTAG, 20 ISO 14443-4 (a phone). */
  sak: number;
  atqa: [number, number];
}

/** `silent`: no answer at all; `nack_once`: asks for the next frame again; `error_frame`: answers the application error. */
export type Pn532SimMode = 'normal' | 'silent' | 'nack_once' | 'error_frame';

/**
 * A PN532 on HSU at the far end of a pty: sleeps until woken with 55 55 and a
 * SAMConfiguration, ACKs every command, answers GetFirmwareVersion,
 * RFConfiguration and InListPassiveTarget (the tag on its antenna, or none
 * once the activation retries run out).
 */
export class Pn532Simulator {
  mode: Pn532SimMode = 'normal';
  /** Host commands received, by code, for assertions. */
  readonly commands: number[] = [];
  private readonly parser = new Pn532FrameParser();
  private awake = false;
  private tag: SimulatedTag | null = null;

  constructor(private readonly port: ByteTransport) {}

  async open(): Promise<void> {
    await this.port.open();
    this.port.onData((bytes) => this.receive(bytes));
  }

  close(): Promise<void> {
    return this.port.close();
  }

  /** A card laid on the antenna. */
  presentTag(tag: SimulatedTag): void {
    this.tag = tag;
  }

  removeTag(): void {
    this.tag = null;
  }

  /** Anything at all onto the line: garbage, a truncated or corrupt frame. */
  raw(bytes: Uint8Array): Promise<void> {
    return this.port.write(bytes);
  }

  private receive(bytes: Buffer): void {
    for (const event of this.parser.push(bytes)) {
      if (event.type === 'wakeup') this.awake = true;
      if (event.type !== 'frame' || event.tfi !== TFI_HOST) continue;
      if (!this.awake) continue; // asleep: the UART is not listening yet
      this.commands.push(event.code);
      this.answer(event.code);
    }
  }

  private send(bytes: Uint8Array): void {
    void this.port.write(bytes).catch(() => undefined);
  }

  private answer(code: number): void {
    if (this.mode === 'silent') return;
    if (this.mode === 'nack_once') {
      this.mode = 'normal';
      this.send(NACK_FRAME);
      return;
    }
    if (this.mode === 'error_frame') {
      this.send(ERROR_FRAME);
      return;
    }
    const response = this.respond(code);
    this.send(ACK_FRAME);
    // The response follows the ACK once the chip has done the work.
    if (response) setTimeout(() => this.send(response), 2);
  }

  private respond(code: number): Uint8Array | null {
    switch (code) {
      case CMD_GET_FIRMWARE_VERSION:
        return encodeResponse(code, [0x32, 0x01, 0x06, 0x07]);
      case CMD_SAM_CONFIGURATION:
      case CMD_RF_CONFIGURATION:
        return encodeResponse(code);
      case CMD_IN_LIST_PASSIVE_TARGET: {
        const tag = this.tag;
        if (!tag) return encodeResponse(code, [0x00]);
        return encodeResponse(code, [0x01, 0x01, ...tag.atqa, tag.sak, tag.uid.length, ...tag.uid]);
      }
      default:
        return ERROR_FRAME;
    }
  }
}
