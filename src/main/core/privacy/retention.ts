import type { Db } from '../db/database';
import type { NameIndex } from '../members/name-index';
import { purgeMember } from './erasure';

const DAY_MS = 24 * 3_600_000;

/** Three years (the CNIL's expectation for an inactive customer), configurable per terminal (config `retention.unseenMembersDays`). */
export const UNSEEN_MEMBERS_DAYS = 3 * 365;

/** Members purged per pass at most: one pass is one transaction, and a first run on an old terminal may find many. */
const PER_PASS = 2_000;

/**
 * A terminal's own retention of members (issue 17 item 4): the personal data
 * of a member this terminal has not seen for `days` — not enrolled here, not
 * looked up here (the lookup log records every identification and every
 * record opened) since — is removed here, whatever HQ does. HQ keeps them
 * (its own three-year rule anonymises the inactive); if they come back, a
 * scan asks HQ for the card and the pull brings them again.
 *
 * Kept: a member whose record or consent change HQ has not received yet
 * (its outbox row), so nothing HQ needs is lost. The ledger is not touched
 * (privacy/erasure.ts). Also drops lookups written for a member erased while
 * they waited in memory (privacy/lookup-log.ts writes in batches).
 */
export function purgeUnseenMembers(db: Db, names: Pick<NameIndex, 'remove' | 'invalidate'> | null, days: number, now: number): number {
  const cutoff = now - days * DAY_MS;
  const unseen = db
    .prepare<[number, number, number], { id: string }>(
      `SELECT m.id FROM member m
       WHERE m.created_at < ?
         AND NOT EXISTS (SELECT 1 FROM member_lookup_log l WHERE l.member_id = m.id AND l.at >= ?)
         AND NOT EXISTS (SELECT 1 FROM member_outbox o WHERE o.member_id = m.id)
         AND NOT EXISTS (SELECT 1 FROM member_consent_outbox c WHERE c.member_id = m.id)
       LIMIT ?`,
    )
    .all(cutoff, cutoff, PER_PASS)
    .map((r) => r.id);
  try {
    db.transaction(() => {
      for (const id of unseen) purgeMember(db, names, id, { cause: 'unseen', now });
      db.prepare('DELETE FROM member_lookup_log WHERE member_id IN (SELECT member_id FROM member_erased)').run();
    }).immediate();
  } catch (error) {
    // Rolled back: the names dropped from memory are read again from the file.
    names?.invalidate();
    throw error;
  }
  return unseen.length;
}
