import { canonicalJson, sha256Hex } from '../main/core/ledger/canonical';
import { ENTRY_KINDS, ENTRY_SCHEMA_VERSION, entryHash, entryHashOfCanonical, postingsBalance, type Entry } from '../main/core/ledger/chain';
import { pushSigningPayload, type PushAnswer, type PushBatch, type PushReceipt, type PushRefusal, type WireEntry } from '../shared/sync/protocol';
import { audit, HqError, type HqContext } from './context';
import type { Sql } from './db';
import { raiseSyncAnomaly } from './sync-anomalies';
import { verifySignature } from './keys';
import { projectEntries } from './projector';
import { projectSocial } from './social/referrals';
import { checkSentAt, claimNonce } from './request-freshness';
import { encodeEntries, type EncodedEntries } from './wire-encoding';

/**
 * Stage A of a push (sync-ledger.md §2.4): authenticate, then in ONE
 * transaction lock the stream's cursor, apply the cursor rules, insert the new
 * raw entries, project them, advance the cursor and countersign the receipt.
 * Nothing is ever skipped: a batch is applied whole (what is new in it), or
 * refused with a code, an audit record and, for faults of the terminal
 * itself, a frozen stream.
 */
export interface PushOutcome {
  status: number;
  answer: PushAnswer;
}

const SUPPORTED_SCHEMA_VERSIONS = new Set([ENTRY_SCHEMA_VERSION]);
const KINDS = new Set<string>(ENTRY_KINDS);

const STATUS: Record<PushRefusal['code'], number> = {
  gap: 409,
  frozen: 409,
  equivocation: 409,
  structural: 409,
  schema_version: 409,
  bad_signature: 401,
  unknown_terminal: 401,
  revoked: 403,
  malformed: 400,
  too_large: 413,
  stale: 401,
  replay: 409,
};

interface StreamRow {
  last_seq: number;
  last_hash: string;
  status: 'active' | 'frozen';
  frozen_reason: string | null;
}

/** A refusal of an authenticated batch: audited under the terminal (HQ's own id for it). */
export async function refusePush(
  ctx: HqContext,
  sql: Sql,
  terminalId: string,
  code: PushRefusal['code'],
  message: string,
  cursor: PushRefusal['cursor'] = null,
  detail: Record<string, unknown> = {},
): Promise<PushOutcome> {
  await audit(ctx, sql, { terminalId, action: 'push', code, message, detail: { ...detail, cursor } });
  return unauditedRefusal(code, message, cursor);
}

/**
 * A refusal that writes nothing: a batch HQ cannot tie to an enrolled key
 * (its terminal id is the sender's word), or a stale one (a clock to correct,
 * not an incident). The route counts it (request-guard.ts).
 */
export function unauditedRefusal(code: PushRefusal['code'], message: string, cursor: PushRefusal['cursor'] = null, hqTime?: number): PushOutcome {
  return { status: STATUS[code], answer: { ok: false, refusal: { code, message: message.slice(0, 500), cursor, ...(hqTime === undefined ? {} : { hqTime }) } } };
}

/** The batch's own faults, found without the database: the first one, or null. */
function structuralFault(batch: PushBatch, encoded: EncodedEntries): { code: 'structural' | 'schema_version'; message: string; seq: number } | null {
  const { header, entries } = batch;
  let prev = header.prevHash;
  const versions = new Set<number>();
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (e.terminal_id !== header.terminalId || e.epoch !== header.epoch) return { code: 'structural', message: `entry ${e.seq} belongs to another stream`, seq: e.seq };
    if (e.seq !== header.fromSeq + i) return { code: 'structural', message: `entry ${i} has seq ${e.seq}, expected ${header.fromSeq + i}`, seq: e.seq };
    if (!SUPPORTED_SCHEMA_VERSIONS.has(e.schema_version)) return { code: 'schema_version', message: `entry ${e.seq} has unknown schema_version ${e.schema_version}`, seq: e.seq };
    versions.add(e.schema_version);
    if (!KINDS.has(e.kind)) return { code: 'structural', message: `entry ${e.seq} has unknown kind ${e.kind}`, seq: e.seq };
    if (postingsBalance(e.postings) !== 0) return { code: 'structural', message: `entry ${e.seq} has unbalanced postings`, seq: e.seq };
    if (new Set(e.postings.map((p) => p.account)).size !== e.postings.length) return { code: 'structural', message: `entry ${e.seq} posts twice to one account`, seq: e.seq };
    if (e.prev_hash !== prev) return { code: 'structural', message: `entry ${e.seq} does not chain onto the previous hash`, seq: e.seq };
    let recomputed: string;
    try {
      const canonical = e.schema_version === 1 ? encoded.hashed[i] : null;
      recomputed = canonical != null ? entryHashOfCanonical(canonical, e.prev_hash) : entryHash(toEntry(e), e.prev_hash);
    } catch (error) {
      return { code: 'structural', message: `entry ${e.seq} cannot be encoded canonically: ${(error as Error).message}`, seq: e.seq };
    }
    if (recomputed !== e.entry_hash) return { code: 'structural', message: `entry ${e.seq} hash does not match its content`, seq: e.seq };
    prev = e.entry_hash;
  }
  if (prev !== header.lastHash) return { code: 'structural', message: 'header.lastHash is not the last entry hash', seq: header.toSeq };
  if ([...versions].some((v) => !header.schemaVersions.includes(v))) return { code: 'structural', message: 'header.schemaVersions does not list every entry version', seq: header.fromSeq };
  return null;
}

export function toEntry(e: WireEntry): Entry {
  const { prev_hash: _p, entry_hash: _h, ...rest } = e;
  return { ...rest, kind: rest.kind as Entry['kind'], detail: rest.detail as Entry['detail'] };
}

/** The SHA-256 the header's digest must equal: the canonical JSON of the entries array. */
export function batchDigest(entries: readonly WireEntry[]): string {
  return sha256Hex(canonicalJson(entries));
}

async function freeze(ctx: HqContext, tx: Sql, terminalId: string, epoch: number, code: PushRefusal['code'], message: string, seq: number): Promise<void> {
  const now = ctx.clock.now();
  await tx.query("UPDATE terminal_stream SET status = 'frozen', frozen_reason = $3, frozen_at = $4 WHERE terminal_id = $1 AND epoch = $2", [
    terminalId,
    epoch,
    `${code}: ${message}`.slice(0, 500),
    now,
  ]);
  await raiseSyncAnomaly(tx, {
    customerId: `terminal:${terminalId}`,
    anomalyId: `freeze:${epoch}:${seq}:${code}`,
    terminalId,
    kind: `stream_frozen_${code}`,
    detail: { epoch, seq, message },
    at: now,
  });
  ctx.logger.error('hq stream frozen', { terminalId, epoch, code, message });
}

function signReceipt(ctx: HqContext, unsigned: Omit<PushReceipt, 'signature' | 'keyId'>): PushReceipt {
  const payload = { ...unsigned, keyId: ctx.key.keyId };
  return { ...payload, signature: ctx.key.sign(payload) };
}

/** `stored[i]` is the canonical JSON of `entries[i]`. */
async function insertEntries(tx: Sql, entries: readonly WireEntry[], stored: readonly string[], now: number): Promise<number> {
  let inserted = 0;
  const CHUNK = 1000;
  for (let i = 0; i < entries.length; i += CHUNK) {
    const c = entries.slice(i, i + CHUNK);
    const json = stored.slice(i, i + CHUNK);
    // The entries go as one JSON array, split by the server: cheaper than a jsonb[] of escaped strings.
    const rows = await tx.query<{ seq: number }>(
      `INSERT INTO journal_entry (terminal_id, epoch, seq, entry_id, group_id, kind, schema_version, member_id, wall_time, offline, entry, prev_hash, entry_hash, ingested_at)
       SELECT u.terminal_id, u.epoch, u.seq, u.entry_id, u.group_id, u.kind, u.schema_version, u.member_id, u.wall_time, u.offline, j.entry, u.prev_hash, u.entry_hash, $14::bigint
       FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[], $9::bigint[], $10::boolean[], $12::text[], $13::text[])
         WITH ORDINALITY AS u(terminal_id, epoch, seq, entry_id, group_id, kind, schema_version, member_id, wall_time, offline, prev_hash, entry_hash, n)
       JOIN jsonb_array_elements($11::jsonb) WITH ORDINALITY AS j(entry, n) USING (n)
       ON CONFLICT DO NOTHING RETURNING seq`,
      [
        c.map((e) => e.terminal_id),
        c.map((e) => e.epoch),
        c.map((e) => e.seq),
        c.map((e) => e.entry_id),
        c.map((e) => e.group_id),
        c.map((e) => e.kind),
        c.map((e) => e.schema_version),
        c.map((e) => e.member_id),
        c.map((e) => e.wall_time),
        c.map((e) => e.offline),
        `[${json.join(',')}]`,
        c.map((e) => e.prev_hash),
        c.map((e) => e.entry_hash),
        now,
      ],
    );
    inserted += rows.length;
  }
  return inserted;
}

export async function ingestPush(ctx: HqContext, batch: PushBatch): Promise<PushOutcome> {
  const { header } = batch;
  const terminalId = header.terminalId;
  const terminals = await ctx.sql.query<{ store_id: string; public_key: string; key_id: string; status: string }>(
    'SELECT store_id, public_key, key_id, status FROM terminal WHERE terminal_id = $1',
    [terminalId],
  );
  const terminal = terminals[0];
  if (!terminal) return unauditedRefusal('unknown_terminal', `terminal ${terminalId} is not enrolled`);
  if (batch.keyId !== terminal.key_id) return unauditedRefusal('bad_signature', `key ${batch.keyId} is not the key enrolled for ${terminalId}`);
  if (!verifySignature(terminal.public_key, pushSigningPayload(batch), batch.signature)) {
    return unauditedRefusal('bad_signature', 'the batch signature does not verify with the enrolled key');
  }
  if (terminal.status === 'revoked') return refusePush(ctx, ctx.sql, terminalId, 'revoked', `terminal ${terminalId} is revoked`);
  try {
    checkSentAt(ctx, terminalId, header.sentAt);
  } catch (error) {
    if (error instanceof HqError) return unauditedRefusal('stale', error.message, null, error.hqTime ?? ctx.clock.now());
    throw error;
  }
  // Signed header, unsigned body: entries that do not match the digest were altered or cut on the way.
  // Encoded once here; the chain check and the stored column reuse the pieces.
  let encoded: EncodedEntries;
  try {
    encoded = encodeEntries(batch.entries);
  } catch (error) {
    return refusePush(ctx, ctx.sql, terminalId, 'malformed', `entries cannot be encoded canonically: ${(error as Error).message}`);
  }
  if (encoded.digest !== header.digest) return refusePush(ctx, ctx.sql, terminalId, 'malformed', 'the entries do not match the signed digest');
  const first = batch.entries[0]!;
  const last = batch.entries[batch.entries.length - 1]!;
  if (header.count !== batch.entries.length || header.fromSeq !== first.seq || header.toSeq !== last.seq || header.fromSeq < 1) {
    return refusePush(ctx, ctx.sql, terminalId, 'malformed', 'header count or seq range does not match the entries');
  }

  return ctx.sql.transaction(async (tx) => {
    const now = ctx.clock.now();
    // First, so a replayed batch changes nothing but its audit record; a resend is signed anew and passes.
    try {
      await claimNonce(ctx, tx, 'push', terminalId, header.nonce);
    } catch (error) {
      if (error instanceof HqError) return unauditedRefusal('replay', error.message);
      throw error;
    }
    const streams = await tx.query<StreamRow>(
      'SELECT last_seq, last_hash, status, frozen_reason FROM terminal_stream WHERE terminal_id = $1 AND epoch = $2 FOR UPDATE',
      [terminalId, header.epoch],
    );
    const stream = streams[0];
    if (!stream) return refusePush(ctx, tx, terminalId, 'unknown_terminal', `epoch ${header.epoch} was never issued to ${terminalId}`);
    await tx.query('UPDATE terminal SET last_contact_at = $2, app_version = $3, head_seq = COALESCE($4, head_seq) WHERE terminal_id = $1', [
      terminalId,
      now,
      header.appVersion,
      header.headSeq ?? null,
    ]);
    const cursor = { lastSeq: stream.last_seq, lastHash: stream.last_hash };
    if (stream.status === 'frozen') return refusePush(ctx, tx, terminalId, 'frozen', `stream ${terminalId}/${header.epoch} is frozen: ${stream.frozen_reason ?? ''}`, cursor);

    const fault = structuralFault(batch, encoded);
    if (fault) {
      await freeze(ctx, tx, terminalId, header.epoch, fault.code, fault.message, fault.seq);
      return refusePush(ctx, tx, terminalId, fault.code, fault.message, cursor, { fromSeq: header.fromSeq, toSeq: header.toSeq });
    }
    if (header.fromSeq > stream.last_seq + 1) {
      return refusePush(ctx, tx, terminalId, 'gap', `resend from seq ${stream.last_seq + 1}`, cursor, { fromSeq: header.fromSeq });
    }

    // Everything at or below the cursor must be what HQ already holds, hash for hash.
    const overlapTo = Math.min(header.toSeq, stream.last_seq);
    if (header.fromSeq <= overlapTo || header.fromSeq === stream.last_seq + 1) {
      const held = new Map<number, string>();
      if (header.fromSeq <= overlapTo) {
        const rows = await tx.query<{ seq: number; entry_hash: string }>(
          'SELECT seq, entry_hash FROM journal_entry WHERE terminal_id = $1 AND epoch = $2 AND seq BETWEEN $3 AND $4',
          [terminalId, header.epoch, header.fromSeq, overlapTo],
        );
        for (const r of rows) held.set(r.seq, r.entry_hash);
      }
      const differs = batch.entries.find((e) => e.seq <= overlapTo && held.get(e.seq) !== e.entry_hash);
      const forks = header.fromSeq === stream.last_seq + 1 && header.prevHash !== stream.last_hash;
      if (differs || forks) {
        const seq = differs?.seq ?? header.fromSeq;
        const message = `different content under seq ${seq} of ${terminalId}/${header.epoch}: fork, clone or restored backup`;
        await freeze(ctx, tx, terminalId, header.epoch, 'equivocation', message, seq);
        return refusePush(ctx, tx, terminalId, 'equivocation', message, cursor, { seq });
      }
    }

    // The terminal's own NTP-style estimate (its HQ clock, sentAt, minus its wall clock, stamped together):
    // unlike now − terminalTime it does not grow with the time the batch spent on the way or in a paused HQ.
    // sentAt is within the freshness window of HQ's clock, so a terminal far off was corrected before this.
    const skewMs = header.sentAt - header.terminalTime;
    if (header.toSeq <= stream.last_seq) {
      const stored = await tx.query<{ receipt: PushReceipt }>('SELECT receipt FROM push_receipt WHERE terminal_id = $1 AND epoch = $2 AND through_seq = $3', [
        terminalId,
        header.epoch,
        header.toSeq,
      ]);
      if (stored[0]) return { status: 200, answer: { ok: true, receipt: stored[0].receipt } };
      const receipt = signReceipt(ctx, { terminalId, epoch: header.epoch, ackedThroughSeq: header.toSeq, ackedHash: header.lastHash, hqIngestTime: now, skewMs, exceptions: [] });
      await tx.query('INSERT INTO push_receipt (terminal_id, epoch, through_seq, receipt) VALUES ($1, $2, $3, $4)', [terminalId, header.epoch, header.toSeq, JSON.stringify(receipt)]);
      return { status: 200, answer: { ok: true, receipt } };
    }

    const skip = batch.entries.findIndex((e) => e.seq > stream.last_seq);
    const fresh = batch.entries.slice(skip);
    const inserted = await insertEntries(tx, fresh, encoded.stored.slice(skip), now);
    // The cursor said these were new: a conflict here means the cursor lies, and nothing may be half-applied.
    if (inserted !== fresh.length) throw new Error(`journal of ${terminalId}/${header.epoch} disagrees with its cursor`);
    // Within the skew bound the entries' wall times are taken as when they happened (the expiry race of projector.ts).
    const clockTrusted = Math.abs(skewMs) <= SKEW_FLAG_MS;
    const exceptions = await projectEntries(ctx, tx, { terminalId, epoch: header.epoch, storeId: terminal.store_id, clockTrusted }, fresh);
    // Referral links and rewards, donations to causes (issue 16 items 1 and 4, social/referrals.ts).
    await projectSocial(ctx, tx, { terminalId }, fresh);
    await tx.query('UPDATE terminal_stream SET last_seq = $3, last_hash = $4, skew_ms = $5 WHERE terminal_id = $1 AND epoch = $2', [
      terminalId,
      header.epoch,
      header.toSeq,
      header.lastHash,
      skewMs,
    ]);
    if (Math.abs(skewMs) > SKEW_FLAG_MS) await flagSkew(tx, terminalId, header.epoch, header.toSeq, skewMs, now);
    const receipt = signReceipt(ctx, { terminalId, epoch: header.epoch, ackedThroughSeq: header.toSeq, ackedHash: header.lastHash, hqIngestTime: now, skewMs, exceptions });
    await tx.query('INSERT INTO push_receipt (terminal_id, epoch, through_seq, receipt) VALUES ($1, $2, $3, $4)', [terminalId, header.epoch, header.toSeq, JSON.stringify(receipt)]);
    return { status: 200, answer: { ok: true, receipt } };
  });
}

/** Beyond this, a terminal's clock is flagged: its wall times are still kept as written, ordering is by seq. */
export const SKEW_FLAG_MS = 10 * 60_000;

/**
 * One open incident per stream and direction (ahead or behind), not one per
 * batch: IT staff fix the clock once. The skew is the terminal's round-trip
 * estimate (see ingestPush), so delivery delay does not count in it.
 */
async function flagSkew(tx: Sql, terminalId: string, epoch: number, seq: number, skewMs: number, now: number): Promise<void> {
  const direction = skewMs > 0 ? 'behind' : 'ahead';
  await raiseSyncAnomaly(tx, {
    customerId: `terminal:${terminalId}`,
    anomalyId: `clock-skew:${epoch}:${direction}`,
    terminalId,
    kind: 'clock_skew',
    detail: { skewMs, seq, direction },
    at: now,
  });
}
