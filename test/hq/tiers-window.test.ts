import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTierRanking, WINDOW_DAYS } from '../../src/hq/programme/ranking';
import { localDay } from '../../src/hq/value/nightly';
import { DEFAULT_TIER_POLICY } from '../../src/shared/programme/tiers';
import { postgresUnavailable, startPostgresCluster } from '../fakes/postgres-cluster';
import { startTestHq, type TestHq } from './hq-fixture';

/**
 * The ranking's 52 weeks are local days (src/hq/programme/ranking.ts): the
 * statement bounds them by instants, local midnights computed once per run,
 * rather than converting each entry's time to a day. Entries a millisecond
 * either side of each edge, and of week edges on both sides of the autumn
 * clock change (a bound at a fixed UTC offset misplaces one of them), land in
 * the week their Paris calendar day says, as the value run's visits read them;
 * a net amount that is not a number or below 0 counts the visit and no spend.
 */
const TZ = 'Europe/Paris';
const AS_OF = '2026-11-18';
const DAY_MS = 86_400_000;
/** Local midnight in Paris, as an instant: CET (UTC+1) from 25 October 2026, CEST (UTC+2) before. */
const parisMidnight = (day: string) => {
  const utc = Date.parse(`${day}T00:00:00Z`);
  return utc - (day >= '2026-10-25' || day < '2026-03-29' ? 3_600_000 : 7_200_000);
};
const dayOffset = (day: string, days: number) => new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** [member, instant, net cents (or what a terminal sent)]. */
const ENTRIES: [string, number, unknown][] = [
  // The window's end: the last millisecond of the as-of day is in, the next day's first is not.
  ['edge-end', parisMidnight(dayOffset(AS_OF, 1)) - 1, 1_000],
  ['edge-end', parisMidnight(dayOffset(AS_OF, 1)), 50_000],
  // Its start, 364 days back: local midnight of that day is in (week 51), a millisecond before is not.
  ['edge-start', parisMidnight(dayOffset(AS_OF, 1 - WINDOW_DAYS)), 2_000],
  ['edge-start', parisMidnight(dayOffset(AS_OF, 1 - WINDOW_DAYS)) - 1, 60_000],
  // Week edges (Thursdays' midnights) before and after the clock went back on Sunday 25 October.
  ['dst', parisMidnight('2026-10-22') - 1, 300],
  ['dst', parisMidnight('2026-10-22'), 400],
  ['dst', parisMidnight('2026-10-29') - 1, 500],
  ['dst', parisMidnight('2026-10-29'), 600],
  ['odd', parisMidnight('2026-06-04') + 10 * 3_600_000, '1200'],
  ['odd', parisMidnight('2026-07-09') + 10 * 3_600_000, -700],
  ['odd', parisMidnight('2026-07-09') + 11 * 3_600_000, 900],
];

function expected(member: string): { spend: number; weeks: number } {
  const asOf = Date.parse(`${AS_OF}T00:00:00Z`) / DAY_MS;
  let spend = 0;
  const weeks = new Set<number>();
  for (const [m, at, cents] of ENTRIES) {
    if (m !== member) continue;
    const ago = asOf - Date.parse(`${localDay(at, TZ)}T00:00:00Z`) / DAY_MS;
    if (ago < 0 || ago >= WINDOW_DAYS) continue;
    spend += typeof cents === 'number' ? Math.max(cents, 0) : 0;
    weeks.add(Math.floor(ago / 7));
  }
  return { spend, weeks: weeks.size };
}

function windowChecks(name: string, start: () => Promise<{ hq: TestHq; stop: () => Promise<void> }>) {
  describe(`the ranking's window on local days (${name})`, () => {
    let running: { hq: TestHq; stop: () => Promise<void> };
    beforeAll(async () => {
      running = await start();
    }, 90_000);
    afterAll(() => running?.stop(), 30_000);

    it('counts each entry in the week of its local day, to the millisecond, across the clock change', async () => {
      const { sql } = running.hq.ctx;
      const members = [...new Set(ENTRIES.map(([m]) => m))];
      for (const m of members) await sql.query('INSERT INTO member (customer_id, record, change_version) VALUES ($1, NULL, 1)', [m]);
      for (const [i, [m, at, cents]] of ENTRIES.entries()) {
        await sql.query(
          `INSERT INTO journal_entry (terminal_id, epoch, seq, entry_id, group_id, kind, schema_version, member_id, wall_time, offline, entry, prev_hash, entry_hash, ingested_at)
           VALUES ('t-window', 1, $1, $2, $2, 'earn', 1, $3, $4, false, $5::jsonb, 'x', 'x', $4)`,
          [i + 1, `window-${i}`, m, at, JSON.stringify({ kind: 'earn', member_id: m, wall_time: at, detail: { net_cents: cents } })],
        );
      }
      await runTierRanking(running.hq.ctx, DEFAULT_TIER_POLICY, { timeZone: TZ, asOf: AS_OF });
      const rows = await sql.query<{ customer_id: string; spend_cents: string | number; regular_weeks: number }>(
        'SELECT customer_id, spend_cents, regular_weeks FROM member_tier ORDER BY customer_id',
      );
      const measured = Object.fromEntries(rows.map((r) => [r.customer_id, { spend: Number(r.spend_cents), weeks: Number(r.regular_weeks) }]));
      expect(measured).toEqual(Object.fromEntries(members.sort().map((m) => [m, expected(m)])));
      // The edges are where they should be: what the model says is not vacuous.
      expect(measured).toMatchObject({ 'edge-end': { spend: 1_000, weeks: 1 }, 'edge-start': { spend: 2_000, weeks: 1 }, dst: { spend: 1_800, weeks: 3 }, odd: { spend: 900, weeks: 2 } });
    });
  });
}

windowChecks('PGlite', async () => {
  const hq = await startTestHq();
  return { hq, stop: () => hq.stop() };
});

describe.skipIf(postgresUnavailable() !== null)('on PostgreSQL', () => {
  windowChecks('PostgreSQL', async () => {
    const cluster = await startPostgresCluster();
    const hq = await startTestHq({ databaseUrl: cluster.url('postgres') });
    return { hq, stop: async () => (await hq.stop(), cluster.stop()) };
  });
});
