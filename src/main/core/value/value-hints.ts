import type { Db } from '../db/database';
import { MemberValueHint, VALUE_HINT_PREFIX, valueHintKey } from '../../../shared/value/value-hint';

/**
 * HQ's customer-value hints at the terminal (docs/value.md, « At the store »):
 * the store bucket's `value:<memberId>` items, checked before the pull writes
 * anything, kept one row per member in member_value_hint.
 */

export const isValueHintKey = (bucket: string, key: string) => bucket === 'store' && key.startsWith(VALUE_HINT_PREFIX);

/** The hint an item carries; throws (the whole pull is refused) when it is not one, or names another member. */
export function checkValueHint(key: string, value: unknown): MemberValueHint {
  const hint = MemberValueHint.parse(value);
  if (key !== valueHintKey(hint.memberId)) throw new Error(`${key} carries the value hint of member ${hint.memberId}`);
  return hint;
}

/** Inside the pull's transaction. */
export function applyValueHints(db: Db, puts: readonly MemberValueHint[], deletedKeys: readonly string[], now: number): void {
  const put = db.prepare(
    `INSERT INTO member_value_hint (member_id, segment, p_alive, last_visit_on, scored_on, welcome_back, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET segment = excluded.segment, p_alive = excluded.p_alive, last_visit_on = excluded.last_visit_on,
       scored_on = excluded.scored_on, welcome_back = excluded.welcome_back, received_at = excluded.received_at`,
  );
  for (const h of puts) put.run(h.memberId, h.segment, h.pAlivePercent / 100, h.lastVisitOn, h.scoredOn, h.welcomeBack === null ? null : JSON.stringify(h.welcomeBack), now);
  const remove = db.prepare('DELETE FROM member_value_hint WHERE member_id = ?');
  for (const key of deletedKeys) if (key.startsWith(VALUE_HINT_PREFIX)) remove.run(key.slice(VALUE_HINT_PREFIX.length));
}

/** The member's hint as the last pull left it, or null (no profiling consent, no run, or not yet pulled). */
export function valueHintOf(db: Db, memberId: string): MemberValueHint | null {
  const row = db
    .prepare<[string], { segment: MemberValueHint['segment']; p_alive: number; last_visit_on: string; scored_on: string; welcome_back: string | null }>(
      'SELECT segment, p_alive, last_visit_on, scored_on, welcome_back FROM member_value_hint WHERE member_id = ?',
    )
    .get(memberId);
  if (!row) return null;
  return {
    memberId,
    segment: row.segment,
    pAlivePercent: Math.round(row.p_alive * 100),
    lastVisitOn: row.last_visit_on,
    scoredOn: row.scored_on,
    welcomeBack: row.welcome_back === null ? null : (JSON.parse(row.welcome_back) as MemberValueHint['welcomeBack']),
  };
}
