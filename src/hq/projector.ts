import { Accounts } from '../main/core/ledger/accounts';
import { expiryFor, expiryOn, type Expiry } from '../main/core/ledger/expiry-policy';
import type { PushReceipt, WireEntry } from '../shared/sync/protocol';
import { Book, insertLegs, legKey, type Leg } from './book';
import { nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';
import { EXPIRY_REVERSAL, unexpire } from './expiry';
import { HoldBook } from './hold-book';
import { projectCustomerIncidents } from './customer-incidents';

/**
 * Stage B (sync-ledger.md §2.8): postings, balances, lots, holds and
 * overdraft exceptions from ingested entries, at HQ, in HQ commit order.
 * Idempotent by the posting key (customer_id, entry_id, leg): a leg already
 * posted changes nothing, so re-projecting a stream is harmless. On one node
 * it runs in the ingest transaction, so the receipt can carry the exceptions.
 */
export const OVERDRAFT_ACCOUNT = (memberId: string): string => `member:${memberId}:offline_overdraft`;

/** The receipt exception of a redeem entry naming a hold HQ did not hold for it (released, voided, unknown): it counts as an offline redemption. */
export const HOLD_NOT_PENDING = 'hold_not_pending';
/** The incident of a hold whose post found its points spent meanwhile by a debit that did not go through a hold. */
export const HOLD_OVERDRAWN = 'hold_overdrawn';

export type ReceiptException = PushReceipt['exceptions'][number];

/** The customer an entry's legs are filed under: its member, or the terminal for program-only entries. */
export function customerOf(entry: Pick<WireEntry, 'member_id' | 'terminal_id'>): string {
  return entry.member_id ?? `terminal:${entry.terminal_id}`;
}

/** `dates` caches by date for one run: a batch's lots share a handful of expiry dates. */
function lotExpiry(ctx: HqContext, entry: WireEntry, dates: Map<string, Expiry>): Expiry {
  const on = entry.detail.lot_expires_on;
  if (typeof on !== 'string') return expiryFor(ctx.rules, entry.wall_time);
  let expiry = dates.get(on);
  if (!expiry) dates.set(on, (expiry = expiryOn(ctx.rules, on)));
  return expiry;
}

function memberOfAccount(account: string): string | null {
  const m = /^member:(.+):points$/.exec(account);
  return m ? m[1]! : null;
}

/**
 * A newly ingested entry whose id another stream's entry already holds for
 * this customer (two terminals drawing the same UUIDv7: a cloned disk, a bad
 * random source). Its points must not vanish as if it were a replay: its legs
 * are posted under an id scoped to its stream, and the caller raises an
 * incident. Null when the postings are this very entry's (already projected).
 */
async function postCollision(tx: Sql, e: WireEntry, legs: Leg[], now: number): Promise<Leg[] | null> {
  const owner = await tx.query<{ terminal_id: string | null; epoch: number | null; seq: number | null }>(
    'SELECT terminal_id, epoch, seq FROM posting WHERE customer_id = $1 AND entry_id = $2 ORDER BY leg LIMIT 1',
    [customerOf(e), e.entry_id],
  );
  const o = owner[0];
  if (o && o.terminal_id === e.terminal_id && Number(o.epoch) === e.epoch && Number(o.seq) === e.seq) return null;
  const scoped = legs.map((l) => ({ ...l, entry_id: `${e.entry_id}@${e.terminal_id}:${e.epoch}:${e.seq}` }));
  const inserted = await insertLegs(tx, scoped, now);
  if (inserted.size !== scoped.length) throw new Error(`entry ${e.entry_id} of ${e.terminal_id}/${e.epoch}/${e.seq} is posted twice at HQ`);
  return scoped;
}


/**
 * Projects a stream's newly ingested entries (in seq order) and advances its
 * write checkpoint. Returns the exceptions for the receipt.
 */
export async function projectEntries(
  ctx: HqContext,
  tx: Sql,
  /** `clockTrusted`: the terminal's clock was within the skew bound when it sent these, so their wall times stand. */
  stream: { terminalId: string; epoch: number; storeId: string; clockTrusted?: boolean },
  entries: readonly WireEntry[],
): Promise<ReceiptException[]> {
  if (entries.length === 0) return [];
  const now = ctx.clock.now();
  const legs: Leg[] = [];
  for (const e of entries) {
    e.postings.forEach((p, leg) =>
      legs.push({ customer_id: customerOf(e), entry_id: e.entry_id, leg, account: p.account, delta: p.delta, kind: e.kind, origin: 'terminal', terminal_id: e.terminal_id, epoch: e.epoch, seq: e.seq }),
    );
  }
  // Only a leg taking points off the member's own balance spends from lots.
  const spenders = legs.filter((l) => l.delta < 0 && memberOfAccount(l.account) === l.customer_id).map((l) => l.customer_id);
  const members = [...new Set(entries.map((e) => e.member_id).filter((m): m is string => m !== null))];
  const book = await Book.load(tx, entries.map(customerOf), spenders);
  const holdOf = (e: WireEntry): string | null => (e.kind === 'redeem' && e.member_id !== null && typeof e.detail.hold_id === 'string' ? e.detail.hold_id : null);
  const holds = await HoldBook.load(
    tx,
    members,
    entries.flatMap((e) => (holdOf(e) === null ? [] : [[customerOf(e), holdOf(e)!] as [string, string]])),
    now,
  );
  const expiries = new Map<string, Expiry>();
  const inserted = await insertLegs(tx, legs, now);
  const exceptions: ReceiptException[] = [];
  const corrections: Leg[] = [];
  const incidents: Array<[string, string, string, string, string, string, number]> = [];
  const postedHolds: Array<[string, string]> = [];
  const byEntry = new Map<string, Leg[]>();
  for (const l of legs) {
    const list = byEntry.get(l.entry_id) ?? [];
    list.push(l);
    byEntry.set(l.entry_id, list);
  }

  for (const e of entries) {
    const customer = customerOf(e);
    const entryLegs = byEntry.get(e.entry_id) ?? [];
    let fresh = entryLegs.filter((l) => inserted.has(legKey(l)));
    if (fresh.length !== entryLegs.length) {
      // HQ's own expiry (same derived id) got there first: the lot expired once, with HQ's amount.
      if (fresh.length === 0 && e.kind === 'expire') {
        exceptions.push({ entryId: e.entry_id, kind: 'expiry_already_posted', detail: 'HQ had already expired this lot; the terminal entry is kept in the journal, not posted twice' });
        continue;
      }
      // Likewise a referral's reward (its id derives from the referee, src/hq/social/referrals.ts): HQ rewarded it first.
      if (fresh.length === 0 && e.kind === 'referral_reward') {
        exceptions.push({ entryId: e.entry_id, kind: 'referral_already_rewarded', detail: 'HQ had already rewarded this referral; the terminal entry is kept in the journal, not posted twice' });
        continue;
      }
      if (fresh.length > 0) throw new Error(`entry ${e.entry_id} is partly posted at HQ`);
      const scoped = await postCollision(tx, e, entryLegs, now);
      if (!scoped) continue;
      fresh = scoped;
      const detail = `entry id ${e.entry_id} is already another stream's; posted as ${scoped[0]!.entry_id}`;
      exceptions.push({ entryId: e.entry_id, kind: 'entry_id_collision', detail });
      incidents.push([customer, `collision:${e.terminal_id}:${e.epoch}:${e.seq}`, e.terminal_id, 'entry_id_collision', e.entry_id, JSON.stringify({ postedAs: scoped[0]!.entry_id }), now]);
    }
    let debited = 0;
    for (const l of fresh) {
      book.post(customer, l.account, l.delta);
      const member = memberOfAccount(l.account);
      if (member === null || member !== customer) continue;
      if (l.delta > 0) book.openLot(customer, l.entry_id, l.delta, lotExpiry(ctx, e, expiries), now);
      else if (l.delta < 0) {
        debited -= l.delta;
        book.take(customer, -l.delta, typeof e.detail.lot_id === 'string' ? e.detail.lot_id : null);
      }
    }
    const entryKey = fresh[0]?.entry_id ?? e.entry_id;
    // A redeem entry posts the hold it names while HQ holds it for that terminal; otherwise it is an offline redemption.
    const holdId = holdOf(e);
    let heldPoints = 0;
    let late = false;
    if (holdId !== null) {
      const held = holds.post(customer, holdId, e.terminal_id);
      if (held) {
        heldPoints = Math.min(debited, Number(held.points));
        postedHolds.push([customer, holdId]);
      } else {
        late = true;
        const why = holds.whyNot(customer, holdId, e.terminal_id);
        exceptions.push({ entryId: e.entry_id, kind: HOLD_NOT_PENDING, detail: `hold ${holdId} was not HQ's to post (${why}): the redemption is recorded as an offline one` });
      }
    }
    if (e.member_id !== null) {
      const points = Accounts.points(e.member_id);
      let balance = book.balance(customer, points);
      // What HQ held for this entry is its due even if something else spent it meanwhile (that deficit is not this entry's);
      // the rest of the debit answers for going below zero and for taking points other pending holds reserve.
      let others = Math.max(0, heldPoints - (balance + debited));
      let own = Math.max(0, -balance) - others;
      if (own > 0 && e.offline && stream.clockTrusted === true) {
        // The expiry race (sync-ledger.md §3 item 15): an offline redemption made while lots were still
        // valid, arriving after HQ expired them, is honoured by taking that expiry back, not overdrawn.
        const revived = await unexpire(tx, customer, e.wall_time, own);
        if (revived > 0) {
          const legs = [
            { account: Accounts.expired, delta: -revived },
            { account: points, delta: revived },
          ];
          legs.forEach((p, leg) =>
            corrections.push({ customer_id: customer, entry_id: `hq-unexpire-${entryKey}`, leg, account: p.account, delta: p.delta, kind: EXPIRY_REVERSAL, origin: 'hq', terminal_id: e.terminal_id, epoch: e.epoch, seq: e.seq }),
          );
          for (const p of legs) book.post(customer, p.account, p.delta);
          balance = book.balance(customer, points);
          others = Math.max(0, heldPoints - (balance + debited));
          own = Math.max(0, -balance) - others;
        }
      }
      const reserved = Math.max(0, Math.min(debited - heldPoints - own, holds.pendingPoints(customer) - Math.max(balance, 0)));
      const correction = `hq-overdraft-${entryKey}`;
      if (balance < 0) {
        // I7: the fact stands; the deficit moves to a receivable, raised as an exception and an incident.
        const fix = [
          { account: points, delta: -balance },
          { account: OVERDRAFT_ACCOUNT(e.member_id), delta: balance },
        ];
        fix.forEach((p, leg) =>
          corrections.push({ customer_id: customer, entry_id: correction, leg, account: p.account, delta: p.delta, kind: 'overdraft', origin: 'hq', terminal_id: e.terminal_id, epoch: e.epoch, seq: e.seq }),
        );
        for (const p of fix) book.post(customer, p.account, p.delta);
      }
      if (own + reserved > 0) {
        // Points pending holds reserve are taken from the balance when each hold posts: flagged now, on the entry that spent them.
        const kind = e.offline || late ? 'offline_overdraft' : 'overdraft';
        const parts = [
          ...(own > 0 ? [`${own} posted to ${OVERDRAFT_ACCOUNT(e.member_id)} (${correction})`] : []),
          ...(reserved > 0 ? [`${reserved} of the points pending holds reserve, owed when they post`] : []),
        ];
        const detail = `member ${e.member_id} overdrawn by ${own + reserved} points; ${reserved === 0 ? `posted to ${OVERDRAFT_ACCOUNT(e.member_id)} (${correction})` : parts.join(', ')}`;
        exceptions.push({ entryId: e.entry_id, kind, detail });
        incidents.push([customer, `overdraft:${entryKey}`, e.terminal_id, kind, e.entry_id, JSON.stringify({ points: own + reserved, reserved, offline: e.offline, late, correction: own > 0 ? correction : null }), now]);
      }
      if (others > 0) {
        // The hold was granted within what HQ had: the entry that posts it is owed no exception, HQ's books get the incident.
        const detail = { points: others, holdId, correction };
        incidents.push([customer, `hold-overdrawn:${entryKey}`, e.terminal_id, HOLD_OVERDRAWN, e.entry_id, JSON.stringify(detail), now]);
      }
    }
  }

  if (corrections.length > 0) {
    const done = await insertLegs(tx, corrections, now);
    if (done.size !== corrections.length) throw new Error('an HQ correction was already posted for a newly posted entry');
  }
  await book.save(tx);
  if (incidents.length > 0) {
    await tx.query(
      `INSERT INTO sync_anomaly (customer_id, anomaly_id, terminal_id, kind, entry_id, detail, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::bigint[])
       ON CONFLICT (customer_id, anomaly_id) DO NOTHING`,
      [0, 1, 2, 3, 4, 5, 6].map((k) => incidents.map((i) => i[k])),
    );
  }
  if (postedHolds.length > 0) {
    await tx.query(
      `UPDATE hold SET status = 'posted', resolved_at = $3 FROM unnest($1::text[], $2::text[]) AS h(customer_id, hold_id)
       WHERE hold.customer_id = h.customer_id AND hold.hold_id = h.hold_id AND hold.status = 'pending'`,
      [postedHolds.map((h) => h[0]), postedHolds.map((h) => h[1]), now],
    );
  }
  if (members.length > 0) {
    const version = await nextChangeVersion(tx);
    await tx.query(
      `INSERT INTO member (customer_id, record, change_version) SELECT c, NULL, $2 FROM unnest($1::text[]) AS c
       ON CONFLICT (customer_id) DO UPDATE SET change_version = EXCLUDED.change_version`,
      [members, version],
    );
    await tx.query(
      `INSERT INTO member_store (customer_id, store_id, linked_version) SELECT c, $2, $3 FROM unnest($1::text[]) AS c
       ON CONFLICT (customer_id, store_id) DO NOTHING`,
      [members, stream.storeId, version],
    );
  }
  // Customers' incidents (docs/relationship.md), apart from the sync anomalies above.
  await projectCustomerIncidents(tx, stream, entries);
  await tx.query('UPDATE terminal_stream SET applied_through_seq = GREATEST(applied_through_seq, $3) WHERE terminal_id = $1 AND epoch = $2', [
    stream.terminalId,
    stream.epoch,
    entries[entries.length - 1]!.seq,
  ]);
  return exceptions;
}

