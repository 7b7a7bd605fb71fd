/**
 * What the core needs from the outside world, injected so tests decide what
 * time it is and what "random" gives.
 */
export interface Clock {
  /** Wall-clock time, epoch milliseconds. */
  now(): number;
}

export interface Random {
  /** Cryptographically strong bytes in production, a seeded stream in tests. */
  bytes(count: number): Uint8Array;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };

/** A deterministic byte stream (SplitMix64 folded to 32 bits) for tests and the demo seed. */
export function seededRandom(seed: number): Random {
  let state = BigInt.asUintN(64, BigInt(seed));
  const next32 = (): number => {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n);
    let z = state;
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n);
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn);
    z = z ^ (z >> 31n);
    return Number(z & 0xffffffffn);
  };
  return {
    bytes(count) {
      const out = new Uint8Array(count);
      for (let i = 0; i < count; i += 4) {
        const word = next32();
        for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
      }
      return out;
    },
  };
}
