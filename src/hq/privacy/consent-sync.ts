import type { ConsentChange } from '../../shared/sync/protocol';
import { consentItemKey, tombstoneKey, type ConsentHistoryItem, type Tombstone } from '../../shared/sync/privacy-items';
import { nextChangeVersion, type HqContext } from '../context';
import type { Sql } from '../db';

/**
 * Consents round-trip (issue 17 item 1, HQ side) and tombstones (item 3) in
 * the pull.
 *
 * Up: a pull carries the terminal's unacknowledged consent changes
 * (members/consents.ts queues them). HQ appends each to the member's consent
 * history (member_consent: append-only, the wording version and time as the
 * terminal recorded them; a resend is the same row, kept once), moves the
 * member's consent version, and — when the member's latest profiling choice
 * is now a no — drops their individual score at once, so the store's
 * terminals lose the hint in their next pull (value/value-hints.ts reads
 * member_value_removed). The signed response lists what was recorded; the
 * terminal drops those from its outbox. A change for an erased member is
 * acknowledged and dropped: there is nobody left to record it for.
 *
 * Down: `consent:<id>` with the member's whole history for the store's
 * terminals whose cookie is older than the change (the terminal that made it
 * gets it back too, and finds it already there); `erased:<id>` for every
 * terminal of every store (the person may have been pulled anywhere by a card
 * lookup). A first pull (no cookie) gets no tombstone: it never held them.
 */
export async function recordConsentChanges(ctx: HqContext, terminalId: string, changes: readonly ConsentChange[]): Promise<number[]> {
  if (changes.length === 0) return [];
  return ctx.sql.transaction(async (tx) => {
    const ids = [...new Set(changes.map((c) => c.memberId))];
    const gone = new Set(
      (await tx.query<{ customer_id: string }>('SELECT customer_id FROM member_erasure WHERE customer_id = ANY($1::text[])', [ids])).map((r) => r.customer_id),
    );
    const changed = new Set<string>();
    for (const c of changes) {
      if (gone.has(c.memberId)) continue;
      const rows = await tx.query(
        `INSERT INTO member_consent (customer_id, purpose, recorded_at, granted, wording_version, source, terminal_id) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (customer_id, purpose, recorded_at) DO NOTHING RETURNING customer_id`,
        [c.memberId, c.purpose, c.recordedAt, c.granted, c.wordingVersion, c.source, terminalId],
      );
      if (rows.length > 0) changed.add(c.memberId);
    }
    if (changed.size > 0) {
      const version = await nextChangeVersion(tx);
      const members = [...changed].sort();
      await tx.query(
        `INSERT INTO member_consent_version (customer_id, change_version) SELECT id, $2 FROM unnest($1::text[]) AS u(id)
         ON CONFLICT (customer_id) DO UPDATE SET change_version = EXCLUDED.change_version`,
        [members, version],
      );
      // The latest profiling choice decides (a change that arrives late, made before another, does not withdraw it).
      const withdrawn = await tx.query<{ customer_id: string }>(
        `SELECT customer_id FROM (
           SELECT DISTINCT ON (customer_id) customer_id, granted FROM member_consent
           WHERE purpose = 'profiling' AND customer_id = ANY($1::text[]) ORDER BY customer_id, recorded_at DESC) latest
         WHERE NOT granted`,
        [members],
      );
      const dropped = await tx.query<{ customer_id: string }>('DELETE FROM member_value WHERE customer_id = ANY($1::text[]) RETURNING customer_id', [
        withdrawn.map((w) => w.customer_id),
      ]);
      if (dropped.length > 0) {
        await tx.query(
          `INSERT INTO member_value_removed (customer_id, change_version) SELECT id, $2 FROM unnest($1::text[]) AS u(id)
           ON CONFLICT (customer_id) DO UPDATE SET change_version = EXCLUDED.change_version`,
          [dropped.map((d) => d.customer_id), version],
        );
      }
    }
    ctx.logger.info('consent changes recorded', { terminalId, received: changes.length, members: changed.size });
    return changes.map((c) => c.consentRowid);
  });
}

/** The consent histories of the store's members changed since `since`. */
export async function consentPatch(tx: Sql, storeId: string, since: number): Promise<Array<{ key: string; value: ConsentHistoryItem }>> {
  const rows = await tx.query<{ customer_id: string; purpose: ConsentHistoryItem['consents'][number]['purpose']; granted: boolean; wording_version: string; recorded_at: number; source: string }>(
    `SELECT c.customer_id, c.purpose, c.granted, c.wording_version, c.recorded_at, c.source
     FROM member_consent_version v
     JOIN member_store s ON s.customer_id = v.customer_id AND s.store_id = $1
     JOIN member_consent c ON c.customer_id = v.customer_id
     WHERE v.change_version > $2
     ORDER BY c.customer_id, c.recorded_at, c.purpose`,
    [storeId, since],
  );
  const items = new Map<string, ConsentHistoryItem>();
  for (const r of rows) {
    let item = items.get(r.customer_id);
    if (!item) items.set(r.customer_id, (item = { memberId: r.customer_id, consents: [] }));
    item.consents.push({ purpose: r.purpose, granted: r.granted, wordingVersion: r.wording_version, recordedAt: Number(r.recorded_at), source: r.source });
  }
  return [...items.values()].map((value) => ({ key: consentItemKey(value.memberId), value }));
}

/** Tombstones of the members erased since `since`, for every terminal that pulled before (since > 0). */
export async function tombstonePatch(tx: Sql, since: number): Promise<Array<{ key: string; value: Tombstone }>> {
  if (since === 0) return [];
  const rows = await tx.query<{ customer_id: string; erased_at: number; cards: string[] | null }>(
    `SELECT e.customer_id, e.erased_at, array_agg(c.card_number ORDER BY c.card_number) FILTER (WHERE c.card_number IS NOT NULL) AS cards
     FROM member_erasure e LEFT JOIN member_card c ON c.customer_id = e.customer_id
     WHERE e.change_version > $1 GROUP BY e.customer_id, e.erased_at ORDER BY e.customer_id`,
    [since],
  );
  return rows.map((r) => ({ key: tombstoneKey(r.customer_id), value: { memberId: r.customer_id, cards: r.cards ?? [], erasedAt: Number(r.erased_at) } }));
}
