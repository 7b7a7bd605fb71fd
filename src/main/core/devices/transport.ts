import { constants as fsConstants } from 'node:fs';
import { open as openFile, type FileHandle } from 'node:fs/promises';
import { Socket } from 'node:net';
import { SerialPort } from 'serialport';
import { Listeners } from './listeners';

/**
 * A byte-stream port to a device: serial (USB CDC-ACM, RS-232, a socat pty),
 * the USB printer class device file, or a TCP socket. Drivers speak their
 * protocol over this and never know which one they hold.
 *
 * `close` fires once per open, whether the app closed it or the device went
 * away (`disconnected: true`); drivers reconnect on the latter.
 */
export interface ByteTransport {
  readonly description: string;
  readonly isOpen: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  /** Resolves once the bytes left the process (drained), so a driver can time a reply from there. */
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Buffer) => void): () => void;
  onClose(listener: (info: TransportClosed) => void): () => void;
}

export interface TransportClosed {
  disconnected: boolean;
  reason?: string;
}

export type TransportSpec =
  | { kind: 'serial'; path: string; baudRate?: number; rtscts?: boolean; xon?: boolean }
  | { kind: 'usblp'; path: string; pollMs?: number }
  | { kind: 'tcp'; host: string; port: number; connectTimeoutMs?: number };

export function describeTransport(spec: TransportSpec): string {
  switch (spec.kind) {
    case 'serial':
      return `serial:${spec.path}`;
    case 'usblp':
      return `usblp:${spec.path}`;
    case 'tcp':
      return `tcp:${spec.host}:${spec.port}`;
  }
}

export function createTransport(spec: TransportSpec): ByteTransport {
  switch (spec.kind) {
    case 'serial':
      return new SerialTransport(spec);
    case 'usblp':
      return new UsbPrinterTransport(spec);
    case 'tcp':
      return new TcpTransport(spec);
  }
}

/** The listener bookkeeping every transport shares, with a close reported once per session. */
abstract class BaseTransport implements ByteTransport {
  abstract readonly description: string;
  private readonly dataListeners = new Listeners<Buffer>();
  private readonly closeListeners = new Listeners<TransportClosed>();
  protected opened = false;
  private closeReported = true;

  get isOpen(): boolean {
    return this.opened;
  }

  abstract open(): Promise<void>;
  abstract close(): Promise<void>;
  abstract write(bytes: Uint8Array): Promise<void>;

  onData(listener: (bytes: Buffer) => void): () => void {
    return this.dataListeners.add(listener);
  }

  onClose(listener: (info: TransportClosed) => void): () => void {
    return this.closeListeners.add(listener);
  }

  protected sessionStarted(): void {
    this.opened = true;
    this.closeReported = false;
  }

  protected emitData(bytes: Buffer): void {
    this.dataListeners.emit(bytes);
  }

  /** serialport can fire close twice after a failed write; drivers must see one. */
  protected sessionEnded(info: TransportClosed): void {
    this.opened = false;
    if (this.closeReported) return;
    this.closeReported = true;
    this.closeListeners.emit(info);
  }
}

class SerialTransport extends BaseTransport {
  readonly description: string;
  private port: SerialPort | null = null;

  constructor(private readonly spec: Extract<TransportSpec, { kind: 'serial' }>) {
    super();
    this.description = describeTransport(spec);
  }

  async open(): Promise<void> {
    if (this.port) throw new Error(`${this.description} is already open`);
    const port = new SerialPort({
      path: this.spec.path,
      baudRate: this.spec.baudRate ?? 9600,
      rtscts: this.spec.rtscts ?? false,
      xon: this.spec.xon ?? false,
      xoff: this.spec.xon ?? false,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(error) : resolve())));
    this.port = port;
    this.sessionStarted();
    // A pending read is what makes an unplug visible: without a data listener the port never learns it is gone.
    port.on('data', (chunk: Buffer) => this.emitData(chunk));
    port.on('error', () => undefined);
    port.on('close', (error?: Error & { disconnected?: boolean }) => {
      if (this.port === port) this.port = null;
      this.sessionEnded({ disconnected: error?.disconnected === true || error !== undefined, reason: error?.message });
    });
  }

  async close(): Promise<void> {
    const port = this.port;
    if (!port) return;
    this.port = null;
    if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    this.sessionEnded({ disconnected: false });
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port) return Promise.reject(new Error(`${this.description} is not open`));
    return new Promise((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
        if (error) return reject(error);
        port.drain((drainError) => (drainError ? reject(drainError) : resolve()));
      });
    });
  }
}

/**
 * The kernel usblp character device (/dev/usb/lp0). It is bidirectional, but
 * a blocking read would hold a libuv worker until the printer speaks, so the
 * file is opened non-blocking and polled, as ReceiptIO does. A read failing
 * with ENODEV or EIO is the unplug.
 */
class UsbPrinterTransport extends BaseTransport {
  readonly description: string;
  private file: FileHandle | null = null;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly buffer = Buffer.alloc(4096);

  constructor(private readonly spec: Extract<TransportSpec, { kind: 'usblp' }>) {
    super();
    this.description = describeTransport(spec);
  }

  async open(): Promise<void> {
    if (this.file) throw new Error(`${this.description} is already open`);
    const flags = fsConstants.O_RDWR | fsConstants.O_NONBLOCK | (fsConstants.O_NOCTTY ?? 0);
    this.file = await openFile(this.spec.path, flags);
    this.sessionStarted();
    this.schedulePoll(0);
  }

  private schedulePoll(delayMs: number): void {
    this.pollTimer = setTimeout(() => void this.poll(), delayMs);
  }

  private async poll(): Promise<void> {
    const file = this.file;
    if (!file) return;
    try {
      const { bytesRead } = await file.read(this.buffer, 0, this.buffer.length, null);
      if (this.file !== file) return;
      if (bytesRead > 0) {
        this.emitData(Buffer.from(this.buffer.subarray(0, bytesRead)));
        this.schedulePoll(0);
        return;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
        if (this.file === file) await this.lost(`read failed: ${code ?? String(error)}`);
        return;
      }
    }
    this.schedulePoll(this.spec.pollMs ?? 50);
  }

  private async lost(reason: string): Promise<void> {
    const file = this.file;
    this.file = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await file?.close().catch(() => undefined);
    this.sessionEnded({ disconnected: true, reason });
  }

  async close(): Promise<void> {
    const file = this.file;
    if (!file) return;
    this.file = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    await file.close().catch(() => undefined);
    this.sessionEnded({ disconnected: false });
  }

  async write(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.byteLength) {
      const file = this.file;
      if (!file) throw new Error(`${this.description} is not open`);
      try {
        const { bytesWritten } = await file.write(bytes, offset, bytes.byteLength - offset, null);
        offset += bytesWritten;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK') {
          await this.lost(`write failed: ${code ?? String(error)}`);
          throw error;
        }
        // The printer's buffer is full: it is printing, give it time.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }
}

/** A network printer's raw port (9100, "JetDirect"). */
class TcpTransport extends BaseTransport {
  readonly description: string;
  private socket: Socket | null = null;

  constructor(private readonly spec: Extract<TransportSpec, { kind: 'tcp' }>) {
    super();
    this.description = describeTransport(spec);
  }

  async open(): Promise<void> {
    if (this.socket) throw new Error(`${this.description} is already open`);
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`${this.description}: connect timed out`));
      }, this.spec.connectTimeoutMs ?? 3_000);
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.connect({ host: this.spec.host, port: this.spec.port }, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    socket.setNoDelay(true);
    // A printer switched off never sends FIN; keep-alive probes find out.
    socket.setKeepAlive(true, 5_000);
    this.socket = socket;
    this.sessionStarted();
    socket.removeAllListeners('error');
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => this.emitData(chunk));
    socket.on('close', (hadError) => {
      if (this.socket === socket) this.socket = null;
      this.sessionEnded({ disconnected: true, reason: hadError ? 'socket error' : 'peer closed' });
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    this.sessionEnded({ disconnected: false });
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.end();
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 500).unref();
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error(`${this.description} is not open`));
    return new Promise((resolve, reject) => {
      socket.write(bytes, (error) => (error ? reject(error) : resolve()));
    });
  }
}
