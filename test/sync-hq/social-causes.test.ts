import { afterAll, beforeAll, expect, it } from 'vitest';
import { listCauses, saveCause } from '../../src/hq/social/causes';
import type { SocialView } from '../../src/shared/contract';
import { fund, openTwoStores, type TwoStores } from './two-stores';

/**
 * Causes across stores (issue 16 item 4): defined at HQ, pulled by both
 * stores' terminals; a gift in store A reaches HQ's total with the push and
 * store B's counter with its pull; a cause HQ closes refuses gifts at the till.
 */
let t: TwoStores;

async function until(what: string, test: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await test())) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const counterAt = async (core: TwoStores['a']) => {
  const view = await core.dispatch('cashier', 'social.view', {});
  return view.ok ? ((view.value as SocialView).causes.find((c) => c.id === 'ecole')?.totalPoints ?? null) : null;
};

beforeAll(async () => {
  t = await openTwoStores();
  await fund(t, 1);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

it('moves HQ’s total and the other store’s counter; a closed cause refuses gifts', async () => {
  const cause = { id: 'ecole', name: 'l’école Jules-Ferry', description: 'Une classe verte', imageUrl: null, goalPoints: 10_000 };
  expect((await saveCause(t.hq.ctx, { ...cause, goalPoints: -1 })).ok).toBe(false);
  expect((await saveCause(t.hq.ctx, cause)).ok).toBe(true);
  for (const core of [t.a, t.b]) await core.dispatch('cashier', 'sync.now', {});
  await until('both stores have the cause', async () => (await counterAt(t.a)) === 0 && (await counterAt(t.b)) === 0);

  await t.a.dispatch('cashier', 'member.select', { memberId: t.memberId });
  const gift = await t.a.dispatch('customer', 'social.donate', { donationId: '0190a1b2-c3d4-7e5f-8a9b-000000000001', causeId: 'ecole', points: 120 });
  expect(gift.ok, JSON.stringify(gift)).toBe(true);
  expect(await counterAt(t.a)).toBe(120);
  await t.a.dispatch('cashier', 'sync.now', {});
  await until('HQ counts the gift', async () => (await listCauses(t.hq.ctx))[0]?.totalPoints === 120);
  await t.b.dispatch('cashier', 'sync.now', {});
  await until('store B’s counter moves', async () => (await counterAt(t.b)) === 120);

  expect((await saveCause(t.hq.ctx, { ...cause, status: 'closed' })).ok).toBe(true);
  await t.a.dispatch('cashier', 'sync.now', {});
  await until('store A knows it is closed', async () => {
    const refused = await t.a.dispatch('customer', 'social.donate', { donationId: '0190a1b2-c3d4-7e5f-8a9b-000000000002', causeId: 'ecole', points: 100 });
    return !refused.ok && refused.error.issues?.[0]?.message === 'social.cause_closed';
  });
  expect((await listCauses(t.hq.ctx))[0]).toMatchObject({ totalPoints: 120, donations: 1, status: 'closed' });
}, 90_000);
