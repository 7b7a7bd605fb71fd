import { scryptSync, timingSafeEqual } from 'node:crypto';
import type { Random } from '../ports';

/**
 * Manager PINs are stored as 'scrypt$N$r$p$<salt base64>$<hash base64>' so the
 * configuration never holds the PIN, and a short PIN still costs real work to
 * guess from a stolen file. Comparison is constant-time.
 */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_SCRYPT: ScryptParams = { N: 16_384, r: 8, p: 1 };
const KEY_LENGTH = 32;

export function hashManagerPin(pin: string, random: Random, params: ScryptParams = DEFAULT_SCRYPT): string {
  const salt = Buffer.from(random.bytes(16));
  const hash = scryptSync(pin.normalize('NFC'), salt, KEY_LENGTH, { ...params, maxmem: 256 * params.N * params.r });
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

export function verifyManagerPin(pin: string, encoded: string): boolean {
  const parts = encoded.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![N, r, p].every((n) => Number.isSafeInteger(n) && n > 0)) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const actual = scryptSync(pin.normalize('NFC'), salt, KEY_LENGTH, { N, r, p, maxmem: 256 * N * r });
  return timingSafeEqual(actual, expected);
}
