import { afterAll, beforeAll, expect, it } from 'vitest';
import { crossStoreDelay, fund, openTwoStores, sellAt, shownAt, type TwoStores } from './two-stores';

/**
 * Issue 18, item 2: a balance changed in store B showed in store A only after
 * 27–61 s (a pull a minute). Two terminals on one HQ, online, nobody touching
 * A: B's redemption is on A's screens within 10 s; and identifying the
 * customer at A shows HQ's balance at once.
 */
let t: TwoStores;

beforeAll(async () => {
  t = await openTwoStores();
  await fund(t, 3);
}, 90_000);

afterAll(async () => {
  await t?.close();
});

it('shows a redemption made in store B on store A\u2019s screens within 10 s, online', async () => {
  for (const receipt of ['B-1', 'B-2']) {
    const ms = await crossStoreDelay(t, receipt);
    expect(ms, `${receipt}: ${ms.toFixed(0)} ms`).toBeLessThan(10_000);
  }
}, 60_000);

it('greets a customer identified in A with HQ\u2019s current balance, changed in B a moment before', async () => {
  await t.a.dispatch('cashier', 'session.clear', {});
  await sellAt(t.b, t.memberId, 'B-3', { redeemPoints: 100 });
  // B's entries reach HQ with its push; A is asked right after, before any timed pull of A could have brought it.
  await t.b.dispatch('cashier', 'sync.now', {});
  const expected = t.b.ledger.points(t.memberId).balance;
  const identified = await t.a.dispatch('cashier', 'member.identify', { code: t.cardNumber, source: 'scan' });
  expect(identified.ok, JSON.stringify(identified)).toBe(true);
  expect(await shownAt(t.a)).toBe(expected);
}, 30_000);
