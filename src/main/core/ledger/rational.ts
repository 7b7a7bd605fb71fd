/**
 * Exact fractions over BigInt, so points are computed without a single float
 * and rounded exactly once (« 268.28000000000003 points » cannot happen).
 * Denominators are kept positive; values are reduced lazily by `floor`.
 */
export interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

export const ZERO: Rational = { n: 0n, d: 1n };

export function rat(n: bigint | number, d: bigint | number = 1n): Rational {
  const nn = BigInt(n);
  const dd = BigInt(d);
  if (dd === 0n) throw new RangeError('zero denominator');
  return dd < 0n ? { n: -nn, d: -dd } : { n: nn, d: dd };
}

export function add(a: Rational, b: Rational): Rational {
  if (a.d === b.d) return { n: a.n + b.n, d: a.d };
  return reduce({ n: a.n * b.d + b.n * a.d, d: a.d * b.d });
}

export function mul(a: Rational, b: Rational): Rational {
  return reduce({ n: a.n * b.n, d: a.d * b.d });
}

export function div(a: Rational, b: Rational): Rational {
  if (b.n === 0n) throw new RangeError('division by zero');
  return reduce(rat(a.n * b.d, a.d * b.n));
}

/** Rounds toward minus infinity: the ledger's only rounding. */
export function floor(a: Rational): bigint {
  const q = a.n / a.d;
  return a.n < 0n && q * a.d !== a.n ? q - 1n : q;
}

export function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

export function lcm(a: bigint, b: bigint): bigint {
  return a === 0n || b === 0n ? 0n : (a / gcd(a, b)) * b;
}

function reduce(a: Rational): Rational {
  const g = gcd(a.n, a.d);
  return g <= 1n ? a : { n: a.n / g, d: a.d / g };
}

/** Scales fractions by their common denominator into integers with the same ratios. */
export function toIntegerWeights(values: readonly Rational[]): bigint[] {
  const common = values.reduce((acc, v) => lcm(acc, v.d), 1n);
  return values.map((v) => (v.n * common) / v.d);
}

/** A JS number from a BigInt the caller knows is a safe integer; anything else is a bug worth stopping on. */
export function toSafeNumber(value: bigint): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${value} is outside the safe integer range`);
  return n;
}
