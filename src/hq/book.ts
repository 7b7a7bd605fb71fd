import type { Expiry } from '../main/core/ledger/expiry-policy';
import type { Sql } from './db';

/** One leg of a posting as HQ stores it: a terminal entry's, or one of HQ's own corrections. */
export interface Leg {
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

export const legKey = (l: Pick<Leg, 'customer_id' | 'entry_id' | 'leg'>) => `${l.customer_id}\u0000${l.entry_id}\u0000${l.leg}`;

export async function insertLegs(tx: Sql, legs: Leg[], now: number): Promise<Set<string>> {
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
    for (const r of rows) inserted.add(legKey(r));
  }
  return inserted;
}

/**
 * Per-customer state for one projection run, loaded under a per-customer lock.
 * Open lots are read only for the customers named in `spenders` (those who may
 * spend from them in this run): a customer who only earns gets new lots, added
 * to what HQ holds when written, so a busy member's thousands of lots are not
 * read back for every batch.
 */
export class Book {
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
