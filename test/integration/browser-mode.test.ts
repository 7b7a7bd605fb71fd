import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startKiosk } from './browser-mode-child';

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
  const kiosk = await startKiosk(['--data', join(dir, 'data'), '--config', config, '--devices', 'simulated', '--port', '0', '--hq-port', '0']);
  const { hqLine } = kiosk;
  expect(hqLine).toMatch(/embedded http:\/\/127\.0\.0\.1:\d+ \(PGlite in .*hq.*terminal enrolled in store demo-paris-11$/);
  const url = /embedded (http:\S+)/.exec(hqLine)![1]!;
  // The banner gives the staff console and the demo's login; the fleet answers that session, and nobody without one.
  const login = await lineMatching(kiosk.stdout, /^ {2}HQ console: +(\S+)\/console\/ — sign in as (\S+) \/ (\S+) /);
  expect(login[1]).toBe(url);
  expect((await fetch(`${url}/console/`, { redirect: 'manual' })).headers.get('location')).toBe('/login?next=%2Fconsole%2F');
  expect((await fetch(`${url}/v1/fleet`)).status).toBe(401);
  const session = await fetch(`${url}/v1/staff/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: login[2], password: login[3] }) });
  expect(session.status).toBe(200);
  const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
  expect((await fetch(`${url}/v1/console/session`, { headers: { cookie } })).status).toBe(200);
  const fleet = (await (await fetch(`${url}/v1/fleet`, { headers: { cookie } })).json()) as { terminals: Array<{ terminalId: string; storeId: string; status: string }> };
  expect(fleet.terminals).toEqual([expect.objectContaining({ terminalId: 'demo-paris-11-t1', storeId: 'demo-paris-11', status: 'active' })]);

  expect(await kiosk.stop()).toBe(0);
  // HQ went with the kiosk: nothing is left listening.
  await expect(fetch(`${url}/v1/hq`)).rejects.toThrow();
}, 120_000);

/** The banner is printed in one piece, but read line by line: waits a little for the line after the HQ line. */
async function lineMatching(lines: string[], pattern: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 50; i++) {
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) return match;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`);
}
