import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Core } from '../../src/main/core/core';
import { referralCodeOf } from '../../src/main/core/social/referral-code';
import { DEFAULT_SOCIAL_POLICY } from '../../src/shared/social/policy';
import { referralQrPayload } from '../../src/shared/social/referral-code';
import { newcomerForm } from '../fakes/newcomer';
import { openTwoStores, sellAt, type TwoStores } from './two-stores';

/**
 * Referral across stores with HQ (issue 16 item 1): a friend enrols in store
 * A with the code of a customer of both stores and makes their first
 * qualifying purchase in store B; HQ rewards both once, and both stores'
 * terminals show the points. Enrolled terminals never reward themselves.
 */
let t: TwoStores;
const { refereePoints, referrerPoints, minimumPurchaseCents } = DEFAULT_SOCIAL_POLICY.referral;

async function until(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await test())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function enrolAt(core: Core, referralCode: string) {
  const started = await core.dispatch('customer', 'enrolment.start', { presetCardNumber: null });
  if (!started.ok) throw new Error(JSON.stringify(started.error));
  const result = await core.dispatch('customer', 'enrolment.submit', newcomerForm({ referralCode }));
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value as { member: { id: string; cardNumber: string } };
}

beforeAll(async () => {
  t = await openTwoStores();
}, 90_000);

afterAll(async () => {
  await t?.close();
});

it('rewards both once, at HQ, after the friend’s first qualifying purchase in another store; both stores see the points', async () => {
  const ines = t.memberId;
  const inesBefore = t.a.ledger.points(ines).balance;
  const lea = await enrolAt(t.a, referralQrPayload(referralCodeOf(ines)));
  await t.a.dispatch('cashier', 'sync.now', {});
  // Store B finds the new member at HQ by her card.
  await until('Léa reaches store B', async () => {
    const found = await t.b.dispatch('cashier', 'member.identify', { code: lea.member.cardNumber, source: 'scan' });
    await t.b.dispatch('cashier', 'session.clear', {});
    return found.ok && (found.value as { kind: string }).kind === 'member';
  });

  await sellAt(t.b, lea.member.id, 'B-LEA-1', { cents: [minimumPurchaseCents - 100] });
  await sellAt(t.b, lea.member.id, 'B-LEA-2', { cents: [minimumPurchaseCents * 2] });
  await sellAt(t.b, lea.member.id, 'B-LEA-3', { cents: [minimumPurchaseCents * 3] });
  await t.b.dispatch('cashier', 'sync.now', {});
  const earned = t.b.db.prepare("SELECT coalesce(sum(earned), 0) FROM ledger_sale WHERE member_id = ?").pluck().get(lea.member.id) as number;

  await until('HQ rewards Léa, and store B shows it', () => t.b.ledger.points(lea.member.id).balance === earned + refereePoints);
  await t.a.dispatch('cashier', 'sync.now', {});
  await until('store A shows Inès’s reward', () => t.a.ledger.points(ines).balance === inesBefore + referrerPoints);
  const rewards = await t.hq.ctx.sql.query<{ customer_id: string; delta: number }>("SELECT customer_id, delta FROM posting WHERE kind = 'referral_reward' AND delta > 0 ORDER BY customer_id");
  expect(rewards.map((r) => [r.customer_id, Number(r.delta)]).sort()).toEqual([[ines, referrerPoints], [lea.member.id, refereePoints]].sort());
  // Neither terminal wrote a reward of its own.
  for (const core of [t.a, t.b]) expect(core.db.prepare("SELECT count(*) FROM ledger_entry WHERE kind = 'referral_reward'").pluck().get()).toBe(0);
}, 90_000);
