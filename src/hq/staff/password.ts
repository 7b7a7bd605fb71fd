import { scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Staff passwords are stored as scrypt hashes with a per-account salt, in a
 * self-describing string (`scrypt$N$r$p$salt$hash`) so the cost can be raised
 * later without breaking the hashes already stored.
 */
const COST = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
export const SALT_BYTES = 16;
// 128·N·r bytes are needed; Node's default ceiling (32 MiB) is exactly that, so leave headroom.
const MAX_MEM = 64 * 1024 * 1024;

function scrypt(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: MAX_MEM }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string, salt: Uint8Array): Promise<string> {
  const key = await scrypt(password, Buffer.from(salt), COST);
  return ['scrypt', COST.N, COST.r, COST.p, Buffer.from(salt).toString('base64'), key.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), { N: Number(n), r: Number(r), p: Number(p) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of nothing, checked against when the username is unknown, so the answer takes as long either way. */
export const DECOY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
