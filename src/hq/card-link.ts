import { Accounts } from '../main/core/ledger/accounts';
import { nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';

/**
 * A card earned on offline by a terminal that did not know it (a provisional
 * member, src/main/core/members/provisional.ts) is linked here to the
 * customer who holds the card, and its points move there exactly once
 * (sync-ledger.md §3 item 16).
 *
 * The link is made from whichever side reaches HQ second: a provisional record
 * for a card HQ knows, or an enrolled record carrying a card a provisional
 * member earned on. The move is a sweep: under the two customers' locks,
 * whatever the provisional member's points balance holds goes to the customer,
 * in one HQ-origin transfer (kind `card_link`, posted on both customers'
 * shards, summing to zero) whose id is derived from the provisional member and
 * the points moved before it. Replaying a link, an intake or a push finds the
 * balance at zero and moves nothing; a racing second sweep waits for the locks
 * and finds the same. Entries for the provisional member that arrive after
 * the link are swept by the push route, and by the maintenance run if HQ
 * stopped in between. Lots move with their expiry date, so the points expire
 * when they would have.
 */
export const CARD_LINK_KIND = 'card_link';

export function cardLinkEntryId(provisionalId: string, movedBefore: number): string {
  return `card-link:${provisionalId}:${movedBefore}`;
}

interface ProvisionalRow {
  provisional_id: string;
  card_number: string;
  store_id: string;
  linked_to: string | null;
  moved_points: number;
}

/** Serialises with the projector and holds: the same per-customer advisory locks, always taken in order. */
export async function lockCustomers(tx: Sql, customers: readonly string[]): Promise<void> {
  const sorted = [...new Set(customers)].sort();
  if (sorted.length === 0) return;
  await tx.query('SELECT pg_advisory_xact_lock(hashtext(c)) FROM unnest($1::text[]) AS c ORDER BY c', [sorted]);
}

/** Makes the member's row newer than every cookie: pulls carry its record and balance again. */
export async function touchMembers(tx: Sql, customers: readonly string[]): Promise<number> {
  const version = await nextChangeVersion(tx);
  await tx.query(
    `INSERT INTO member (customer_id, record, change_version) SELECT c, NULL, $2 FROM unnest($1::text[]) AS c
     ON CONFLICT (customer_id) DO UPDATE SET change_version = EXCLUDED.change_version`,
    [[...new Set(customers)], version],
  );
  return version;
}

/**
 * Links a provisional member to the customer holding its card (once: a linked
 * one stays linked) and makes that customer pulled by the store that earned
 * on the card, so its terminals learn whose card it is. The caller holds both
 * customers' locks.
 */
export async function linkProvisional(ctx: HqContext, tx: Sql, provisionalId: string, customerId: string): Promise<string | null> {
  const rows = await tx.query<ProvisionalRow>(
    'SELECT provisional_id, card_number, store_id, linked_to, moved_points FROM provisional_card WHERE provisional_id = $1 FOR UPDATE',
    [provisionalId],
  );
  const row = rows[0];
  if (!row) return null;
  if (row.linked_to !== null) return row.linked_to;
  await tx.query('UPDATE provisional_card SET linked_to = $2, linked_at = $3 WHERE provisional_id = $1', [provisionalId, customerId, ctx.clock.now()]);
  const version = await touchMembers(tx, [provisionalId, customerId]);
  await tx.query(
    `INSERT INTO member_store (customer_id, store_id, linked_version) VALUES ($1, $2, $3), ($4, $2, $3)
     ON CONFLICT (customer_id, store_id) DO UPDATE SET linked_version = EXCLUDED.linked_version`,
    [customerId, row.store_id, version, provisionalId],
  );
  return customerId;
}

async function addBalance(tx: Sql, customer: string, account: string, delta: number): Promise<void> {
  await tx.query(
    `INSERT INTO account_balance (customer_id, account, balance) VALUES ($1, $2, $3)
     ON CONFLICT (customer_id, account) DO UPDATE SET balance = account_balance.balance + EXCLUDED.balance`,
    [customer, account, delta],
  );
}

/**
 * Moves what a linked provisional member holds to its customer; returns the
 * points moved (0 when unlinked or already swept). The caller's transaction
 * must not have taken other customers' locks out of order: this takes the
 * provisional member's and the customer's first.
 */
export async function sweepProvisional(ctx: HqContext, tx: Sql, provisionalId: string): Promise<number> {
  const peek = await tx.query<{ linked_to: string | null }>('SELECT linked_to FROM provisional_card WHERE provisional_id = $1', [provisionalId]);
  const customer = peek[0]?.linked_to ?? null;
  if (customer === null) return 0;
  await lockCustomers(tx, [provisionalId, customer]);
  const rows = await tx.query<ProvisionalRow>(
    'SELECT provisional_id, card_number, store_id, linked_to, moved_points FROM provisional_card WHERE provisional_id = $1 FOR UPDATE',
    [provisionalId],
  );
  const row = rows[0]!;
  const from = Accounts.points(provisionalId);
  const to = Accounts.points(customer);
  const balances = await tx.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [provisionalId, from]);
  const points = balances[0]?.balance ?? 0;
  if (points <= 0) return 0;

  const now = ctx.clock.now();
  const entryId = cardLinkEntryId(provisionalId, row.moved_points);
  const posted = await tx.query<{ leg: number }>(
    `INSERT INTO posting (customer_id, entry_id, leg, account, delta, kind, origin, terminal_id, epoch, seq, posted_at)
     VALUES ($1, $3, 0, $4, $6, $7, 'hq', NULL, NULL, NULL, $8), ($2, $3, 1, $5, $9, $7, 'hq', NULL, NULL, NULL, $8)
     ON CONFLICT (customer_id, entry_id, leg) DO NOTHING RETURNING leg`,
    [provisionalId, customer, entryId, from, to, -points, CARD_LINK_KIND, now, points],
  );
  // The id names the points moved before it: finding it posted means moved_points lies, and nothing may move twice.
  if (posted.length !== 2) throw new Error(`card link ${entryId} is already posted while ${points} points are still on ${provisionalId}`);
  await addBalance(tx, provisionalId, from, -points);
  await addBalance(tx, customer, to, points);

  const lots = await tx.query<{ lot_id: string; remaining: number; expires_on: string; expires_at: number; opened_at: number }>(
    'SELECT lot_id, remaining, expires_on, expires_at, opened_at FROM lot WHERE customer_id = $1 AND remaining > 0 ORDER BY expires_at, lot_id',
    [provisionalId],
  );
  let left = points;
  for (const lot of lots) {
    if (left === 0) break;
    const n = Math.min(left, lot.remaining);
    left -= n;
    await tx.query('UPDATE lot SET remaining = remaining - $3 WHERE customer_id = $1 AND lot_id = $2', [provisionalId, lot.lot_id, n]);
    await tx.query(
      `INSERT INTO lot (customer_id, lot_id, points, remaining, expires_on, expires_at, opened_at) VALUES ($1, $2, $3, $3, $4, $5, $6)
       ON CONFLICT (customer_id, lot_id) DO UPDATE SET points = lot.points + EXCLUDED.points, remaining = lot.remaining + EXCLUDED.remaining`,
      [customer, lot.lot_id, n, lot.expires_on, lot.expires_at, lot.opened_at],
    );
  }
  if (left > 0) ctx.logger.warn('card link moved points without lots to carry their expiry', { provisionalId, customer, points: left });
  await tx.query('UPDATE provisional_card SET moved_points = moved_points + $2 WHERE provisional_id = $1', [provisionalId, points]);
  await touchMembers(tx, [provisionalId, customer]);
  return points;
}

/**
 * Sweeps every linked provisional member among `memberIds` (the members of a
 * push just ingested), or every linked one with points left when omitted (the
 * maintenance run). One transaction per provisional member.
 */
export async function sweepLinkedProvisionals(ctx: HqContext, memberIds?: readonly string[]): Promise<number> {
  const candidates =
    memberIds === undefined
      ? await ctx.sql.query<{ provisional_id: string }>(
          `SELECT p.provisional_id FROM provisional_card p JOIN account_balance b
             ON b.customer_id = p.provisional_id AND b.account = 'member:' || p.provisional_id || ':points'
           WHERE p.linked_to IS NOT NULL AND b.balance > 0 ORDER BY p.provisional_id LIMIT 5000`,
        )
      : memberIds.length === 0
        ? []
        : await ctx.sql.query<{ provisional_id: string }>(
            'SELECT provisional_id FROM provisional_card WHERE provisional_id = ANY($1::text[]) AND linked_to IS NOT NULL ORDER BY provisional_id',
            [[...new Set(memberIds)]],
          );
  let moved = 0;
  for (const c of candidates) moved += await ctx.sql.transaction((tx) => sweepProvisional(ctx, tx, c.provisional_id));
  return moved;
}
