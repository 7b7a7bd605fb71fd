import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/shared/contract';
import { line, openHarness, sale, type Harness, refusal } from './ledger-fixture';

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => h.close());


/** Gives a member points through ordinary sales (1 point per euro excluding 20 % VAT). */
function earn(memberId: string, points: number, receipt: string) {
  return h.ledger.commit(sale(memberId, receipt, [line(points * 120)]));
}

describe('sale preview', () => {
  it('computes the points and the redemption options without writing anything', () => {
    const claire = h.members.claire.id;
    earn(claire, 300, 'R-0');
    const before = h.snapshot();
    const preview = h.ledger.preview({ ...sale(claire, 'R-1', [line(2400), line(1200)]), payments: null });
    expect(preview).toMatchObject({
      memberId: claire,
      balance: 300,
      pending: 0,
      available: 300,
      pointsEarned: 30,
      netCents: 3600,
      eligibleCents: 3600,
      balanceAfter: 330,
      offline: false,
    });
    expect(preview.options).toMatchObject({ minimumPoints: 100, stepPoints: 1, maximumPoints: 300 });
    expect(preview.options.rewards.map((r) => [r.rewardId, r.affordable])).toEqual([
      ['cafe-offert', true],
      ['sac-cabas', false],
    ]);
    expect(h.snapshot()).toBe(before);
  });

  it('caps the redeemable points at what the eligible lines cost', () => {
    const claire = h.members.claire.id;
    earn(claire, 900, 'R-0');
    const preview = h.ledger.preview({ ...sale(claire, 'R-1', [line(1000), line(5000, { category: 'tobacco' })]), payments: null });
    // 10.00 € of groceries at 5 cents per point: 200 points at most; tobacco cannot be paid with points.
    expect(preview.options.maximumPoints).toBe(200);
  });
});

describe('sale commit', () => {
  it('writes the earning entry, the balance and a lot in one go', () => {
    const claire = h.members.claire.id;
    const result = h.ledger.commit(sale(claire, 'R-1', [line(2400), line(1200)]));
    expect(result).toMatchObject({
      tillId: 'till-1',
      receipt: 'R-1',
      memberId: claire,
      pointsEarned: 30,
      pointsRedeemed: 0,
      balanceBefore: 0,
      balanceAfter: 30,
      rulesVersion: 'fr-2026.1',
      lotExpiresOn: '2027-11-18',
    });
    expect(result.entries.map((e) => [e.seq, e.kind])).toEqual([[1, 'earn']]);
    expect(h.ledger.points(claire)).toEqual({ memberId: claire, balance: 30, pending: 0, available: 30, owed: 0 });
    expect(h.ledger.expiring(claire)).toEqual([{ expiresOn: '2027-11-18', points: 30 }]);
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('returns the first result when the same receipt is replayed with the same body, and writes nothing', () => {
    const claire = h.members.claire.id;
    const body = sale(claire, 'R-1', [line(2400)]);
    const first = h.ledger.commit(body);
    const before = h.snapshot();
    h.clock.value += 60_000;
    expect(h.ledger.commit(structuredClone(body))).toEqual(first);
    expect(h.snapshot()).toBe(before);
  });

  it('refuses the same receipt with another basket as a conflict, writing nothing', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(2400)]));
    const before = h.snapshot();
    const failure = refusal(() => h.ledger.commit(sale(claire, 'R-1', [line(2500)])), 'conflict');
    expect(failure.issues).toEqual([{ path: 'receipt', message: 'ledger.receipt_reused' }]);
    expect(h.snapshot()).toBe(before);
  });

  it('writes the redemption and the earning as one group, spending before earning, with no points on what points paid', () => {
    const claire = h.members.claire.id;
    earn(claire, 300, 'R-0');
    // 24.00 € with 100 points (5.00 €) off: points on the 19.00 € paid, excluding VAT: 15.83 → 15.
    const result = h.ledger.commit(sale(claire, 'R-1', [line(2400)], 100));
    expect(result).toMatchObject({ pointsEarned: 15, pointsRedeemed: 100, redemption: { points: 100, discountCents: 500 }, balanceBefore: 300, balanceAfter: 215 });
    expect(result.entries.map((e) => e.kind)).toEqual(['redeem', 'earn']);
    const [redeem, earned] = result.entries.map((e) => h.ledger.history(claire).find((x) => x.entry_id === e.entryId)!);
    expect(redeem!.group_id).toBe(earned!.group_id);
    expect(redeem!.group_id).toBe(result.saleId);
    expect(redeem!.postings).toEqual([
      { account: 'program:redemption', delta: 100 },
      { account: `member:${claire}:points`, delta: -100 },
    ]);
  });

  it('takes reward lines from the catalogue at their points and gives them no points', () => {
    const claire = h.members.claire.id;
    earn(claire, 200, 'R-0');
    const coffee = line(250, { rewardId: 'cafe-offert', discountCents: 250, category: 'cafe' });
    const result = h.ledger.commit(sale(claire, 'R-1', [line(1200), coffee]));
    expect(result).toMatchObject({ pointsEarned: 10, pointsRedeemed: 150, rewards: [{ rewardId: 'cafe-offert', quantity: 1, points: 150 }], balanceAfter: 60 });
  });

  it('records a visit that earns nothing as an earn entry without postings', () => {
    const zoe = h.members.zoe.id;
    const result = h.ledger.commit(sale(zoe, 'R-1', [line(1500, { category: 'gift_card', taxRateBp: 0 })]));
    expect(result.pointsEarned).toBe(0);
    expect(h.ledger.history(zoe)[0]!.postings).toEqual([]);
    expect(h.ledger.expiring(zoe)).toEqual([]);
  });
});

describe('refusals write nothing', () => {
  const cases: Array<[string, (m: string) => unknown, ErrorCode, string | null]> = [
    ['an unknown member', () => sale('01890000-0000-7000-8000-000000000000', 'R-9', [line(1200)]), 'not_found', 'ledger.member_unknown'],
    ['a negative quantity', (m) => sale(m, 'R-9', [line(1200, { quantity: -1 })]), 'bad_input', 'ledger.quantity_positive'],
    ['a fractional price', (m) => sale(m, 'R-9', [line(12.5)]), 'bad_input', 'ledger.integer_cents'],
    ['payments that do not add up', (m) => ({ ...sale(m, 'R-9', [line(1200)]), payments: [{ method: 'card', amountCents: 1100 }] }), 'bad_input', 'ledger.payments_mismatch'],
    ['an unknown tax rate', (m) => sale(m, 'R-9', [line(1200, { taxRateBp: 1960 })]), 'bad_input', 'ledger.tax_rate_unknown'],
    ['a discount above the price', (m) => sale(m, 'R-9', [line(1200, { discountCents: 1300 })]), 'bad_input', 'ledger.discount_exceeds_price'],
    ['twice the same line id', (m) => sale(m, 'R-9', [line(1200, { lineId: 'A' }), line(100, { lineId: 'A' })]), 'bad_input', 'ledger.line_id_duplicate'],
    ['an unknown reward', (m) => sale(m, 'R-9', [line(0, { rewardId: 'yacht' })]), 'bad_input', 'ledger.reward_unknown'],
    ['redeeming more than available', (m) => sale(m, 'R-9', [line(12000)], 400), 'conflict', 'ledger.insufficient_points'],
    ['redeeming below the minimum', (m) => sale(m, 'R-9', [line(1200)], 50), 'bad_input', 'ledger.redeem_below_minimum'],
    ['redeeming more than the basket can absorb', (m) => sale(m, 'R-9', [line(400)], 100), 'bad_input', 'ledger.redeem_exceeds_basket'],
    ['an empty basket', (m) => sale(m, 'R-9', []), 'bad_input', 'ledger.basket_empty'],
  ];

  it.each(cases)('refuses %s', (_name, body, code, key) => {
    const claire = h.members.claire.id;
    earn(claire, 300, 'R-0');
    const before = h.snapshot();
    const failure = refusal(() => h.ledger.commit(body(claire)), code);
    if (key) expect(failure.issues?.map((i) => i.message)).toContain(key);
    expect(h.snapshot()).toBe(before);
  });
});

describe('holds and voids', () => {
  it('counts points held by an unfinished sale as pending, so they cannot be spent twice', () => {
    const claire = h.members.claire.id;
    earn(claire, 300, 'R-0');
    const hold = h.ledger.hold({ tillId: 'till-1', receipt: 'R-1', memberId: claire, redeemPoints: 200 });
    expect(hold).toMatchObject({ points: 200, discountCents: 1000, availableAfter: 100 });
    expect(h.ledger.points(claire)).toMatchObject({ balance: 300, pending: 200, available: 100 });
    // Another till tries to spend the same balance meanwhile.
    refusal(() => h.ledger.commit({ ...sale(claire, 'R-2', [line(2400)], 200), tillId: 'till-2' }), 'conflict');
    // The sale that holds them commits.
    const result = h.ledger.commit(sale(claire, 'R-1', [line(2400)], 200));
    expect(result.pointsRedeemed).toBe(200);
    expect(h.ledger.points(claire)).toMatchObject({ pending: 0 });
  });

  it('voids an uncommitted sale without a trace', () => {
    const claire = h.members.claire.id;
    earn(claire, 300, 'R-0');
    const before = h.snapshot();
    h.ledger.hold({ tillId: 'till-1', receipt: 'R-1', memberId: claire, redeemPoints: 150 });
    expect(h.ledger.void({ tillId: 'till-1', receipt: 'R-1' })).toEqual({ releasedPoints: 150 });
    expect(h.ledger.points(claire)).toMatchObject({ pending: 0, available: 300 });
    expect(h.snapshot()).toBe(before);
    // The receipt number is still free.
    expect(h.ledger.commit(sale(claire, 'R-1', [line(1200)])).pointsEarned).toBe(10);
  });

  it('refuses to void a committed sale', () => {
    const claire = h.members.claire.id;
    earn(claire, 10, 'R-1');
    refusal(() => h.ledger.void({ tillId: 'till-1', receipt: 'R-1' }), 'conflict');
  });

  it('lets a hold lapse after its timeout on the monotonic clock', () => {
    const claire = h.members.claire.id;
    earn(claire, 300, 'R-0');
    h.ledger.hold({ tillId: 'till-1', receipt: 'R-1', memberId: claire, redeemPoints: 300 });
    h.mono.value += h.ledger.policy.holdTimeoutMs;
    expect(h.ledger.points(claire)).toMatchObject({ pending: 0, available: 300 });
  });

  it('holds rewards at their catalogue points', () => {
    const claire = h.members.claire.id;
    earn(claire, 400, 'R-0');
    const hold = h.ledger.hold({ tillId: 'till-1', receipt: 'R-1', memberId: claire, rewards: [{ rewardId: 'cafe-offert', quantity: 2 }] });
    expect(hold).toMatchObject({ points: 300, availableAfter: 100 });
    refusal(() => h.ledger.hold({ tillId: 'till-2', receipt: 'R-2', memberId: claire, redeemPoints: 101 }), 'conflict');
  });
});

describe('offline limits', () => {
  beforeEach(() => {
    h.reopen({
      policy: { offlineLimits: { maxPointsPerTransaction: 300, maxPointsPerMemberPerSession: 500, maxPointsPerTerminalSession: 700, maxOfflineDurationMs: 3_600_000 } },
    });
    for (const [i, m] of [h.members.claire, h.members.helene, h.members.zoe].entries()) earn(m.id, 1000, `R-seed-${i}`);
    h.ledger.setOffline(true);
  });

  it('still earns offline and flags the entries', () => {
    const result = earn(h.members.claire.id, 10, 'R-1');
    expect(h.ledger.history(h.members.claire.id).find((e) => e.entry_id === result.entries[0]!.entryId)!.offline).toBe(true);
  });

  it('refuses more than the per-transaction limit', () => {
    const before = h.snapshot();
    const failure = refusal(() => h.ledger.commit(sale(h.members.claire.id, 'R-1', [line(6000)], 301)), 'unavailable');
    expect(failure.issues).toEqual([{ path: 'redeemPoints', message: 'ledger.offline.per_transaction' }]);
    expect(h.snapshot()).toBe(before);
  });

  it('refuses past the per-member and per-terminal session limits', () => {
    const { claire, helene, zoe } = h.members;
    h.ledger.commit(sale(claire.id, 'R-1', [line(6000)], 300));
    const perMember = refusal(() => h.ledger.commit(sale(claire.id, 'R-2', [line(6000)], 201)), 'unavailable');
    expect(perMember.issues?.[0]!.message).toBe('ledger.offline.per_member');
    h.ledger.commit(sale(claire.id, 'R-3', [line(6000)], 200));
    const perTerminal = refusal(() => h.ledger.commit(sale(helene.id, 'R-4', [line(6000)], 300)), 'unavailable');
    expect(perTerminal.issues?.[0]!.message).toBe('ledger.offline.per_terminal');
    h.ledger.commit(sale(zoe.id, 'R-5', [line(6000)], 200));
    expect(h.ledger.preview({ ...sale(helene.id, 'R-6', [line(6000)]), payments: null }).options.maximumPoints).toBe(0);
  });

  it('refuses once offline longer than allowed on the monotonic clock, even with the wall clock set back', () => {
    h.mono.value += 3_600_001;
    h.clock.value -= 86_400_000;
    const failure = refusal(() => h.ledger.commit(sale(h.members.claire.id, 'R-1', [line(6000)], 100)), 'unavailable');
    expect(failure.issues?.[0]!.message).toBe('ledger.offline.duration');
  });

  it('keeps the offline session across a restart, measuring the time off by the wall clock', () => {
    h.ledger.commit(sale(h.members.claire.id, 'R-1', [line(6000)], 300));
    h.reopen({ policy: h.ledger.policy });
    h.mono.value = 5; // a new process: the monotonic clock starts again
    expect(h.ledger.connectivity().offline).toBe(true);
    refusal(() => h.ledger.commit(sale(h.members.claire.id, 'R-2', [line(6000)], 201)), 'unavailable');
    h.clock.value += 3_600_001;
    expect(refusal(() => h.ledger.commit(sale(h.members.claire.id, 'R-3', [line(6000)], 100)), 'unavailable').issues?.[0]!.message).toBe(
      'ledger.offline.duration',
    );
  });

  it('lifts the limits when back online', () => {
    h.ledger.setOffline(false);
    expect(h.ledger.commit(sale(h.members.claire.id, 'R-1', [line(12000)], 900)).pointsRedeemed).toBe(900);
  });
});
