import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonLogger, logFile } from '../../src/main/core/logger';

const dirs: string[] = [];
afterEach(() => {
  vi.restoreAllMocks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the browser mode logs to a file', () => {
  it('appends JSON lines to a private file and keeps them off the terminal unless asked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fidele-logs-'));
    dirs.push(dir);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const path = join(dir, 'logs', 'terminal.log');
    const quiet = logFile(path, { echo: false });
    jsonLogger('web-bridge', quiet.write).info('not enrolled yet');
    quiet.close();
    expect(stderr).not.toHaveBeenCalled();
    const verbose = logFile(path, { echo: true });
    jsonLogger('web-bridge', verbose.write).info('enrolled');
    verbose.close();
    expect(stderr).toHaveBeenCalledTimes(1);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { message: string });
    expect(lines.map((l) => l.message)).toEqual(['not enrolled yet', 'enrolled']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'logs')).mode & 0o777).toBe(0o700);
  });

  it('starts a new file past 10 MB, keeping one old generation', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fidele-logs-'));
    dirs.push(dir);
    const path = join(dir, 'terminal.log');
    writeFileSync(path, 'x'.repeat(10 * 1024 * 1024 + 1));
    const log = logFile(path, { echo: false });
    log.write('fresh');
    log.close();
    expect(readFileSync(path, 'utf8')).toBe('fresh\n');
    expect(statSync(`${path}.1`).size).toBe(10 * 1024 * 1024 + 1);
  });
});
