import type { Sql } from '../db';
import type { ValueConfig } from '../../shared/value/value-config';
import { valueHintKey, type MemberValueHint } from '../../shared/value/value-hint';

/**
 * The store bucket's `value:<memberId>` items (docs/value.md, « At the store »):
 * the store's scored members whose hint changed since the terminal's cookie (or
 * who were linked to the store since), and the keys of those whose row was
 * dropped. Segment, P(alive) and last visit only: no euro value leaves HQ.
 */
export async function valueHintPatch(
  tx: Sql,
  storeId: string,
  since: number,
  config: Pick<ValueConfig, 'welcomeBack'>,
): Promise<{ puts: Array<{ key: string; value: MemberValueHint }>; deletes: string[] }> {
  const rows = await tx.query<{ customer_id: string; segment: MemberValueHint['segment']; p_alive: number; last_visit: string; as_of: string }>(
    `SELECT v.customer_id, v.segment, v.p_alive, v.last_visit, v.as_of FROM member_value v
     JOIN member_store s ON s.customer_id = v.customer_id
     WHERE s.store_id = $1 AND (v.change_version > $2 OR s.linked_version > $2) ORDER BY v.customer_id`,
    [storeId, since],
  );
  const removed = await tx.query<{ customer_id: string }>(
    `SELECT r.customer_id FROM member_value_removed r JOIN member_store s ON s.customer_id = r.customer_id
     WHERE s.store_id = $1 AND r.change_version > $2 ORDER BY r.customer_id`,
    [storeId, since],
  );
  return {
    puts: rows.map((r) => ({
      key: valueHintKey(r.customer_id),
      value: {
        memberId: r.customer_id,
        segment: r.segment,
        pAlivePercent: Math.round(r.p_alive * 100),
        lastVisitOn: r.last_visit,
        scoredOn: r.as_of,
        welcomeBack: r.segment === 'lapsed' ? config.welcomeBack : null,
      },
    })),
    deletes: removed.map((r) => valueHintKey(r.customer_id)),
  };
}
