import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceDiagnostic } from '../../src/main/core/devices/device-state';
import { systemTimers } from '../../src/main/core/devices/reconnect';
import { SocatPair } from '../../src/main/core/devices/simulators/socat';
import type { ByteTransport, TransportClosed } from '../../src/main/core/devices/transport';
import type { DeviceDeps } from '../../src/main/core/devices/transport-device';
import { seededRandom, silentLogger, systemClock } from '../../src/main/core/ports';

/** A temp folder for socat links, and every socat started in it stopped at the end. */
export class PtyLab {
  readonly dir = mkdtempSync(join(tmpdir(), 'fidele-dev-'));
  private readonly pairs: SocatPair[] = [];

  pair(name: string): SocatPair {
    const pair = new SocatPair(join(this.dir, `${name}-app`), join(this.dir, `${name}-dev`));
    this.pairs.push(pair);
    return pair;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.pairs.map((p) => p.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function realDeps(overrides: Partial<DeviceDeps> = {}): DeviceDeps {
  return { clock: systemClock, timers: systemTimers, random: seededRandom(7), logger: silentLogger, ...overrides };
}

/** Resolves when `check` is true, polling; rejects after `timeoutMs` with `what`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The longest gap between ticks of a 10 ms interval while `run` runs: a blocked event loop shows here. */
export async function maxLoopGap<T>(run: () => Promise<T>): Promise<{ result: T; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  try {
    const result = await run();
    return { result, maxGapMs };
  } finally {
    clearInterval(timer);
  }
}

export function collect<T>(subscribe: (listener: (value: T) => void) => unknown): T[] {
  const values: T[] = [];
  subscribe((value) => values.push(value));
  return values;
}

export const codesOf = (diagnostics: DeviceDiagnostic[]) => diagnostics.map((d) => d.code);

/** Timers on a hand-turned clock: `advance` runs what falls due, in order. */
export class FakeTimers {
  now = 0;
  private nextId = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  setTimeout = (fn: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.due.set(id, { at: this.now + ms, fn });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.due.delete(handle as number);
  };

  get pending(): number {
    return this.due.size;
  }

  /** Moves time forward, running each timer at its due time and letting promises settle in between. */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.due) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.now = end;
    for (let i = 0; i < 10; i++) await Promise.resolve();
  }
}

/** Two ends of an in-memory byte link: what one writes, the other receives on the next microtask. */
export function memoryLink(): [MemoryPort, MemoryPort] {
  const a = new MemoryPort('memory:a');
  const b = new MemoryPort('memory:b');
  a.peer = b;
  b.peer = a;
  return [a, b];
}

export class MemoryPort implements ByteTransport {
  peer: MemoryPort | null = null;
  isOpen = false;
  private readonly dataListeners = new Set<(bytes: Buffer) => void>();
  private readonly closeListeners = new Set<(info: TransportClosed) => void>();

  constructor(readonly description: string) {}

  async open(): Promise<void> {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    if (!this.isOpen) return;
    this.isOpen = false;
    for (const listener of this.closeListeners) listener({ disconnected: false });
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (!this.isOpen) throw new Error('not open');
    const peer = this.peer;
    const copy = Buffer.from(bytes);
    queueMicrotask(() => {
      if (peer?.isOpen) for (const listener of peer.dataListeners) listener(copy);
    });
  }

  onData(listener: (bytes: Buffer) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (info: TransportClosed) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }
}
