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
 * « moins de sollicitations ». The caps are counted from it, so a row is
 * written in the same breath as the offer goes on the screen.
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

  constructor(private readonly db: Db) {
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
    return this.stmts.since.all(memberId, after).map((r) => ({ id: r.id, ruleId: r.rule_id, shownAt: r.shown_at, answer: r.answer }));
  }

  /** Other contacts across channels since `after` (epoch ms of each). */
  otherContactsSince(memberId: string, after: number): number[] {
    return this.stmts.surveyAsked.all(memberId, after).map((r) => r.asked_at);
  }

  recordShown(memberId: string, ruleIds: readonly string[], at: number): void {
    if (ruleIds.length === 0) return;
    this.db.transaction(() => {
      for (const ruleId of ruleIds) this.stmts.insert.run(memberId, ruleId, at);
    })();
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
