import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTierRanking } from '../../src/hq/programme/ranking';
import { startHq, type Hq } from '../../src/hq/server';
import { seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { tierOf } from '../../src/main/core/tiers/tier-store';
import { DEFAULT_TIER_POLICY } from '../../src/shared/programme/tiers';
import { WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * HQ's nightly ranking reaches a store's terminal through the real pull: each
 * member of the store with the tier and the gap HQ wrote, the members of other
 * stores not at all, and a member no run has ranked in the entry tier.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-tiers-'));
let hq: Hq;
let till: Terminal;

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(14), logger: silentLogger, maintenanceIntervalMs: 0, valueCheckIntervalMs: 0 });
  till = await openTerminal(hq, 'caisse-paris-1', 'paris-11', 214);
  await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: 150 });
}, 60_000);

afterAll(async () => {
  till?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('tiers from HQ’s ranking at the store’s terminal', () => {
  it('stores every store member’s tier and gap as HQ ranked them; other stores’ members stay there', async () => {
    await runTierRanking(hq.ctx, DEFAULT_TIER_POLICY, { timeZone: 'Europe/Paris' });
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    const ranked = await hq.ctx.sql.query<{ customer_id: string; tier: string; next_tier_gap_cents: string | number | null; here: boolean }>(
      `SELECT t.customer_id, t.tier, t.next_tier_gap_cents,
              EXISTS (SELECT 1 FROM member_store s WHERE s.customer_id = t.customer_id AND s.store_id = 'paris-11') AS here
       FROM member_tier t ORDER BY t.customer_id`,
    );
    const here = ranked.filter((r) => r.here);
    expect(here.length).toBeGreaterThan(20);
    expect(ranked.length).toBeGreaterThan(here.length);
    const stored = till.h.db.prepare('SELECT member_id FROM member_tier ORDER BY member_id').all() as { member_id: string }[];
    expect(stored.map((r) => r.member_id)).toEqual(here.map((r) => r.customer_id));
    for (const r of here) {
      const tier = tierOf(till.h.db, r.customer_id);
      expect(tier.tier).toBe(r.tier);
      expect(tier.next?.gapCents ?? null).toBe(r.next_tier_gap_cents === null ? null : Number(r.next_tier_gap_cents));
    }
    const gold = here.find((r) => r.tier === 'gold')!;
    expect(tierOf(till.h.db, gold.customer_id)).toMatchObject({ tier: 'gold', label: { fr: 'Or', en: 'Gold' }, next: null });
    const basic = here.find((r) => r.tier === 'basic')!;
    expect(tierOf(till.h.db, basic.customer_id).next).toMatchObject({ tier: 'gold', label: { en: 'Gold' } });
  });

  it('a member enrolled since the run is basic at the terminal', async () => {
    const enrolled = till.enrolCustomer({ firstName: 'Nina', lastName: 'Nouvelle', email: 'nina@example.com', phone: '+33612000999' });
    await till.outbox.flush();
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(tierOf(till.h.db, enrolled.member.id)).toMatchObject({ tier: 'basic', next: null, rankedAt: null });
  });
});
