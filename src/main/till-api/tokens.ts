import { createHash, timingSafeEqual } from 'node:crypto';
import type { Random } from '../core/ports';

/** The demo till's token hash: the token itself is printed in the README, so it must never leave loopback. */
export const DEMO_TOKEN_SHA256 = '846f1e410e90828a5b35c4a9a6d9b42b5df821ba34ccf732c917eba8c45f10fe';

const TOKEN_PREFIX = 'ftk_';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** A new till token: 256 random bits; the prefix lets secret scanners recognise a leaked one. */
export function newTillToken(random: Random): string {
  return TOKEN_PREFIX + Buffer.from(random.bytes(32)).toString('base64url');
}

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/**
 * Which till a request comes from, by its bearer token. Only the tokens'
 * hashes are held; every configured hash is compared in constant time, and all
 * of them every time, so neither the bytes nor the position of a match leak
 * through timing.
 */
export class TillTokens {
  private readonly tills: ReadonlyArray<{ id: string; hash: Buffer }>;

  constructor(tills: ReadonlyArray<{ id: string; tokenSha256: string }>) {
    this.tills = tills.map((t) => ({ id: t.id, hash: Buffer.from(t.tokenSha256, 'hex') }));
  }

  /** The till id, or null for a missing, malformed or unknown token. */
  authenticate(authorization: string | undefined): string | null {
    const match = authorization === undefined ? null : BEARER.exec(authorization);
    if (!match) return null;
    const presented = createHash('sha256').update(match[1]!, 'utf8').digest();
    let found: string | null = null;
    for (const till of this.tills) {
      if (timingSafeEqual(presented, till.hash) && found === null) found = till.id;
    }
    return found;
  }
}
