// What `npm start` remembers of its last attempt to fetch Electron's runtime.
// Where the network drops packets that attempt costs up to a minute; made at
// every start it would cost that minute every time. A failure is remembered
// for a day, and `npm start -- --retry-electron` tries again at once.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const RETRY_AFTER_MS = 24 * 3_600_000;
export const RETRY_FLAG = '--retry-electron';

/** @param {string} root the project root */
export function memoPath(root) {
  return join(root, 'node_modules', '.cache', 'fidele', 'electron-fetch.json');
}

/**
 * The remembered failure, or null when there is none or the file is not ours to trust.
 * @param {string} path
 * @returns {{ triedAt: number, failure: string } | null}
 */
export function readMemo(path) {
  try {
    const memo = JSON.parse(readFileSync(path, 'utf8'));
    if (typeof memo?.triedAt === 'number' && Number.isFinite(memo.triedAt) && typeof memo.failure === 'string') return { triedAt: memo.triedAt, failure: memo.failure };
  } catch {
    // Missing or damaged: as if never tried.
  }
  return null;
}

/**
 * Records a failed attempt (failure is its one-line reason), or forgets it after a success (failure null).
 * @param {string} path
 * @param {number} now
 * @param {string | null} failure
 */
export function recordAttempt(path, now, failure) {
  if (failure === null) {
    rmSync(path, { force: true });
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ triedAt: now, failure }) + '\n');
}

/**
 * Whether to try the download now: yes when asked to, when never tried, or when
 * the last failure is a day old (or from the future: a clock set back).
 * @param {{ memo: { triedAt: number, failure: string } | null, now: number, retry: boolean }} facts
 * @returns {{ fetch: true } | { fetch: false, reason: string }}
 */
export function fetchDecision({ memo, now, retry }) {
  if (retry || memo === null) return { fetch: true };
  const age = now - memo.triedAt;
  if (age < 0 || age >= RETRY_AFTER_MS) return { fetch: true };
  const hours = Math.max(1, Math.round(age / 3_600_000));
  const when = age < 3_600_000 ? 'less than an hour ago' : `${hours} h ago`;
  return { fetch: false, reason: `${when}, not retried for a day (${memo.failure}); try again now with npm start -- ${RETRY_FLAG}` };
}
