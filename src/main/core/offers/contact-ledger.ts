import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

export type OfferAnswer = 'accepted' | 'refused' | 'none';

export interface ContactRow {
  id: number;
  ruleId: string;
  shownAt: number;
  answer: OfferAnswer;
}

/**
 * The terminal's contact-pressure ledger (issue 16 item 5): every offer shown
 * to a member, once per visit, with the customer's answer, and the member's
 * « moins de sollicitations ». The caps are counted from it.
 *
 * An offer shown is written just after the preview that showed it has been
 * answered (on the event loop's next turn), not inside it: an fsync'd commit
 * would cost the cashier's preview more than the offers themselves. Until
 * then it is counted from memory; a crash in between forgets the showings
 * of one preview, so a cap may let one visit's offer through once more.
 */
export class ContactLedger {
  private readonly stmts: {
    since: Statement<[string, number], { id: number; rule_id: string; shown_at: number; answer: OfferAnswer }>;
    insert: Statement<[string, string, number]>;
    answer: Statement<[OfferAnswer, number, number, string]>;
    fewer: Statement<[string], { fewer_contacts: number }>;
    setFewer: Statement<[string, number, number]>;
    surveyAsked: Statement<[string, number], { asked_at: number }>;
    consents: Statement<[string], { purpose: 'personalisedOffers' | 'profiling'; granted: number }>;
  };

  private pending: Array<{ memberId: string; ruleId: string; at: number }> = [];
  private flushing = false;

  constructor(
    private readonly db: Db,
    private readonly later: (run: () => void) => void = (run) => setImmediate(run),
    private readonly onFailure: (error: unknown) => void = () => undefined,
  ) {
    this.stmts = {
      since: db.prepare('SELECT id, rule_id, shown_at, answer FROM offer_contact WHERE member_id = ? AND shown_at > ? ORDER BY shown_at, id'),
      insert: db.prepare('INSERT INTO offer_contact (member_id, rule_id, shown_at) VALUES (?, ?, ?)'),
      answer: db.prepare("UPDATE offer_contact SET answer = ?, answered_at = ? WHERE id = ? AND member_id = ? AND answer = 'none'"),
      fewer: db.prepare('SELECT fewer_contacts FROM offer_preference WHERE member_id = ?'),
      setFewer: db.prepare(
        `INSERT INTO offer_preference (member_id, fewer_contacts, recorded_at) VALUES (?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET fewer_contacts = excluded.fewer_contacts, recorded_at = excluded.recorded_at`,
      ),
      // The satisfaction survey is a contact too; its table keeps only the last time a member was asked.
      surveyAsked: db.prepare('SELECT asked_at FROM survey_asked WHERE member_id = ? AND asked_at > ?'),
      // Straight from the consent records, oldest first (the latest of each purpose stands), as the member's detail reads them.
      consents: db.prepare(
        `SELECT purpose, granted FROM member_consent WHERE member_id = ? AND purpose IN ('personalisedOffers', 'profiling')
         ORDER BY recorded_at, rowid`,
      ),
    };
  }

  /** What the member agreed to of what offers need; nothing for an unknown member. */
  consents(memberId: string): { personalisedOffers: boolean; profiling: boolean } {
    const consents = { personalisedOffers: false, profiling: false };
    for (const c of this.stmts.consents.all(memberId)) consents[c.purpose] = c.granted === 1;
    return consents;
  }

  /** The member's offers shown after `after`, oldest first. */
  shownSince(memberId: string, after: number): ContactRow[] {
    const rows: ContactRow[] = this.stmts.since.all(memberId, after).map((r) => ({ id: r.id, ruleId: r.rule_id, shownAt: r.shown_at, answer: r.answer }));
    // Not written yet: no id until then (an answer writes them first).
    for (const p of this.pending) if (p.memberId === memberId && p.at > after) rows.push({ id: 0, ruleId: p.ruleId, shownAt: p.at, answer: 'none' });
    return rows;
  }

  /** Other contacts across channels since `after` (epoch ms of each). */
  otherContactsSince(memberId: string, after: number): number[] {
    return this.stmts.surveyAsked.all(memberId, after).map((r) => r.asked_at);
  }

  recordShown(memberId: string, ruleIds: readonly string[], at: number): void {
    if (ruleIds.length === 0) return;
    for (const ruleId of ruleIds) this.pending.push({ memberId, ruleId, at });
    if (this.flushing) return;
    this.flushing = true;
    this.later(() => this.flush());
  }

  /** Writes the showings not written yet, in one transaction. */
  flush(): void {
    this.flushing = false;
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      this.db.transaction(() => {
        for (const r of rows) this.stmts.insert.run(r.memberId, r.ruleId, r.at);
      })();
    } catch (error) {
      // The disk refused: they stay counted from memory and are tried again with the next ones.
      this.pending = [...rows, ...this.pending];
      this.onFailure(error);
    }
  }

  /** The answer to one showing; false when it was answered already (the first answer stands). */
  recordAnswer(memberId: string, contactId: number, answer: Exclude<OfferAnswer, 'none'>, at: number): boolean {
    return this.stmts.answer.run(answer, at, contactId, memberId).changes === 1;
  }

  fewerContacts(memberId: string): boolean {
    return this.stmts.fewer.get(memberId)?.fewer_contacts === 1;
  }

  setFewerContacts(memberId: string, on: boolean, at: number): void {
    this.stmts.setFewer.run(memberId, on ? 1 : 0, at);
  }
}
