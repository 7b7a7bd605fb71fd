import type { WireEntry } from '../../shared/sync/protocol';
import { qualifiesForReferral, socialPolicyOf, type SocialPolicy } from '../../shared/social/policy';
import { Accounts } from '../../main/core/ledger/accounts';
import { expiryFor } from '../../main/core/ledger/expiry-policy';
import { referralRewardEntryId } from '../../main/core/social/referral-code';
import { REFERRAL_ACCOUNT } from '../../main/core/social/social-entries';
import { monthOf } from '../../main/core/social/social-policy';
import { Book, insertLegs, legKey, type Leg } from '../book';
import { nextChangeVersion, type HqContext } from '../context';
import type { Sql } from '../db';
import { documentInForce } from '../programme/programme-store';
import { projectDonations } from './causes';

/**
 * HQ decides referral rewards (issue 16 item 1), inside the push's
 * transaction, after the entries are projected (ingest.ts):
 *
 * - a terminal's `referral` entry files the link; the first for a referee
 *   wins (a referee is referred once, chain-wide); past the referrer's
 *   monthly cap, counted over every store, it is filed `capped`, never
 *   rewarded;
 * - the referee's first purchase at or above the programme's minimum, from
 *   any store and in whichever order the link and the sale arrive, rewards
 *   both: HQ's own `referral_reward` postings (origin 'hq') and lots, and the
 *   two members' change version so every store's terminals get the balances
 *   in their next pull. The UPDATE … WHERE status = 'pending' claims the
 *   reward under the row's lock, and each side's posting carries the id
 *   derived from the referee (referralRewardEntryId), so neither a replayed
 *   push, a retried batch, two stores' purchases ingested concurrently, nor a
 *   lone terminal's own reward pushed after it enrolled can post it twice
 *   (the projector refuses a second `referral_reward` under the same id).
 *
 * A refund of the qualifying purchase does not take the rewards back.
 */
const RELEVANT = new Set(['referral', 'referral_reward', 'earn', 'donate']);

export async function projectSocial(ctx: HqContext, tx: Sql, stream: { terminalId: string }, entries: readonly WireEntry[]): Promise<void> {
  const relevant = entries.filter((e) => RELEVANT.has(e.kind) && e.member_id !== null);
  if (relevant.length === 0) return;
  await projectDonations(tx, relevant.filter((e) => e.kind === 'donate'));
  const now = ctx.clock.now();
  let policy: SocialPolicy | null = null;
  const policyNow = async () => (policy ??= socialPolicyOf(await documentInForce(tx, now)));

  // A lone terminal's own rewards, pushed after it enrolled: the referral is settled.
  for (const e of relevant.filter((x) => x.kind === 'referral_reward' && typeof x.detail.referee_id === 'string')) {
    await tx.query("UPDATE social_referral SET status = 'rewarded', rewarded_at = $2, sale_entry_id = $3 WHERE referee_id = $1 AND status = 'pending'", [
      e.detail.referee_id,
      now,
      typeof e.detail.sale_entry_id === 'string' ? e.detail.sale_entry_id : null,
    ]);
  }
  for (const e of relevant.filter((x) => x.kind === 'referral' && typeof x.detail.referrer_id === 'string')) {
    await fileLink(ctx, tx, stream.terminalId, e, await policyNow());
  }
  const earns = relevant.filter((e) => e.kind === 'earn');
  if (earns.length === 0) return;
  const pending = new Set(
    (
      await tx.query<{ referee_id: string }>("SELECT referee_id FROM social_referral WHERE referee_id = ANY($1::text[]) AND status = 'pending'", [
        [...new Set(earns.map((e) => e.member_id!))],
      ])
    ).map((r) => r.referee_id),
  );
  for (const e of earns) {
    if (!pending.has(e.member_id!)) continue;
    if (!qualifiesForReferral((await policyNow()).referral, typeof e.detail.net_cents === 'number' ? e.detail.net_cents : 0)) continue;
    if (await rewardReferral(ctx, tx, e.member_id!, e.entry_id, await policyNow())) pending.delete(e.member_id!);
  }
}

async function fileLink(ctx: HqContext, tx: Sql, terminalId: string, e: WireEntry, policy: SocialPolicy): Promise<void> {
  const referee = e.member_id!;
  const referrer = e.detail.referrer_id as string;
  // The referrer's links, under their lock: two stores filing this month's last place at once cannot both get it.
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`referral:${referrer}`]);
  const timeZone = ctx.rules.timeZone;
  const month = monthOf(e.wall_time, timeZone);
  const links = await tx.query<{ linked_at: number }>("SELECT linked_at FROM social_referral WHERE referrer_id = $1 AND status <> 'capped' AND linked_at > $2", [
    referrer,
    e.wall_time - 32 * 86_400_000,
  ]);
  const capped = links.filter((l) => monthOf(Number(l.linked_at), timeZone) === month).length >= policy.referral.monthlyCap;
  const filed = await tx.query<{ referee_id: string }>(
    `INSERT INTO social_referral (referee_id, referrer_id, code, linked_at, terminal_id, status) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (referee_id) DO NOTHING RETURNING referee_id`,
    [referee, referrer, typeof e.detail.code === 'string' ? e.detail.code : '', e.wall_time, terminalId, capped ? 'capped' : 'pending'],
  );
  if (filed.length === 0 || capped) return;
  // The referee may have bought in another store before this link arrived: their first qualifying purchase HQ holds.
  const earns = await tx.query<{ entry_id: string; net_cents: string | null }>(
    "SELECT entry_id, entry->'detail'->>'net_cents' AS net_cents FROM journal_entry WHERE member_id = $1 AND kind = 'earn' ORDER BY wall_time, entry_id",
    [referee],
  );
  const first = earns.find((x) => qualifiesForReferral(policy.referral, Number(x.net_cents ?? 0)));
  if (first) await rewardReferral(ctx, tx, referee, first.entry_id, policy);
}

/** Claims the pending referral and posts both rewards; false when it was not pending any more. */
async function rewardReferral(ctx: HqContext, tx: Sql, referee: string, saleEntryId: string, policy: SocialPolicy): Promise<boolean> {
  const now = ctx.clock.now();
  const claimed = await tx.query<{ referrer_id: string }>(
    "UPDATE social_referral SET status = 'rewarded', rewarded_at = $2, sale_entry_id = $3 WHERE referee_id = $1 AND status = 'pending' RETURNING referrer_id",
    [referee, now, saleEntryId],
  );
  const referrer = claimed[0]?.referrer_id;
  if (referrer === undefined) return false;
  const sides = [
    { side: 'referee' as const, member: referee, points: policy.referral.refereePoints },
    { side: 'referrer' as const, member: referrer, points: policy.referral.referrerPoints },
  ].filter((s) => s.points > 0);
  const legs: Leg[] = sides.flatMap(({ side, member, points }) => {
    const entryId = referralRewardEntryId(referee, side);
    const base = { customer_id: member, entry_id: entryId, kind: 'referral_reward', origin: 'hq' as const, terminal_id: null, epoch: null, seq: null };
    return [
      { ...base, leg: 0, account: REFERRAL_ACCOUNT, delta: -points },
      { ...base, leg: 1, account: Accounts.points(member), delta: points },
    ];
  });
  const inserted = await insertLegs(tx, legs, now);
  const book = await Book.load(tx, [referee, referrer]);
  const expiry = expiryFor(ctx.rules, now);
  for (const l of legs) {
    if (!inserted.has(legKey(l))) continue;
    book.post(l.customer_id, l.account, l.delta);
    if (l.delta > 0) book.openLot(l.customer_id, l.entry_id, l.delta, expiry, now);
  }
  await book.save(tx);
  const version = await nextChangeVersion(tx);
  await tx.query('UPDATE member SET change_version = $2 WHERE customer_id = ANY($1::text[])', [[referee, referrer], version]);
  ctx.logger.info('referral rewarded', { referee, referrer });
  return true;
}

/** For the console: referrals by status, no one's name. */
export async function referralSummary(sql: Sql): Promise<{ pending: number; rewarded: number; capped: number }> {
  const rows = await sql.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM social_referral GROUP BY status');
  const of = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { pending: of('pending'), rewarded: of('rewarded'), capped: of('capped') };
}
