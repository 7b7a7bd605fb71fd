import type { Statement } from 'better-sqlite3';
import type { IdentifyResult, Locale, MemberSummary } from '../../../shared/contract';
import { classifyCode } from '../../../shared/domain/scan-code';
import type { Db } from '../db/database';
import { uuidv7 } from '../ids';
import type { Clock, Random } from '../ports';
import type { MemberStore } from './member-store';
import { isBlockedCard } from '../privacy/erasure';

/**
 * Provisional members (sync-ledger.md §2.5, "unknown card while offline"): a
 * customer of another store shows a card this terminal never pulled while HQ
 * cannot be asked. The sale may earn, onto a member that holds only that card
 * — no name, no contact, no consent — and may never redeem: nobody here knows
 * the card's balance. The member reaches HQ through the member outbox, flagged
 * provisional; HQ links the card to its customer and moves the points there,
 * once (src/hq/card-link.ts). The next pull brings that customer with the
 * card, which reassigns it, and migration 6's trigger records the merge.
 */
export interface ProvisionalSettings {
  terminalId: string;
  /** The language the till speaks: the record needs one, the customer gave none. */
  locale: Locale;
}

export interface ProvisionalInfo {
  memberId: string;
  cardNumber: string;
  createdAt: number;
  /** The customer HQ linked the card to, once a pull brought them. */
  mergedInto: string | null;
}

export type IdentifyOrProvisional =
  | IdentifyResult
  /** Earn only: the card is unknown here and HQ is away. `member` has empty names. */
  | { kind: 'provisional'; via: 'card' | 'wallet_qr'; member: MemberSummary; created: boolean };

const statements = new WeakMap<Db, { info: Statement<[string], { member_id: string; card_number: string; created_at: number; merged_into: string | null }>; insert: Statement }>();

function stmts(db: Db) {
  let s = statements.get(db);
  if (!s) {
    s = {
      info: db.prepare('SELECT member_id, card_number, created_at, merged_into FROM member_provisional WHERE member_id = ?'),
      insert: db.prepare('INSERT INTO member_provisional (member_id, card_number, created_at) VALUES (?, ?, ?)'),
    };
    statements.set(db, s);
  }
  return s;
}

/** The provisional record of a member, or null for a customer HQ or this terminal enrolled. */
export function provisionalInfo(db: Db, memberId: string): ProvisionalInfo | null {
  const row = stmts(db).info.get(memberId);
  return row ? { memberId: row.member_id, cardNumber: row.card_number, createdAt: row.created_at, mergedInto: row.merged_into } : null;
}

export function isProvisionalMember(db: Db, memberId: string): boolean {
  return stmts(db).info.get(memberId) !== undefined;
}

/**
 * The member holding `cardNumber`, made provisional if nobody does. One
 * transaction: the member, its card, its provisional mark and (by trigger) its
 * outbox row land together. Idempotent: a second scan finds the same member.
 */
export function provisionalMemberFor(
  db: Db,
  members: MemberStore,
  cardNumber: string,
  settings: ProvisionalSettings,
  clock: Clock,
  random: Random,
): { member: MemberSummary; created: boolean } {
  return members.transaction(() => {
    const existing = members.findByCard(cardNumber);
    if (existing) return { member: existing, created: false };
    const id = uuidv7(clock, random);
    const now = clock.now();
    db.prepare(
      `INSERT INTO member (id, first_name, last_name, email, phone, locale, primary_card, created_at, created_by_terminal)
       VALUES (?, '', '', NULL, NULL, ?, ?, ?, ?)`,
    ).run(id, settings.locale, cardNumber, now, settings.terminalId);
    db.prepare('INSERT INTO member_card (card_number, member_id, issued_at) VALUES (?, ?, ?)').run(cardNumber, id, now);
    stmts(db).insert.run(id, cardNumber, now);
    const member = members.summary(id);
    if (!member) throw new Error('provisional member vanished inside its own transaction');
    return { member, created: true };
  });
}

/**
 * What the till should do with a scanned code. Known card: the member (a
 * provisional one says so). Unknown card: while HQ is reachable it stays
 * `unknown_card` (a blank card to enrol, or HQ can be asked); while HQ is
 * away, a provisional member to earn on.
 *
 * To be called from core.ts `identify` in place of `members.findByCard`, with
 * `offline = ledger.connectivity().offline`; a `provisional` result greets
 * nobody by name and the cashier screen should say « points en attente ».
 */
export function identifyOrProvisional(
  db: Db,
  members: MemberStore,
  code: string,
  o: { offline: boolean; settings: ProvisionalSettings; clock: Clock; random: Random },
): IdentifyOrProvisional {
  const scan = classifyCode(code);
  if (scan.kind === 'invalid') return { kind: 'invalid', problem: scan.problem };
  // Its holder was erased (privacy/erasure.ts): not a member, not an unknown card to enrol or earn on.
  if (isBlockedCard(db, scan.cardNumber)) return { kind: 'invalid', problem: 'blocked' };
  const member = members.findByCard(scan.cardNumber);
  if (member) {
    return isProvisionalMember(db, member.id) ? { kind: 'provisional', via: scan.kind, member, created: false } : { kind: 'member', via: scan.kind, member };
  }
  if (!o.offline) return { kind: 'unknown_card', cardNumber: scan.cardNumber };
  const made = provisionalMemberFor(db, members, scan.cardNumber, o.settings, o.clock, o.random);
  return { kind: 'provisional', via: scan.kind, member: made.member, created: made.created };
}
