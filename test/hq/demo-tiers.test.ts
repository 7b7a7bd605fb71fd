import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoTiers } from '../../src/hq/demo-tiers';
import { tierSummary } from '../../src/hq/programme/ranking';
import { seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { DEFAULT_TIER_POLICY } from '../../src/shared/programme/tiers';
import { startTestHq, type TestHq } from './hq-fixture';

/**
 * The demo HQ ranks tiers as the chain comes in (src/hq/demo-tiers.ts): the
 * archive at once, again when a store's members arrive, twice more to let
 * those new to HQ leave the entry tier (down to its margin); a sale or two
 * ranks nothing.
 */
describe('the demo HQ’s tiers', () => {
  let hq: TestHq;
  beforeAll(async () => {
    hq = await startTestHq();
    await seedDemoValueHistory(hq.ctx, { storeId: 'demo-paris-11', members: 300 });
  }, 90_000);
  afterAll(() => hq?.stop(), 30_000);

  const shares = async () => (await tierSummary(hq.ctx.sql))!.tiers.map((t) => t.members);
  const runs = () => hq.count('tier_run');

  it('ranks the archive, settles, then ranks a store that arrives and lets its members leave the entry tier', async () => {
    const tiers = startDemoTiers(hq.ctx, 0);
    expect(await tiers.check()).toBe(true);
    expect(await shares()).toEqual([60, 180, 60]);
    // Two settling runs, then nothing to do.
    expect(await tiers.check()).toBe(true);
    expect(await tiers.check()).toBe(true);
    expect(await tiers.check()).toBe(false);
    expect(await runs()).toBe(3);

    // A store's 100 members come up with their pushes, none ever seen by a ranking: the entry tier first.
    await hq.ctx.sql.query(
      `INSERT INTO member (customer_id, record, change_version)
       SELECT 'ffffffff-0000-7000-8000-' || lpad(to_hex(g), 12, '0'), NULL, 1 FROM generate_series(1, 100) AS g`,
    );
    const newcomers = async () =>
      (await hq.ctx.sql.query<{ tier: string; n: number }>("SELECT tier, count(*)::int AS n FROM member_tier WHERE customer_id LIKE 'ffffffff-%' GROUP BY tier ORDER BY tier")).map((r) => [r.tier, r.n]);
    expect(await tiers.check()).toBe(true);
    expect(await newcomers()).toEqual([['basic', 100]]);
    expect(await tiers.check()).toBe(true);
    expect(await tiers.check()).toBe(true);
    // Those ranked below the entry tier by more than its margin left it; those within it keep it (hysteresis).
    const settled = await shares();
    expect(settled.reduce((s, n) => s + n, 0)).toBe(400);
    expect(settled[0]).toBeGreaterThanOrEqual(79);
    const left = (await newcomers()).find(([tier]) => tier === 'occasionnel');
    expect(left?.[1]).toBeGreaterThan(40);
    expect(settled[2]).toBeGreaterThanOrEqual(400 * (0.2 - DEFAULT_TIER_POLICY.hysteresisMargin) - 1);
    expect(await tiers.check()).toBe(false);

    // One more member (a sale's enrolment): under a twentieth, the nightly run will see them.
    await hq.ctx.sql.query("INSERT INTO member (customer_id, record, change_version) VALUES ('00000000-0000-7000-8000-0000000fffff', NULL, 1)");
    expect(await tiers.check()).toBe(false);
    expect(await runs()).toBe(6);
    tiers.stop();
  });
});
