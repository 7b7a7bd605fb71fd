import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchDecision, memoPath, readMemo, recordAttempt, RETRY_AFTER_MS } from '../../scripts/electron-fetch-memo.mjs';

const dirs: string[] = [];
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-memo-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 11, 7, 9);

describe('npm start remembers a failed Electron download', () => {
  it('does not try again within a day of a failure, and says how to', () => {
    const path = memoPath(tempRoot());
    expect(fetchDecision({ memo: readMemo(path), now: T0, retry: false })).toEqual({ fetch: true });
    recordAttempt(path, T0, 'no answer within 60 s');
    const next = fetchDecision({ memo: readMemo(path), now: T0 + 5 * 3_600_000, retry: false });
    expect(next).toEqual({ fetch: false, reason: expect.stringContaining('no answer within 60 s') });
    expect(next.fetch === false && next.reason).toContain('npm start -- --retry-electron');
    expect(next.fetch === false && next.reason).toContain('5 h ago');
  });

  it('tries again after a day, on demand, or when the clock went back', () => {
    const path = memoPath(tempRoot());
    recordAttempt(path, T0, 'ECONNRESET');
    const memo = readMemo(path);
    expect(fetchDecision({ memo, now: T0 + RETRY_AFTER_MS, retry: false })).toEqual({ fetch: true });
    expect(fetchDecision({ memo, now: T0 + 60_000, retry: true })).toEqual({ fetch: true });
    expect(fetchDecision({ memo, now: T0 - 60_000, retry: false })).toEqual({ fetch: true });
  });

  it('forgets the failure after a success, and ignores a damaged file', () => {
    const path = memoPath(tempRoot());
    recordAttempt(path, T0, 'ECONNRESET');
    recordAttempt(path, T0 + 1, null);
    expect(readMemo(path)).toBeNull();
    recordAttempt(path, T0, 'x');
    writeFileSync(path, '{"triedAt":"yesterday"');
    expect(readMemo(path)).toBeNull();
    writeFileSync(path, '{"triedAt":"yesterday","failure":"x"}');
    expect(readMemo(path)).toBeNull();
  });
});
