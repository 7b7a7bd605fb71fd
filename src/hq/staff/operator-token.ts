import { createHash, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Random } from '../../main/core/ports';

/**
 * The CLI's credential while HQ runs: a random token in HQ's data folder,
 * readable by HQ's own user only. Whoever can read it can already read HQ's
 * database and key, so it grants nothing new; the source address grants nothing.
 */
export const OPERATOR_TOKEN_FILE = 'operator-token';

export function operatorTokenPath(dataDir: string): string {
  return join(dataDir, OPERATOR_TOKEN_FILE);
}

export function loadOrCreateOperatorToken(dataDir: string, random: Random): string {
  const file = operatorTokenPath(dataDir);
  if (existsSync(file)) {
    // A copy or a restore may have loosened the mode; the token is only as private as the file.
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
  }
  const token = `hqop_${Buffer.from(random.bytes(32)).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return token;
}

export function readOperatorToken(dataDir: string): string | null {
  const file = operatorTokenPath(dataDir);
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

/** Constant-time whatever the lengths: both sides are hashed first. */
export function sameSecret(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(presented).digest();
  return timingSafeEqual(a, b);
}
