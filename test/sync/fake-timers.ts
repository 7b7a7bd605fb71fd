import type { Timers } from '../../src/main/core/devices/reconnect';

/** A clock and timers that move only when the test says so; callbacks run in due order. */
export class FakeTime implements Timers {
  private nextId = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  constructor(public value: number) {}

  readonly clock = { now: () => this.value };

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.due.set(id, { at: this.value + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** When the earliest pending timer fires, or null. */
  nextAt(): number | null {
    let min: number | null = null;
    for (const t of this.due.values()) if (min === null || t.at < min) min = t.at;
    return min;
  }

  pending(): number {
    return this.due.size;
  }

  /** Lets promise chains (the fake HQ, the loops) run to their next timer. */
  async settle(): Promise<void> {
    for (let i = 0; i < 30; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.value + ms;
    await this.settle();
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | null = null;
      for (const entry of this.due) if (entry[1].at <= end && (next === null || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.due.delete(next[0]);
      this.value = Math.max(this.value, next[1].at);
      next[1].fn();
      await this.settle();
    }
    this.value = end;
  }
}
