import { AppFailure } from '../../../shared/contract';
import type { ReferralCard } from '../../../shared/contract/social';
import { qualifiesForReferral, type SocialPolicy } from '../../../shared/social/policy';
import { formatReferralCode, normaliseReferralCode, referralQrPayload } from '../../../shared/social/referral-code';
import type { Db } from '../db/database';
import type { Ledger } from '../ledger/ledger';
import type { SaleResult } from '../ledger/sale';
import type { MemberStore } from '../members/member-store';
import type { Clock, Logger } from '../ports';
import { referralCodeOf } from './referral-code';
import { monthOf } from './social-policy';

/**
 * Referrals at the till (issue 16 item 1).
 *
 * A member's code is derived from their id (referral-code.ts), shown with its
 * QR on the customer screen, the receipt and the enrolment confirmation. A
 * new customer gives it while enrolling (scanned into the form, or typed);
 * the cashier may type it for a member on the screen who enrolled without
 * one and has not bought yet. Refused, with nothing written: a code nobody
 * here holds, the customer's own (same email, phone or card as its holder),
 * a code past its monthly cap, a member already referred.
 *
 * Who decides the reward, exactly once. The link is a `referral` journal
 * entry, pushed to HQ like every entry. A terminal enrolled with HQ never
 * rewards: the new member's first purchase may happen in any store, so HQ
 * decides when it ingests the first qualifying purchase (src/hq/social) and
 * the points reach every store's terminals through the pull's balances. A
 * terminal with no HQ (standing alone) rewards itself after that purchase.
 * Either way each side's reward is one entry whose id derives from the
 * referee (referralRewardEntryId), so a reward a lone terminal wrote and
 * pushes after it enrols with HQ meets HQ's posting key and is not posted
 * twice, and a retried push or a replayed batch changes nothing.
 */
export interface ReferralDeps {
  db: Db;
  ledger: Ledger;
  members: MemberStore;
  clock: Clock;
  logger: Logger;
  policy: (at: number) => SocialPolicy;
  /** No HQ: this terminal decides rewards. */
  standalone: () => boolean;
}

export interface CheckedReferral {
  referrerId: string;
  code: string;
}

/** Who is enrolling, to tell their own code from a friend's. */
export interface Newcomer {
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
}

function refused(code: 'not_found' | 'conflict', message: string, key: string, path = 'referralCode'): AppFailure {
  return new AppFailure(code, message, [{ path, message: key }]);
}

export class Referrals {
  private pending: Set<string> | null = null;

  constructor(private readonly deps: ReferralDeps) {}

  /** The member's code and QR: computed, nothing written (holderOf files the codes it has not seen when it looks one up). */
  card(memberId: string): ReferralCard {
    const code = referralCodeOf(memberId);
    return { code: formatReferralCode(code), qr: referralQrPayload(code) };
  }

  /** The holder of a code among this terminal's members, or null. */
  holderOf(code: string): string | null {
    const find = this.deps.db.prepare<[string], { member_id: string }>('SELECT member_id FROM social_referral_code WHERE code = ?');
    const found = find.get(code);
    if (found) return found.member_id;
    // A code not filed yet (a member enrolled or pulled since the last look-up) is found by deriving the missing ones.
    const missing = this.deps.db
      .prepare<[], { id: string }>('SELECT id FROM member WHERE id NOT IN (SELECT member_id FROM social_referral_code)')
      .all();
    if (missing.length === 0) return null;
    const insert = this.deps.db.prepare('INSERT OR IGNORE INTO social_referral_code (code, member_id) VALUES (?, ?)');
    this.deps.db.transaction(() => {
      for (const m of missing) insert.run(referralCodeOf(m.id), m.id);
    })();
    return find.get(code)?.member_id ?? null;
  }

  /** Whether `text` is a code a newcomer may enrol with; throws the refusal the screen shows. */
  check(text: string, newcomer: Newcomer): CheckedReferral {
    const code = normaliseReferralCode(text);
    const referrerId = code === null ? null : this.holderOf(code);
    if (code === null || referrerId === null) throw refused('not_found', 'no member holds this referral code', 'referral.unknown_code');
    const { members } = this.deps;
    const own =
      (newcomer.cardNumber !== null && members.summary(referrerId)?.cardNumber === newcomer.cardNumber) ||
      ((newcomer.email !== null || newcomer.phone !== null) && members.findByContact(newcomer.email, newcomer.phone) === referrerId);
    if (own) throw refused('conflict', 'this referral code is the customer’s own', 'referral.own_code');
    const now = this.deps.clock.now();
    const { monthlyCap } = this.deps.policy(now).referral;
    const timeZone = this.deps.ledger.rules.timeZone;
    const month = monthOf(now, timeZone);
    const linked = this.deps.db.prepare<[string, number], { linked_at: number }>('SELECT linked_at FROM social_referral WHERE referrer_id = ? AND linked_at >= ?').all(referrerId, now - 32 * 86_400_000);
    if (linked.filter((l) => monthOf(l.linked_at, timeZone) === month).length >= monthlyCap) {
      throw refused('conflict', `this referral code has brought its ${monthlyCap} referrals this month`, 'referral.cap_reached');
    }
    return { referrerId, code };
  }

  /** Links a member who enrolled with a checked code (inside the enrolment's transaction). */
  link(refereeId: string, checked: CheckedReferral): void {
    if (refereeId === checked.referrerId) throw refused('conflict', 'this referral code is the customer’s own', 'referral.own_code');
    if (this.referrerOf(refereeId) !== null) throw refused('conflict', 'this member was already referred', 'referral.already_referred');
    this.deps.ledger.social.referralLink({ refereeId, referrerId: checked.referrerId, code: checked.code });
    this.pendingSet().add(refereeId);
  }

  /** The cashier types a friend's code for the member on the screen: only before their first purchase. */
  attach(memberId: string, text: string): { referrerId: string } {
    if (this.referrerOf(memberId) !== null) throw refused('conflict', 'this member was already referred', 'referral.already_referred', 'code');
    if (this.deps.ledger.movements(memberId, 50).some((m) => m.kind === 'earn')) {
      throw refused('conflict', 'a referral is for a new member, before their first purchase', 'referral.not_new', 'code');
    }
    const member = this.deps.members.summary(memberId);
    if (!member) throw new AppFailure('not_found', 'no such member');
    let checked: CheckedReferral;
    try {
      checked = this.check(text, { email: null, phone: null, cardNumber: member.cardNumber });
    } catch (error) {
      throw error instanceof AppFailure ? new AppFailure(error.code, error.message, error.issues?.map((d) => ({ ...d, path: 'code' }))) : error;
    }
    if (checked.referrerId === memberId) throw refused('conflict', 'this referral code is the customer’s own', 'referral.own_code', 'code');
    this.link(memberId, checked);
    return { referrerId: checked.referrerId };
  }

  referrerOf(refereeId: string): string | null {
    return this.deps.db.prepare<[string], { referrer_id: string }>('SELECT referrer_id FROM social_referral WHERE referee_id = ?').get(refereeId)?.referrer_id ?? null;
  }

  /**
   * After a committed sale: a lone terminal rewards a referee's first
   * qualifying purchase. A sale of anyone else costs a Set lookup, no SQL.
   */
  afterSale(sale: SaleResult): boolean {
    if (!this.pendingSet().has(sale.memberId) || !this.deps.standalone()) return false;
    const earn = sale.entries.find((e) => e.kind === 'earn');
    if (!earn) return false;
    const entry = this.deps.ledger.history(sale.memberId, 10).find((e) => e.entry_id === earn.entryId);
    const netCents = typeof entry?.detail.net_cents === 'number' ? entry.detail.net_cents : 0;
    const policy = this.deps.policy(sale.committedAt).referral;
    if (!qualifiesForReferral(policy, netCents)) return false;
    const referrerId = this.referrerOf(sale.memberId);
    if (referrerId === null) return false;
    this.deps.ledger.social.referralReward({
      refereeId: sale.memberId,
      referrerId,
      referrerPoints: policy.referrerPoints,
      refereePoints: policy.refereePoints,
      saleEntryId: earn.entryId,
    });
    this.pendingSet().delete(sale.memberId);
    this.deps.logger.info('referral rewarded', { refereeId: sale.memberId, referrerId });
    return true;
  }

  private pendingSet(): Set<string> {
    this.pending ??= new Set(this.deps.db.prepare<[], { referee_id: string }>('SELECT referee_id FROM social_referral WHERE rewarded_at IS NULL').pluck().all() as unknown as string[]);
    return this.pending;
  }
}
