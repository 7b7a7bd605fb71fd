import { describe, expect, it } from 'vitest';
import { CrashBackoff, DEFAULT_CRASH_BACKOFF, type CrashBackoffOptions } from '../../src/main/electron/crash-backoff';

function clockAt(start: number) {
  let now = start;
  return {
    clock: { now: () => now },
    advance(ms: number) {
      now += ms;
    },
  };
}

const options: CrashBackoffOptions = { initialDelayMs: 500, maxDelayMs: 4_000, maxCrashes: 6, windowMs: 60_000 };

describe('CrashBackoff', () => {
  it('doubles the reload delay with each crash, up to the cap', () => {
    const { clock, advance } = clockAt(1_000_000);
    const backoff = new CrashBackoff(clock, options);
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const decision = backoff.onCrash();
      if (decision.action !== 'reload') throw new Error(`crash ${i + 1} relaunched`);
      delays.push(decision.delayMs);
      advance(1_000);
    }
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
  });

  it('relaunches the app once crashes keep coming inside the window', () => {
    const { clock, advance } = clockAt(0);
    const backoff = new CrashBackoff(clock, options);
    const actions: string[] = [];
    for (let i = 0; i < 6; i++) {
      actions.push(backoff.onCrash().action);
      advance(5_000);
    }
    expect(actions).toEqual(['reload', 'reload', 'reload', 'reload', 'reload', 'relaunch']);
  });

  it('forgets crashes older than the window', () => {
    const { clock, advance } = clockAt(0);
    const backoff = new CrashBackoff(clock, options);
    backoff.onCrash();
    backoff.onCrash();
    advance(options.windowMs);
    expect(backoff.onCrash()).toEqual({ action: 'reload', delayMs: options.initialDelayMs, crashesInWindow: 1 });
  });

  it('never relaunches for crashes spread wider than the window', () => {
    const { clock, advance } = clockAt(0);
    const backoff = new CrashBackoff(clock, options);
    const spacing = options.windowMs / (options.maxCrashes - 1);
    const decisions = Array.from({ length: 50 }, () => {
      const decision = backoff.onCrash();
      advance(spacing);
      return decision;
    });
    expect(decisions.every((d) => d.action === 'reload')).toBe(true);
    expect(Math.max(...decisions.map((d) => d.crashesInWindow))).toBe(options.maxCrashes - 1);
  });

  it('ships defaults that reload a few times, capped, before relaunching', () => {
    const { clock } = clockAt(0);
    const backoff = new CrashBackoff(clock);
    const decisions = Array.from({ length: DEFAULT_CRASH_BACKOFF.maxCrashes }, () => backoff.onCrash());
    expect(decisions.at(-1)?.action).toBe('relaunch');
    const delays = decisions.flatMap((d) => (d.action === 'reload' ? [d.delayMs] : []));
    expect(delays.length).toBeGreaterThanOrEqual(2);
    expect(delays.every((d, i) => i === 0 || d >= delays[i - 1]!)).toBe(true);
    expect(Math.max(...delays)).toBeLessThanOrEqual(DEFAULT_CRASH_BACKOFF.maxDelayMs);
  });
});
