import { createServer, type Server, type Socket } from 'node:net';
import { decodeWpc1252 } from '../protocols/escpos';
import type { ByteTransport } from '../transport';

export interface SimulatedPage {
  /** The text as printed (WPC1252 decoded, one LF per line). */
  text: string;
  /** Every byte the printer processed for this page, commands included. */
  bytes: Uint8Array;
  /** Barcode and QR payloads, in order. */
  codes: string[];
}

/** `silent`: switched off (bytes vanish, nothing answers); `nonsense`: prints, but answers garbage. */
export type PrinterSimMode = 'normal' | 'silent' | 'nonsense';

const DLE = 0x10;
const ESC = 0x1b;
const GS = 0x1d;
const FS = 0x1c;

/**
 * An ESC/POS printer at the far end of a pty or a TCP socket: a tokenizer of
 * the commands a receipt uses, the three status mechanisms (DLE EOT, ASB,
 * GS r) and the faults a till meets. A page is "printed" when the cutter
 * cuts it; a page cleared by DLE ENQ 2 before its cut is "torn" (the stub the
 * cashier throws away).
 *
 * Real-time commands are acted on as bytes arrive, whatever the printer is
 * doing, exactly as Epson printers do; everything else is processed in order
 * and stops while the paper is out or the cover is open, so whatever was
 * buffered then comes out when the fault clears unless the host cleared it.
 */
export class EscPosPrinterEngine {
  readonly printed: SimulatedPage[] = [];
  readonly torn: SimulatedPage[] = [];
  mode: PrinterSimMode = 'normal';
  /** Every byte received, for assertions on what the host sent. */
  received = 0;
  private buffer: Buffer = Buffer.alloc(0);
  private realtime: number[] = [];
  private page = { text: [] as number[], bytes: [] as number[], codes: [] as string[] };
  private asbMask = 0;
  private paperOut = false;
  private paperLow = false;
  private coverOpen = false;
  private paperLeft = Infinity;
  private readonly outputs = new Set<(bytes: Uint8Array) => void>();

  /** Where replies go: one pty, or every connected TCP client. */
  addOutput(write: (bytes: Uint8Array) => void): () => void {
    this.outputs.add(write);
    return () => this.outputs.delete(write);
  }

  receive(chunk: Uint8Array): void {
    // Switched off behind a USB-serial adapter that stays powered: the port is open, nothing listens.
    if (this.mode === 'silent') return;
    this.received += chunk.length;
    const data: number[] = [];
    for (const byte of chunk) {
      if (this.realtime.length > 0 || byte === DLE) {
        this.realtime.push(byte);
        this.takeRealtime(data);
      } else {
        data.push(byte);
      }
    }
    this.buffer = Buffer.concat([this.buffer, Buffer.from(data)]);
    this.process();
  }

  /** The roll ends after this many more printed bytes (text and feed). */
  paperOutAfter(bytes: number): void {
    this.paperLeft = bytes;
  }

  /** The roll ends now, printing or not (the simulator page's « plus de papier »). */
  runOutOfPaper(): void {
    this.paperLeft = 0;
    this.setStatus(() => (this.paperOut = true));
  }

  loadPaper(): void {
    this.paperLeft = Infinity;
    this.setStatus(() => {
      this.paperOut = false;
      this.paperLow = false;
    });
    this.process();
  }

  setPaperLow(low: boolean): void {
    this.setStatus(() => (this.paperLow = low));
  }

  openCover(): void {
    this.setStatus(() => (this.coverOpen = true));
  }

  closeCover(): void {
    this.setStatus(() => (this.coverOpen = false));
    this.process();
  }

  get stopped(): boolean {
    return this.paperOut || this.coverOpen;
  }

  /** Bytes received and not yet processed (held while stopped). */
  get buffered(): number {
    return this.buffer.length;
  }

  private send(bytes: number[]): void {
    if (this.mode === 'silent') return;
    const out = this.mode === 'nonsense' ? Uint8Array.from(bytes, (_b, i) => [0xff, 0x80, 0xa5, 0x93][i % 4]!) : Uint8Array.from(bytes);
    for (const write of this.outputs) write(out);
  }

  private setStatus(change: () => void): void {
    const before = this.asbFrame().join();
    change();
    if (this.asbMask !== 0 && this.asbFrame().join() !== before) this.send(this.asbFrame());
  }

  private asbFrame(): number[] {
    const offline = this.stopped;
    return [0x10 | (offline ? 0x08 : 0) | (this.coverOpen ? 0x20 : 0), 0x00, (this.paperLow ? 0x03 : 0) | (this.paperOut ? 0x0c : 0), 0x00];
  }

  private takeRealtime(data: number[]): void {
    const [, fn, n] = this.realtime;
    if (fn === undefined) return;
    if (fn !== 0x04 && fn !== 0x05) {
      // Not a real-time command: the DLE was data after all. The byte after it
      // may itself be a DLE that starts one (a chunk of data ending in 0x10,
      // then DLE ENQ 2): keep that one as the new candidate.
      data.push(DLE);
      this.realtime = fn === DLE ? [DLE] : [];
      if (fn !== DLE) data.push(fn);
      return;
    }
    if (n === undefined) return;
    this.realtime = [];
    if (fn === 0x04) this.send([this.realtimeReply(n)]);
    else if (n === 2) {
      // Everything received before the command is cleared with it, including
      // the bytes of this same chunk that came just before it.
      this.buffer = Buffer.concat([this.buffer, Buffer.from(data)]);
      data.length = 0;
      this.recoverClearing();
    }
  }

  private realtimeReply(n: number): number {
    const fixed = 0x12;
    switch (n) {
      case 1:
        return fixed | (this.stopped ? 0x08 : 0);
      case 2:
        return fixed | (this.coverOpen ? 0x04 : 0) | (this.paperOut ? 0x20 : 0);
      case 3:
        return fixed;
      case 4:
        return fixed | (this.paperLow ? 0x0c : 0) | (this.paperOut ? 0x60 : 0);
      default:
        return fixed;
    }
  }

  /** DLE ENQ 2: the receive and print buffers are emptied; a page begun and not cut is torn off. */
  private recoverClearing(): void {
    this.buffer = Buffer.alloc(0);
    if (this.page.text.length > 0 || this.page.codes.length > 0) this.torn.push(this.finishPage());
    else this.page = { text: [], bytes: [], codes: [] };
  }

  private finishPage(): SimulatedPage {
    const page = { text: decodeWpc1252(this.page.text), bytes: Uint8Array.from(this.page.bytes), codes: this.page.codes };
    this.page = { text: [], bytes: [], codes: [] };
    return page;
  }

  private process(): void {
    while (this.buffer.length > 0 && !this.stopped) {
      const length = commandLength(this.buffer);
      if (length === 0) return; // incomplete: wait for the rest
      const command = this.buffer.subarray(0, length);
      this.buffer = this.buffer.subarray(length);
      this.execute(command);
    }
  }

  private execute(command: Buffer): void {
    const first = command[0]!;
    this.page.bytes.push(...command);
    if (first === GS && command[1] === 0x72) {
      this.send([(this.paperLow ? 0x03 : 0) | (this.paperOut ? 0x0c : 0)]);
      return;
    }
    if (first === GS && command[1] === 0x61) {
      this.asbMask = command[2]!;
      if (this.asbMask !== 0) this.send(this.asbFrame());
      return;
    }
    if (first === GS && command[1] === 0x56) {
      this.printed.push(this.finishPage());
      return;
    }
    if (first === GS && command[1] === 0x6b) {
      const m = command[2]!;
      const data = m <= 6 ? command.subarray(3, command.length - 1) : command.subarray(4);
      this.page.codes.push(data.toString('latin1'));
      return;
    }
    if (first === GS && command[1] === 0x28 && command[2] === 0x6b && command[5] === 0x31 && command[6] === 0x50) {
      this.page.codes.push(command.subarray(8).toString('latin1'));
      return;
    }
    if (first === ESC || first === GS || first === FS) return;
    if (first === 0x0a || first >= 0x20) {
      this.page.text.push(first);
      if (--this.paperLeft <= 0 && Number.isFinite(this.paperLeft)) {
        this.setStatus(() => (this.paperOut = true));
      }
    }
  }
}

/** How many bytes the command at the start of `b` takes; 0 when it is not complete yet. */
export function commandLength(b: Buffer): number {
  const need = (n: number) => (b.length >= n ? n : 0);
  const first = b[0]!;
  if (first === ESC) {
    const c = b[1];
    if (c === undefined) return 0;
    if (c === 0x40 || c === 0x32) return 2; // ESC @, ESC 2
    if (c === 0x70) return need(5); // ESC p m t1 t2
    return need(3);
  }
  if (first === FS) {
    const c = b[1];
    if (c === undefined) return 0;
    if (c === 0x2e || c === 0x26) return 2;
    return need(3);
  }
  if (first === GS) {
    const c = b[1];
    if (c === undefined) return 0;
    if (c === 0x56) {
      const m = b[2];
      if (m === undefined) return 0;
      return m === 65 || m === 66 ? need(4) : 3;
    }
    if (c === 0x4c || c === 0x57) return need(4);
    if (c === 0x6b) {
      const m = b[2];
      if (m === undefined) return 0;
      if (m <= 6) {
        const end = b.indexOf(0, 3);
        return end < 0 ? 0 : end + 1;
      }
      const n = b[3];
      return n === undefined ? 0 : need(4 + n);
    }
    if (c === 0x28) {
      if (b.length < 5) return 0;
      return need(5 + b[3]! + 256 * b[4]!);
    }
    if (c === 0x76 && b[2] === 0x30) {
      if (b.length < 8) return 0;
      return need(8 + (b[4]! + 256 * b[5]!) * (b[6]! + 256 * b[7]!));
    }
    return need(3);
  }
  return 1;
}

/** The engine at the far end of a pty (the device side of a socat pair). */
export class SerialPrinterSimulator {
  readonly engine = new EscPosPrinterEngine();
  private offOutput: (() => void) | null = null;

  constructor(private readonly port: ByteTransport) {}

  async open(): Promise<void> {
    await this.port.open();
    this.port.onData((bytes) => this.engine.receive(bytes));
    this.offOutput = this.engine.addOutput((bytes) => void this.port.write(bytes).catch(() => undefined));
  }

  async close(): Promise<void> {
    this.offOutput?.();
    await this.port.close();
  }
}

/** A network printer on 127.0.0.1: the raw port 9100 protocol is the bytes themselves. */
export class TcpPrinterSimulator {
  readonly engine = new EscPosPrinterEngine();
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      const off = this.engine.addOutput((bytes) => socket.write(bytes));
      socket.on('data', (chunk: Buffer) => this.engine.receive(chunk));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        off();
        this.sockets.delete(socket);
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    return address.port;
  }

  /** Drops every client, as a printer switched off would. */
  dropClients(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async close(): Promise<void> {
    this.dropClients();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
