import type { Random } from '../ports';

/** setTimeout and clearTimeout, injected so tests can run the backoff on a fake clock. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction of the delay drawn at random either side, so tills on one power strip do not retry in step. */
  jitter: number;
}

/** Short enough that a replugged scanner is back within 2 s, long enough not to spin on a missing device. */
export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0.2 };

function unitInterval(random: Random): number {
  const b = random.bytes(4);
  return (((b[0]! << 24) >>> 0) + (b[1]! << 16) + (b[2]! << 8) + b[3]!) / 2 ** 32;
}

/** The delay before retry number `attempt` (0-based): exponential, capped, jittered. */
export function backoffDelay(attempt: number, options: BackoffOptions, random: Random): number {
  const base = Math.min(options.maxMs, options.initialMs * options.factor ** Math.min(attempt, 30));
  const spread = base * options.jitter * (2 * unitInterval(random) - 1);
  return Math.max(0, Math.round(base + spread));
}

/**
 * Calls `attempt` until it succeeds, waiting a backoff delay between failures.
 * One loop per device; `stop` cancels it (a device closed by the app).
 */
export class Reconnector {
  private handle: unknown = null;
  private attempts = 0;
  private running = false;

  constructor(
    private readonly attempt: () => Promise<void>,
    private readonly deps: { timers: Timers; random: Random; options?: BackoffOptions; onFailure?: (error: unknown, attempt: number) => void },
  ) {}

  get active(): boolean {
    return this.running;
  }

  get attemptCount(): number {
    return this.attempts;
  }

  /** Starts the loop (no-op if it runs): the first try after the initial delay. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempts = 0;
    this.schedule();
  }

  /** Tries now instead of at the end of the current wait: discovery saw the device come back. */
  kick(): void {
    if (!this.running || this.handle === null) return;
    this.deps.timers.clearTimeout(this.handle);
    this.handle = null;
    void this.tryOnce();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== null) this.deps.timers.clearTimeout(this.handle);
    this.handle = null;
  }

  private schedule(): void {
    const delay = backoffDelay(this.attempts, this.deps.options ?? DEFAULT_BACKOFF, this.deps.random);
    this.handle = this.deps.timers.setTimeout(() => void this.tryOnce(), delay);
  }

  private async tryOnce(): Promise<void> {
    this.handle = null;
    if (!this.running) return;
    try {
      await this.attempt();
      this.running = false;
    } catch (error) {
      this.deps.onFailure?.(error, this.attempts);
      this.attempts++;
      if (this.running) this.schedule();
    }
  }
}
