import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
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
 * Who looked up which member and when (issue 17 item 5), written on every
 * lookup from the cashier's side, read back for the member's access view.
 * Kept on the terminal with the member: it goes when they go.
 */
export class LookupLog {
  private readonly insert: Statement<[string, number, string, string]>;
  private readonly ofMember: Statement<[string, number], { at: number; by_whom: string; via: LookupVia }>;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare('INSERT INTO member_lookup_log (member_id, at, by_whom, via) VALUES (?, ?, ?, ?)');
    this.ofMember = db.prepare('SELECT at, by_whom, via FROM member_lookup_log WHERE member_id = ? ORDER BY at DESC, id DESC LIMIT ?');
  }

  record(memberId: string, by: string, via: LookupVia): void {
    this.insert.run(memberId, this.clock.now(), by, via);
  }

  /** The member's lookups, latest first. */
  of(memberId: string, limit = 500): Lookup[] {
    return this.ofMember.all(memberId, limit).map((r) => ({ at: r.at, by: r.by_whom, via: r.via }));
  }
}
