import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface ChildScripts {
  terminal: string;
  hq: string;
  remove(): void;
}

/**
 * The two child scripts, each bundled once into one ES module (packages stay
 * external: better-sqlite3, PGlite, Fastify load from node_modules as usual).
 * Every restart of a child would otherwise pay for tsx transforming and
 * resolving a hundred source files again — seconds per restart on a loaded
 * two-core machine, most of the test's budget.
 */
export async function bundleChildren(): Promise<ChildScripts> {
  // Beside node_modules, so the bundle resolves the external packages; one folder per test process.
  const dir = join(process.cwd(), 'node_modules', '.cache', `fidele-kill-${process.pid}`);
  const out = (name: string) => join(dir, `${name}.mjs`);
  await build({
    entryPoints: { 'kill-terminal-child': 'test/sync-faults/kill-terminal-child.ts', 'kill-hq-child': 'test/sync-faults/kill-hq-child.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    packages: 'external',
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  return { terminal: out('kill-terminal-child'), hq: out('kill-hq-child'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A child process of the kill tests (kill-terminal-child.ts, kill-hq-child.ts,
 * bundled by bundleChildren): its stdout lines as they arrive, a way to wait for one, and
 * SIGKILL. Lines are kept in order with the time they were read.
 */
export class KillChild {
  /** Every child still running, so that a test that failed half-way leaves none behind. */
  static readonly alive = new Set<KillChild>();

  static async killAll(): Promise<void> {
    await Promise.all([...KillChild.alive].map((c) => c.kill()));
  }

  readonly lines: string[] = [];
  /** When each line was read (Date.now()), index for index. */
  readonly times: number[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private readonly proc: ChildProcess;
  private waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];
  private buffer = '';
  private done = false;

  constructor(
    readonly name: string,
    script: string,
    options: unknown,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.proc = spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline);
        this.buffer = this.buffer.slice(newline + 1);
        this.lines.push(line);
        this.times.push(Date.now());
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(line)) return true;
          w.resolve(line);
          return false;
        });
      }
    });
    this.proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      // The tail is what explains a failure; a long run of warnings is not.
      this.stderr = (this.stderr + chunk).slice(-8_000);
    });
    KillChild.alive.add(this);
    this.proc.stdin!.on('error', () => {}); // writing to a child that was just killed
    this.exited = new Promise((resolve, reject) => {
      this.proc.on('error', reject);
      this.proc.on('exit', (code, signal) => {
        this.done = true;
        KillChild.alive.delete(this);
        resolve({ code, signal });
      });
    });
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** The first line from index `from` on starting with `prefix` (already read or still to come), or a failure naming what the child said. */
  waitFor(prefix: string, timeoutMs: number, from = 0): Promise<string> {
    const seen = this.lines.slice(from).find((l) => l.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const fail = (why: string) =>
        reject(new Error(`${this.name}: ${why} waiting for ${prefix}; last lines ${JSON.stringify(this.lines.slice(-5))}; stderr ${this.stderr.slice(-2_000)}`));
      const timer = setTimeout(() => fail(`timed out after ${timeoutMs} ms`), timeoutMs);
      const waiter = {
        test: (line: string) => line.startsWith(prefix),
        resolve: (line: string) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      this.waiters.push(waiter);
      void this.exited.then(({ code, signal }) => {
        if (!this.waiters.includes(waiter)) return;
        clearTimeout(timer);
        fail(`exited (code ${code}, signal ${signal})`);
      });
    });
  }

  send(line: string): void {
    this.proc.stdin!.write(`${line}\n`);
  }

  /** SIGKILL, resolved once the process is gone. */
  async kill(): Promise<{ code: number | null; signal: string | null }> {
    if (!this.done) this.proc.kill('SIGKILL');
    return this.exited;
  }

  async terminate(): Promise<{ code: number | null; signal: string | null }> {
    if (!this.done) this.proc.kill('SIGTERM');
    return this.exited;
  }
}

/** Milliseconds from the first line starting with `from` to the first starting with `to`, or null. */
export function elapsed(child: KillChild, from: string, to: string): number | null {
  const a = child.lines.findIndex((l) => l.startsWith(from));
  const b = child.lines.findIndex((l) => l.startsWith(to));
  return a < 0 || b < 0 ? null : child.times[b]! - child.times[a]!;
}

/** The requests to HQ a terminal child had sent and not seen answered (nor failed), by path. */
export function inFlight(child: KillChild): string[] {
  const open = new Map<string, string>();
  for (const line of child.lines) {
    const [kind, n, path] = line.split(' ');
    if (kind === 'HTTP>') open.set(n!, path!);
    else if (kind === 'HTTP<' || kind === 'HTTP!') open.delete(n!);
  }
  return [...open.values()];
}

/**
 * What a terminal child was doing when it died, from what it printed: a sale
 * being committed, requests to HQ in flight, an answer in and being handled.
 */
export function terminalActivity(child: KillChild, committed: (receipt: string) => boolean): string[] {
  const parts: string[] = [];
  const lastSale = child.lines.findLast((l) => l.startsWith('BEGIN ') || l.startsWith('SALE '));
  // A commit is synchronous: nothing else prints between BEGIN and SALE, so a trailing BEGIN died in (or just after) it.
  if (lastSale?.startsWith('BEGIN ')) parts.push(committed(lastSale.split(' ')[1]!) ? 'mid-sale (committed, not acknowledged)' : 'mid-sale (not committed)');
  for (const path of inFlight(child)) parts.push(path === '/v1/push' ? 'push upload in flight' : path === '/v1/pull' ? 'pull in flight' : `${path} in flight`);
  const last = child.lines.at(-1) ?? '';
  if (last.startsWith('HTTP< ')) {
    const path = last.split(' ')[2];
    parts.push(path === '/v1/push' ? 'push answer in, receipt not yet stored' : path === '/v1/pull' ? 'pull answer in, being applied' : `${path} answer in`);
  }
  return parts;
}

/** Lines of `child` that start with `kind`, split on spaces, without the kind. */
export function linesOf(child: KillChild, kind: string): string[][] {
  return child.lines.filter((l) => l.startsWith(`${kind} `)).map((l) => l.split(' ').slice(1));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A uniform integer in [lo, hi] from a seeded Random's bytes. */
export function between(random: { bytes(n: number): Uint8Array }, lo: number, hi: number): number {
  const [a, b] = random.bytes(2);
  return lo + Math.floor((((a! << 8) | b!) / 65_536) * (hi - lo + 1));
}
