import { AppFailure } from '../../../shared/contract';
import { uuidv7 } from '../ids';
import { creditMember, debitMember } from '../ledger/accounts';
import { spendablePoints } from '../ledger/chain-view';
import type { LedgerContext } from '../ledger/context';
import { expiryFor } from '../ledger/expiry-policy';
import { requireAvailable } from '../ledger/redemption';
import type { EntryRef } from '../ledger/sale';
import { referralRewardEntryId } from './referral-code';

/**
 * The social facts as journal entries (issue 16 items 1 and 4), written
 * through the Ledger (ledger.ts `social`) so they are chained, pushed to HQ
 * and verified like every other entry:
 *
 * - `referral` (no postings): the new member `member_id` enrolled with the
 *   code of `detail.referrer_id`; HQ files the link from it.
 * - `referral_reward`: one side's reward, from `program:referral`, under an id
 *   derived from the referee (referral-code.ts), so it is posted once at HQ
 *   whoever decided it.
 * - `donate`: points from the member to the cause's account `cause:<id>`.
 *   Not a redemption: a later refund of the sale that earned them claws back
 *   from the member (refund.ts, as today) and leaves the donation standing.
 */
export const REFERRAL_ACCOUNT = 'program:referral';
export const causeAccount = (causeId: string): string => `cause:${causeId}`;

const ref = (e: EntryRef): EntryRef => ({ seq: e.seq, entryId: e.entryId, kind: e.kind, entryHash: e.entryHash });

export interface ReferralLink {
  refereeId: string;
  referrerId: string;
  code: string;
}

/** Inside the caller's transaction (enrolment's): the link entry and its row. */
export function appendReferralLink(ctx: LedgerContext, link: ReferralLink): EntryRef {
  return ctx.write(() => {
    const entry = ctx.journal.append({
      kind: 'referral',
      groupId: uuidv7(ctx.clock, ctx.random),
      memberId: link.refereeId,
      tillId: null,
      receipt: null,
      postings: [],
      detail: { referrer_id: link.referrerId, code: link.code },
    });
    ctx.db
      .prepare('INSERT INTO social_referral (referee_id, referrer_id, code, linked_at, entry_id) VALUES (?, ?, ?, ?, ?)')
      .run(link.refereeId, link.referrerId, link.code, ctx.clock.now(), entry.entryId);
    return ref(entry);
  });
}

export interface ReferralReward {
  refereeId: string;
  referrerId: string;
  referrerPoints: number;
  refereePoints: number;
  /** The earn entry of the purchase that qualified. */
  saleEntryId: string;
}

/** Both sides' rewards, each once: an id already in this journal is not written again. Empty when it was. */
export function appendReferralReward(ctx: LedgerContext, reward: ReferralReward): EntryRef[] {
  return ctx.write(() => {
    const entries: EntryRef[] = [];
    const groupId = uuidv7(ctx.clock, ctx.random);
    const sides = [
      { side: 'referee' as const, memberId: reward.refereeId, points: reward.refereePoints },
      { side: 'referrer' as const, memberId: reward.referrerId, points: reward.referrerPoints },
    ];
    for (const { side, memberId, points } of sides) {
      const entryId = referralRewardEntryId(reward.refereeId, side);
      if (points === 0 || ctx.journal.entryById(entryId)) continue;
      const credit = creditMember(memberId, REFERRAL_ACCOUNT, points, ctx.journal.owed(memberId));
      const expiry = expiryFor(ctx.rules, ctx.clock.now());
      const entry = ctx.journal.append({
        kind: 'referral_reward',
        entryId,
        groupId,
        memberId,
        tillId: null,
        receipt: null,
        postings: credit.legs,
        detail: {
          referee_id: reward.refereeId,
          side,
          points,
          sale_entry_id: reward.saleEntryId,
          clawback_settled: credit.settled,
          lot_expires_on: credit.credited > 0 ? expiry.expiresOn : null,
        },
      });
      ctx.lots.open(entry.entryId, memberId, credit.credited, entry.seq, expiry);
      entries.push(ref(entry));
    }
    ctx.db.prepare('UPDATE social_referral SET rewarded_at = ? WHERE referee_id = ? AND rewarded_at IS NULL').run(ctx.clock.now(), reward.refereeId);
    return entries;
  });
}

export interface DonationInput {
  donationId: string;
  memberId: string;
  causeId: string;
  points: number;
}

export interface DonationResult {
  donationId: string;
  entry: EntryRef;
  balanceAfter: number;
}

/** Moves the points to the cause; idempotent by donation id. The caller checked the cause and the minimum. */
export function appendDonation(ctx: LedgerContext, input: DonationInput): DonationResult {
  return ctx.write(() => {
    const done = ctx.db
      .prepare<[string], { entry_id: string; member_id: string; cause_id: string; points: number }>('SELECT entry_id, member_id, cause_id, points FROM social_donation WHERE donation_id = ?')
      .get(input.donationId);
    if (done) {
      if (done.member_id !== input.memberId || done.cause_id !== input.causeId || done.points !== input.points) {
        throw new AppFailure('conflict', 'this donation id was already used for another donation', [{ path: 'donationId', message: 'social.donation_id_reused' }]);
      }
      const entry = ctx.journal.entryById(done.entry_id)!;
      return {
        donationId: input.donationId,
        entry: { seq: entry.seq, entryId: entry.entry_id, kind: entry.kind, entryHash: entry.entry_hash },
        balanceAfter: spendablePoints(ctx, input.memberId),
      };
    }
    const balance = spendablePoints(ctx, input.memberId);
    requireAvailable(input.points, balance, ctx.holds.pendingFor(input.memberId), 'points');
    const taken = ctx.lots.take(input.memberId, input.points, null, ctx.chain(input.memberId) !== null);
    const debit = debitMember(input.memberId, causeAccount(input.causeId), input.points, balance, false);
    const entry = ctx.journal.append({
      kind: 'donate',
      groupId: uuidv7(ctx.clock, ctx.random),
      memberId: input.memberId,
      tillId: null,
      receipt: null,
      postings: debit.legs,
      detail: { donation_id: input.donationId, cause_id: input.causeId, points: input.points, lots: taken },
    });
    ctx.db
      .prepare('INSERT INTO social_donation (donation_id, member_id, cause_id, points, at, entry_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(input.donationId, input.memberId, input.causeId, input.points, ctx.clock.now(), entry.entryId);
    return { donationId: input.donationId, entry: ref(entry), balanceAfter: spendablePoints(ctx, input.memberId) };
  });
}
