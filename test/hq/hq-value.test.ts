import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memberScore, valueOverview } from '../../src/hq/value/member-scores';
import { DEMO_BGNBD, seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { valueScheduler } from '../../src/hq/value/value-scheduler';
import { SEGMENTS } from '../../src/shared/value/value-config';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { staffClient, startTestHq, type TestHq } from './hq-fixture';

/**
 * The nightly customer-value run on a seeded history (docs/value.md): visits
 * drawn from known BG/NBD parameters, about half the members agreeing to
 * profiling. The same checks on PGlite and on a PostgreSQL server.
 */
const MEMBERS = 400;

async function consenting(hq: TestHq): Promise<{ yes: string[]; no: string[] }> {
  const rows = await hq.ctx.sql.query<{ customer_id: string; granted: boolean }>("SELECT customer_id, granted FROM member_consent WHERE purpose = 'profiling' ORDER BY customer_id");
  return { yes: rows.filter((r) => r.granted).map((r) => r.customer_id), no: rows.filter((r) => !r.granted).map((r) => r.customer_id) };
}

function nightlyChecks(name: string, start: () => Promise<TestHq>, stop: () => Promise<void>) {
  describe(`the nightly customer-value run (${name})`, () => {
    let hq: TestHq;
    beforeAll(async () => {
      hq = await start();
    }, 90_000);
    afterAll(stop, 30_000);

    it('with no history: recorded as too few, no member row', async () => {
      const run = await valueScheduler(hq.ctx).run('manual');
      expect(run).toMatchObject({ status: 'too_few', customers: 0, scored: 0 });
      expect(run.message).toMatch(/fewer than the 20 a fit needs/);
      expect(await hq.count('member_value')).toBe(0);
    });

    it('fits the seeded history, scores exactly the members who agreed to profiling, counts everyone in the aggregates', async () => {
      const seeded = await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: MEMBERS });
      expect(seeded!.members).toBe(MEMBERS);
      // A second seed finds the archive and writes nothing.
      expect(await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: MEMBERS })).toBeNull();

      const run = await valueScheduler(hq.ctx).run('manual');
      expect(run.status).toBe('ok');
      expect(run.customers).toBe(MEMBERS);
      const { yes, no } = await consenting(hq);
      expect(yes.length).toBeGreaterThan(100);
      expect(no.length).toBeGreaterThan(100);
      expect(run.scored).toBe(yes.length);

      const rows = await hq.ctx.sql.query<{ customer_id: string }>('SELECT customer_id FROM member_value ORDER BY customer_id');
      expect(rows.map((r) => r.customer_id)).toEqual(yes);
      // A member without the profiling consent has no individual score…
      expect(await memberScore(hq.ctx.sql, no[0]!)).toBeNull();
      const score = await memberScore(hq.ctx.sql, yes[0]!);
      expect(score).toMatchObject({ memberId: yes[0], previousSegment: null });
      expect(score!.pAlive).toBeGreaterThanOrEqual(0);
      expect(score!.pAlive).toBeLessThanOrEqual(1);
      expect(SEGMENTS).toContain(score!.segment);
      expect(score!.expectedSpend).toBeGreaterThan(0);

      // …but counts in the aggregates.
      const overview = await valueOverview(hq.ctx.sql);
      const aggregates = overview.latest!.aggregates!;
      expect(Object.values(aggregates.segments).reduce((a, b) => a + b, 0)).toBe(MEMBERS);
      expect(aggregates.pAliveHistogram.reduce((a, b) => a + b.customers, 0)).toBe(MEMBERS);
      expect(aggregates.concentration.top20RevenueShare).toBeGreaterThan(0.2);
      expect(overview.history).toHaveLength(1);
      const scoredBySegment = Object.values(overview.history[0]!.segments).reduce((a, b) => a + b.scored, 0);
      expect(scoredBySegment).toBe(yes.length);
      expect(overview.flows.every((f) => f.from === 'new')).toBe(true);
      expect(overview.flows.reduce((a, f) => a + f.members, 0)).toBe(yes.length);

      // The parameters drawn from are found again, within what 400 customers allow.
      const params = overview.latest!.params as { bgnbd: { r: number; alpha: number; converged: boolean } };
      expect(params.bgnbd.converged).toBe(true);
      expect(Math.abs(params.bgnbd.r / params.bgnbd.alpha - DEMO_BGNBD.r / DEMO_BGNBD.alpha) / (DEMO_BGNBD.r / DEMO_BGNBD.alpha)).toBeLessThan(0.35);
    });

    it('drops the row of a member who withdraws the consent, and the next run says where the others moved from', async () => {
      const { yes } = await consenting(hq);
      const leaving = yes[1]!;
      await hq.ctx.sql.query(
        "INSERT INTO member_consent (customer_id, purpose, recorded_at, granted, wording_version, source, terminal_id) VALUES ($1, 'profiling', $2, false, 'test', 'test', 'test')",
        [leaving, hq.clock.value],
      );
      hq.clock.value += 86_400_000;
      const run = await valueScheduler(hq.ctx).run('manual');
      expect(run.scored).toBe(yes.length - 1);
      expect(await memberScore(hq.ctx.sql, leaving)).toBeNull();
      expect(await hq.ctx.sql.query('SELECT customer_id FROM member_value_removed')).toEqual([{ customer_id: leaving }]);
      const overview = await valueOverview(hq.ctx.sql);
      expect(overview.flows.some((f) => f.from !== 'new')).toBe(true);
      expect(overview.flows.reduce((a, f) => a + f.members, 0)).toBe(yes.length - 1);
      expect((await memberScore(hq.ctx.sql, yes[0]!))!.previousSegment).not.toBeNull();
    });

    it('runs at night on HQ’s clock, once a day, whoever asks in between', async () => {
      const scheduler = valueScheduler(hq.ctx);
      // 2026-11-20 01:59 UTC is 02:59 in Paris: not yet.
      hq.clock.value = Date.UTC(2026, 10, 20, 1, 59);
      expect(await scheduler.due()).toBe(false);
      expect(await scheduler.tick()).toBeNull();
      hq.clock.value = Date.UTC(2026, 10, 20, 2, 1);
      expect(await scheduler.due()).toBe(true);
      const run = await scheduler.tick();
      expect(run).toMatchObject({ status: 'ok', asOf: '2026-11-20' });
      hq.clock.value += 3_600_000;
      expect(await scheduler.tick()).toBeNull();
      const nightly = await hq.ctx.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM value_run WHERE trigger = 'nightly'");
      expect(nightly[0]!.n).toBe(1);
    });

    it('answers marketing with aggregates, service with scores; the on-demand run needs the CSRF token', async () => {
      const marketing = await staffClient(hq, 'marketing', `marketing-value-${name.toLowerCase()}`);
      const overview = await marketing.get('/v1/value/overview');
      expect(overview.status).toBe(200);
      expect(overview.json.latest.status).toBe('ok');
      expect((await marketing.get('/v1/value/members')).status).toBe(403);
      expect((await marketing.post('/v1/admin/value/nightly', undefined, { csrf: false })).status).toBe(403);
      const runs = await hq.count('value_run');
      const asked = await marketing.post('/v1/admin/value/nightly');
      expect(asked.status).toBe(200);
      expect(asked.json.run.status).toBe('ok');
      expect(await hq.count('value_run')).toBe(runs + 1);

      const service = await staffClient(hq, 'service', `service-value-${name.toLowerCase()}`);
      const page = await service.get('/v1/value/members?segment=lapsed&limit=5');
      expect(page.status).toBe(200);
      expect(page.json.members.length).toBeLessThanOrEqual(5);
      for (const m of page.json.members) expect(m.segment).toBe('lapsed');
      expect((await service.get('/v1/value/members?segment=gold')).status).toBe(400);
      expect((await service.get('/v1/value/overview')).status).toBe(403);
    });
  });
}

let pglite: TestHq | null = null;
nightlyChecks(
  'PGlite',
  async () => (pglite = await startTestHq()),
  async () => pglite?.stop(),
);

const unavailable = postgresUnavailable();
let cluster: PostgresCluster | null = null;
let server: TestHq | null = null;
describe.skipIf(unavailable !== null)('on a PostgreSQL server', () => {
  nightlyChecks(
    'PostgreSQL',
    async () => {
      cluster = await startPostgresCluster();
      return (server = await startTestHq({ databaseUrl: cluster.url('postgres') }));
    },
    async () => {
      await server?.stop();
      cluster?.stop();
    },
  );
});
