import { Accounts } from '../main/core/ledger/accounts';
import { expiryEntryId } from '../main/core/ledger/expiry';
import { Book, insertLegs, legKey, type Leg } from './book';
import { nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';

/** The kind of HQ's entry giving back points it expired to an offline redemption made before they expired. */
export const EXPIRY_REVERSAL = 'expire_reversal';

/**
 * Takes back up to `points` of what HQ expired from the customer's lots that
 * were still valid at `at` (the redemption's wall time), soonest to expire
 * first, as a redemption at that moment would have spent them; returns how
 * many. The points go straight to the redemption, so the lots stay spent.
 */
export async function unexpire(tx: Sql, customer: string, at: number, points: number): Promise<number> {
  const lots = await tx.query<{ lot_id: string; expired: number }>(
    'SELECT lot_id, expired FROM lot WHERE customer_id = $1 AND expired > 0 AND expires_at > $2 ORDER BY expires_at, lot_id',
    [customer, at],
  );
  let left = points;
  const taken: Array<[string, number]> = [];
  for (const lot of lots) {
    if (left === 0) break;
    const n = Math.min(left, Number(lot.expired));
    taken.push([lot.lot_id, n]);
    left -= n;
  }
  if (taken.length > 0) {
    await tx.query(
      'UPDATE lot SET expired = lot.expired - t.n FROM unnest($2::text[], $3::bigint[]) AS t(lot_id, n) WHERE lot.customer_id = $1 AND lot.lot_id = t.lot_id',
      [customer, taken.map((t) => t[0]), taken.map((t) => t[1])],
    );
  }
  return points - left;
}

/**
 * HQ's expiry run (HQ time): every lot past its date plus the grace window is
 * expired by an entry whose id derives from (lot, date), the same id the
 * terminal's own expiry uses, so a lot never expires twice. A member with a
 * hold pending is left for a later run.
 */
export async function runHqExpiry(ctx: HqContext, now = ctx.clock.now()): Promise<{ lots: number; points: number }> {
  return ctx.sql.transaction(async (tx) => {
    const due = await tx.query<{ customer_id: string; lot_id: string; expires_on: string }>(
      'SELECT customer_id, lot_id, expires_on FROM lot WHERE remaining > 0 AND expires_at + $1 <= $2 ORDER BY customer_id, lot_id LIMIT 5000',
      [ctx.policy.expiryGraceMs, now],
    );
    if (due.length === 0) return { lots: 0, points: 0 };
    const book = await Book.load(tx, due.map((d) => d.customer_id));
    // Under the customers' locks: a pending hold was granted on these points, and its post spends them first.
    // Their expiry waits for the next run after the hold settles (its timeout bounds the wait).
    const holding = new Set(
      (
        await tx.query<{ customer_id: string }>("SELECT DISTINCT customer_id FROM hold WHERE customer_id = ANY($1::text[]) AND status = 'pending' AND expires_at > $2", [
          [...new Set(due.map((d) => d.customer_id))],
          now,
        ])
      ).map((r) => r.customer_id),
    );
    const expiring = due.filter((d) => !holding.has(d.customer_id));
    if (expiring.length === 0) return { lots: 0, points: 0 };
    const legs: Leg[] = [];
    let points = 0;
    for (const d of expiring) {
      const lot = book.lots.get(d.customer_id)!.find((l) => l.lot_id === d.lot_id);
      if (!lot || lot.remaining === 0) continue;
      const x = lot.remaining;
      const id = expiryEntryId(d.lot_id, d.expires_on);
      legs.push(
        { customer_id: d.customer_id, entry_id: id, leg: 0, account: Accounts.expired, delta: x, kind: 'expire', origin: 'hq', terminal_id: null, epoch: null, seq: null },
        { customer_id: d.customer_id, entry_id: id, leg: 1, account: Accounts.points(d.customer_id), delta: -x, kind: 'expire', origin: 'hq', terminal_id: null, epoch: null, seq: null },
      );
    }
    const inserted = await insertLegs(tx, legs, now);
    const expired: Array<[string, string, number]> = [];
    for (const l of legs) {
      if (!inserted.has(legKey(l))) continue;
      book.post(l.customer_id, l.account, l.delta);
      if (l.delta < 0) {
        const lot = book.lots.get(l.customer_id)!.find((x) => l.entry_id === expiryEntryId(x.lot_id, x.expires_on));
        if (lot) {
          points += lot.remaining;
          expired.push([l.customer_id, lot.lot_id, lot.remaining]);
          lot.remaining = 0;
          lot.dirty = true;
        }
      }
    }
    await book.save(tx);
    if (expired.length > 0) {
      // Provisional for offline redemptions made before the lot's date that have yet to arrive (unexpire).
      await tx.query(
        'UPDATE lot SET expired = lot.expired + t.n FROM unnest($1::text[], $2::text[], $3::bigint[]) AS t(customer_id, lot_id, n) WHERE lot.customer_id = t.customer_id AND lot.lot_id = t.lot_id',
        [0, 1, 2].map((k) => expired.map((x) => x[k])),
      );
    }
    const version = await nextChangeVersion(tx);
    await tx.query('UPDATE member SET change_version = $2 WHERE customer_id = ANY($1::text[])', [[...new Set(expiring.map((d) => d.customer_id))], version]);
    return { lots: expiring.length, points };
  });
}
