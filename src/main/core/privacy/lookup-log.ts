import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import type { Timers } from '../devices/reconnect';
import type { Clock } from '../ports';

/** How the member was found: a card or code scanned or typed, a search hit chosen, their record opened. */
export type LookupVia = 'identify' | 'select' | 'record';

export interface Lookup {
  at: number;
  /** Who looked: an operator's id when the till knows one, else the screen's role (« cashier »: la caisse). */
  by: string;
  via: LookupVia;
}

/**
 * Lookups are written together, at most this long after the first of them:
 * each commit of this database is fsync'd (synchronous=FULL), and one per scan
 * would cost the card lookup milliseconds against its 1 ms target. A crash
 * may lose the last second of the log, never a point or a sale.
 */
const FLUSH_AFTER_MS = 1_000;
const FLUSH_AT = 4_096;

/**
 * Who looked up which member and when (issue 17 item 5), written on every
 * lookup from the cashier's side, read back for the member's access view.
 * Kept on the terminal with the member: it goes when they go.
 */
export class LookupLog {
  private readonly insert: Statement<[string, number, string, string]>;
  private readonly ofMember: Statement<[string, number], { at: number; by_whom: string; via: LookupVia }>;
  private pending: Array<[string, number, string, LookupVia]> = [];
  private timer: unknown = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly timers: Timers,
  ) {
    this.insert = db.prepare('INSERT INTO member_lookup_log (member_id, at, by_whom, via) VALUES (?, ?, ?, ?)');
    this.ofMember = db.prepare('SELECT at, by_whom, via FROM member_lookup_log WHERE member_id = ? ORDER BY at DESC, id DESC LIMIT ?');
  }

  record(memberId: string, by: string, via: LookupVia): void {
    this.pending.push([memberId, this.clock.now(), by, via]);
    if (this.pending.length >= FLUSH_AT) this.flush();
    else this.timer ??= this.timers.setTimeout(() => this.flush(), FLUSH_AFTER_MS);
  }

  /** Writes what is waiting, in one transaction (the core calls it at close). */
  flush(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0 || !this.db.open) return;
    const rows = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const row of rows) this.insert.run(...row);
    })();
  }

  /** The member's lookups, latest first. */
  of(memberId: string, limit = 500): Lookup[] {
    this.flush();
    return this.ofMember.all(memberId, limit).map((r) => ({ at: r.at, by: r.by_whom, via: r.via }));
  }
}
