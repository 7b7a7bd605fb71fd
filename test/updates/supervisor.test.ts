import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  KIOSK_RESTART_EXIT,
  newScreenTokens,
  SCREEN_TOKENS_ENV,
  screenTokensFromEnv,
  supervise,
  SUPERVISED_ENV,
  withFixedPort,
} from '../../src/main/web-bridge/supervisor';

/** A kiosk stand-in: prints what it was given, then exits with the next code of the list. */
function kiosk(codes: number[], seen: string[]) {
  let run = 0;
  return (env: Record<string, string>) => {
    const code = codes[Math.min(run, codes.length - 1)]!;
    run += 1;
    const child = spawn(process.execPath, ['-e', `console.log(process.env.${SUPERVISED_ENV} + ' ' + process.env.${SCREEN_TOKENS_ENV}); process.exit(${code})`], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    child.stdout.on('data', (b: Buffer) => seen.push(b.toString('utf8').trim()));
    return child;
  };
}

describe('the browser mode supervisor', () => {
  it('starts the kiosk again after KIOSK_RESTART_EXIT, with the same screen tokens, and ends with its final code', async () => {
    const seen: string[] = [];
    const tokens = newScreenTokens();
    const s = supervise({ tokens, start: kiosk([KIOSK_RESTART_EXIT, KIOSK_RESTART_EXIT, 0], seen), log: () => {} });
    expect(await s.exited).toBe(0);
    expect(s.restarts()).toBe(2);
    expect(seen).toEqual(Array(3).fill(`1 ${JSON.stringify(tokens)}`));
    expect(screenTokensFromEnv({ [SCREEN_TOKENS_ENV]: JSON.stringify(tokens) })).toEqual(tokens);
  });

  it('any other exit ends the supervisor with that code', async () => {
    const s = supervise({ tokens: newScreenTokens(), start: kiosk([3], []), log: () => {} });
    expect(await s.exited).toBe(3);
    expect(s.restarts()).toBe(0);
  });

  it('a kiosk asking to restart in a loop is not started again forever', async () => {
    const lines: string[] = [];
    const s = supervise({ tokens: newScreenTokens(), start: kiosk([KIOSK_RESTART_EXIT], []), now: () => 1_000, log: (l) => lines.push(l) });
    expect(await s.exited).toBe(KIOSK_RESTART_EXIT);
    expect(s.restarts()).toBe(5);
    expect(lines.at(-1)).toBe('The kiosk asked to restart 6 times within 60 s: not starting it again.');
  });

  it('malformed tokens in the environment are ignored (the bridge makes its own)', () => {
    expect(screenTokensFromEnv({})).toBeNull();
    expect(screenTokensFromEnv({ [SCREEN_TOKENS_ENV]: '{"cashier":"x"}' })).toBeNull();
    expect(screenTokensFromEnv({ [SCREEN_TOKENS_ENV]: 'not json' })).toBeNull();
  });

  it('--port 0 becomes one fixed free port, so a restarted kiosk listens where the pages are', async () => {
    const args = await withFixedPort(['--data', 'd', '--port', '0']);
    expect(args.slice(0, 3)).toEqual(['--data', 'd', '--port']);
    expect(Number(args[3])).toBeGreaterThan(0);
    expect(await withFixedPort(['--port', '5170'])).toEqual(['--port', '5170']);
  });
});
