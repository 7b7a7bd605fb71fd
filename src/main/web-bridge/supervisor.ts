import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLES, type Role } from '../../shared/contract';

/**
 * The browser mode's supervisor: it runs the kiosk process (cli.ts) and starts
 * it again, on the same port, data folder and screen tokens, when the kiosk
 * exits with KIOSK_RESTART_EXIT, which is how the stand-in updater
 * (standin-updater.ts) « installs » a release, and how an IT restart works in
 * the browser mode. The Chromium pages keep their URL (same port, same token)
 * and their socket reconnects by itself (src/renderer/api/ws-transport.ts).
 * Any other exit ends the supervisor with the kiosk's exit code.
 *
 *   tsx src/main/web-bridge/supervisor.ts [the arguments of cli.ts]
 */

/** EX_TEMPFAIL: « start me again ». */
export const KIOSK_RESTART_EXIT = 75;
/** Set by the supervisor in the kiosk's environment: a kiosk without it has no one to start it again. */
export const SUPERVISED_ENV = 'FIDELE_SUPERVISED';
/** The screens' tokens, fixed for the supervisor's lifetime so an open page's URL stays valid across restarts. */
export const SCREEN_TOKENS_ENV = 'FIDELE_SCREEN_TOKENS';

/** More restarts than this within RESTART_WINDOW_MS is a loop, not an update: the supervisor gives up. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/** The screens' tokens the supervisor chose, or null (not supervised, or malformed: the bridge then makes its own). */
export function screenTokensFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<Record<Role, string>> | null {
  const raw = env[SCREEN_TOKENS_ENV];
  if (!raw) return null;
  try {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    const tokens: Partial<Record<Role, string>> = {};
    for (const role of ROLES) {
      const token = parsed[role];
      if (typeof token !== 'string' || !/^[0-9a-f]{32}$/.test(token)) return null;
      tokens[role] = token;
    }
    return tokens;
  } catch {
    return null;
  }
}

export function isSupervised(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[SUPERVISED_ENV] === '1';
}

export function newScreenTokens(): Record<Role, string> {
  return Object.fromEntries(ROLES.map((role) => [role, randomBytes(16).toString('hex')])) as Record<Role, string>;
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** `--port 0` would give each restart another port and strand the open pages: one free port is chosen once. */
export async function withFixedPort(args: readonly string[]): Promise<string[]> {
  const out = [...args];
  for (let i = 0; i < out.length; i += 1) {
    if (out[i] === '--port' && out[i + 1] === '0') out[i + 1] = String(await freeLoopbackPort());
    else if (out[i] === '--port=0') out[i] = `--port=${await freeLoopbackPort()}`;
  }
  return out;
}

export interface SupervisorOptions {
  /** Starts one kiosk process with the given extra environment. */
  start: (env: Record<string, string>) => ChildProcess;
  tokens: Record<Role, string>;
  now?: () => number;
  log?: (line: string) => void;
}

export interface Supervisor {
  /** The kiosk's final exit code (restarts excluded). */
  readonly exited: Promise<number>;
  /** How many times the kiosk was started again. */
  readonly restarts: () => number;
  /** Passes a signal to the running kiosk; it is not started again after that. */
  stop(signal?: NodeJS.Signals): void;
}

export function supervise(options: SupervisorOptions): Supervisor {
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line: string) => console.log(line));
  const env = { [SUPERVISED_ENV]: '1', [SCREEN_TOKENS_ENV]: JSON.stringify(options.tokens) };
  const recent: number[] = [];
  let restarts = 0;
  let stopping = false;
  let child: ChildProcess;
  let finish!: (code: number) => void;
  const exited = new Promise<number>((r) => (finish = r));

  const run = (): void => {
    child = options.start(env);
    child.once('error', (error) => {
      log(`Could not start the kiosk: ${error.message}`);
      finish(1);
    });
    child.once('exit', (code, signal) => {
      if (code === KIOSK_RESTART_EXIT && !stopping) {
        const at = now();
        while (recent.length > 0 && at - recent[0]! > RESTART_WINDOW_MS) recent.shift();
        if (recent.length >= MAX_RESTARTS) {
          log(`The kiosk asked to restart ${MAX_RESTARTS + 1} times within ${RESTART_WINDOW_MS / 1000} s: not starting it again.`);
          finish(KIOSK_RESTART_EXIT);
          return;
        }
        recent.push(at);
        restarts += 1;
        log('The kiosk is restarting (an update was installed, or IT asked for it)…');
        run();
        return;
      }
      finish(code ?? (signal ? 1 : 0));
    });
  };
  run();

  return {
    exited,
    restarts: () => restarts,
    stop(signal = 'SIGTERM') {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

async function main(): Promise<void> {
  const args = await withFixedPort(process.argv.slice(2));
  const cli = join(import.meta.dirname, 'cli.ts');
  // The same Node with the same loader flags (tsx's) as this process: the kiosk is TypeScript too.
  const supervisor = supervise({
    tokens: newScreenTokens(),
    start: (env) => spawn(process.execPath, [...process.execArgv, cli, ...args], { stdio: 'inherit', env: { ...process.env, ...env } }),
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => supervisor.stop(signal));
  process.exit(await supervisor.exited);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
