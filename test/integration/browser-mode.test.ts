import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, expect, it } from 'vitest';

/**
 * `npm start` on a machine without Electron: the browser mode with its
 * embedded HQ, started as a child process on PGlite and enrolled with, so a
 * fresh clone has a terminal that syncs out of the box.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-browser-mode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('runs the kiosk with an embedded HQ it is enrolled with, and stops both', async () => {
  const config = join(dir, 'terminal.json');
  writeFileSync(config, JSON.stringify({ demoSeed: null, tillApi: { enabled: false } }));
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsx, 'src/main/web-bridge/cli.ts', '--data', join(dir, 'data'), '--config', config, '--devices', 'simulated', '--port', '0', '--hq-port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const hqLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no HQ line in: ${lines.join('\n')}`)), 90_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(line);
      if (line.trim().startsWith('HQ:')) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once('exit', (code) => reject(new Error(`kiosk exited with ${code}: ${lines.join('\n')}`)));
  });
  expect(hqLine).toMatch(/embedded http:\/\/127\.0\.0\.1:\d+ \(PGlite in .*hq.*terminal enrolled in store demo-paris-11$/);
  const url = /embedded (http:\S+)/.exec(hqLine)![1]!;
  const fleet = (await (await fetch(`${url}/v1/fleet`)).json()) as { terminals: Array<{ terminalId: string; storeId: string; status: string }> };
  expect(fleet.terminals).toEqual([expect.objectContaining({ terminalId: 'demo-paris-11-t1', storeId: 'demo-paris-11', status: 'active' })]);

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  // HQ went with the kiosk: nothing is left listening.
  await expect(fetch(`${url}/v1/hq`)).rejects.toThrow();
}, 120_000);
