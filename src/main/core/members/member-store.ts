import type { Statement } from 'better-sqlite3';
import type { Consents, Locale, MemberDetail, MemberSummary } from '../../../shared/contract';
import { AppFailure, CONSENT_PURPOSES } from '../../../shared/contract';
import { CARD_SERIAL_MAX, makeCardNumber } from '../../../shared/domain/card-number';
import { checkFrenchMobile } from '../../../shared/domain/phone';
import type { Db } from '../db/database';
import type { Random } from '../ports';
import { openMemberVault, type MemberVault } from '../privacy/member-vault';
import { openContact, openNames, protectIdentity, protectStoredMembers } from '../privacy/protect-members';
import { NameIndex } from './name-index';

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

interface MemberRow {
  id: string;
  name_sealed: string | null;
  email_mask: string | null;
  phone_mask: string | null;
  locale: Locale;
  primary_card: string;
  created_at: number;
}

/** The columns a summary is read from: names sealed, contact data masked (privacy/protect-members.ts). */
export const SUMMARY_COLUMNS = 'id, name_sealed, email_mask, phone_mask, locale, primary_card, created_at';

/** What a member record from HQ carries that the store keeps (sync/pull.ts). */
export interface HqMember {
  memberId: string;
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  cards: readonly string[];
  createdAt: number;
}

/** The vault each database's members were opened with, for code that reads them without the store (sync/member-outbox.ts). */
const vaults = new WeakMap<Db, MemberVault>();

/** The members vault of `db`: the one its MemberStore opened, else one opened without an OS vault. */
export function memberVaultOf(db: Db): MemberVault {
  let vault = vaults.get(db);
  if (!vault) {
    vault = openMemberVault(db, undefined, Date.now());
    vaults.set(db, vault);
  }
  return vault;
}

/** A member's names and, while HQ has not received them, full contact data: what the member outbox sends. */
export function memberIdentity(db: Db, memberId: string): { firstName: string; lastName: string; email: string | null; phone: string | null } | null {
  const row = db.prepare<[string], { name_sealed: string | null; contact_sealed: string | null }>('SELECT name_sealed, contact_sealed FROM member WHERE id = ?').get(memberId);
  if (!row) return null;
  const vault = memberVaultOf(db);
  return { ...openNames(vault, row.name_sealed), ...openContact(vault, row.contact_sealed) };
}

/**
 * The members table and its companions. Statements are prepared once; every
 * write that touches several tables runs in one transaction. Names are read
 * and written sealed, email and phone as keyed hashes and masks
 * (privacy/protect-members.ts); `names` finds members by name in memory.
 */
export class MemberStore {
  readonly vault: MemberVault;
  readonly names: NameIndex;
  private readonly stmts: {
    insertMember: Statement;
    updateFromHq: Statement;
    insertCard: Statement;
    insertConsent: Statement;
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
    byEmailHash: Statement<[string], { id: string }>;
    byPhoneHash: Statement<[string], { id: string }>;
  };

  /**
   * `vault`: the members vault the terminal opened with its OS key vault
   * (core.ts); without one, the database's own key, kept plain (tests). Any
   * member an older build left in clear is protected here, before anything reads it.
   */
  constructor(
    private readonly db: Db,
    vault?: MemberVault,
  ) {
    this.vault = vault ?? vaults.get(db) ?? openMemberVault(db, undefined, Date.now());
    vaults.set(db, this.vault);
    protectStoredMembers(db, this.vault);
    this.stmts = {
      insertMember: db.prepare(
        `INSERT INTO member (id, first_name, last_name, email, phone, locale, primary_card, created_at, created_by_terminal,
           name_sealed, email_hash, phone_hash, email_mask, phone_mask, contact_sealed)
         VALUES (@id, '', '', NULL, NULL, @locale, @cardNumber, @createdAt, @terminalId,
           @name_sealed, @email_hash, @phone_hash, @email_mask, @phone_mask, @contact_sealed)`,
      ),
      updateFromHq: db.prepare(
        `UPDATE member SET name_sealed = @name_sealed, email_hash = @email_hash, phone_hash = @phone_hash, email_mask = @email_mask,
           phone_mask = @phone_mask, locale = @locale, primary_card = coalesce(@primaryCard, primary_card)
         WHERE id = @id`,
      ),
      insertCard: db.prepare('INSERT INTO member_card (card_number, member_id, issued_at) VALUES (?, ?, ?)'),
      insertConsent: db.prepare(
        'INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      // A subquery, not a join: with a bound card number the join form measured about four times
      // slower (better-sqlite3 builds SQLite with STAT4, which re-plans it for each bound value).
      byCard: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM member WHERE id = (SELECT member_id FROM member_card WHERE card_number = ?)`),
      byId: db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM member WHERE id = ?`),
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
      byEmailHash: db.prepare('SELECT id FROM member WHERE email_hash = ? LIMIT 1'),
      byPhoneHash: db.prepare('SELECT id FROM member WHERE phone_hash = ? LIMIT 1'),
    };
    const all = db.prepare<[], { id: string; name_sealed: string }>('SELECT id, name_sealed FROM member WHERE name_sealed IS NOT NULL');
    const own = this.vault;
    this.names = new NameIndex(function* () {
      for (const row of all.iterate()) yield { id: row.id, ...openNames(own, row.name_sealed) };
    });
  }

  /** A summary as both screens show it: names opened, contact data masked. */
  toSummary(row: MemberRow): MemberSummary {
    // The name index holds every name opened already: a card lookup need not decrypt again (≈ 5 µs of its budget).
    const held = row.name_sealed === null ? null : this.names.namesOf(row.id);
    const { firstName, lastName } = held ?? openNames(this.vault, row.name_sealed);
    return {
      id: row.id,
      firstName,
      lastName,
      cardNumber: row.primary_card,
      email: row.email_mask,
      phone: row.phone_mask,
      memberSince: row.created_at,
    };
  }

  findByCard(cardNumber: string): MemberSummary | null {
    const row = this.stmts.byCard.get(cardNumber);
    return row ? this.toSummary(row) : null;
  }

  summary(id: string): MemberSummary | null {
    const row = this.stmts.byId.get(id);
    return row ? this.toSummary(row) : null;
  }

  detail(id: string): MemberDetail | null {
    const row = this.stmts.byId.get(id);
    if (!row) return null;
    return {
      ...this.toSummary(row),
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

  /** A member holding exactly this email, if any (its keyed hash: the address itself is not kept). */
  findByEmail(email: string): string | null {
    return this.stmts.byEmailHash.get(this.vault.emailHash(email))?.id ?? null;
  }

  /** A member holding exactly this phone number (any way it is written), if any. */
  findByPhone(phone: string): string | null {
    const check = checkFrenchMobile(phone);
    return this.stmts.byPhoneHash.get(this.vault.phoneHash(check.ok ? check.e164 : phone))?.id ?? null;
  }

  /** A member already holding this email or phone number, if any. */
  findByContact(email: string | null, phone: string | null): string | null {
    return (email ? this.findByEmail(email) : null) ?? (phone ? this.findByPhone(phone) : null);
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

  /** Writes the member, their card and their consents, names sealed and contact protected. Not a transaction by itself. */
  insert(m: NewMember): void {
    // A member enrolled here keeps their full contact, sealed, until HQ has it (migration 20's trigger clears it).
    const identity = protectIdentity(this.vault, m, m.terminalId !== 'hq');
    this.stmts.insertMember.run({ id: m.id, locale: m.locale, cardNumber: m.cardNumber, createdAt: m.createdAt, terminalId: m.terminalId, ...identity });
    const holder = this.stmts.cardHolder.get(m.cardNumber);
    // The customer enrols with the card they earned on offline: it becomes theirs (migration 6 notes the merge).
    if (holder?.provisional === 1) this.stmts.claimCard.run(m.id, m.cardNumber);
    else this.stmts.insertCard.run(m.cardNumber, m.id, m.createdAt);
    for (const purpose of CONSENT_PURPOSES) {
      this.stmts.insertConsent.run(m.id, purpose, m.consents[purpose] ? 1 : 0, m.consentWordingVersion, m.createdAt, m.consentSource);
    }
    this.names.put({ id: m.id, firstName: m.firstName, lastName: m.lastName });
  }

  /**
   * A member HQ sent: the record (protected as any other) and its cards.
   * Consents stay where they were given. Not a transaction by itself; a
   * caller whose transaction fails calls `names.invalidate()`.
   */
  upsertFromHq(m: HqMember, now: number): void {
    const identity = protectIdentity(this.vault, m, false);
    if (this.stmts.byId.get(m.memberId)) {
      this.stmts.updateFromHq.run({ id: m.memberId, locale: m.locale, primaryCard: m.cards[0] ?? null, ...identity });
    } else {
      const primary = m.cards[0];
      if (!primary) throw new Error(`member ${m.memberId} comes without a card`);
      this.stmts.insertMember.run({ id: m.memberId, locale: m.locale, cardNumber: primary, createdAt: m.createdAt, terminalId: 'hq', ...identity });
    }
    const card = this.db.prepare(
      'INSERT INTO member_card (card_number, member_id, issued_at) VALUES (?, ?, ?) ON CONFLICT (card_number) DO UPDATE SET member_id = excluded.member_id',
    );
    for (const number of m.cards) card.run(number, m.memberId, now);
    this.names.put({ id: m.memberId, firstName: m.firstName, lastName: m.lastName });
  }

  /** A member's full contact while HQ has not received it (the member outbox), else nulls. */
  pendingContact(id: string): { email: string | null; phone: string | null } {
    const row = this.db.prepare<[string], { contact_sealed: string | null }>('SELECT contact_sealed FROM member WHERE id = ?').get(id);
    return openContact(this.vault, row?.contact_sealed ?? null);
  }

  transaction<T>(fn: () => T): T {
    const writes = this.names.writes;
    try {
      return this.db.transaction(fn).immediate();
    } catch (error) {
      // Names written to the index inside a transaction that rolled back: read them again from the file.
      if (this.names.writes !== writes) this.names.invalidate();
      throw error;
    }
  }
}
