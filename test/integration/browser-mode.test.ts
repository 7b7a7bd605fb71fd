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
  const fleet = (await (await fetch(`${url}/v1/fleet`)).json()) as { terminals: Array<{ terminalId: string; storeId: string; status: string }> };
  expect(fleet.terminals).toEqual([expect.objectContaining({ terminalId: 'demo-paris-11-t1', storeId: 'demo-paris-11', status: 'active' })]);

  expect(await kiosk.stop()).toBe(0);
  // HQ went with the kiosk: nothing is left listening.
  await expect(fetch(`${url}/v1/hq`)).rejects.toThrow();
}, 120_000);
