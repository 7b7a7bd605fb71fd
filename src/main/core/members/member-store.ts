import type { Statement } from 'better-sqlite3';
import type { Consents, Locale, MemberDetail, MemberSummary } from '../../../shared/contract';
import { AppFailure, CONSENT_PURPOSES } from '../../../shared/contract';
import { CARD_SERIAL_MAX, makeCardNumber } from '../../../shared/domain/card-number';
import { nationalDigits } from '../../../shared/domain/phone';
import { foldForSearch, searchWords } from '../../../shared/domain/text';
import type { Db } from '../db/database';
import type { Random } from '../ports';

export interface NewMember {
  id: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  cardNumber: string;
  createdAt: number;
  terminalId: string;
  consents: Consents;
  consentWordingVersion: string;
  consentSource: string;
}

/** Draws before giving up: with a million serials per terminal code, 32 collisions in a row mean it is nearly full. */
const CARD_DRAW_ATTEMPTS = 32;
const SERIALS = CARD_SERIAL_MAX + 1;
/** The largest multiple of SERIALS below 2^24: bytes above it are drawn again, so every serial is equally likely. */
const UNBIASED_BELOW = Math.floor(0x1000000 / SERIALS) * SERIALS;

/** A uniformly drawn serial, 1 to CARD_SERIAL_MAX (0 is never issued). */
function randomSerial(random: Random): number {
  for (;;) {
    const bytes = random.bytes(3);
    const value = (bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!;
    if (value >= UNBIASED_BELOW) continue;
    const serial = value % SERIALS;
    if (serial !== 0) return serial;
  }
}

/** Kinds of rows in member_search_token. */
export const TokenKind = {
  lastName: 1,
  firstName: 2,
  email: 3,
  phone: 4,
  /** Phone digits reversed, so "the last four digits" is a prefix too. */
  phoneReversed: 5,
  /**
   * Two name words of one member, `word PAIR_SEPARATOR other`: a last-name word (or, below, a
   * first-name word) followed by any other of their name words. « claire dup » is then one index
   * range (`claire␁dup…`) instead of a walk over every Claire checking her other words one by one.
   */
  lastNamePair: 6,
  firstNamePair: 7,
} as const;

/** Joins the two words of a pair token; below every character a name word can hold (searchWords keeps letters, digits and @._+). */
export const PAIR_SEPARATOR = '\u0001';

/** The pair kind of a name word's kind. */
export function pairKindOf(kind: number): number {
  return kind === TokenKind.lastName ? TokenKind.lastNamePair : TokenKind.firstNamePair;
}

interface MemberRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  primary_card: string;
  created_at: number;
}

export function toSummary(row: MemberRow): MemberSummary {
  return {
    id: row.id,
    firstName: row.first_name,
    lastName: row.last_name,
    cardNumber: row.primary_card,
    email: row.email,
    phone: row.phone,
    memberSince: row.created_at,
  };
}

export function sortKey(lastName: string, firstName: string): string {
  return `${foldForSearch(lastName)} ${foldForSearch(firstName)}`;
}

/** Every searchable word of a member, as (kind, token) pairs. */
export function searchTokens(m: Pick<NewMember, 'firstName' | 'lastName' | 'email' | 'phone'>): Array<[number, string]> {
  const tokens = new Map<string, [number, string]>();
  const add = (kind: number, token: string) => tokens.set(`${kind}:${token}`, [kind, token]);
  const lastWords = searchWords(m.lastName);
  const firstWords = searchWords(m.firstName);
  for (const w of lastWords) add(TokenKind.lastName, w);
  for (const w of firstWords) add(TokenKind.firstName, w);
  // Every ordered pair of two different name words (migration 11 writes the same for members already here).
  const nameWords = new Set([...lastWords, ...firstWords]);
  for (const [kind, words] of [[TokenKind.lastName, lastWords], [TokenKind.firstName, firstWords]] as const) {
    for (const x of words) for (const y of nameWords) if (y !== x) add(pairKindOf(kind), `${x}${PAIR_SEPARATOR}${y}`);
  }
  if (m.email) add(TokenKind.email, foldForSearch(m.email));
  if (m.phone) {
    const digits = nationalDigits(m.phone);
    add(TokenKind.phone, digits);
    add(TokenKind.phoneReversed, [...digits].reverse().join(''));
  }
  return [...tokens.values()];
}

/**
 * The members table and its companions. Statements are prepared once; every
 * write that touches several tables runs in one transaction.
 */
export class MemberStore {
  private readonly stmts: {
    insertMember: Statement;
    insertCard: Statement;
    insertConsent: Statement;
    insertToken: Statement;
    byCard: Statement<[string], MemberRow>;
    byId: Statement<[string], MemberRow>;
    cardsOf: Statement<[string], { card_number: string }>;
    consentsOf: Statement<[string], { purpose: string; granted: number; wording_version: string; recorded_at: number }>;
    cardExists: Statement<[string], { one: number }>;
    cardHolder: Statement<[string], { member_id: string; provisional: number }>;
    claimCard: Statement<[string, string]>;
    nextSerial: Statement<[number], { next_serial: number }>;
    bumpSerial: Statement;
    count: Statement<[], { n: number }>;
    byExactToken: Statement<[number, string], { member_id: string }>;
  };

  constructor(private readonly db: Db) {
    this.stmts = {
      insertMember: db.prepare(
        `INSERT INTO member (id, first_name, last_name, email, phone, locale, primary_card, created_at, created_by_terminal)
         VALUES (@id, @firstName, @lastName, @email, @phone, @locale, @cardNumber, @createdAt, @terminalId)`,
      ),
      insertCard: db.prepare('INSERT INTO member_card (card_number, member_id, issued_at) VALUES (?, ?, ?)'),
      insertConsent: db.prepare(
        'INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertToken: db.prepare('INSERT OR IGNORE INTO member_search_token (kind, token, sort_key, member_id) VALUES (?, ?, ?, ?)'),
      // A subquery, not a join: with a bound card number the join form measured about four times
      // slower (better-sqlite3 builds SQLite with STAT4, which re-plans it for each bound value).
      byCard: db.prepare(
        `SELECT id, first_name, last_name, email, phone, locale, primary_card, created_at
         FROM member WHERE id = (SELECT member_id FROM member_card WHERE card_number = ?)`,
      ),
      byId: db.prepare(
        'SELECT id, first_name, last_name, email, phone, locale, primary_card, created_at FROM member WHERE id = ?',
      ),
      cardsOf: db.prepare('SELECT card_number FROM member_card WHERE member_id = ? ORDER BY issued_at, card_number'),
      consentsOf: db.prepare(
        `SELECT purpose, granted, wording_version, recorded_at FROM member_consent
         WHERE member_id = ? ORDER BY recorded_at, rowid`,
      ),
      cardExists: db.prepare('SELECT 1 AS one FROM member_card WHERE card_number = ?'),
      cardHolder: db.prepare(
        `SELECT c.member_id, EXISTS (SELECT 1 FROM member_provisional p WHERE p.member_id = c.member_id) AS provisional
         FROM member_card c WHERE c.card_number = ?`,
      ),
      claimCard: db.prepare('UPDATE member_card SET member_id = ? WHERE card_number = ?'),
      nextSerial: db.prepare('SELECT next_serial FROM card_serial WHERE terminal_code = ?'),
      bumpSerial: db.prepare(
        `INSERT INTO card_serial (terminal_code, next_serial) VALUES (?, ?)
         ON CONFLICT (terminal_code) DO UPDATE SET next_serial = excluded.next_serial`,
      ),
      count: db.prepare('SELECT count(*) AS n FROM member'),
      byExactToken: db.prepare('SELECT member_id FROM member_search_token WHERE kind = ? AND token = ? LIMIT 1'),
    };
  }

  findByCard(cardNumber: string): MemberSummary | null {
    const row = this.stmts.byCard.get(cardNumber);
    return row ? toSummary(row) : null;
  }

  summary(id: string): MemberSummary | null {
    const row = this.stmts.byId.get(id);
    return row ? toSummary(row) : null;
  }

  detail(id: string): MemberDetail | null {
    const row = this.stmts.byId.get(id);
    if (!row) return null;
    return {
      ...toSummary(row),
      locale: row.locale,
      cards: this.stmts.cardsOf.all(id).map((c) => c.card_number),
      consents: this.stmts.consentsOf.all(id).map((c) => ({
        purpose: c.purpose as (typeof CONSENT_PURPOSES)[number],
        granted: c.granted === 1,
        wordingVersion: c.wording_version,
        recordedAt: c.recorded_at,
      })),
    };
  }

  /**
   * Whether a customer holds this card. A card only earned on while HQ was
   * away (a provisional member) is free to enrol with: its holder is the
   * customer standing at the till, and HQ moves those points to them.
   */
  cardExists(cardNumber: string): boolean {
    const holder = this.stmts.cardHolder.get(cardNumber);
    return holder !== undefined && holder.provisional === 0;
  }

  /** Any row at all for this number, provisional or not: what a new card number must avoid. */
  private cardTaken(cardNumber: string): boolean {
    return this.stmts.cardExists.get(cardNumber) !== undefined;
  }

  /** A member already holding this email or phone number, if any. */
  findByContact(email: string | null, phone: string | null): string | null {
    if (email) {
      const hit = this.stmts.byExactToken.get(TokenKind.email, foldForSearch(email));
      if (hit) return hit.member_id;
    }
    if (phone) {
      const hit = this.stmts.byExactToken.get(TokenKind.phone, nationalDigits(phone));
      if (hit) return hit.member_id;
    }
    return null;
  }

  count(): number {
    return this.stmts.count.get()!.n;
  }

  /**
   * A new card number for an enrolment, its serial drawn at random: a till
   * token walking serials one by one would otherwise meet every member in
   * turn. Same layout and check digit as every card before it, so the cards
   * already issued stay valid. Call inside the enrolment transaction.
   */
  issueCardNumber(terminalCode: number, random: Random): string {
    for (let attempt = 0; attempt < CARD_DRAW_ATTEMPTS; attempt++) {
      const cardNumber = makeCardNumber(terminalCode, randomSerial(random));
      if (!this.cardTaken(cardNumber)) return cardNumber;
    }
    throw new AppFailure('unavailable', `no free card number found for terminal code ${terminalCode} after ${CARD_DRAW_ATTEMPTS} draws`);
  }

  /**
   * This terminal's next card number in sequence: only the demo seed uses it,
   * so demo cards stay the same from one run to the next.
   */
  allocateCardNumber(terminalCode: number): string {
    let serial = this.stmts.nextSerial.get(terminalCode)?.next_serial ?? 1;
    // Skip serials already taken, e.g. by a pre-printed card enrolled here.
    while (this.cardTaken(makeCardNumber(terminalCode, serial))) serial++;
    this.stmts.bumpSerial.run(terminalCode, serial + 1);
    return makeCardNumber(terminalCode, serial);
  }

  /** Writes the member, their card, their consents and their search words. Not a transaction by itself. */
  insert(m: NewMember): void {
    this.stmts.insertMember.run(m);
    const holder = this.stmts.cardHolder.get(m.cardNumber);
    // The customer enrols with the card they earned on offline: it becomes theirs (migration 6 notes the merge).
    if (holder?.provisional === 1) this.stmts.claimCard.run(m.id, m.cardNumber);
    else this.stmts.insertCard.run(m.cardNumber, m.id, m.createdAt);
    for (const purpose of CONSENT_PURPOSES) {
      this.stmts.insertConsent.run(m.id, purpose, m.consents[purpose] ? 1 : 0, m.consentWordingVersion, m.createdAt, m.consentSource);
    }
    const key = sortKey(m.lastName, m.firstName);
    for (const [kind, token] of searchTokens(m)) this.stmts.insertToken.run(kind, token, key, m.id);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
