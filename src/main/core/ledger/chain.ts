import { canonicalJson, sha256Hex, type CanonicalValue } from './canonical';

/**
 * Journal entries, schema version 1, and the hash chain over them.
 *
 *   entry_hash = SHA-256( "fidele/ledger-entry/v1\n" ‖ canonical(entry) ‖ "\n" ‖ prev_hash )
 *
 * as lowercase hex, where canonical(entry) is the canonical JSON (canonical.ts)
 * of exactly the fields listed in ENTRY_FIELDS_V1 — every column of the
 * journal row except the two hashes. The first entry of a stream chains to
 * the stream's genesis hash. Once released this never changes: a new layout
 * is a new schema_version with its own tag, and old entries keep theirs.
 */
export const ENTRY_SCHEMA_VERSION = 1;

/**
 * Points entries, then customer incidents (docs/relationship.md: no postings, their note kept outside the hash), then satisfaction answers (a score, no postings),
 * then the social ones (issue 16, core/social): a referral link (no postings), a referral's reward, a donation to a cause.
 */
export const ENTRY_KINDS = [
  'earn', 'redeem', 'refund_earn', 'refund_redeem', 'expire', 'adjust', 'incident_open', 'incident_update', 'incident_resolve', 'survey_answer',
  'referral', 'referral_reward', 'donate',
] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** The genesis of every epoch until HQ issues one at enrolment: SHA-256("fidele/genesis/v1"). */
export const PROVISIONAL_GENESIS = 'ffedfd3c2151f9018e7bfa954bf851e69b072495c5eb5eaa5821be1e666070c0';
export const GENESIS_SEED = 'fidele/genesis/v1';

export interface Posting {
  account: string;
  /** Integer points; the legs of one entry sum to zero. */
  delta: number;
}

export interface Entry {
  terminal_id: string;
  epoch: number;
  seq: number;
  entry_id: string;
  group_id: string;
  kind: EntryKind;
  schema_version: number;
  rules_version: string;
  member_id: string | null;
  till_id: string | null;
  receipt: string | null;
  /** Wall clock, epoch ms: evidence, never order. */
  wall_time: number;
  /** Monotonic ms within one run of the terminal (mono_boot names the run). */
  mono_time: number;
  mono_boot: string;
  offline: boolean;
  postings: Posting[];
  detail: { [key: string]: CanonicalValue };
}

export interface ChainedEntry extends Entry {
  prev_hash: string;
  entry_hash: string;
}

export const ENTRY_FIELDS_V1 = [
  'detail',
  'entry_id',
  'epoch',
  'group_id',
  'kind',
  'member_id',
  'mono_boot',
  'mono_time',
  'offline',
  'postings',
  'receipt',
  'rules_version',
  'schema_version',
  'seq',
  'terminal_id',
  'till_id',
  'wall_time',
] as const satisfies readonly (keyof Entry)[];

const HASH_TAG_V1 = 'fidele/ledger-entry/v1\n';

/** The canonical bytes of an entry (schema version 1), before chaining. */
export function canonicalEntry(entry: Entry): string {
  if (entry.schema_version !== 1) throw new Error(`unknown entry schema_version ${entry.schema_version}`);
  const fields: Record<string, CanonicalValue> = {};
  for (const key of ENTRY_FIELDS_V1) {
    const value = entry[key];
    fields[key] = key === 'postings' ? entry.postings.map((p) => ({ account: p.account, delta: p.delta })) : (value as CanonicalValue);
  }
  return canonicalJson(fields);
}

export function entryHash(entry: Entry, prevHash: string): string {
  return entryHashOfCanonical(canonicalEntry(entry), prevHash);
}

/** entryHash from bytes already produced by canonicalEntry: HQ encodes each ingested entry once. */
export function entryHashOfCanonical(canonical: string, prevHash: string): string {
  return sha256Hex(`${HASH_TAG_V1}${canonical}\n${prevHash}`);
}

export function postingsBalance(postings: readonly Posting[]): number {
  return postings.reduce((sum, p) => sum + p.delta, 0);
}
