import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTierRanking, tierSummary, WINDOW_DAYS } from '../../src/hq/programme/ranking';
import { tierScheduler } from '../../src/hq/programme/tier-scheduler';
import { seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { localDay } from '../../src/hq/value/nightly';
import { DEFAULT_TIER_POLICY, rankMembers, type HeldTier } from '../../src/shared/programme/tiers';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { staffClient, startTestHq, type TestHq } from './hq-fixture';

/**
 * HQ's nightly ranking into tiers (src/hq/programme/ranking.ts) on the demo
 * chain's seeded two years of visits: 20 / 60 / 20 within one member, each
 * member's spend and regular weeks as the journal says, and tiers, ranks,
 * hysteresis and gaps exactly what the pure rule (src/shared/programme/tiers.ts)
 * gives. The same checks on PGlite and on a PostgreSQL server.
 */
const MEMBERS = 400;
const TZ = 'Europe/Paris';
const DAY_MS = 86_400_000;
const P = DEFAULT_TIER_POLICY;

interface TierRow {
  customer_id: string;
  tier: string;
  rank_tier: string;
  member_rank: number;
  score: number;
  spend_cents: number;
  regular_weeks: number;
  below_runs: number;
  next_tier_gap_cents: number | null;
}

async function tierRows(hq: TestHq): Promise<TierRow[]> {
  const rows = await hq.ctx.sql.query<TierRow>('SELECT * FROM member_tier ORDER BY member_rank');
  return rows.map((r) => ({
    ...r,
    member_rank: Number(r.member_rank),
    score: Number(r.score),
    spend_cents: Number(r.spend_cents),
    next_tier_gap_cents: r.next_tier_gap_cents === null ? null : Number(r.next_tier_gap_cents),
  }));
}

/** What the pure rule says for the activity HQ measured and the tiers held before. */
function expectSameAsModel(rows: readonly TierRow[], previous: ReadonlyMap<string, HeldTier> | null) {
  const model = rankMembers(
    P,
    rows.map((r) => ({ memberId: r.customer_id, spendCents: r.spend_cents, regularWeeks: r.regular_weeks })),
    previous,
  );
  expect(rows.map((r) => [r.customer_id, r.member_rank, r.score, r.rank_tier, r.tier, r.below_runs, r.next_tier_gap_cents])).toEqual(
    model.map((m) => [m.memberId, m.position, m.score, m.rankTier, m.tier, m.belowRuns, m.nextTierGapCents]),
  );
}

const heldOf = (rows: readonly TierRow[]) => new Map(rows.map((r) => [r.customer_id, { tier: r.tier, belowRuns: r.below_runs }]));

function rankingChecks(name: string, start: () => Promise<TestHq>, stop: () => Promise<void>) {
  describe(`the nightly tier ranking (${name})`, () => {
    let hq: TestHq;
    let today: string;
    const dayAfter = (days: number) => localDay(Date.parse(`${today}T12:00:00Z`) + days * DAY_MS, TZ);
    beforeAll(async () => {
      hq = await start();
      await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: MEMBERS });
      today = localDay(hq.clock.value, TZ);
    }, 90_000);
    afterAll(stop, 30_000);

    it('first run: 20 / 60 / 20 within one member, spend and regular weeks as the journal says, the rule of the model', async () => {
      // A visit dated two days after the as-of day (a terminal's clock ahead) is no part of the 52 weeks.
      const someone = (await hq.ctx.sql.query<{ customer_id: string }>('SELECT customer_id FROM member ORDER BY customer_id LIMIT 1'))[0]!.customer_id;
      const ahead = hq.clock.value + 2 * DAY_MS;
      await hq.ctx.sql.query(
        `INSERT INTO journal_entry (terminal_id, epoch, seq, entry_id, group_id, kind, schema_version, member_id, wall_time, offline, entry, prev_hash, entry_hash, ingested_at)
         VALUES ('t-ahead', 1, 1, 'ahead-1', 'ahead-1', 'earn', 1, $1, $2, false, $3::jsonb, 'x', 'x', $2)`,
        [someone, ahead, JSON.stringify({ kind: 'earn', member_id: someone, wall_time: ahead, detail: { net_cents: 99_999 } })],
      );
      const run = await runTierRanking(hq.ctx, P, { timeZone: TZ });
      expect(run).toMatchObject({ asOf: today, firstRun: true, members: MEMBERS });
      expect(run.counts.map((c) => c.tier)).toEqual(['gold', 'basic', 'occasionnel']);
      for (const [i, share] of [0.2, 0.6, 0.2].entries()) expect(Math.abs(run.counts[i]!.members - MEMBERS * share)).toBeLessThanOrEqual(1);

      // Each member's 52 weeks, recomputed here from the raw journal.
      const entries = await hq.ctx.sql.query<{ member_id: string; wall_time: string | number; cents: number }>(
        "SELECT member_id, wall_time, (entry->'detail'->>'net_cents')::int AS cents FROM journal_entry WHERE kind = 'earn'",
      );
      const asOf = Date.parse(`${today}T00:00:00Z`) / DAY_MS;
      const expected = new Map<string, { spend: number; weeks: Set<number> }>();
      for (const e of entries) {
        const ago = asOf - Date.parse(`${localDay(Number(e.wall_time), TZ)}T00:00:00Z`) / DAY_MS;
        if (ago < 0 || ago >= WINDOW_DAYS) continue;
        const m = expected.get(e.member_id) ?? { spend: 0, weeks: new Set<number>() };
        m.spend += Number(e.cents);
        m.weeks.add(Math.floor(ago / 7));
        expected.set(e.member_id, m);
      }
      const rows = await tierRows(hq);
      expect(rows).toHaveLength(MEMBERS);
      const active = rows.filter((r) => r.spend_cents > 0);
      expect(active.length).toBe(expected.size);
      expect(active.length).toBeGreaterThan(MEMBERS / 4);
      for (const r of rows) {
        expect(r.spend_cents).toBe(expected.get(r.customer_id)?.spend ?? 0);
        expect(r.regular_weeks).toBe(expected.get(r.customer_id)?.weeks.size ?? 0);
      }
      expectSameAsModel(rows, null);
    });

    it('later runs as the weeks slide: hysteresis and gaps exactly as the model, the shares kept within the margin', async () => {
      let previous = await tierRows(hq);
      let held = 0;
      for (const days of [28, 56, 84]) {
        const run = await runTierRanking(hq.ctx, P, { timeZone: TZ, asOf: dayAfter(days) });
        expect(run.firstRun).toBe(false);
        const rows = await tierRows(hq);
        expectSameAsModel(rows, heldOf(previous));
        held += run.counts.reduce((s, c) => s + c.heldByMargin, 0);
        // Nobody is more than the margin plus the members still counting a run below away from the shares.
        const gold = run.counts[0]!.members;
        expect(gold).toBeGreaterThanOrEqual(MEMBERS * 0.2 - 1);
        expect(gold).toBeLessThanOrEqual(MEMBERS * (0.2 + P.hysteresisMargin) + rows.filter((r) => r.below_runs > 0).length + 1);
        previous = rows;
      }
      // Lapsing customers on a two-year history: some tiers were held by the margin on the way.
      expect(held).toBeGreaterThan(0);
    });

    it('a new member starts basic, keeps it one run below and drops on the second', async () => {
      await hq.ctx.sql.query("INSERT INTO member (customer_id, record, change_version) VALUES ('00000000-0000-7000-8000-newcomer00001', NULL, 1)");
      const newcomer = async () => (await tierRows(hq)).find((r) => r.customer_id === '00000000-0000-7000-8000-newcomer00001')!;
      await runTierRanking(hq.ctx, P, { timeZone: TZ, asOf: dayAfter(84) });
      expect(await newcomer()).toMatchObject({ rank_tier: 'occasionnel', tier: 'basic', below_runs: 1, spend_cents: 0 });
      await runTierRanking(hq.ctx, P, { timeZone: TZ, asOf: dayAfter(84) });
      expect(await newcomer()).toMatchObject({ tier: 'occasionnel', below_runs: 0 });
      expect((await newcomer()).next_tier_gap_cents).toBeGreaterThan(0);
    });

    it('drops the tier of a member erased since, and answers marketing and admins with the counts', async () => {
      await hq.ctx.sql.query("DELETE FROM member WHERE customer_id = '00000000-0000-7000-8000-newcomer00001'");
      const run = await runTierRanking(hq.ctx, P, { timeZone: TZ, asOf: dayAfter(84) });
      expect(run.members).toBe(MEMBERS);
      expect(await hq.count('member_tier')).toBe(MEMBERS);

      const summary = await tierSummary(hq.ctx.sql);
      expect(summary).toMatchObject({ runId: run.runId, members: MEMBERS });
      const marketing = await staffClient(hq, 'marketing', `marketing-tiers-${name.toLowerCase()}`);
      const answer = await marketing.get('/v1/tiers/summary');
      expect(answer.status).toBe(200);
      expect(answer.json.latest.tiers.map((t: { tier: string }) => t.tier)).toEqual(['gold', 'basic', 'occasionnel']);
      expect(answer.json.latest.tiers.reduce((s: number, t: { members: number }) => s + t.members, 0)).toBe(MEMBERS);
      const admin = await staffClient(hq, 'admin', `admin-tiers-${name.toLowerCase()}`);
      expect((await admin.get('/v1/tiers/summary')).status).toBe(200);
      const service = await staffClient(hq, 'service', `service-tiers-${name.toLowerCase()}`);
      expect((await service.get('/v1/tiers/summary')).status).toBe(403);
      const it = await staffClient(hq, 'it', `it-tiers-${name.toLowerCase()}`);
      expect((await it.get('/v1/tiers/summary')).status).toBe(403);
    });

    it('ranks on demand for marketing with the CSRF token; a bad policy is refused with every problem and ranks nothing', async () => {
      const marketing = await staffClient(hq, 'marketing', `marketing-rank-${name.toLowerCase()}`);
      const runs = await hq.count('tier_run');
      expect((await marketing.post('/v1/admin/tiers/rank', {}, { csrf: false })).status).toBe(403);
      const bad = { ...P, tiers: P.tiers.map((t) => (t.id === 'gold' ? { ...t, share: 0.3 } : t)), newMemberTier: 'silver' };
      const refused = await marketing.post('/v1/admin/tiers/rank', { policy: bad });
      expect(refused.status).toBe(400);
      expect(refused.json.error.problems).toHaveLength(2);
      expect(refused.json.error.message).toMatch(/add up to 110 %.*silver/);
      expect(await hq.count('tier_run')).toBe(runs);
      const asked = await marketing.post('/v1/admin/tiers/rank', {});
      expect(asked.status).toBe(200);
      expect(asked.json.run.members).toBe(MEMBERS);
      expect(await hq.count('tier_run')).toBe(runs + 1);
      const service = await staffClient(hq, 'service', `service-rank-${name.toLowerCase()}`);
      expect((await service.post('/v1/admin/tiers/rank', {})).status).toBe(403);
    });

    it('runs at night on HQ’s clock after the value run’s hour, once a day', async () => {
      const scheduler = tierScheduler(hq.ctx);
      // 2026-11-20 01:59 UTC is 02:59 in Paris: not yet.
      hq.clock.value = Date.UTC(2026, 10, 20, 1, 59);
      expect(await scheduler.due()).toBe(false);
      expect(await scheduler.tick()).toBeNull();
      hq.clock.value = Date.UTC(2026, 10, 20, 2, 1);
      expect(await scheduler.due()).toBe(true);
      expect(await scheduler.tick()).toMatchObject({ asOf: '2026-11-20', members: MEMBERS });
      hq.clock.value += 3_600_000;
      expect(await scheduler.tick()).toBeNull();
      const nightly = await hq.ctx.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM tier_run WHERE trigger = 'nightly'");
      expect(nightly[0]!.n).toBe(1);
    });
  });
}

/** PGlite always; the PostgreSQL server when Debian's binaries are there (a throwaway cluster). */
const backends: { name: string; unavailable: string | null; start: () => Promise<{ hq: TestHq; stop: () => Promise<void> }> }[] = [
  {
    name: 'PGlite',
    unavailable: null,
    start: async () => {
      const hq = await startTestHq();
      return { hq, stop: () => hq.stop() };
    },
  },
  {
    name: 'PostgreSQL',
    unavailable: postgresUnavailable(),
    start: async () => {
      const cluster: PostgresCluster = await startPostgresCluster();
      const hq = await startTestHq({ databaseUrl: cluster.url('postgres') });
      return { hq, stop: async () => (await hq.stop(), cluster.stop()) };
    },
  },
];

for (const backend of backends) {
  let running: { hq: TestHq; stop: () => Promise<void> } | null = null;
  describe.skipIf(backend.unavailable !== null)(`on ${backend.name}`, () => {
    rankingChecks(
      backend.name,
      async () => (running = await backend.start()).hq,
      async () => running?.stop(),
    );
  });
}
