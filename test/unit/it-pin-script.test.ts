import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IT_ACCESS_FILE, ItGate, fileItAccessStore } from '../../src/main/core/it/it-gate';

const tsx = createRequire(import.meta.url).resolve('tsx/cli');

function itPin(args: string[]) {
  return spawnSync(process.execPath, [tsx, 'scripts/it-pin.ts', ...args], { encoding: 'utf8', env: { ...process.env, FIDELE_DATA_DIR: '' } });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-it-pin-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run it:pin', () => {
  it('sets the IT PIN of the data folder given, hashed, 0600, and prints neither the PIN nor the hash', () => {
    const run = itPin(['--data', dir, '58302961']);
    expect(run.status).toBe(0);
    expect(run.stdout + run.stderr).not.toContain('58302961');
    expect(run.stdout + run.stderr).not.toContain('scrypt$');
    const path = join(dir, IT_ACCESS_FILE);
    expect(readFileSync(path, 'utf8')).not.toContain('58302961');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const gate = new ItGate({ store: fileItAccessStore(dir), clock: { now: () => 0 } });
    expect(gate.unlock('58302961').expiresAt).toBeGreaterThan(0);
  }, 30_000);

  it('refuses a PIN that is not 4 to 12 digits, and a folder that does not exist, writing nothing', () => {
    for (const bad of ['123', '12ab56']) {
      const run = itPin(['--data', dir, bad]);
      expect(run.status, bad).toBe(2);
      expect(run.stderr).toContain('usage');
    }
    expect(existsSync(join(dir, IT_ACCESS_FILE))).toBe(false);
    const missing = itPin(['--data', join(dir, 'nope'), '123456']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no data folder');
  }, 30_000);
});
