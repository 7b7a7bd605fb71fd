import { Accounts } from '../../main/core/ledger/accounts';
import { Book, insertLegs, type Leg } from '../book';
import { HqError, newId, nextChangeVersion, type HqContext } from '../context';
import type { Sql } from '../db';
import { maskCard } from '../member-lookup';
import { recordPrivacyAudit } from './audit';

/**
 * Erasure across the chain (issue 17 item 3), HQ side.
 *
 * Design: the journal is never rewritten. A journal entry (HQ's journal_entry
 * and every terminal's ledger_entry) names a member only by `member_id`, a
 * random UUIDv7 drawn at enrolment that says nothing of the person; no name,
 * email, phone or card number is in any entry's hashed content
 * (ledger/chain.ts ENTRY_FIELDS_V1; incident notes are kept outside the hash).
 * Erasing deletes everything that ties that id to a person — the record
 * (names, contact), the self-service codes, sessions and messages, the scores,
 * the tiers, the store links — so the id left in every journal is a pseudonym
 * with no key anywhere: the hash chain, every posting and every sum stay as
 * they were and still verify, at HQ and on the terminals.
 *
 * One known gap, for the ledger's owner: an `adjust` entry's `detail.reason`
 * is free text the cashier types (AdjustInput.reason, 200 characters) and it
 * is inside the hash. If a cashier wrote a name there it cannot be erased
 * without breaking the chain; the fix is a schema version that keeps the
 * reason outside the hash, as incident notes are.
 *
 * What is kept, without personal data: the member's consent history (proof of
 * what was agreed, closed by a withdrawal of every purpose at erasure), the
 * card numbers, still claimed by the pseudonym (so a blocked card can never be
 * claimed by or linked to anyone again, and a card lookup finds nobody), the
 * receipt of the request (erasure_receipt: no id of the member), the privacy
 * audit trail, and the tombstone (member_erasure) every terminal gets in its
 * next pull (privacy/consent-pull.ts) that removes the person there.
 *
 * Points: the programme closes the account and its points lapse (FORFEIT_RULE);
 * the amount is shown before confirming (erasurePreview) and the request must
 * confirm that very amount. Forfeiting is an HQ entry like HQ's expiry
 * (kind `forfeit`, to program:expired), so every sum balances. Points that a
 * store's sale earns for the member after the erasure (a sale made offline
 * before the tombstone reached it) lapse the same way when they arrive
 * (forfeitErasedBalances, after each push).
 */
export const FORFEIT_KIND = 'forfeit';

/** What the programme states, shown with the amount before the customer confirms. */
export const FORFEIT_RULE = {
  fr: 'Effacer votre compte le clôture : vos points restants sont perdus et ne peuvent être ni rendus ni transférés. Votre carte est bloquée.',
  en: 'Erasing your account closes it: your remaining points are forfeited and cannot be given back or transferred. Your card is blocked.',
} as const;

export type ErasureCause = 'request' | 'retention';
export type ErasureChannel = 'customer-service' | 'customer-screen' | 'till' | 'retention';

export interface ErasurePreview {
  memberId: string;
  /** What erasing now forfeits: the request must confirm this amount. */
  pointsForfeited: number;
  /** Redemptions still pending in a store: erasure waits for them. */
  pendingHolds: number;
  cards: string[];
  rule: typeof FORFEIT_RULE;
}

export interface ErasureRequest {
  memberId: string;
  /** The card the customer showed: it must be one of theirs, or nothing is done. Null for the retention run. */
  cardNumber: string | null;
  /** The points the customer was shown (erasurePreview): if they changed since, nothing is done. */
  confirmedForfeit: number;
  cause: ErasureCause;
  channel: ErasureChannel;
  /** Who asked HQ to erase: a staff username and role, `self-service:<terminal>` / `customer`, `retention` / `system`. */
  by: { actor: string; role: string };
  /** The member's request, traced through the privacy audit log. */
  requestId?: string | null;
  /** When the customer asked, if before now (a request made at a screen earlier). */
  requestedAt?: number;
}

export interface ErasureReceipt {
  receiptId: string;
  memberId: string;
  erasedAt: number;
  pointsForfeited: number;
  cardsBlocked: number;
}

const ID = /^[A-Za-z0-9_.:-]{1,64}$/;

async function erased(sql: Sql, memberId: string): Promise<{ receipt_id: string; erased_at: number } | null> {
  const rows = await sql.query<{ receipt_id: string; erased_at: number }>('SELECT receipt_id, erased_at FROM member_erasure WHERE customer_id = $1', [memberId]);
  return rows[0] ?? null;
}

/** Whether HQ erased this member (their id is then a pseudonym). */
export async function isErased(sql: Sql, memberId: string): Promise<boolean> {
  return (await erased(sql, memberId)) !== null;
}

function checkId(memberId: unknown): string {
  if (typeof memberId !== 'string' || !ID.test(memberId)) throw new HqError('malformed', 400, 'memberId is not a member id');
  return memberId;
}

async function pointsOf(sql: Sql, memberId: string): Promise<number> {
  const rows = await sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [memberId, Accounts.points(memberId)]);
  return Number(rows[0]?.balance ?? 0);
}

async function cardsOf(sql: Sql, memberId: string): Promise<string[]> {
  const rows = await sql.query<{ card_number: string }>('SELECT card_number FROM member_card WHERE customer_id = $1 ORDER BY card_number', [memberId]);
  return rows.map((r) => r.card_number);
}

async function pendingHolds(ctx: HqContext, sql: Sql, memberId: string): Promise<Array<{ terminal_id: string; expires_at: number }>> {
  return sql.query<{ terminal_id: string; expires_at: number }>(
    "SELECT terminal_id, expires_at FROM hold WHERE customer_id = $1 AND status = 'pending' AND expires_at > $2 ORDER BY expires_at",
    [memberId, ctx.clock.now()],
  );
}

async function requireMember(sql: Sql, memberId: string, lock: boolean): Promise<void> {
  const done = await erased(sql, memberId);
  if (done) throw new HqError('already_erased', 409, `this member was erased already (receipt ${done.receipt_id})`);
  const rows = await sql.query<{ one: number }>(`SELECT 1 AS one FROM member WHERE customer_id = $1 AND record IS NOT NULL${lock ? ' FOR UPDATE' : ''}`, [memberId]);
  if (!rows[0]) throw new HqError('not_found', 404, 'no member with this id');
}

/** What erasing this member now would forfeit, to show the customer before they confirm. */
export async function erasurePreview(ctx: HqContext, memberId: string): Promise<ErasurePreview> {
  const id = checkId(memberId);
  await requireMember(ctx.sql, id, false);
  return {
    memberId: id,
    pointsForfeited: Math.max(0, await pointsOf(ctx.sql, id)),
    pendingHolds: (await pendingHolds(ctx, ctx.sql, id)).length,
    cards: await cardsOf(ctx.sql, id),
    rule: FORFEIT_RULE,
  };
}

/**
 * Posts the lapse of every spendable point of `customers` (already locked by
 * `book`) as HQ `forfeit` entries; returns the points per customer.
 */
async function forfeit(ctx: HqContext, tx: Sql, book: Book, customers: readonly string[], entryIdOf: (customer: string) => string): Promise<Map<string, number>> {
  const legs: Leg[] = [];
  const out = new Map<string, number>();
  for (const c of customers) {
    const points = book.balance(c, Accounts.points(c));
    if (points <= 0) continue;
    const id = entryIdOf(c);
    legs.push(
      { customer_id: c, entry_id: id, leg: 0, account: Accounts.expired, delta: points, kind: FORFEIT_KIND, origin: 'hq', terminal_id: null, epoch: null, seq: null },
      { customer_id: c, entry_id: id, leg: 1, account: Accounts.points(c), delta: -points, kind: FORFEIT_KIND, origin: 'hq', terminal_id: null, epoch: null, seq: null },
    );
    out.set(c, points);
  }
  if (legs.length === 0) return out;
  await insertLegs(tx, legs, ctx.clock.now());
  for (const l of legs) book.post(l.customer_id, l.account, l.delta);
  for (const [c, points] of out) book.take(c, points, null);
  await book.save(tx);
  return out;
}

/** Tables of HQ (migration 15, self-service) holding a member's contact data or secrets: their rows go with the person. */
const PERSONAL_TABLES = ['privacy_challenge', 'privacy_guard', 'privacy_session', 'privacy_export_link', 'privacy_outbox', 'privacy_notice_outbox', 'retention_notice'] as const;

/**
 * Erases one member at HQ, whole or not at all (one transaction, under the
 * member's projection lock, so a push projecting a sale of theirs waits or
 * goes first). Refused, with nothing done: a card that is not theirs, a
 * redemption still pending in a store, an amount of points that is no longer
 * what the customer was shown, a member already erased.
 */
export async function eraseMember(ctx: HqContext, req: ErasureRequest): Promise<ErasureReceipt> {
  const memberId = checkId(req.memberId);
  if (!Number.isSafeInteger(req.confirmedForfeit) || req.confirmedForfeit < 0) throw new HqError('malformed', 400, 'confirmedForfeit is the number of points shown');
  try {
    return await ctx.sql.transaction(async (tx) => {
      const book = await Book.load(tx, [memberId]);
      await requireMember(tx, memberId, true);
      const cards = await cardsOf(tx, memberId);
      if (req.cardNumber !== null && !cards.includes(req.cardNumber)) {
        throw new HqError('card_not_theirs', 409, `card ${maskCard(req.cardNumber)} is not this customer's card: nothing was erased`);
      }
      const holds = await pendingHolds(ctx, tx, memberId);
      if (holds.length > 0) {
        throw new HqError('sale_in_flight', 409, `a redemption of this customer's points is in progress (${holds[0]!.terminal_id}): nothing was erased, try again in a few minutes`);
      }
      const points = Math.max(0, book.balance(memberId, Accounts.points(memberId)));
      if (points !== req.confirmedForfeit) {
        throw new HqError('forfeit_changed', 409, `the points to forfeit are now ${points}, not ${req.confirmedForfeit}: show the customer the new amount`);
      }
      const now = ctx.clock.now();
      const receiptId = newId(ctx);
      await forfeit(ctx, tx, book, [memberId], () => `forfeit:${receiptId}`);

      const version = await nextChangeVersion(tx);
      await tx.query('UPDATE member SET record = NULL, change_version = $2 WHERE customer_id = $1', [memberId, version]);
      await tx.query('DELETE FROM member_store WHERE customer_id = $1', [memberId]);
      // The hash of the record sent: a digest of names and contact, so it goes too; the row keeps who sent it first.
      await tx.query("UPDATE member_intake SET record_hash = 'erased', updated_at = $2 WHERE customer_id = $1", [memberId, now]);
      // The history stays as proof of what was agreed; erasure withdraws every purpose, so no run processes them again.
      for (const purpose of ['marketing', 'personalisedOffers', 'profiling']) {
        await tx.query(
          `INSERT INTO member_consent (customer_id, purpose, recorded_at, granted, wording_version, source, terminal_id)
           VALUES ($1, $2, $3, false, 'erasure', 'erasure', 'hq') ON CONFLICT (customer_id, purpose, recorded_at) DO NOTHING`,
          [memberId, purpose, now],
        );
      }
      const scored = await tx.query('DELETE FROM member_value WHERE customer_id = $1 RETURNING customer_id', [memberId]);
      if (scored.length > 0) {
        await tx.query(
          'INSERT INTO member_value_removed (customer_id, change_version) VALUES ($1, $2) ON CONFLICT (customer_id) DO UPDATE SET change_version = EXCLUDED.change_version',
          [memberId, version],
        );
      }
      await tx.query('DELETE FROM member_tier WHERE customer_id = $1', [memberId]);
      await tx.query('DELETE FROM member_consent_version WHERE customer_id = $1', [memberId]);
      for (const table of PERSONAL_TABLES) await tx.query(`DELETE FROM ${table} WHERE customer_id = $1`, [memberId]);

      await tx.query(
        `INSERT INTO erasure_receipt (receipt_id, requested_at, completed_at, cause, channel, handled_by, points_forfeited, cards_blocked)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [receiptId, req.requestedAt ?? now, now, req.cause, req.channel, req.by.actor.slice(0, 128), points, cards.length],
      );
      await tx.query('INSERT INTO member_erasure (customer_id, receipt_id, erased_at, cause, change_version) VALUES ($1, $2, $3, $4, $5)', [
        memberId,
        receiptId,
        now,
        req.cause,
        version,
      ]);
      await recordPrivacyAudit(ctx, tx, {
        customerId: memberId,
        actor: req.by.actor,
        actorRole: req.by.role,
        action: 'erase',
        requestId: req.requestId ?? null,
        detail: { receiptId, cause: req.cause, channel: req.channel, pointsForfeited: points, cardsBlocked: cards.length },
      });
      return { receiptId, memberId, erasedAt: now, pointsForfeited: points, cardsBlocked: cards.length };
    });
  } catch (error) {
    // A refusal leaves its trace (the transaction above wrote nothing): the member's request shows it was refused and why.
    if (error instanceof HqError && error.code !== 'not_found' && error.code !== 'malformed') {
      await recordPrivacyAudit(ctx, ctx.sql, {
        customerId: memberId,
        actor: req.by.actor,
        actorRole: req.by.role,
        action: 'erase_refused',
        requestId: req.requestId ?? null,
        detail: { code: error.code },
      });
    }
    throw error;
  }
}

/**
 * Points that reached erased members after their erasure (a sale made before
 * the tombstone reached its store, a card earned on offline and linked to
 * them) lapse as the programme states. `customers`: the members a push
 * named; none given, every erased member is checked. Returns the points.
 */
export async function forfeitErasedBalances(ctx: HqContext, customers?: readonly string[]): Promise<number> {
  const rows = await ctx.sql.query<{ customer_id: string; receipt_id: string }>(
    `SELECT e.customer_id, e.receipt_id FROM member_erasure e
     JOIN account_balance b ON b.customer_id = e.customer_id AND b.account = 'member:' || e.customer_id || ':points'
     WHERE b.balance > 0 AND ($1::text[] IS NULL OR e.customer_id = ANY($1::text[]))`,
    [customers ? [...new Set(customers)] : null],
  );
  if (rows.length === 0) return 0;
  return ctx.sql.transaction(async (tx) => {
    const book = await Book.load(tx, rows.map((r) => r.customer_id));
    const lapsed = await forfeit(ctx, tx, book, rows.map((r) => r.customer_id).sort(), () => `forfeit:${newId(ctx)}`);
    return [...lapsed.values()].reduce((a, b) => a + b, 0);
  });
}

/** The receipt of an erasure, by its id (what the customer was given): no personal data in it. */
export async function erasureReceipt(ctx: HqContext, receiptId: string): Promise<Record<string, unknown> | null> {
  const rows = await ctx.sql.query<Record<string, unknown>>(
    'SELECT receipt_id, requested_at, completed_at, cause, channel, handled_by, points_forfeited, cards_blocked FROM erasure_receipt WHERE receipt_id = $1',
    [receiptId],
  );
  return rows[0] ?? null;
}
