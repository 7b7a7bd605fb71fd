import type { CONSENT_PURPOSES, Role } from '../../../shared/contract';
import { AppFailure } from '../../../shared/contract';
import type { Db } from '../db/database';
import { isProvisionalMember } from './provisional';
import type { MemberStore } from './member-store';

type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];
type ConsentRecord = NonNullable<ReturnType<MemberStore['detail']>>['consents'][number];

/**
 * Consents that change (issue 17 item 1), terminal side. A change is a new
 * row in the member's append-only consent history (the latest row per purpose
 * is the consent) with the wording version the customer was shown and the
 * time, and a pointer in member_consent_outbox until HQ acknowledges it — in
 * one transaction, so no change exists that HQ will never hear of.
 *
 * Not a journal entry: the journal is the points ledger's, and a consent moves
 * no points. At the till the cashier acts with the customer present; on the
 * customer screen, only the member that screen is showing (their card was
 * just scanned) can be changed — the stronger proof of item 2 (a one-time
 * code) is for what the screen reveals, not for a choice the customer makes
 * about themselves standing at it.
 */
export interface ConsentChange {
  memberId: string;
  purpose: ConsentPurpose;
  granted: boolean;
  consentWordingVersion: string;
}

export interface ConsentContext {
  role: Role;
  /** The member both screens show now, if any. */
  shownMemberId: string | null;
  /** The wording this terminal shows: the only version it records. */
  wordingVersion: string;
  now: number;
}

/** Where a change was made, as member_consent.source records it. */
export function consentSourceOf(role: Role): string {
  return role === 'customer' ? 'customer-screen' : 'till';
}

export function changeConsent(db: Db, members: MemberStore, change: ConsentChange, ctx: ConsentContext): { consents: ConsentRecord[] } {
  if (change.consentWordingVersion !== ctx.wordingVersion) {
    throw new AppFailure('conflict', `the consent wording shown here is ${ctx.wordingVersion}, not ${change.consentWordingVersion}`, [
      { path: 'consentWordingVersion', message: 'consent.version_not_shown' },
    ]);
  }
  if (ctx.role === 'customer' && ctx.shownMemberId !== change.memberId) {
    throw new AppFailure('forbidden', "the customer screen changes only the consents of the member it shows");
  }
  if (members.summary(change.memberId) === null) throw new AppFailure('not_found', 'no such member');
  if (isProvisionalMember(db, change.memberId)) throw new AppFailure('conflict', 'a card earned on offline has no customer to ask yet');
  return members.transaction(() => {
    const current = db
      .prepare<[string, string], { granted: number; wording_version: string }>(
        'SELECT granted, wording_version FROM member_consent WHERE member_id = ? AND purpose = ? ORDER BY recorded_at DESC, rowid DESC LIMIT 1',
      )
      .get(change.memberId, change.purpose);
    // The same answer to the same words is no change: the history records choices, not clicks.
    if (!current || current.granted !== (change.granted ? 1 : 0) || current.wording_version !== change.consentWordingVersion) {
      const row = db
        .prepare('INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, ?, ?, ?, ?, ?)')
        .run(change.memberId, change.purpose, change.granted ? 1 : 0, change.consentWordingVersion, ctx.now, consentSourceOf(ctx.role));
      db.prepare('INSERT INTO member_consent_outbox (consent_rowid, member_id, queued_at) VALUES (?, ?, ?)').run(row.lastInsertRowid, change.memberId, ctx.now);
    }
    // Without profiling, no individual score or habit of theirs stays here, whether or not it was ever given.
    if (change.purpose === 'profiling' && !change.granted) {
      db.prepare('DELETE FROM member_value_hint WHERE member_id = ?').run(change.memberId);
      db.prepare('DELETE FROM offer_member_habit WHERE member_id = ?').run(change.memberId);
    }
    return { consents: members.detail(change.memberId)!.consents };
  });
}

export interface PendingConsentChange {
  consentRowid: number;
  memberId: string;
  purpose: ConsentPurpose;
  granted: boolean;
  wordingVersion: string;
  recordedAt: number;
  source: string;
}

/** The changes HQ has not acknowledged, oldest first: what a sync request would carry. */
export function pendingConsentChanges(db: Db, limit = 500): PendingConsentChange[] {
  return db
    .prepare<[number], { consent_rowid: number; member_id: string; purpose: ConsentPurpose; granted: number; wording_version: string; recorded_at: number; source: string }>(
      `SELECT o.consent_rowid, c.member_id, c.purpose, c.granted, c.wording_version, c.recorded_at, c.source
       FROM member_consent_outbox o JOIN member_consent c ON c.rowid = o.consent_rowid ORDER BY o.consent_rowid LIMIT ?`,
    )
    .all(limit)
    .map((r) => ({ consentRowid: r.consent_rowid, memberId: r.member_id, purpose: r.purpose, granted: r.granted === 1, wordingVersion: r.wording_version, recordedAt: r.recorded_at, source: r.source }));
}

/** Drops the changes HQ acknowledged (from its signed receipt). */
export function acknowledgeConsentChanges(db: Db, consentRowids: readonly number[]): void {
  const done = db.prepare('DELETE FROM member_consent_outbox WHERE consent_rowid = ?');
  db.transaction(() => {
    for (const id of consentRowids) done.run(id);
  })();
}
