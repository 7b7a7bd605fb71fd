import { classifyNfcUid } from './classify-scan';
import type { NfcTagStore } from './nfc-tags';
import {
  CMD_GET_FIRMWARE_VERSION,
  CMD_IN_LIST_PASSIVE_TARGET,
  CMD_RF_CONFIGURATION,
  CMD_SAM_CONFIGURATION,
  Pn532FrameParser,
  PN532_IC,
  TFI_PN532,
  getFirmwareVersion,
  inListPassiveTarget,
  parseFirmwareVersion,
  parsePassiveTargets,
  samConfiguration,
  setMaxRetries,
  wakeUpSequence,
  type FirmwareVersion,
  type Pn532Event,
} from './protocols/pn532';
import type { ByteTransport } from './transport';
import { TransportDevice, WrongDeviceError, type DeviceDeps } from './transport-device';
import { Listeners } from './listeners';

export interface Pn532Options {
  /** Pause between two InListPassiveTarget polls. */
  pollMs: number;
  /** How long the chip has for its ACK, and then for its response. */
  replyTimeoutMs: number;
  /** Retries of passive activation per poll (RFConfiguration item 05): low, so a poll with no card ends. */
  activationRetries: number;
  /** Consecutive unanswered commands before the reader counts as not responding and is woken again. */
  maxMisses: number;
}

export const DEFAULT_PN532: Pn532Options = { pollMs: 150, replyTimeoutMs: 500, activationRetries: 0x02, maxMisses: 2 };

export interface NfcTagEvent {
  deviceId: string;
  at: number;
  uid: string;
  kind: 'nfc_card' | 'nfc_random';
  /** The loyalty card this tag is paired with; null for an unpaired card or a phone. */
  cardNumber: string | null;
}

class NoReply extends Error {
  constructor(what: string) {
    super(`no ${what} from the PN532`);
  }
}

/**
 * A PN532 NFC reader over HSU (UART). It wakes the chip (55 55 00…, then
 * SAMConfiguration), caps the activation retries so each InListPassiveTarget
 * returns, and polls. A card is reported once per presentation: it must be
 * seen absent before the same UID counts again. A paired card becomes a scan
 * of its card number; any tag is also reported as a tag event, so the cashier
 * can pair an unknown card. Phones' random UIDs are never mapped.
 */
export class Pn532Device extends TransportDevice {
  readonly kind = 'nfc' as const;
  readonly options: Pn532Options;
  private parser = new Pn532FrameParser();
  private pending: { code: number; frame: Uint8Array; acked: boolean; resolve: (params: Uint8Array) => void; reject: (error: Error) => void } | null = null;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private present: string | null = null;
  private misses = 0;
  private sleep: { timer: unknown; resolve: () => void } | null = null;
  private readonly tagListeners = new Listeners<NfcTagEvent>();
  private firmwareVersion: FirmwareVersion | null = null;

  constructor(
    id: string,
    name: string,
    transport: ByteTransport,
    deps: DeviceDeps,
    private readonly tags: NfcTagStore,
    options: Partial<Pn532Options> = {},
  ) {
    super(id, name, 'nfc', transport, deps);
    this.options = { ...DEFAULT_PN532, ...options };
  }

  /** What the chip said of itself at the last connection (GetFirmwareVersion). */
  get firmware(): FirmwareVersion | null {
    return this.firmwareVersion;
  }

  onTag(listener: (tag: NfcTagEvent) => void): () => void {
    return this.tagListeners.add(listener);
  }

  protected async connected(): Promise<void> {
    this.parser = new Pn532FrameParser();
    this.present = null;
    this.misses = 0;
    await this.exchange(CMD_SAM_CONFIGURATION, samConfiguration(), wakeUpSequence());
    await this.checkFirmware();
    await this.configure();
    this.running = true;
    this.loopDone = this.pollLoop();
  }

  protected stopped(): void {
    this.running = false;
    this.pending?.reject(new Error('disconnected'));
    this.pending = null;
    const sleep = this.sleep;
    this.sleep = null;
    if (sleep) {
      this.deps.timers.clearTimeout(sleep.timer);
      sleep.resolve();
    }
  }

  override async close(): Promise<void> {
    await super.close();
    await this.loopDone;
  }

  protected received(bytes: Buffer): void {
    for (const event of this.parser.push(bytes)) this.handle(event);
  }

  private handle(event: Pn532Event): void {
    const pending = this.pending;
    switch (event.type) {
      case 'diagnostic':
        this.diagnose(event.code, event.detail);
        return;
      case 'ack':
        if (pending) pending.acked = true;
        return;
      case 'nack':
        // The chip asks for the last frame again.
        if (pending) void this.transport.write(pending.frame).catch(() => undefined);
        return;
      case 'error_frame':
        this.diagnose('error_frame', 'the PN532 could not process the last frame');
        pending?.reject(new Error('PN532 application error frame'));
        return;
      case 'wakeup':
        return;
      case 'frame':
        if (event.tfi !== TFI_PN532 || !pending || event.code !== pending.code + 1) {
          this.diagnose('unexpected_frame', `frame D${event.tfi.toString(16)} ${event.code.toString(16)} with no matching command`);
          return;
        }
        pending.resolve(event.params);
        return;
    }
  }

  /** Sends one command and resolves with its response params; rejects on a timeout or an error frame. */
  private exchange(code: number, frame: Uint8Array, prefix?: Uint8Array): Promise<Uint8Array> {
    this.pending?.reject(new Error('superseded'));
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = this.deps.timers.setTimeout(() => {
        if (this.pending !== entry) return;
        this.pending = null;
        // An unfinished frame from a chip gone quiet is reported as truncated, not kept forever.
        for (const event of this.parser.flush()) this.handle(event);
        reject(new NoReply(entry.acked ? 'response' : 'ACK'));
      }, this.options.replyTimeoutMs * 2);
      const entry = {
        code,
        frame,
        acked: false,
        resolve: (params: Uint8Array) => {
          this.deps.timers.clearTimeout(timer);
          if (this.pending === entry) this.pending = null;
          resolve(params);
        },
        reject: (error: Error) => {
          this.deps.timers.clearTimeout(timer);
          if (this.pending === entry) this.pending = null;
          reject(error);
        },
      };
      this.pending = entry;
      const bytes = prefix ? Buffer.concat([prefix, frame]) : frame;
      this.transport.write(bytes).catch((error: unknown) => entry.reject(error instanceof Error ? error : new Error(String(error))));
    });
  }

  private async wake(): Promise<void> {
    await this.exchange(CMD_SAM_CONFIGURATION, samConfiguration(), wakeUpSequence());
    await this.configure();
  }

  private async configure(): Promise<void> {
    await this.exchange(CMD_RF_CONFIGURATION, setMaxRetries(this.options.activationRetries));
  }

  /**
   * Another NXP reader chip (a PN533 says IC 33) or a clone that misreports
   * itself speaks the same frames but not the same commands: refuse it by
   * name rather than poll it and read nothing.
   */
  private async checkFirmware(): Promise<void> {
    const firmware = parseFirmwareVersion(await this.exchange(CMD_GET_FIRMWARE_VERSION, getFirmwareVersion()));
    if ('type' in firmware) throw new WrongDeviceError(`GetFirmwareVersion: ${firmware.detail}`);
    if (firmware.ic !== PN532_IC) {
      throw new WrongDeviceError(`not a PN532: GetFirmwareVersion names IC 0x${firmware.ic.toString(16).padStart(2, '0')}, a PN532 says 0x32`);
    }
    this.firmwareVersion = firmware;
  }

  private async pollLoop(): Promise<void> {
    while (this.running) {
      try {
        if (this.misses >= this.options.maxMisses) await this.wake();
        const params = await this.exchange(CMD_IN_LIST_PASSIVE_TARGET, inListPassiveTarget(1));
        this.answered();
        const targets = parsePassiveTargets(params);
        if (!Array.isArray(targets)) {
          this.diagnose(targets.code, targets.detail);
        } else {
          this.seen(targets[0]?.uid ?? null);
        }
      } catch (error) {
        if (!this.running) return;
        if (error instanceof NoReply) this.missed(error.message);
      }
      if (!this.running) return;
      await new Promise<void>((resolve) => {
        const timer = this.deps.timers.setTimeout(() => {
          this.sleep = null;
          resolve();
        }, this.options.pollMs);
        this.sleep = { timer, resolve };
      });
    }
  }

  private answered(): void {
    if (this.misses >= this.options.maxMisses && this.machine.state === 'enabled') this.machine.setCondition('ok');
    this.misses = 0;
  }

  private missed(detail: string): void {
    this.misses++;
    this.diagnose('no_reply', detail);
    if (this.misses === this.options.maxMisses && this.machine.state === 'enabled') this.machine.setCondition('not_responding');
  }

  private seen(uid: Uint8Array | null): void {
    if (uid === null) {
      this.present = null;
      return;
    }
    const tag = classifyNfcUid(uid);
    // One presentation, one read: a card left on the reader is not a new tap at every poll.
    if (tag.uid === this.present) return;
    this.present = tag.uid;
    const cardNumber = tag.kind === 'nfc_card' ? this.tags.cardFor(tag.uid) : null;
    const event: NfcTagEvent = { deviceId: this.id, at: this.deps.clock.now(), uid: tag.uid, kind: tag.kind, cardNumber };
    this.tagListeners.emit(event);
    if (tag.kind === 'nfc_random') this.diagnose('random_uid', 'a phone or random-UID tag: never taken for a card');
    else if (cardNumber === null) this.diagnose('unpaired_tag', `tag ${tag.uid} is not paired with a card`);
    else this.emitScan(cardNumber);
  }
}
