import type { Clock } from '../core/ports';

export interface CrashBackoffOptions {
  /** Delay before the first reload. */
  initialDelayMs: number;
  /** The delay doubles with each crash up to this. */
  maxDelayMs: number;
  /** This many crashes inside the window and reloading is not working: relaunch the app. */
  maxCrashes: number;
  /** Crashes older than this are forgotten, so a crash a day never adds up to a relaunch. */
  windowMs: number;
}

export const DEFAULT_CRASH_BACKOFF: CrashBackoffOptions = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  windowMs: 10 * 60_000,
};

export type CrashDecision = { action: 'reload'; delayMs: number; crashesInWindow: number } | { action: 'relaunch'; crashesInWindow: number };

/**
 * What to do when a window's renderer dies: reload it after a delay that grows
 * exponentially with recent crashes, and give up on reloading (relaunch the
 * whole app) once crashes keep coming. One instance per window.
 */
export class CrashBackoff {
  private crashes: number[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly options: CrashBackoffOptions = DEFAULT_CRASH_BACKOFF,
  ) {}

  onCrash(): CrashDecision {
    const now = this.clock.now();
    this.crashes = this.crashes.filter((at) => now - at < this.options.windowMs);
    this.crashes.push(now);
    const count = this.crashes.length;
    if (count >= this.options.maxCrashes) return { action: 'relaunch', crashesInWindow: count };
    const delayMs = Math.min(this.options.initialDelayMs * 2 ** (count - 1), this.options.maxDelayMs);
    return { action: 'reload', delayMs, crashesInWindow: count };
  }
}
