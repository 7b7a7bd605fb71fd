import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { valueScheduler } from '../../src/hq/value/value-scheduler';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { staffClient, startTestHq, type StaffClient, type TestHq } from './hq-fixture';

/**
 * The dashboard's JSON API (docs/hq-api.md, « Dashboard ») on a small history
 * written by hand, whose answers are worked out here, then on the generated
 * demo history for the charts that need a fit. PGlite, and PostgreSQL when a
 * server can be started.
 */

const at = (iso: string) => Date.parse(`${iso}T12:00:00Z`);

/** Five members, three at paris-11 (c1, c2, c3) and two at lyon-2 (c4, c5); visits, points and incidents by hand. */
async function seedByHand(hq: TestHq): Promise<void> {
  const sql = hq.ctx.sql;
  await sql.query(`INSERT INTO store (store_id, name, created_at) VALUES ('paris-11', 'Paris 11', 0), ('lyon-2', 'Lyon 2', 0) ON CONFLICT DO NOTHING`);
  const stores: Record<string, string> = { c1: 'paris-11', c2: 'paris-11', c3: 'paris-11', c4: 'lyon-2', c5: 'lyon-2' };
  for (const [customer, store] of Object.entries(stores)) {
    await sql.query('INSERT INTO member_store (customer_id, store_id, linked_version) VALUES ($1, $2, 1)', [customer, store]);
  }
  // Revenue in March 2026: c1 100 €, c2 50 €, c3 25 €, c4 15 €, c5 10 €; c5 also spent 500 € in June 2025 (out of the range).
  const visits: [string, string, number][] = [
    ['c1', '2026-03-02', 6000],
    ['c1', '2026-03-09', 4000],
    ['c2', '2026-03-03', 5000],
    ['c3', '2026-03-04', 2500],
    ['c4', '2026-03-05', 1500],
    ['c5', '2026-03-06', 1000],
    ['c5', '2025-06-15', 50000],
  ];
  let seq = 0;
  for (const [customer, day, cents] of visits) {
    seq++;
    await sql.query(
      `INSERT INTO journal_entry (terminal_id, epoch, seq, entry_id, group_id, kind, schema_version, member_id, wall_time, offline, entry, prev_hash, entry_hash, ingested_at)
       VALUES ('t-hand', 1, $1, $2, $2, 'earn', 1, $3, $4, false, $5::jsonb, 'x', 'x', $4)`,
      [seq, `e${seq}`, customer, at(day), JSON.stringify({ kind: 'earn', member_id: customer, detail: { net_cents: cents } })],
    );
  }
  // Points in the week of Monday 2026-03-02: 100 issued (c1 60, c4 40), 30 redeemed (c1), 5 expired (c4); 7 issued the week after (c2).
  const postings: [string, string, string, number, string][] = [
    ['c1', 'p1', 'program:issuance', -60, '2026-03-02'],
    ['c4', 'p2', 'program:issuance', -40, '2026-03-05'],
    ['c1', 'p3', 'program:redemption', 30, '2026-03-06'],
    ['c4', 'p4', 'program:expired', 5, '2026-03-08'],
    ['c2', 'p5', 'program:issuance', -7, '2026-03-10'],
    ['c2', 'p5', 'member:c2:points', 7, '2026-03-10'],
  ];
  let leg = 0;
  for (const [customer, entry, account, delta, day] of postings) {
    await sql.query(
      `INSERT INTO posting (customer_id, entry_id, leg, account, delta, kind, origin, terminal_id, epoch, seq, posted_at) VALUES ($1, $2, $3, $4, $5, 'earn', 'terminal', 't-hand', 1, 1, $6)`,
      [customer, entry, leg++, account, delta, at(day)],
    );
  }
  const incidents: [string, string, string, string][] = [
    ['c1', 'i1', 'paris-11', '2026-03-03'],
    ['c2', 'i2', 'paris-11', '2026-03-04'],
    ['c4', 'i3', 'lyon-2', '2026-03-10'],
  ];
  const kinds: Record<string, string> = { i1: 'waiting', i2: 'waiting', i3: 'product' };
  for (const [customer, incident, store, day] of incidents) {
    await sql.query(
      `INSERT INTO customer_incident (customer_id, incident_id, store_id, terminal_id, kind, severity, channel, opened_at, status) VALUES ($1, $2, $3, 't-hand', $4, 1, 'counter', $5, 'open')`,
      [customer, incident, store, kinds[incident], at(day)],
    );
  }
}

function dashboardChecks(name: string, start: () => Promise<TestHq>, stopServer: () => Promise<void>) {
  describe(`the dashboard API (${name})`, () => {
    let hq: TestHq;
    let marketing: StaffClient;
    beforeAll(async () => {
      hq = await start();
      await seedByHand(hq);
      marketing = await staffClient(hq, 'marketing', `marketing-dashboard-${name.toLowerCase()}`);
    }, 90_000);
    afterAll(async () => {
      await hq?.stop();
      await stopServer();
    }, 30_000);

    const march = 'from=2026-03-01&to=2026-03-31';

    it('value concentration: the share of revenue the top customers bring, for the range and the store asked', async () => {
      const chain = await marketing.get(`/v1/dashboard/concentration?${march}`);
      expect(chain.status).toBe(200);
      // 200 € from five customers; the top 20 % (one customer) bring 100 €; c5's 2025 visit is outside the range.
      expect(chain.json.facts).toEqual({ customers: 5, revenue: 200, top20Share: 0.5 });
      expect(chain.json.rows).toHaveLength(21);
      expect(chain.json.rows[0]).toEqual({ customerShare: 0, revenueShare: 0 });
      expect(chain.json.rows[8]).toEqual({ customerShare: 0.4, revenueShare: 0.75 });
      expect(chain.json.rows[20]).toEqual({ customerShare: 1, revenueShare: 1 });
      // Paris 11 alone: 175 € from three customers; the top 20 % of three rounds to one: 100/175.
      const paris = await marketing.get(`/v1/dashboard/concentration?${march}&store=paris-11`);
      expect(paris.json.facts).toEqual({ customers: 3, revenue: 175, top20Share: 0.5714 });
    });

    it('tiers over time: rank by rolling 12-month spend at each month end, 20 % gold, 60 % basic, 20 % occasional', async () => {
      const answer = await marketing.get('/v1/dashboard/tiers?from=2026-01-01&to=2026-03-31');
      expect(answer.status).toBe(200);
      expect(answer.json.columns).toEqual(['month', 'gold', 'basic', 'occasional']);
      // January and February: c5 alone has spent in the 12 months before (June 2025): one customer of one is in the last 20 %.
      // March: five customers, one gold (c5, 510 €), three basic, one occasional.
      expect(answer.json.rows).toEqual([
        { month: '2026-01', gold: 0, basic: 0, occasional: 1 },
        { month: '2026-02', gold: 0, basic: 0, occasional: 1 },
        { month: '2026-03', gold: 1, basic: 3, occasional: 1 },
      ]);
    });

    it('points issued, redeemed and expired per week, net, for the whole chain or one store', async () => {
      const chain = await marketing.get(`/v1/dashboard/points?from=2026-03-02&to=2026-03-15`);
      expect(chain.json.rows).toEqual([
        { week: '2026-03-02', issued: 100, redeemed: 30, expired: 5 },
        { week: '2026-03-09', issued: 7, redeemed: 0, expired: 0 },
      ]);
      const lyon = await marketing.get(`/v1/dashboard/points?from=2026-03-02&to=2026-03-15&store=lyon-2`);
      expect(lyon.json.rows).toEqual([
        { week: '2026-03-02', issued: 40, redeemed: 0, expired: 5 },
        { week: '2026-03-09', issued: 0, redeemed: 0, expired: 0 },
      ]);
    });

    it('incidents by kind and week, every week of the range listed', async () => {
      const chain = await marketing.get(`/v1/dashboard/incidents?from=2026-03-02&to=2026-03-22`);
      expect(chain.json.columns).toEqual(['week', 'product', 'waiting']);
      expect(chain.json.rows).toEqual([
        { week: '2026-03-02', product: 0, waiting: 2 },
        { week: '2026-03-09', product: 1, waiting: 0 },
        { week: '2026-03-16', product: 0, waiting: 0 },
      ]);
      const paris = await marketing.get(`/v1/dashboard/incidents?from=2026-03-02&to=2026-03-08&store=paris-11`);
      expect(paris.json.rows).toEqual([{ week: '2026-03-02', waiting: 2 }]);
    });

    it('every chart has its CSV: the same table, header first', async () => {
      const csv = await marketing.get(`/v1/dashboard/points.csv?from=2026-03-02&to=2026-03-15`);
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
      expect(csv.headers.get('content-disposition')).toBe('attachment; filename="fidele-points-2026-03-02-2026-03-15.csv"');
      expect(csv.text).toBe('week,issued,redeemed,expired\r\n2026-03-02,100,30,5\r\n2026-03-09,7,0,0\r\n');
    });

    it('refuses a bad range, a bad store and a store filter where the chart is the whole chain, with the reason', async () => {
      const cases: [string, RegExp][] = [
        ['/v1/dashboard/points?from=2026-02-30', /from must be a calendar date/],
        ['/v1/dashboard/points?from=2026-03-10&to=2026-03-01', /is after to/],
        ['/v1/dashboard/points?from=2010-01-01&to=2026-03-01', /longer than/],
        ['/v1/dashboard/points?store=Paris%2011', /store is a store id/],
        ['/v1/dashboard/palive?store=paris-11', /whole chain/],
        [`/v1/dashboard/calibration?${march}&calibrationEnd=2026-04-02`, /calibrationEnd 2026-04-02 must be/],
      ];
      for (const [path, message] of cases) {
        const answer = await marketing.get(path);
        expect(answer.status, path).toBe(400);
        expect(answer.json.error.message, path).toMatch(message);
      }
    });

    it('is for the roles that see aggregates (marketing, admin): not customer service, not IT, not a visitor', async () => {
      const admin = await staffClient(hq, 'admin', `admin-dashboard-${name.toLowerCase()}`);
      expect((await admin.get('/v1/dashboard/concentration')).status).toBe(200);
      const itStaff = await staffClient(hq, 'it', `it-dashboard-${name.toLowerCase()}`);
      expect((await itStaff.get('/v1/dashboard/concentration')).status).toBe(403);
      const service = await staffClient(hq, 'service', `service-dashboard-${name.toLowerCase()}`);
      expect((await service.get('/v1/dashboard/concentration')).status).toBe(403);
      expect((await hq.get('/v1/dashboard/concentration')).status).toBe(401);
    });

    it('on the generated history: segments over runs, flows, P(alive) and the calibration plot against the holdout', async () => {
      await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: 300 });
      const today = new Date(hq.clock.value).toISOString().slice(0, 10);
      const weekAgo = hq.clock.value - 7 * 86_400_000;
      const now = hq.clock.value;
      hq.clock.value = weekAgo;
      expect((await valueScheduler(hq.ctx).run('manual')).status).toBe('ok');
      hq.clock.value = now;
      const run = await valueScheduler(hq.ctx).run('manual');
      expect(run.status).toBe('ok');

      const segments = await marketing.get(`/v1/dashboard/segments?from=2024-01-01&to=${today}`);
      expect(segments.json.rows).toHaveLength(2);
      const last = segments.json.rows[1];
      expect(last.asOf).toBe(run.asOf);
      for (const [segment, n] of Object.entries(run.segments!)) expect(last[segment], segment).toBe(n);

      const flows = await marketing.get(`/v1/dashboard/flows?from=2024-01-01&to=${today}`);
      expect(flows.json.facts.asOf).toBe(run.asOf);
      expect(flows.json.rows.reduce((s: number, r: { members: number }) => s + r.members, 0)).toBe(run.scored);

      const palive = await marketing.get(`/v1/dashboard/palive?from=2024-01-01&to=${today}`);
      expect(palive.json.rows).toHaveLength(10);
      expect(palive.json.rows.reduce((s: number, r: { customers: number }) => s + r.customers, 0)).toBe(run.customers);

      const from = new Date(hq.clock.value - 730 * 86_400_000).toISOString().slice(0, 10);
      const calibration = await marketing.get(`/v1/dashboard/calibration?from=${from}&to=${today}`);
      expect(calibration.status, JSON.stringify(calibration.json)).toBe(200);
      const rows = calibration.json.rows as { week: number; actual: number; bgnbd: number }[];
      expect(rows.length).toBeGreaterThan(90);
      // Cumulative counts never go down, and the fitted model follows the actual purchases within 15 % at the end.
      expect(rows.every((r, i) => i === 0 || r.actual >= rows[i - 1]!.actual)).toBe(true);
      const end = rows[rows.length - 1]!;
      expect(Math.abs(end.bgnbd - end.actual) / end.actual).toBeLessThan(0.15);
      expect(calibration.json.facts.calibrationWeek).toBeGreaterThan(1);
    }, 120_000);
  });
}

const postgres = postgresUnavailable();
let cluster: PostgresCluster | null = null;
const backends: [string, boolean, () => Promise<TestHq>][] = [
  ['PGlite', false, () => startTestHq()],
  [
    'PostgreSQL',
    postgres !== null,
    async () => {
      cluster = await startPostgresCluster();
      return startTestHq({ databaseUrl: cluster.url('postgres') });
    },
  ],
];
for (const [name, skip, open] of backends) describe.skipIf(skip)(`on ${name}`, () => dashboardChecks(name, open, async () => cluster?.stop()));
