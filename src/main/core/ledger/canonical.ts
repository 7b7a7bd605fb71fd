import { createHash } from 'node:crypto';

/**
 * The canonical encoding of ledger data, version 1. Hashes and (later)
 * signatures are computed over these bytes, so the same value must give the
 * same bytes on every terminal, in every release, forever. The rules:
 *
 * - values are null, booleans, safe integers (no floats, no -0 distinction:
 *   -0 is written 0), strings, arrays and plain objects; anything else is
 *   refused rather than coerced;
 * - strings must already be in Unicode NFC and well formed (no lone
 *   surrogates); they are written as JSON strings (ECMA-404 escaping as done
 *   by JSON.stringify: `"` `\` and U+0000–U+001F escaped, nothing else);
 * - object keys are ASCII, written in ascending code-unit order; a key whose
 *   value is `undefined` is an error, not an omission;
 * - no whitespace anywhere.
 */
export type CanonicalValue = null | boolean | number | string | readonly CanonicalValue[] | { readonly [key: string]: CanonicalValue };

export class CanonicalEncodingError extends Error {
  constructor(path: string, problem: string) {
    super(`cannot encode ${path || '(root)'} canonically: ${problem}`);
    this.name = 'CanonicalEncodingError';
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const ASCII_KEY = /^[\x20-\x7e]+$/;

export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, '', out);
  return out.join('');
}

function write(value: unknown, path: string, out: string[]): void {
  if (value === null) {
    out.push('null');
  } else if (typeof value === 'boolean') {
    out.push(value ? 'true' : 'false');
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new CanonicalEncodingError(path, `${value} is not a safe integer`);
    out.push(String(value === 0 ? 0 : value));
  } else if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) throw new CanonicalEncodingError(path, 'string has a lone surrogate');
    if (value.normalize('NFC') !== value) throw new CanonicalEncodingError(path, 'string is not in NFC');
    out.push(JSON.stringify(value));
  } else if (Array.isArray(value)) {
    out.push('[');
    value.forEach((item, i) => {
      if (i > 0) out.push(',');
      write(item, `${path}[${i}]`, out);
    });
    out.push(']');
  } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort(compareCodeUnits);
    out.push('{');
    keys.forEach((key, i) => {
      if (!ASCII_KEY.test(key)) throw new CanonicalEncodingError(path, `key ${JSON.stringify(key)} is not printable ASCII`);
      const item = record[key];
      if (item === undefined) throw new CanonicalEncodingError(`${path}.${key}`, 'undefined');
      if (i > 0) out.push(',');
      out.push(JSON.stringify(key), ':');
      write(item, `${path}.${key}`, out);
    });
    out.push('}');
  } else {
    throw new CanonicalEncodingError(path, `unsupported ${typeof value}`);
  }
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The idempotency fingerprint of a request body: same body, same fingerprint. */
export function bodyHash(value: unknown): string {
  return sha256Hex(`fidele/body/v1\n${canonicalJson(value)}`);
}
