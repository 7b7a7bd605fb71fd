import { ACK_FRAME, ERROR_FRAME, NACK_FRAME, Pn532FrameParser, TFI_HOST, CMD_POWER_DOWN, encodeResponse } from '../protocols/pn532';
import type { ByteTransport } from '../transport';
import { Pn532Chip, type SimulatedTag } from './pn532-chip';

export type { SimulatedTag } from './pn532-chip';

/** `silent`: no answer at all; `nack_once`: asks for the next frame again; `error_frame`: answers the application error. */
export type Pn532SimMode = 'normal' | 'silent' | 'nack_once' | 'error_frame';

/**
 * A PN532 on HSU at the far end of a pty, enough like the chip for libnfc's
 * pn532_uart driver: asleep until a 55 55 wake-up preamble, then every host
 * frame gets its ACK and, a moment later, the answer `Pn532Chip` computes. A
 * host ACK aborts the command in progress; a host NACK asks for the last
 * answer again. PowerDown puts it back to sleep after its answer.
 */
export class Pn532Simulator {
  mode: Pn532SimMode = 'normal';
  /** Host commands received, by code, for assertions. */
  readonly commands: number[] = [];
  readonly chip = new Pn532Chip();
  private readonly parser = new Pn532FrameParser();
  private awake = false;
  private lastAnswer: Uint8Array | null = null;
  private pending: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly port: ByteTransport) {}

  async open(): Promise<void> {
    await this.port.open();
    this.port.onData((bytes) => this.receive(bytes));
  }

  close(): Promise<void> {
    this.cancelPending();
    return this.port.close();
  }

  /** A card laid on the antenna. */
  presentTag(tag: SimulatedTag): void {
    this.chip.presentTag(tag);
  }

  removeTag(): void {
    this.chip.removeTag();
  }

  /** Anything at all onto the line: garbage, a truncated or corrupt frame. */
  raw(bytes: Uint8Array): Promise<void> {
    return this.port.write(bytes);
  }

  private receive(bytes: Buffer): void {
    for (const event of this.parser.push(bytes)) {
      if (event.type === 'wakeup') this.awake = true;
      if (!this.awake) continue; // asleep: the UART is not listening yet
      if (event.type === 'ack') this.cancelPending();
      else if (event.type === 'nack' && this.lastAnswer) this.send(this.lastAnswer);
      else if (event.type === 'frame' && event.tfi === TFI_HOST) {
        this.commands.push(event.code);
        this.answer(event.code, event.params);
      }
    }
  }

  private send(bytes: Uint8Array): void {
    void this.port.write(bytes).catch(() => undefined);
  }

  private cancelPending(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }

  private answer(code: number, params: Uint8Array): void {
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
    const answer = this.chip.answer(code, params);
    // The link layer acknowledges every good frame; a command the chip cannot process then gets the error frame.
    this.send(ACK_FRAME);
    if (answer.kind === 'ack_only') return;
    const response = answer.kind === 'error_frame' ? ERROR_FRAME : encodeResponse(code, answer.params);
    this.lastAnswer = response;
    this.cancelPending();
    // The response follows the ACK once the chip has done the work.
    this.pending = setTimeout(() => {
      this.pending = null;
      this.send(response);
      if (code === CMD_POWER_DOWN && answer.kind === 'response') {
        this.chip.powerDown();
        this.awake = false;
      }
    }, 2);
  }
}
