import type { ByteTransport } from '../transport';

/**
 * The far end of a serial scanner's pty: sends codes the way a USB-COM
 * scanner does (optional AIM identifier, then the suffix), and whatever a
 * faulty one would.
 */
export class SerialScannerSimulator {
  constructor(
    private readonly port: ByteTransport,
    private readonly options: { suffix: string; aim: string | null } = { suffix: '\r', aim: ']E0' },
  ) {}

  open(): Promise<void> {
    return this.port.open();
  }

  close(): Promise<void> {
    return this.port.close();
  }

  /** One code, written in a single write, as a scanner's UART burst arrives. */
  scan(code: string, aim: string | null = this.options.aim): Promise<void> {
    return this.port.write(Buffer.from(`${aim ?? ''}${code}${this.options.suffix}`, 'latin1'));
  }

  raw(bytes: Uint8Array | string): Promise<void> {
    return this.port.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }
}
