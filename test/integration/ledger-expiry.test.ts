import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expiryEntryId } from '../../src/main/core/ledger/expiry';
import { line, openHarness, sale, WEDNESDAY_10H, type Harness } from './ledger-fixture';

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => h.close());

const DAY = 86_400_000;

describe('lots and expiry', () => {
  it('opens a lot per credit and tells how many points expire on which day', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(14400)])); // 120 points, 18 Nov 2026
    h.clock.value += 30 * DAY;
    h.ledger.commit(sale(claire, 'R-2', [line(6000)])); // 50 points, 18 Dec 2026
    h.clock.value += DAY;
    h.ledger.commit(sale(claire, 'R-3', [line(1200)])); // 10 points, 19 Dec 2026
    expect(h.ledger.expiring(claire)).toEqual([
      { expiresOn: '2027-11-18', points: 120 },
      { expiresOn: '2027-12-18', points: 50 },
      { expiresOn: '2027-12-19', points: 10 },
    ]);
  });

  it('spends the lots that expire first', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(14400)])); // 120 points
    h.clock.value += 30 * DAY;
    h.ledger.commit(sale(claire, 'R-2', [line(12000)])); // 100 points
    h.ledger.commit(sale(claire, 'R-3', [line(2000)], 150));
    // The 2000-cent sale paid 12.50 € after the discount: 10 points, in a lot of its own.
    expect(h.ledger.expiring(claire)).toEqual([{ expiresOn: '2027-12-18', points: 70 + 10 }]);
    const redeem = h.ledger.history(claire).find((e) => e.kind === 'redeem')!;
    const lots = redeem.detail.lots as Array<[string, number]>;
    expect(lots.map(([, n]) => n)).toEqual([120, 30]);
  });

  it('expires what is left of a lot the day after its last valid day, once', () => {
    const claire = h.members.claire.id;
    const first = h.ledger.commit(sale(claire, 'R-1', [line(14400)])); // 120, valid through 18 Nov 2027
    h.ledger.commit(sale(claire, 'R-2', [line(2400)], 100)); // spends 100 of them, earns 15
    h.clock.value = Date.UTC(2027, 10, 18, 22, 59); // 23:59 Paris on the last day
    expect(h.ledger.runExpiry()).toEqual({ lots: 0, points: 0, entries: [] });

    h.clock.value = Date.UTC(2027, 10, 18, 23, 0); // midnight
    const run = h.ledger.runExpiry();
    expect(run).toMatchObject({ lots: 2, points: 35 });
    const lotId = first.entries[0]!.entryId;
    expect(run.entries[0]!.entryId).toBe(expiryEntryId(lotId, '2027-11-18'));
    const expire = h.ledger.history(claire).find((e) => e.entry_id === run.entries[0]!.entryId)!;
    expect(expire).toMatchObject({ kind: 'expire', group_id: expire.entry_id, till_id: null, detail: { lot_id: lotId, expires_on: '2027-11-18', points: 20 } });
    expect(expire.postings).toEqual([
      { account: 'program:expired', delta: 20 },
      { account: `member:${claire}:points`, delta: -20 },
    ]);
    expect(h.ledger.points(claire).balance).toBe(0);
    expect(h.ledger.expiring(claire)).toEqual([]);

    const before = h.snapshot();
    expect(h.ledger.runExpiry()).toEqual({ lots: 0, points: 0, entries: [] });
    h.clock.value += 365 * DAY;
    expect(h.ledger.runExpiry().lots).toBe(0);
    expect(h.snapshot()).toBe(before);
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('works through many lots in batches', () => {
    const { claire, helene, zoe } = h.members;
    for (let i = 0; i < 30; i++) h.ledger.commit(sale([claire, helene, zoe][i % 3]!.id, `R-${i}`, [line(1200)]));
    h.clock.value = WEDNESDAY_10H + 400 * DAY;
    const run = h.ledger.runExpiry();
    expect(run).toMatchObject({ lots: 30, points: 300 });
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('can expire at the end of the following year', () => {
    h.reopen({ rules: { expiry: { mode: 'end_of_following_year' } } });
    const claire = h.members.claire.id;
    expect(h.ledger.commit(sale(claire, 'R-1', [line(1200)])).lotExpiresOn).toBe('2027-12-31');
    h.clock.value = Date.UTC(2027, 11, 31, 22, 59);
    expect(h.ledger.runExpiry().lots).toBe(0);
    h.clock.value = Date.UTC(2027, 11, 31, 23, 0);
    expect(h.ledger.runExpiry().points).toBe(10);
  });

  it('expires nothing a refund already took back', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(1200)]));
    h.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'R-1' }, lines: 'all' });
    h.clock.value += 400 * DAY;
    expect(h.ledger.runExpiry().lots).toBe(0);
  });
});
