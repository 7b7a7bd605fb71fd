import { afterEach, describe, expect, it } from 'vitest';
import { signCanonical } from '../../src/main/core/sync/signing';
import { tierOf } from '../../src/main/core/tiers/tier-store';
import type { MemberTier } from '../../src/shared/tiers/member-tier';
import { openSyncHarness, type SyncHarness } from './sync-harness';

/**
 * The store bucket's `tier:<memberId>` items at the terminal (issue 14 item 3):
 * kept in member_tier, read back as the screens and the receipt get them; a
 * malformed one refuses the whole pull, like a bad member, and nothing of it is
 * written. The fake HQ signs whatever store items the test adds.
 */
let s: SyncHarness;
afterEach(() => s?.close());

const TABLES = ['sync_state', 'sync_member_balance', 'sync_bucket_item', 'member', 'member_card', 'member_tier'];
const snapshot = (x: SyncHarness) => JSON.stringify(TABLES.map((t) => x.h.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));

const gold = { fr: 'Or', en: 'Gold' };
const basic = { fr: 'Essentiel', en: 'Basic' };

function tierItem(memberId: string, over: Partial<MemberTier> = {}): MemberTier {
  return { memberId, tier: 'basic', label: basic, next: { tier: 'gold', label: gold, gapCents: 4_150 }, rankedAt: Date.UTC(2026, 10, 20, 2), ...over };
}

/** HQ's store bucket with these items added, signed again by HQ's key. */
function sendItems(x: SyncHarness, items: Array<{ key: string; value: unknown }>): void {
  x.hq.tamperPull = (signed) => {
    const { signature: _signature, keyId: _keyId, ...body } = signed;
    const buckets = (body.buckets as Array<{ bucket: string; puts: unknown[] }>).map((b) => (b.bucket === 'store' ? { ...b, puts: [...b.puts, ...items] } : b));
    const withKey = { ...body, buckets, keyId: x.hq.hq.keyId };
    return { ...withKey, signature: signCanonical(x.hq.hq.privateKey, withKey) };
  };
}

describe('tiers in the pull, at the terminal', () => {
  it('keeps each member’s tier, its labels and the gap to the next; a member HQ has sent none for is basic', async () => {
    s = await openSyncHarness();
    const { claire, helene } = s.h.members;
    const claireTier = tierItem(claire.id);
    const heleneTier = tierItem(helene.id, { tier: 'gold', label: gold, next: null });
    sendItems(s, [
      { key: `tier:${claire.id}`, value: claireTier },
      { key: `tier:${helene.id}`, value: heleneTier },
    ]);
    expect(await s.sync.pull()).toMatchObject({ ok: true });
    expect(tierOf(s.h.db, claire.id)).toEqual(claireTier);
    expect(tierOf(s.h.db, helene.id)).toEqual(heleneTier);
    // Kept in the tier table, not as an unknown item.
    expect(s.h.db.prepare("SELECT count(*) AS n FROM sync_bucket_item WHERE key LIKE 'tier:%'").get()).toEqual({ n: 0 });
    expect(tierOf(s.h.db, 'never-ranked')).toEqual({ memberId: 'never-ranked', tier: 'basic', label: basic, next: null, rankedAt: null });

    // The next night: Claire passed gold.
    s.hq.pullVersion++;
    sendItems(s, [{ key: `tier:${claire.id}`, value: { ...claireTier, tier: 'gold', label: gold, next: null } }]);
    expect(await s.sync.pull()).toMatchObject({ ok: true });
    expect(tierOf(s.h.db, claire.id)).toMatchObject({ tier: 'gold', next: null });
  });

  it('refuses the whole pull for a malformed tier item, and writes nothing of it', async () => {
    const claireId = (h: SyncHarness) => h.h.members.claire.id;
    const bad: Array<(id: string) => { key: string; value: unknown }> = [
      (id) => ({ key: `tier:${id}`, value: { ...tierItem(id), next: { tier: 'gold', label: gold, gapCents: 0 } } }),
      (id) => ({ key: `tier:${id}`, value: { ...tierItem(id), tier: 'Gold!' } }),
      (id) => ({ key: `tier:${id}`, value: { ...tierItem(id), label: { fr: 'Or' } } }),
      (id) => ({ key: `tier:${id}`, value: { ...tierItem(id), points: 12 } }),
      (id) => ({ key: `tier:${id}`, value: { ...tierItem(id), next: { tier: 'gold', label: gold } } }),
      (id) => ({ key: `tier:${id}`, value: 'gold' }),
      (id) => ({ key: `tier:${id}`, value: tierItem('someone-else') }),
    ];
    for (const item of bad) {
      s?.close();
      s = await openSyncHarness();
      const id = claireId(s);
      // A good item and a member come in the same response: neither is written either.
      s.hq.members = [{ memberId: 'm-hq-1', firstName: 'Léa', lastName: 'Martin', email: 'm-hq-1@example.com', phone: '+33611223344', locale: 'fr', cards: ['2999000000012'], createdAt: Date.UTC(2025, 0, 2) }];
      sendItems(s, [{ key: `tier:${s.h.members.helene.id}`, value: tierItem(s.h.members.helene.id) }, item(id)]);
      const before = snapshot(s);
      const outcome = await s.sync.pull();
      expect(outcome, JSON.stringify([item(id), outcome])).toMatchObject({ ok: false, code: 'invalid' });
      expect(snapshot(s)).toBe(before);
      expect(tierOf(s.h.db, s.h.members.helene.id).rankedAt).toBeNull();
    }
  });
});
