import type { Bucket } from '../../../shared/sync/protocol';
import { CONSENT_ITEM_PREFIX, ConsentHistoryItem, Tombstone, TOMBSTONE_PREFIX } from '../../../shared/sync/privacy-items';
import type { Db } from '../db/database';
import type { MemberStore } from '../members/member-store';
import { purgeMember } from './erasure';

/**
 * The pull's privacy items (src/shared/sync/privacy-items.ts), checked with
 * the rest of the response before anything is written (sync/pull.ts) and
 * applied in the pull's transaction, after the members it brings:
 * - a consent history adds the rows this terminal lacks (a change made at
 *   another terminal); when the latest profiling choice is a no, the member's
 *   hint and habits go, as they do when the change is made here
 *   (members/consents.ts). Nothing is queued back to HQ: HQ has them;
 * - a tombstone removes the person here and blocks their cards
 *   (privacy/erasure.ts). A sale for them still being rung up fails cleanly
 *   at commit (« no such member »): the ledger never finds half a member.
 */
export type PrivacyItem = { kind: 'consents'; item: ConsentHistoryItem } | { kind: 'tombstone'; item: Tombstone };

export function isPrivacyItem(bucket: Bucket, key: string): boolean {
  return bucket === 'store' && (key.startsWith(CONSENT_ITEM_PREFIX) || key.startsWith(TOMBSTONE_PREFIX));
}

/** Parses one item; throws (refusing the whole pull) when it is malformed or names another member than its key. */
export function checkPrivacyItem(key: string, value: unknown): PrivacyItem {
  const privacy: PrivacyItem = key.startsWith(TOMBSTONE_PREFIX)
    ? { kind: 'tombstone', item: Tombstone.parse(value) }
    : { kind: 'consents', item: ConsentHistoryItem.parse(value) };
  const prefix = privacy.kind === 'tombstone' ? TOMBSTONE_PREFIX : CONSENT_ITEM_PREFIX;
  if (key !== `${prefix}${privacy.item.memberId}`) throw new Error(`${key} carries member ${privacy.item.memberId}`);
  return privacy;
}

function applyConsents(db: Db, members: MemberStore, item: ConsentHistoryItem): number {
  if (members.summary(item.memberId) === null) return 0;
  const have = db.prepare<[string, string, number, number, string], { one: number }>(
    'SELECT 1 AS one FROM member_consent WHERE member_id = ? AND purpose = ? AND recorded_at = ? AND granted = ? AND wording_version = ?',
  );
  const insert = db.prepare('INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, ?, ?, ?, ?, ?)');
  let added = 0;
  for (const c of item.consents) {
    const granted = c.granted ? 1 : 0;
    if (have.get(item.memberId, c.purpose, c.recordedAt, granted, c.wordingVersion)) continue;
    insert.run(item.memberId, c.purpose, granted, c.wordingVersion, c.recordedAt, c.source);
    added++;
  }
  const profiling = db
    .prepare<[string], { granted: number }>("SELECT granted FROM member_consent WHERE member_id = ? AND purpose = 'profiling' ORDER BY recorded_at DESC, rowid DESC LIMIT 1")
    .get(item.memberId);
  if (profiling?.granted === 0) {
    db.prepare('DELETE FROM member_value_hint WHERE member_id = ?').run(item.memberId);
    db.prepare('DELETE FROM offer_member_habit WHERE member_id = ?').run(item.memberId);
  }
  return added;
}

/** Applies the items inside the pull's transaction (the caller's), tombstones last. */
export function applyPrivacyItems(db: Db, members: MemberStore, items: readonly PrivacyItem[], now: number): { consents: number; erased: number } {
  let consents = 0;
  let erased = 0;
  for (const p of items) if (p.kind === 'consents') consents += applyConsents(db, members, p.item);
  for (const p of items) {
    if (p.kind !== 'tombstone') continue;
    purgeMember(db, members.names, p.item.memberId, { cause: 'erased', now, cards: p.item.cards });
    erased++;
  }
  return { consents, erased };
}
