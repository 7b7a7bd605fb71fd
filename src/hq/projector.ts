import { Accounts } from '../main/core/ledger/accounts';
import { expiryEntryId } from '../main/core/ledger/expiry';
import { expiryFor, expiryOn, type Expiry } from '../main/core/ledger/expiry-policy';
import type { PushReceipt, WireEntry } from '../shared/sync/protocol';
import { nextChangeVersion, type HqContext } from './context';
import type { Sql } from './db';

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

interface Leg {
  customer_id: string;
  entry_id: string;
  leg: number;
  account: string;
  delta: number;
  kind: string;
  origin: 'terminal' | 'hq';
  terminal_id: string | null;
  epoch: number | null;
  seq: number | null;
}

interface LotState {
  lot_id: string;
  points: number;
  remaining: number;
  expires_on: string;
  expires_at: number;
  opened_at: number;
  dirty: boolean;
}

const CHUNK = 4000;

/** The customer an entry's legs are filed under: its member, or the terminal for program-only entries. */
export function customerOf(entry: Pick<WireEntry, 'member_id' | 'terminal_id'>): string {
  return entry.member_id ?? `terminal:${entry.terminal_id}`;
}

async function insertLegs(tx: Sql, legs: Leg[], now: number): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < legs.length; i += CHUNK) {
    const c = legs.slice(i, i + CHUNK);
    // One array per column: far fewer parameters to bind than a VALUES row per leg.
    const rows = await tx.query<{ customer_id: string; entry_id: string; leg: number }>(
      `INSERT INTO posting (customer_id, entry_id, leg, account, delta, kind, origin, terminal_id, epoch, seq, posted_at)
       SELECT *, $11::bigint FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::int[], $10::bigint[])
       ON CONFLICT (customer_id, entry_id, leg) DO NOTHING RETURNING customer_id, entry_id, leg`,
      [
        c.map((l) => l.customer_id),
        c.map((l) => l.entry_id),
        c.map((l) => l.leg),
        c.map((l) => l.account),
        c.map((l) => l.delta),
        c.map((l) => l.kind),
        c.map((l) => l.origin),
        c.map((l) => l.terminal_id),
        c.map((l) => l.epoch),
        c.map((l) => l.seq),
        now,
      ],
    );
    for (const r of rows) inserted.add(`${r.customer_id}\u0000${r.entry_id}\u0000${r.leg}`);
  }
  return inserted;
}

const legKey = (l: Pick<Leg, 'customer_id' | 'entry_id' | 'leg'>) => `${l.customer_id}\u0000${l.entry_id}\u0000${l.leg}`;

/**
 * Per-customer state for one projection run, loaded under a per-customer lock.
 * Open lots are read only for the customers named in `spenders` (those who may
 * spend from them in this run): a customer who only earns gets new lots, added
 * to what HQ holds when written, so a busy member's thousands of lots are not
 * read back for every batch.
 */
class Book {
  readonly balances = new Map<string, Map<string, number>>();
  readonly touchedAccounts = new Map<string, Set<string>>();
  /** Open lots of the customers read in full. */
  readonly lots = new Map<string, LotState[]>();
  /** Lots opened in this run for the customers whose lots were not read. */
  readonly openedOnly = new Map<string, Map<string, LotState>>();

  static async load(tx: Sql, customers: string[], spenders: Iterable<string> = customers): Promise<Book> {
    const book = new Book();
    const sorted = [...new Set(customers)].sort();
    const readLots = [...new Set(spenders)].filter((c) => sorted.includes(c)).sort();
    // Serialises projections per customer on a server; deadlock-free because always taken in order.
    await tx.query('SELECT pg_advisory_xact_lock(hashtext(c)) FROM unnest($1::text[]) AS c ORDER BY c', [sorted]);
    const balances = await tx.query<{ customer_id: string; account: string; balance: number }>(
      'SELECT customer_id, account, balance FROM account_balance WHERE customer_id = ANY($1::text[])',
      [sorted],
    );
    for (const c of sorted) book.balances.set(c, new Map());
    for (const c of readLots) book.lots.set(c, []);
    for (const b of balances) book.balances.get(b.customer_id)!.set(b.account, b.balance);
    if (readLots.length > 0) {
      const lots = await tx.query<LotState & { customer_id: string }>(
        'SELECT customer_id, lot_id, points, remaining, expires_on, expires_at, opened_at FROM lot WHERE customer_id = ANY($1::text[]) AND remaining > 0',
        [readLots],
      );
      for (const l of lots) book.lots.get(l.customer_id)!.push({ ...l, dirty: false });
    }
    return book;
  }

  balance(customer: string, account: string): number {
    return this.balances.get(customer)?.get(account) ?? 0;
  }

  post(customer: string, account: string, delta: number): void {
    const m = this.balances.get(customer)!;
    m.set(account, (m.get(account) ?? 0) + delta);
    let t = this.touchedAccounts.get(customer);
    if (!t) this.touchedAccounts.set(customer, (t = new Set()));
    t.add(account);
  }

  openLot(customer: string, lotId: string, points: number, expiry: Expiry, at: number): void {
    const lots = this.lots.get(customer);
    if (!lots) {
      let opened = this.openedOnly.get(customer);
      if (!opened) this.openedOnly.set(customer, (opened = new Map()));
      const existing = opened.get(lotId);
      if (existing) {
        existing.points += points;
        existing.remaining += points;
      } else {
        opened.set(lotId, { lot_id: lotId, points, remaining: points, expires_on: expiry.expiresOn, expires_at: expiry.expiresAt, opened_at: at, dirty: true });
      }
      return;
    }
    const existing = lots.find((l) => l.lot_id === lotId);
    if (existing) {
      existing.points += points;
      existing.remaining += points;
      existing.dirty = true;
    } else {
      lots.push({ lot_id: lotId, points, remaining: points, expires_on: expiry.expiresOn, expires_at: expiry.expiresAt, opened_at: at, dirty: true });
    }
  }

  /** FIFO by expiry (then lot id, time-ordered), `preferLot` first; returns what could not be covered. */
  take(customer: string, points: number, preferLot: string | null): number {
    const lots = this.lots.get(customer);
    if (!lots) throw new Error(`lots of ${customer} were not read before spending from them`);
    const ordered = [...lots].sort((a, b) =>
      a.lot_id === preferLot ? -1 : b.lot_id === preferLot ? 1 : a.expires_at - b.expires_at || (a.lot_id < b.lot_id ? -1 : a.lot_id > b.lot_id ? 1 : 0),
    );
    let left = points;
    for (const lot of ordered) {
      if (left === 0) break;
      const n = Math.min(left, lot.remaining);
      if (n === 0) continue;
      lot.remaining -= n;
      lot.dirty = true;
      left -= n;
    }
    return left;
  }

  async save(tx: Sql): Promise<void> {
    const bal: unknown[][] = [];
    for (const [customer, accounts] of this.touchedAccounts) for (const a of accounts) bal.push([customer, a, this.balance(customer, a)]);
    for (let i = 0; i < bal.length; i += CHUNK) {
      const chunk = bal.slice(i, i + CHUNK);
      await tx.query(
        `INSERT INTO account_balance (customer_id, account, balance)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
         ON CONFLICT (customer_id, account) DO UPDATE SET balance = EXCLUDED.balance`,
        [chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2])],
      );
    }
    const lots: Array<LotState & { customer_id: string }> = [];
    for (const [customer, list] of this.lots) for (const l of list) if (l.dirty) lots.push({ ...l, customer_id: customer });
    for (let i = 0; i < lots.length; i += CHUNK) {
      const c = lots.slice(i, i + CHUNK);
      await tx.query(
        `INSERT INTO lot (customer_id, lot_id, points, remaining, expires_on, expires_at, opened_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[])
         ON CONFLICT (customer_id, lot_id) DO UPDATE SET points = EXCLUDED.points, remaining = EXCLUDED.remaining`,
        [c.map((l) => l.customer_id), c.map((l) => l.lot_id), c.map((l) => l.points), c.map((l) => l.remaining), c.map((l) => l.expires_on), c.map((l) => l.expires_at), c.map((l) => l.opened_at)],
      );
    }
    // Lots opened without reading the customer's: an open lot of the same id takes the points on, as
    // openLot would have done with it in hand; a spent one (not open, so never read) is replaced.
    const opened: Array<LotState & { customer_id: string }> = [];
    for (const [customer, list] of this.openedOnly) for (const l of list.values()) opened.push({ ...l, customer_id: customer });
    for (let i = 0; i < opened.length; i += CHUNK) {
      const c = opened.slice(i, i + CHUNK);
      await tx.query(
        `INSERT INTO lot AS l (customer_id, lot_id, points, remaining, expires_on, expires_at, opened_at)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::bigint[], $7::bigint[])
         ON CONFLICT (customer_id, lot_id) DO UPDATE SET
           points = CASE WHEN l.remaining > 0 THEN l.points + EXCLUDED.points ELSE EXCLUDED.points END,
           remaining = CASE WHEN l.remaining > 0 THEN l.remaining + EXCLUDED.remaining ELSE EXCLUDED.remaining END`,
        [c.map((l) => l.customer_id), c.map((l) => l.lot_id), c.map((l) => l.points), c.map((l) => l.remaining), c.map((l) => l.expires_on), c.map((l) => l.expires_at), c.map((l) => l.opened_at)],
      );
    }
  }
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

interface HeldRow {
  customer_id: string;
  hold_id: string;
  terminal_id: string;
  points: number;
  status: string;
}

const holdKey = (customer: string, holdId: string) => `${customer}\u0000${holdId}`;

/**
 * The holds of one projection run's members, read under their locks (Book.load):
 * HQ's clock ends the expired ones first, so whether a redeem entry posts its
 * hold depends on HQ time alone, never on when a sweep last ran. Then the
 * pending ones — the points the members' balances must keep covering, in HQ
 * commit order — and the ones the batch's redeem entries name.
 */
class HoldBook {
  private readonly pending = new Map<string, Map<string, HeldRow>>();
  private readonly named = new Map<string, HeldRow>();

  static async load(tx: Sql, members: string[], named: Array<[string, string]>, now: number): Promise<HoldBook> {
    const book = new HoldBook();
    if (members.length === 0) return book;
    await tx.query("UPDATE hold SET status = 'released', resolved_at = $2 WHERE customer_id = ANY($1::text[]) AND status = 'pending' AND expires_at <= $2", [members, now]);
    const rows = await tx.query<HeldRow>("SELECT customer_id, hold_id, terminal_id, points, status FROM hold WHERE customer_id = ANY($1::text[]) AND status = 'pending'", [members]);
    for (const r of rows) {
      let m = book.pending.get(r.customer_id);
      if (!m) book.pending.set(r.customer_id, (m = new Map()));
      m.set(r.hold_id, r);
    }
    if (named.length > 0) {
      const found = await tx.query<HeldRow>(
        `SELECT h.customer_id, h.hold_id, h.terminal_id, h.points, h.status FROM hold h
         JOIN unnest($1::text[], $2::text[]) AS n(customer_id, hold_id) ON h.customer_id = n.customer_id AND h.hold_id = n.hold_id`,
        [named.map((n) => n[0]), named.map((n) => n[1])],
      );
      for (const r of found) book.named.set(holdKey(r.customer_id, r.hold_id), r);
    }
    return book;
  }

  /** Takes the hold out of the pending ones when this entry posts it; null when it is not pending for this terminal. */
  post(customer: string, holdId: string, terminalId: string): HeldRow | null {
    const row = this.pending.get(customer)?.get(holdId);
    if (!row || row.terminal_id !== terminalId) return null;
    this.pending.get(customer)!.delete(holdId);
    return row;
  }

  /** Why an entry naming this hold does not post it. */
  whyNot(customer: string, holdId: string, terminalId: string): string {
    const row = this.pending.get(customer)?.get(holdId) ?? this.named.get(holdKey(customer, holdId));
    if (!row) return 'HQ never granted it';
    if (row.terminal_id !== terminalId) return `it is terminal ${row.terminal_id}'s`;
    return row.status === 'pending' ? 'an earlier entry posted it' : `it was ${row.status}`;
  }

  pendingPoints(customer: string): number {
    let sum = 0;
    for (const h of this.pending.get(customer)?.values() ?? []) sum += Number(h.points);
    return sum;
  }
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
      `INSERT INTO incident (customer_id, incident_id, terminal_id, kind, entry_id, detail, created_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::bigint[])
       ON CONFLICT (customer_id, incident_id) DO NOTHING`,
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
  await tx.query('UPDATE terminal_stream SET applied_through_seq = GREATEST(applied_through_seq, $3) WHERE terminal_id = $1 AND epoch = $2', [
    stream.terminalId,
    stream.epoch,
    entries[entries.length - 1]!.seq,
  ]);
  return exceptions;
}

/** The kind of HQ's entry giving back points it expired to an offline redemption made before they expired. */
export const EXPIRY_REVERSAL = 'expire_reversal';

/**
 * Takes back up to `points` of what HQ expired from the customer's lots that
 * were still valid at `at` (the redemption's wall time), soonest to expire
 * first, as a redemption at that moment would have spent them; returns how
 * many. The points go straight to the redemption, so the lots stay spent.
 */
async function unexpire(tx: Sql, customer: string, at: number, points: number): Promise<number> {
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
