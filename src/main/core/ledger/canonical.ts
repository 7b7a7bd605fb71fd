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
  try {
    return encode(value);
  } catch {
    // Encode again, slowly, tracking the path, to say where and why it failed.
    const out: string[] = [];
    write(value, '', out);
    return out.join('');
  }
}

const NOT_ASCII = /[\u0080-\uffff]/;
/** Keys seen before, with their written form; bounded, since keys come from outside too. */
const keyPrefixes = new Map<string, string>();
const MAX_KEY_PREFIXES = 4096;

class Refused extends Error {}

/**
 * The hot path of canonicalJson (ledger hashes, sync digests): the same bytes
 * as `write`, without building a path for every value. It only throws; the
 * reason is found by `write`. ASCII strings are NFC with no surrogates, so
 * only the others are checked.
 */
function encode(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isSafeInteger(value)) throw new Refused();
      return value === 0 ? '0' : String(value);
    case 'string':
      if (NOT_ASCII.test(value) && (LONE_SURROGATE.test(value) || value.normalize('NFC') !== value)) throw new Refused();
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        let s = '[';
        for (let i = 0; i < value.length; i++) s += (i > 0 ? ',' : '') + encode(value[i]);
        return `${s}]`;
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) throw new Refused();
      const record = value as Record<string, unknown>;
      // The default sort compares UTF-16 code units, as compareCodeUnits does.
      const keys = Object.keys(record).sort();
      let s = '{';
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        let prefix = keyPrefixes.get(key);
        if (prefix === undefined) {
          if (!ASCII_KEY.test(key)) throw new Refused();
          prefix = `${JSON.stringify(key)}:`;
          if (keyPrefixes.size < MAX_KEY_PREFIXES) keyPrefixes.set(key, prefix);
        }
        const item = record[key];
        if (item === undefined) throw new Refused();
        s += (i > 0 ? ',' : '') + prefix + encode(item);
      }
      return `${s}}`;
    }
    default:
      throw new Refused();
  }
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
