import type { Sql } from '../db';

/** What one member bought in a category, from the lines the terminals' earn entries carry. */
export interface CategoryPurchases {
  category: string;
  quantity: number;
  netCents: number;
  /** Sales with at least one line of the category. */
  sales: number;
}

/**
 * A member's purchases by category since a time (issue 14 item 2): the
 * terminals keep each sale's SKUs and categories in the earn entry's
 * `detail.lines`, which the push brings here unchanged, so basket rules and
 * influence scores can reason on what was bought without a table of their
 * own. Entries written before lines were journalled have none and count for
 * nothing here.
 */
export async function purchasesByCategory(sql: Sql, memberId: string, since: number): Promise<CategoryPurchases[]> {
  const rows = await sql.query<{ category: string; quantity: string; net_cents: string; sales: string }>(
    `SELECT line->>'category' AS category,
            sum((line->>'quantity')::bigint) AS quantity,
            sum((line->>'net_cents')::bigint) AS net_cents,
            count(DISTINCT (e.terminal_id, e.epoch, e.seq)) AS sales
       FROM journal_entry e
       CROSS JOIN LATERAL jsonb_array_elements(coalesce(e.entry->'detail'->'lines', '[]'::jsonb)) AS line
      WHERE e.kind = 'earn' AND e.member_id = $1 AND e.wall_time >= $2
      GROUP BY 1
      ORDER BY 3 DESC, 1`,
    [memberId, since],
  );
  return rows.map((r) => ({ category: r.category, quantity: Number(r.quantity), netCents: Number(r.net_cents), sales: Number(r.sales) }));
}
