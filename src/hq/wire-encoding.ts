import { canonicalJson, sha256Hex } from '../main/core/ledger/canonical';
import { ENTRY_FIELDS_V1 } from '../main/core/ledger/chain';
import type { WireEntry } from '../shared/sync/protocol';

/**
 * Ingest needs three canonical encodings of the same entries: the batch digest
 * (the whole array), each entry's chain-hash input (its hashed fields, as
 * chain.ts canonicalEntry) and the stored journal column (the whole wire
 * entry). They are made of the same field encodings, so each field is encoded
 * once and the three are assembled from the pieces: byte for byte what
 * canonicalJson would give, since canonical objects are just their sorted
 * `"key":value` pairs.
 */
export interface EncodedEntries {
  /** SHA-256 hex of the canonical JSON of the entries array. */
  digest: string;
  /** Canonical JSON of each wire entry, as stored. */
  stored: string[];
  /** canonicalEntry of each entry, or null where the shape is unusual and chain.ts must do it. */
  hashed: Array<string | null>;
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const HASHED_KEYS: readonly string[] = [...ENTRY_FIELDS_V1].sort(byCodeUnits);
const WIRE_KEYS: readonly string[] = [...ENTRY_FIELDS_V1, 'prev_hash', 'entry_hash'].sort(byCodeUnits);
const KEY_PREFIX = new Map([...WIRE_KEYS].map((k) => [k, `${JSON.stringify(k)}:`]));

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

function hasExactly(o: Record<string, unknown>, keys: readonly string[]): boolean {
  return Object.keys(o).length === keys.length && keys.every((k) => Object.hasOwn(o, k));
}

/** The common shape: exactly the wire fields, postings exactly {account, delta}. Anything else takes the slow path. */
function usual(e: WireEntry): boolean {
  const o = e as unknown as Record<string, unknown>;
  if (!isPlain(o) || !hasExactly(o, WIRE_KEYS) || !Array.isArray(o.postings)) return false;
  return (o.postings as unknown[]).every((p) => isPlain(p) && hasExactly(p, ['account', 'delta']));
}

function encodeOne(e: WireEntry): { stored: string; hashed: string } {
  const o = e as unknown as Record<string, unknown>;
  const parts = new Map<string, string>();
  for (const k of WIRE_KEYS) parts.set(k, `${KEY_PREFIX.get(k)!}${canonicalJson(o[k])}`);
  return {
    stored: `{${WIRE_KEYS.map((k) => parts.get(k)!).join(',')}}`,
    hashed: `{${HASHED_KEYS.map((k) => parts.get(k)!).join(',')}}`,
  };
}

/** Throws CanonicalEncodingError, with canonicalJson's own message, when the entries cannot be encoded. */
export function encodeEntries(entries: readonly WireEntry[]): EncodedEntries {
  const stored: string[] = [];
  const hashed: Array<string | null> = [];
  try {
    for (const e of entries) {
      if (usual(e)) {
        const one = encodeOne(e);
        stored.push(one.stored);
        hashed.push(one.hashed);
      } else {
        stored.push(canonicalJson(e));
        hashed.push(null);
      }
    }
  } catch (error) {
    // Report the failure exactly as encoding the whole array would (its path names the entry).
    canonicalJson(entries);
    throw error;
  }
  return { digest: sha256Hex(`[${stored.join(',')}]`), stored, hashed };
}
