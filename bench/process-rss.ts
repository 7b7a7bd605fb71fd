/**
 * Resident memory of the real processes `npm start` runs in the browser mode:
 * the terminal (web bridge, core, till API) and the HQ it embeds as a child,
 * each read from /proc once the banner is out and a few screen loads and
 * scans have gone through. Linux only (null elsewhere).
 */
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

export interface ProcessRss {
  terminalMb: number | null;
  hqMb: number | null;
}

const READY_MS = 180_000;

/** Child processes that are node (tsx also starts an esbuild service beside them). */
function nodeChildren(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter(([, comm]) => comm === 'node' || comm === basename(process.execPath))
      .map(([p]) => Number(p));
  } catch {
    return [];
  }
}

/** tsx runs the script in a child node: the process doing the work is the innermost one. */
function innermost(pid: number): number {
  for (let next = nodeChildren(pid)[0]; next !== undefined; next = nodeChildren(pid)[0]) pid = next;
  return pid;
}

function rssMb(pid: number): number | null {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kb ? Math.round(Number(kb[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Starts the browser mode on `dataDir` (its terminal.sqlite as the bench left it), measures, stops it. */
export async function measureBrowserModeRss(dataDir: string, terminalId: string): Promise<ProcessRss> {
  if (process.platform !== 'linux') return { terminalMb: null, hqMb: null };
  // The bench's own terminal on its store; no till API, whose fixed port another run may hold.
  const config = join(dataDir, 'bench-terminal.json');
  writeFileSync(config, JSON.stringify({ terminalId, demoSeed: null, tillApi: { enabled: false, host: '127.0.0.1', port: 5171, lan: false, tills: [] } }));
  const root = join(import.meta.dirname, '..');
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsx, 'src/main/web-bridge/cli.ts', '--data', dataDir, '--port', '0', '--hq-port', '0', '--devices', 'simulated', '--config', config], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  try {
    let out = '';
    const urls = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the browser mode did not start within ${READY_MS / 1000} s`)), READY_MS);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString('utf8');
        if (!out.includes('Ctrl+C stops the kiosk')) return;
        clearTimeout(timer);
        resolve(Object.fromEntries([...out.matchAll(/(Cashier|Customer) screen:\s+(\S+)/g)].map((m) => [m[1]!.toLowerCase(), m[2]!])));
      });
      child.once('exit', (code) => reject(new Error(`the browser mode exited with ${code}`)));
    });
    // Each screen loaded a few times, as kiosks reloading through a day would.
    for (let i = 0; i < 5; i++) {
      for (const url of Object.values(urls)) {
        const page = await fetch(url, { headers: { 'accept-encoding': 'br' } });
        const html = await page.text();
        for (const m of html.matchAll(/(?:src|href)="\.\.\/(assets\/[^"]+)"/g)) await (await fetch(new URL(`/${m[1]}`, url), { headers: { 'accept-encoding': 'br' } })).arrayBuffer();
      }
    }
    await new Promise((r) => setTimeout(r, 3_000));
    // bench → tsx → terminal (node) → tsx → HQ (node)
    const terminal = nodeChildren(child.pid!)[0] ?? child.pid!;
    const hqRoot = nodeChildren(terminal)[0];
    return { terminalMb: rssMb(terminal), hqMb: hqRoot === undefined ? null : rssMb(innermost(hqRoot)) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  }
}
