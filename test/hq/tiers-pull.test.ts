import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTierRanking } from '../../src/hq/programme/ranking';
import { seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { DEFAULT_TIER_POLICY } from '../../src/shared/programme/tiers';
import { MemberTier } from '../../src/shared/tiers/member-tier';
import { postgresUnavailable, startPostgresCluster } from '../fakes/postgres-cluster';
import { startTestHq, TestTerminal, type Json, type TestHq } from './hq-fixture';

/**
 * The nightly ranking's tiers reach a store's terminals in the pull (issue 14
 * item 3): `tier:<memberId>` in the store bucket for the store's members only,
 * with the programme's labels and what is left to reach the tier above, sent
 * again after each run and not in between. PGlite and a PostgreSQL server.
 */
const TZ = 'Europe/Paris';
const P = DEFAULT_TIER_POLICY;
type Cookies = { program: string | null; store: string | null; terminal: string | null };

function pullChecks(name: string, start: () => Promise<{ hq: TestHq; stop: () => Promise<void> }>) {
  describe(`tiers in the pull (${name})`, () => {
    let running: { hq: TestHq; stop: () => Promise<void> };
    let hq: TestHq;
    let till: TestTerminal;
    let cookies: Cookies = { program: null, store: null, terminal: null };
    const pull = async (): Promise<Json> => {
      const answer = await hq.post(
        '/v1/pull',
        till.signed({ protocolVersion: 1, terminalId: till.terminalId, epoch: 1, cookies, ackedThroughSeq: 0, sentAt: hq.clock.value }),
      );
      expect(answer.status, JSON.stringify(answer.json)).toBe(200);
      const store = answer.json.buckets.find((b: { bucket: string }) => b.bucket === 'store');
      cookies = Object.fromEntries(answer.json.buckets.map((b: { bucket: string; cookie: string }) => [b.bucket, b.cookie])) as Cookies;
      return store;
    };
    const tierPuts = (store: Json): Array<{ key: string; value: MemberTier }> => store.puts.filter((p: { key: string }) => p.key.startsWith('tier:'));

    beforeAll(async () => {
      running = await start();
      hq = running.hq;
      await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: 120 });
      till = new TestTerminal('caisse-tiers-1', 'paris-11');
      await till.enrol(hq);
    }, 90_000);
    afterAll(async () => {
      till?.close();
      await running?.stop();
    }, 30_000);

    it('before any ranking: no tier item (the terminal holds everyone in the entry tier)', async () => {
      const store = await pull();
      expect(store.puts.filter((p: { key: string }) => p.key.startsWith('member:')).length).toBeGreaterThan(10);
      expect(tierPuts(store)).toEqual([]);
    });

    it('after a run: every member of the store with its tier, labels and gap to the next; nothing again until the next run', async () => {
      await runTierRanking(hq.ctx, P, { timeZone: TZ });
      const puts = tierPuts(await pull());
      const store = await hq.ctx.sql.query<{ customer_id: string }>(
        "SELECT s.customer_id FROM member_store s JOIN member m ON m.customer_id = s.customer_id WHERE s.store_id = 'paris-11' AND m.record IS NOT NULL ORDER BY s.customer_id",
      );
      expect(puts.map((p) => p.key)).toEqual(store.map((s) => `tier:${s.customer_id}`));
      const rows = await hq.ctx.sql.query<{ customer_id: string; tier: string; next_tier_gap_cents: string | number | null; ranked_at: string | number }>(
        'SELECT customer_id, tier, next_tier_gap_cents, ranked_at FROM member_tier',
      );
      const byId = new Map(rows.map((r) => [r.customer_id, r]));
      const labels = new Map(P.tiers.map((t) => [t.id, t.label]));
      const above = new Map(P.tiers.slice(1).map((t, i) => [t.id, P.tiers[i]!]));
      for (const { value } of puts) {
        expect(MemberTier.parse(value)).toEqual(value);
        const row = byId.get(value.memberId)!;
        expect(value).toMatchObject({ tier: row.tier, label: labels.get(row.tier), rankedAt: Number(row.ranked_at) });
        if (row.tier === 'gold') expect(value.next).toBeNull();
        else expect(value.next).toEqual({ tier: above.get(row.tier)!.id, label: above.get(row.tier)!.label, gapCents: Number(row.next_tier_gap_cents) });
      }
      expect(new Set(puts.map((p) => p.value.tier))).toEqual(new Set(['gold', 'basic', 'occasionnel']));
      // Members of the chain's other stores stay there.
      const elsewhere = await hq.ctx.sql.query<{ customer_id: string }>(
        "SELECT customer_id FROM member_store WHERE store_id <> 'paris-11' EXCEPT SELECT customer_id FROM member_store WHERE store_id = 'paris-11'",
      );
      expect(elsewhere.length).toBeGreaterThan(0);
      expect(puts.some((p) => elsewhere.some((e) => e.customer_id === p.value.memberId))).toBe(false);

      expect(tierPuts(await pull())).toEqual([]);
      await runTierRanking(hq.ctx, P, { timeZone: TZ });
      expect(tierPuts(await pull())).toHaveLength(store.length);
    });
  });
}

const backends = [
  { name: 'PGlite', unavailable: null as string | null, start: async () => { const hq = await startTestHq(); return { hq, stop: () => hq.stop() }; } },
  {
    name: 'PostgreSQL',
    unavailable: postgresUnavailable(),
    start: async () => {
      const cluster = await startPostgresCluster();
      const hq = await startTestHq({ databaseUrl: cluster.url('postgres') });
      return { hq, stop: async () => (await hq.stop(), cluster.stop()) };
    },
  },
];
for (const backend of backends) describe.skipIf(backend.unavailable !== null)(`on ${backend.name}`, () => pullChecks(backend.name, backend.start));
