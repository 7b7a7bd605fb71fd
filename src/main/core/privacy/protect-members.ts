import { checkFrenchMobile } from '../../../shared/domain/phone';
import type { Db } from '../db/database';
import { maskEmail, maskPhone } from './masks';
import type { MemberVault } from './member-vault';

/** What a member row stores of a person's identity, protected (migration 20's columns). */
export interface ProtectedIdentity {
  name_sealed: string | null;
  email_hash: string | null;
  phone_hash: string | null;
  email_mask: string | null;
  phone_mask: string | null;
  /** The full email and phone, sealed, for a member HQ has not received yet. */
  contact_sealed: string | null;
}

/** The sealed form of a member's names: one value, so loading the name index opens one value per member. */
export function sealNames(vault: MemberVault, firstName: string, lastName: string): string | null {
  return firstName === '' && lastName === '' ? null : vault.seal(JSON.stringify([firstName, lastName]));
}

export function openNames(vault: MemberVault, sealed: string | null): { firstName: string; lastName: string } {
  if (sealed === null) return { firstName: '', lastName: '' };
  const [firstName, lastName] = JSON.parse(vault.open(sealed)) as [string, string];
  return { firstName, lastName };
}

/** A phone number as it was stored (E.164), or as an older build may have left it. */
function e164Of(phone: string): string {
  const check = checkFrenchMobile(phone);
  return check.ok ? check.e164 : phone;
}

export function protectIdentity(
  vault: MemberVault,
  m: { firstName: string; lastName: string; email: string | null; phone: string | null },
  keepContactForHq: boolean,
): ProtectedIdentity {
  const phone = m.phone === null ? null : e164Of(m.phone);
  return {
    name_sealed: sealNames(vault, m.firstName, m.lastName),
    email_hash: m.email === null ? null : vault.emailHash(m.email),
    phone_hash: phone === null ? null : vault.phoneHash(phone),
    email_mask: m.email === null ? null : maskEmail(m.email),
    phone_mask: phone === null ? null : maskPhone(phone),
    contact_sealed: keepContactForHq && (m.email !== null || phone !== null) ? vault.seal(JSON.stringify({ email: m.email, phone })) : null,
  };
}

export function openContact(vault: MemberVault, sealed: string | null): { email: string | null; phone: string | null } {
  if (sealed === null) return { email: null, phone: null };
  return JSON.parse(vault.open(sealed)) as { email: string | null; phone: string | null };
}

interface ClearRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  phone: string | null;
  queued: number;
}

/**
 * Moves what an older build kept in clear into its protected form, at start,
 * after the migrations (a SQL migration cannot encrypt): names sealed, email
 * and phone as keyed hashes and masks (kept sealed only while the member
 * outbox still owes them to HQ), and the search words in clear deleted. One
 * transaction; idempotent (a second run finds nothing in clear). With
 * secure_delete on (openMemberVault) the old bytes are zeroed in the pages,
 * and the write-ahead log is truncated so no copy of them stays there.
 * Returns how many members it converted.
 */
export function protectStoredMembers(db: Db, vault: MemberVault): number {
  const clear = db
    .prepare<[], ClearRow>(
      `SELECT m.id, m.first_name, m.last_name, m.email, m.phone,
              EXISTS (SELECT 1 FROM member_outbox o WHERE o.member_id = m.id) AS queued
       FROM member m WHERE m.first_name <> '' OR m.last_name <> '' OR m.email IS NOT NULL OR m.phone IS NOT NULL`,
    )
    .all();
  const words = db.prepare<[], { one: number }>('SELECT 1 AS one FROM member_search_token UNION ALL SELECT 1 FROM member_search_word LIMIT 1').get();
  if (clear.length === 0 && !words) return 0;
  const update = db.prepare(
    `UPDATE member SET first_name = '', last_name = '', email = NULL, phone = NULL, name_sealed = @name_sealed,
       email_hash = @email_hash, phone_hash = @phone_hash, email_mask = @email_mask, phone_mask = @phone_mask,
       contact_sealed = @contact_sealed
     WHERE id = @id`,
  );
  db.transaction(() => {
    for (const row of clear) {
      const identity = protectIdentity(vault, { firstName: row.first_name, lastName: row.last_name, email: row.email, phone: row.phone }, row.queued === 1);
      update.run({ id: row.id, ...identity });
    }
    // Every name word, email, phone and « last first » sort key in clear: the name index (members/name-index.ts) replaces them.
    // The counts first: migration 13's triggers then update an empty table for each word deleted.
    db.prepare('DELETE FROM member_search_word').run();
    db.prepare('DELETE FROM member_search_token').run();
  }).immediate();
  db.pragma('wal_checkpoint(TRUNCATE)');
  return clear.length;
}
