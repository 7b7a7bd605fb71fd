import { describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { demoCards, seedDemoHistory, type DemoHistory, type DemoVisit } from '../../src/main/core/seed/demo-history';
import { seedDemoMembers } from '../../src/main/core/seed/demo-members';
import { purgeUnseenMembers, UNSEEN_MEMBERS_DAYS } from '../../src/main/core/privacy/retention';
import { applyTiers } from '../../src/main/core/tiers/tier-store';
import { testConfig } from '../fakes/known-members';

const NOW = Date.UTC(2026, 10, 22, 15);
const DAY_MS = 86_400_000;

async function seededStore(seed: number, count = 400, hooks?: Parameters<typeof seedDemoHistory>[0]['hooks']): Promise<{ core: Core; history: DemoHistory }> {
  let at: number | null = null;
  const core = createCore({ dbPath: ':memory:', config: testConfig(), shell: 'browser', clock: { now: () => at ?? NOW }, random: seededRandom(5), logger: silentLogger });
  seedDemoMembers(core.members, { count, seed, now: NOW });
  const history = seedDemoHistory({ db: core.db, ledger: core.ledger, lookups: core.lookups, setNow: (t) => (at = t), seed, now: NOW, hooks });
  await core.start();
  return { core, history };
}

function balances(core: Core): Map<string, number> {
  const ids = core.db.prepare('SELECT id FROM member ORDER BY id').pluck().all() as string[];
  return new Map(ids.map((id) => [id, core.ledger.points(id).balance]));
}

/** The member's visit days, oldest first, from the ledger. */
function visitDaysOf(core: Core, memberId: string): number[] {
  return core.loyalty
    .visits(memberId, 500)
    .map((v) => Math.floor(Number(v.at) / DAY_MS))
    .sort((a, b) => a - b);
}

const cardOf = (core: Core, memberId: string) => core.members.summary(memberId)!.cardNumber;

describe('the demo store has two years of past', () => {
  it('gives its members real sales in steady and unsteady rhythms, rewards taken, through the ledger', async () => {
    const visits: DemoVisit[] = [];
    const { core, history } = await seededStore(20261122, 400, { afterSale: (v) => visits.push(v) });
    expect(Object.keys(history.rhythms).sort()).toEqual(['fortnightly', 'irregular', 'lapsed', 'monthly', 'new', 'occasional', 'returning', 'weekly']);
    expect(history.members).toBeGreaterThan(60);
    expect(history.rewards).toBeGreaterThan(0);
    // The hook saw every sale, at its time, in time order.
    expect(visits).toHaveLength(history.sales);
    expect(visits.map((v) => v.at)).toEqual([...visits.map((v) => v.at)].sort((a, b) => a - b));
    // The journal the sales went into verifies at start: nothing was written around the ledger.
    expect(core.ledger.integrity().state).toBe('verified');
    // Two years of it, none in the future.
    expect(Math.min(...visits.map((v) => v.at))).toBeLessThan(NOW - 600 * DAY_MS);
    expect(Math.min(...visits.map((v) => v.at))).toBeGreaterThanOrEqual(NOW - 731 * DAY_MS);
    expect(Math.max(...visits.map((v) => v.at))).toBeLessThan(NOW);

    const of = (rhythm: DemoVisit['rhythm']) => visits.find((v) => v.rhythm === rhythm)!.memberId;
    const weekly = visitDaysOf(core, of('weekly'));
    expect(weekly.length).toBeGreaterThan(30);
    const gaps = weekly.slice(1).map((d, i) => d - weekly[i]!);
    expect(gaps.filter((g) => g >= 5 && g <= 9).length / gaps.length).toBeGreaterThan(0.8);
    const today = Math.floor(NOW / DAY_MS);
    const lapsed = visitDaysOf(core, of('lapsed'));
    expect(today - lapsed[lapsed.length - 1]!).toBeGreaterThanOrEqual(118);
    const back = visitDaysOf(core, of('returning'));
    expect(today - back[back.length - 1]!).toBeLessThanOrEqual(6);
    expect(Math.max(...back.slice(1).map((d, i) => d - back[i]!))).toBeGreaterThanOrEqual(230);

    // Points in lots that expire, as the sale path made them.
    const withPoints = [...balances(core)].filter(([, b]) => b > 0);
    expect(withPoints.length).toBeGreaterThan(history.members / 2);
    const [memberId] = withPoints[0]!;
    const lots = core.ledger.expiring(memberId);
    expect(lots.reduce((sum, lot) => sum + lot.points, 0)).toBe(core.ledger.points(memberId).balance);
    await core.close();
  });

  it('spends most vouchers the sales issued at a later visit, through the ledger', async () => {
    const { core, history } = await seededStore(20261122, 400);
    const rows = core.db.prepare('SELECT status, count(*) AS n FROM voucher GROUP BY status').all() as { status: string; n: number }[];
    const used = rows.find((r) => r.status === 'used')?.n ?? 0;
    expect(history.vouchers).toBeGreaterThan(0);
    expect(used).toBe(history.vouchers);
    // Some still open: the ones issued lately, offered at the member's next visit.
    expect(rows.find((r) => r.status === 'open')?.n ?? 0).toBeGreaterThan(0);
    await core.close();
  });

  it('scans each visitor’s card, so the retention pass keeps every member seen in three years', async () => {
    const visits: DemoVisit[] = [];
    const { core } = await seededStore(20261122, 400, { afterSale: (v) => visits.push(v) });
    core.lookups.flush();
    // As once the terminal has pushed them to HQ: nothing waits in the outboxes to hold members here.
    core.db.exec('DELETE FROM member_outbox; DELETE FROM member_consent_outbox');
    const lastVisit = new Map(visits.map((v) => [v.memberId, v.at]));
    const before = core.db.prepare('SELECT id, created_at AS createdAt FROM member').all() as { id: string; createdAt: number }[];
    purgeUnseenMembers(core.db, null, UNSEEN_MEMBERS_DAYS, NOW);
    const kept = new Set(core.db.prepare('SELECT id FROM member').pluck().all() as string[]);
    const cutoff = NOW - UNSEEN_MEMBERS_DAYS * DAY_MS;
    const seen = before.filter((m) => m.createdAt >= cutoff || (lastVisit.get(m.id) ?? 0) >= cutoff);
    expect(seen.filter((m) => !kept.has(m.id))).toEqual([]);
    // The weekly regulars who joined four years ago are among those kept.
    expect(visits.some((v) => v.rhythm === 'weekly' && before.find((m) => m.id === v.memberId)!.createdAt < cutoff)).toBe(true);
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

  it('names a card per rhythm for the start banner, with the tier once HQ has sent it', async () => {
    const { core } = await seededStore(12, 12);
    const cards = demoCards(core);
    expect(cards.map((c) => c.note)).toEqual([
      'chaque semaine, même jour',
      'toutes les deux semaines',
      'par à-coups, irrégulier',
      'revenu après des mois d’absence',
      'habitué qui ne vient plus',
      'inscrit ces dernières semaines',
      'une grosse course par mois',
    ]);
    expect(cards.every((c) => /^\d{13}$/.test(c.cardNumber) && c.name.includes(' '))).toBe(true);
    const weekly = core.db.prepare('SELECT id FROM member').pluck().all().find((id) => cardOf(core, id as string) === cards[0]!.cardNumber) as string;
    applyTiers(core.db, [{ memberId: weekly, tier: 'gold', label: { fr: 'Or', en: 'Gold' }, next: null, rankedAt: NOW }], [], NOW);
    expect(demoCards(core)[0]!.note).toBe('chaque semaine, même jour, Or');
    await core.close();
  });
});
