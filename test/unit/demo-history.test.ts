import { describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { seedDemoHistory } from '../../src/main/core/seed/demo-history';
import { seedDemoMembers } from '../../src/main/core/seed/demo-members';
import { testConfig } from '../fakes/known-members';

const NOW = Date.UTC(2026, 10, 22, 15);
const DAY_MS = 86_400_000;

async function seededStore(seed: number): Promise<{ core: Core; history: { members: number; sales: number } }> {
  let at: number | null = null;
  const core = createCore({ dbPath: ':memory:', config: testConfig(), shell: 'browser', clock: { now: () => at ?? NOW }, random: seededRandom(5), logger: silentLogger });
  seedDemoMembers(core.members, { count: 400, seed, now: NOW });
  const history = seedDemoHistory({ db: core.db, ledger: core.ledger, setNow: (t) => (at = t), seed, now: NOW });
  await core.start();
  return { core, history };
}

function balances(core: Core): Map<string, number> {
  const ids = core.db.prepare('SELECT id FROM member ORDER BY id').pluck().all() as string[];
  return new Map(ids.map((id) => [id, core.ledger.points(id).balance]));
}

describe('the demo store has a past', () => {
  it('gives a share of members months of real sales: balances, lots that expire, visits', async () => {
    const { core, history } = await seededStore(20261122);
    expect(history.members).toBeGreaterThan(60);
    expect(history.sales).toBeGreaterThanOrEqual(history.members * 2);
    // The journal the sales went into verifies at start: nothing was written around the ledger.
    expect(core.ledger.integrity().state).toBe('verified');
    const withPoints = [...balances(core)].filter(([, b]) => b > 0);
    expect(withPoints.length).toBe(history.members);
    const [memberId] = withPoints[0]!;
    const visits = core.loyalty.visits(memberId, 20);
    expect(visits.length).toBeGreaterThanOrEqual(2);
    // Sales at their own time, in the past months, none in the future.
    for (const v of visits) expect(Number(v.at)).toBeLessThan(NOW);
    expect(Math.min(...visits.map((v) => Number(v.at)))).toBeLessThan(NOW - 30 * DAY_MS);
    const lots = core.ledger.expiring(memberId);
    expect(lots.length).toBeGreaterThan(0);
    expect(lots.reduce((sum, lot) => sum + lot.points, 0)).toBe(core.ledger.points(memberId).balance);
    await core.close();
  });

  it('is the same history for the same seed', async () => {
    const a = await seededStore(7);
    const b = await seededStore(7);
    expect(b.history).toEqual(a.history);
    expect([...balances(b.core)]).toEqual([...balances(a.core)]);
    await a.core.close();
    await b.core.close();
  });
});
