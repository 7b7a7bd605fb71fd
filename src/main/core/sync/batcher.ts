import { canonicalJson, sha256Hex } from '../ledger/canonical';
import type { ChainedEntry } from '../ledger/chain';
import type { OutboxBatch } from '../ledger/outbox';
import { MAX_BATCH_ENTRIES, PROTOCOL_VERSION, PushBatch, pushSigningPayload, type PushHeader, type WireEntry } from '../../../shared/sync/protocol';
import type { Stamp } from './hq-clock';
import type { TerminalKey } from './keys';

/** SHA-256 hex of the canonical JSON of the entries array: what the header's signature covers them through. */
export function batchDigest(entries: readonly WireEntry[]): string {
  return sha256Hex(canonicalJson(entries));
}

/** The journal row as it goes on the wire: exactly the fields its hash covers, plus the two hashes. */
export function toWireEntry(e: ChainedEntry): WireEntry {
  return {
    terminal_id: e.terminal_id,
    epoch: e.epoch,
    seq: e.seq,
    entry_id: e.entry_id,
    group_id: e.group_id,
    kind: e.kind,
    schema_version: e.schema_version,
    rules_version: e.rules_version,
    member_id: e.member_id,
    till_id: e.till_id,
    receipt: e.receipt,
    wall_time: e.wall_time,
    mono_time: e.mono_time,
    mono_boot: e.mono_boot,
    offline: e.offline,
    postings: e.postings.map((p) => ({ account: p.account, delta: p.delta })),
    detail: e.detail,
    prev_hash: e.prev_hash,
    entry_hash: e.entry_hash,
  };
}

/**
 * The outbox batch cut back to at most `max` entries at a group boundary. The
 * outbox finishes the last group it starts, so a read of the protocol's
 * maximum can run past it; the cut never splits a group. A single group
 * larger than `max` is left whole (buildPushBatch then reports it).
 */
export function fitBatch(batch: OutboxBatch, max = MAX_BATCH_ENTRIES): OutboxBatch {
  if (batch.entries.length <= max) return batch;
  let cut = max;
  while (cut > 0 && batch.entries[cut]!.group_id === batch.entries[cut - 1]!.group_id) cut--;
  if (cut === 0) return batch;
  const entries = batch.entries.slice(0, cut);
  return { ...batch, toSeq: entries[cut - 1]!.seq, entries };
}

export class BatchBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchBuildError';
  }
}

/**
 * A signed PushBatch from an outbox batch (which never splits a group). It is
 * checked against the protocol's schema before it leaves: a journal row the
 * protocol cannot carry is a local bug to report, not something to send and
 * have HQ freeze the stream over.
 */
export function buildPushBatch(
  batch: OutboxBatch,
  o: { key: TerminalKey; appVersion: string; headSeq: number; terminalTime: number } & Stamp,
): PushBatch {
  const entries = batch.entries.map(toWireEntry);
  const last = entries[entries.length - 1];
  if (!last) throw new BatchBuildError('empty batch');
  const header: PushHeader = {
    protocolVersion: PROTOCOL_VERSION,
    terminalId: batch.terminalId,
    epoch: batch.epoch,
    appVersion: o.appVersion,
    schemaVersions: [...new Set(entries.map((e) => e.schema_version))].sort((a, b) => a - b),
    fromSeq: batch.fromSeq,
    toSeq: batch.toSeq,
    prevHash: batch.prevHash,
    lastHash: last.entry_hash,
    count: entries.length,
    digest: batchDigest(entries),
    sentAt: o.sentAt,
    nonce: o.nonce,
    terminalTime: o.terminalTime,
    headSeq: o.headSeq,
  };
  const unsigned = { header, keyId: o.key.keyId };
  const candidate = { ...unsigned, entries, signature: o.key.sign(pushSigningPayload(unsigned)) };
  const parsed = PushBatch.safeParse(candidate);
  if (!parsed.success) throw new BatchBuildError(`seq ${batch.fromSeq}–${batch.toSeq} does not fit the protocol: ${parsed.error.issues[0]?.message ?? ''}`);
  return candidate;
}
