import type { Db } from '../db/database';
import { perConnection } from '../db/per-connection';
import { MemberTier, TIER_KEY_PREFIX, memberTierKey, unrankedTier, type MemberTierView, type TierLabel } from '../../../shared/tiers/member-tier';

/**
 * Members' tiers at the terminal (issue 14 item 3): the store bucket's
 * `tier:<memberId>` items HQ's nightly ranking sends, checked before the pull
 * writes anything, kept one row per member in member_tier. A member without
 * a row (new, or not ranked yet) is in the programme's tier for new members.
 */

export const isTierKey = (bucket: string, key: string) => bucket === 'store' && key.startsWith(TIER_KEY_PREFIX);

/** The tier an item carries; throws (the whole pull is refused) when it is not one, or names another member. */
export function checkTierItem(key: string, value: unknown): MemberTier {
  const tier = MemberTier.parse(value);
  if (key !== memberTierKey(tier.memberId)) throw new Error(`${key} carries the tier of member ${tier.memberId}`);
  return tier;
}

let generation = 0;
/** Moves whenever a pull writes tiers: who keeps tiers in memory (vouchers/voucher-book.ts) reads them again. */
export const tierGeneration = (): number => generation;

/** Inside the pull's transaction. */
export function applyTiers(db: Db, puts: readonly MemberTier[], deletedKeys: readonly string[], now: number): void {
  generation += 1;
  const put = db.prepare(
    `INSERT INTO member_tier (member_id, tier, label, next_tier, next_label, gap_cents, ranked_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (member_id) DO UPDATE SET tier = excluded.tier, label = excluded.label, next_tier = excluded.next_tier, next_label = excluded.next_label,
       gap_cents = excluded.gap_cents, ranked_at = excluded.ranked_at, received_at = excluded.received_at`,
  );
  for (const t of puts) {
    put.run(t.memberId, t.tier, JSON.stringify(t.label), t.next?.tier ?? null, t.next ? JSON.stringify(t.next.label) : null, t.next?.gapCents ?? null, t.rankedAt, now);
  }
  const remove = db.prepare('DELETE FROM member_tier WHERE member_id = ?');
  for (const key of deletedKeys) if (key.startsWith(TIER_KEY_PREFIX)) remove.run(key.slice(TIER_KEY_PREFIX.length));
}

/**
 * The member's tier as the last pull left it, the gap less what they bought at this terminal since the ranking
 * (spend as HQ counts it: each sale's net amount; a refund does not add back); the tier new members start in
 * when HQ has sent none.
 */
export function tierOf(db: Db, memberId: string): MemberTierView {
  const row = tierStatements(db).tier.get(memberId);
  if (!row) return unrankedTier(memberId);
  const next =
    row.next_tier !== null && row.next_label !== null && row.gap_cents !== null && row.ranked_at !== null
      ? { tier: row.next_tier, label: JSON.parse(row.next_label) as TierLabel, gapCents: Math.max(0, row.gap_cents - spentSince(db, memberId, row.ranked_at)) }
      : null;
  return { memberId, tier: row.tier, label: JSON.parse(row.label) as TierLabel, next, rankedAt: row.ranked_at };
}

/** Cents the member spent here after `since`, from the sales' earn entries (a member's few, by the member index). */
function spentSince(db: Db, memberId: string, since: number): number {
  return tierStatements(db).spentSince.get(memberId, since)?.cents ?? 0;
}

const tierStatements = perConnection((db) => ({
  tier: db.prepare<[string], { tier: string; label: string; next_tier: string | null; next_label: string | null; gap_cents: number | null; ranked_at: number | null }>(
    'SELECT tier, label, next_tier, next_label, gap_cents, ranked_at FROM member_tier WHERE member_id = ?',
  ),
  spentSince: db.prepare<[string, number], { cents: number | null }>(
    "SELECT sum(max(coalesce(json_extract(detail, '$.net_cents'), 0), 0)) AS cents FROM ledger_entry WHERE member_id = ? AND kind = 'earn' AND wall_time > ?",
  ),
}));
