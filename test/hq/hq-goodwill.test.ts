import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodwillPuts } from '../../src/hq/customer-incidents';
import { staffClient, startTestHq, type TestHq } from './hq-fixture';

let hq: TestHq;
// PGlite's first start takes seconds on a busy machine.
beforeAll(async () => {
  hq = await startTestHq();
}, 60_000);
afterAll(async () => hq.close());

describe("a store's goodwill budget, set at HQ", () => {
  it('is set by IT through the operator API and reaches the store bucket of the next pull', async () => {
    const it = await staffClient(hq, 'it');
    const set = await it.post('/v1/admin/stores/paris-11/goodwill', { period: 'week', budgetCents: 20_000, cashierLimitCents: 1_500 });
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ storeId: 'paris-11', goodwill: { period: 'week', budgetCents: 20_000, cashierLimitCents: 1_500 } });
    expect(await goodwillPuts(hq.ctx.sql, 'paris-11', 0)).toEqual([{ key: 'goodwill', value: { period: 'week', budgetCents: 20_000, cashierLimitCents: 1_500 } }]);
    expect(await goodwillPuts(hq.ctx.sql, 'lyon-2', 0)).toEqual([]);
  });

  it('refuses a malformed budget with the reason and changes nothing; other roles cannot set it', async () => {
    const it = await staffClient(hq, 'it', 'it-bad');
    const before = await goodwillPuts(hq.ctx.sql, 'paris-11', 0);
    for (const body of [{ period: 'year', budgetCents: 1, cashierLimitCents: 1 }, { period: 'day', budgetCents: -5, cashierLimitCents: 1 }, { period: 'day', budgetCents: 10 }]) {
      const r = await it.post('/v1/admin/stores/paris-11/goodwill', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error.message).toMatch(/invalid goodwill budget/);
    }
    expect((await it.post('/v1/admin/stores/Paris%2011/goodwill', { period: 'day', budgetCents: 10, cashierLimitCents: 1 })).status).toBe(400);
    const marketing = await staffClient(hq, 'marketing', 'marketing-goodwill');
    expect((await marketing.post('/v1/admin/stores/paris-11/goodwill', { period: 'day', budgetCents: 10, cashierLimitCents: 1 })).status).toBe(403);
    expect(await goodwillPuts(hq.ctx.sql, 'paris-11', 0)).toEqual(before);
  });
});
