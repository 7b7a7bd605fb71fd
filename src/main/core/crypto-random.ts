import { randomBytes } from 'node:crypto';
import type { Random } from './ports';

/** The production source of randomness: the operating system's CSPRNG. */
export const cryptoRandom: Random = {
  bytes: (count) => new Uint8Array(randomBytes(count)),
};
