import { nextChangeVersion } from '../context';
import type { Sql } from '../db';
import { memberTierKey, unrankedTier, type MemberTier } from '../../shared/tiers/member-tier';
import { DEFAULT_TIER_POLICY, validateTierPolicy, type TierPolicy } from '../../shared/programme/tiers';

/**
 * Tiers in the pull (issue 14 item 3): the store bucket's `tier:<memberId>`
 * items, one per member of the store, with the labels of the programme the
 * run ranked with and what is left to reach the tier above.
 *
 * Incremental per run: a ranking takes one pull change version as it commits
 * (`publishTierRun`), and a terminal whose store cookie is older gets every
 * tier of its store's members; in between, only members newly linked to the
 * store. A member no run has ranked yet has no item: the terminal holds them
 * in the programme's tier for new members (basic) until a ranking measures them.
 */

/** Inside the ranking's transaction, once its rows are written: the run becomes visible to pulls in commit order. */
export async function publishTierRun(tx: Sql, runId: string): Promise<void> {
  await tx.query('UPDATE tier_run SET change_version = $2 WHERE run_id = $1', [runId, await nextChangeVersion(tx)]);
}

interface Row {
  customer_id: string;
  tier: string;
  next_tier_gap_cents: string | number | null;
  ranked_at: string | number;
}

export async function tierPatch(tx: Sql, storeId: string, since: number): Promise<{ puts: Array<{ key: string; value: MemberTier }> }> {
  // The latest run's policy names the tiers its rows hold (an erased member's row is gone with the next run).
  const runs = await tx.query<{ policy: unknown }>('SELECT policy FROM tier_run ORDER BY run_no DESC LIMIT 1');
  const checked = runs[0] ? validateTierPolicy(runs[0].policy) : null;
  const policy: TierPolicy = checked?.ok ? checked.policy : DEFAULT_TIER_POLICY;
  const rows = await tx.query<Row>(
    `SELECT s.customer_id, t.tier, t.next_tier_gap_cents, t.ranked_at
     FROM member_store s
     -- An erased member (no record) is not sent, as pull.ts sends no member row for them.
     JOIN member m ON m.customer_id = s.customer_id AND m.record IS NOT NULL
     JOIN member_tier t ON t.customer_id = s.customer_id
     JOIN tier_run r ON r.run_id = t.run_id
     WHERE s.store_id = $1 AND (s.linked_version > $2 OR r.change_version > $2)
     ORDER BY s.customer_id`,
    [storeId, since],
  );
  return { puts: rows.map((row) => ({ key: memberTierKey(row.customer_id), value: tierOf(policy, row) })) };
}

function tierOf(policy: TierPolicy, row: Row): MemberTier {
  const index = policy.tiers.findIndex((t) => t.id === row.tier);
  // A tier the latest policy does not name (a row of a run that failed to finish is never seen): the entry tier.
  if (index < 0) return unrankedTier(row.customer_id, policy);
  const tier = policy.tiers[index]!;
  const above = index > 0 ? policy.tiers[index - 1]! : null;
  // The run's gap is in score (spend cents plus the regularity weight per regular week), shown as cents of spend with the
  // member's regular weeks as they stand: approximate, since a visit in a week without one also counts, old weeks drop
  // out of the 52 and the other members move too. The screens say « plus que », never a promise.
  const gap = row.next_tier_gap_cents === null ? null : Number(row.next_tier_gap_cents);
  return {
    memberId: row.customer_id,
    tier: tier.id,
    label: tier.label,
    next: above && gap !== null && gap > 0 ? { tier: above.id, label: above.label, gapCents: gap } : null,
    rankedAt: Number(row.ranked_at),
  };
}
