import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { freePort } from '../fakes/postgres-cluster';
import { startKiosk } from './browser-mode-child';

/**
 * A terminal given an HQ it is not enrolled with sends nothing: its start
 * banner says so, with the way to enrol it, rather than looking like a
 * terminal that syncs.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-browser-unenrolled-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('says in the banner that the terminal is not enrolled, and how to enrol it', async () => {
  const config = join(dir, 'terminal.json');
  writeFileSync(config, JSON.stringify({ demoSeed: null, tillApi: { enabled: false } }));
  const hq = `http://127.0.0.1:${await freePort()}`;
  const kiosk = await startKiosk(['--data', join(dir, 'data'), '--config', config, '--devices', 'simulated', '--port', '0', '--hq', hq]);
  try {
    expect(kiosk.hqLine).toContain(`${hq} (asked for); terminal demo-paris-11-t1 NOT ENROLLED`);
    expect(kiosk.hqLine).toContain(`npm run terminal -- enrol <CODE> --hq ${hq}`);
  } finally {
    expect(await kiosk.stop()).toBe(0);
  }
}, 120_000);
