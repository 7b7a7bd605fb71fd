import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/shared/contract';
import { line, openHarness, sale, type Harness, refusal } from './ledger-fixture';

let h: Harness;

beforeEach(() => {
  h = openHarness();
});

afterEach(() => h.close());


const ref = (receipt: string) => ({ tillId: 'till-1', receipt });

function balances(): Record<string, number> {
  const rows = h.db.prepare<[], { account: string; balance: number }>('SELECT account, balance FROM ledger_balance WHERE balance <> 0').all();
  return Object.fromEntries(rows.map((r) => [r.account, r.balance]));
}

describe('refunds', () => {
  it('takes back every earned point on a whole refund', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(2400), line(1200)]));
    const result = h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: 'all' });
    expect(result).toMatchObject({ pointsReversed: 30, pointsRestored: 0, clawback: 0, balanceBefore: 30, balanceAfter: 0, fullyRefunded: true });
    expect(result.entries.map((e) => e.kind)).toEqual(['refund_earn']);
    expect(h.ledger.points(claire).balance).toBe(0);
    expect(balances()).toEqual({});
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('refunds by line in proportion to what each line earned, flooring, the last refund taking the exact remainder', () => {
    const claire = h.members.claire.id;
    // Three identical lines of 4.00 € incl. VAT: 10 points for the ticket (3.33… each).
    const lines = [line(400, { lineId: 'A' }), line(400, { lineId: 'B' }), line(400, { lineId: 'C' })];
    expect(h.ledger.commit(sale(claire, 'R-1', lines)).pointsEarned).toBe(10);
    expect(h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'A', quantity: 1 }] }).pointsReversed).toBe(3);
    expect(h.ledger.refund({ refundId: 'F-2', sale: ref('R-1'), lines: [{ lineId: 'B', quantity: 1 }] }).pointsReversed).toBe(3);
    const last = h.ledger.refund({ refundId: 'F-3', sale: ref('R-1'), lines: [{ lineId: 'C', quantity: 1 }] });
    expect(last).toMatchObject({ pointsReversed: 4, balanceAfter: 0, fullyRefunded: true });
  });

  it('weighs lines by their earning: refunding an excluded line takes nothing back', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(2400, { lineId: 'food' }), line(1000, { lineId: 'paper', category: 'press', taxRateBp: 210 })]));
    expect(h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'paper', quantity: 1 }] }).pointsReversed).toBe(0);
    expect(h.ledger.refund({ refundId: 'F-2', sale: ref('R-1'), lines: [{ lineId: 'food', quantity: 1 }] }).pointsReversed).toBe(20);
  });

  it('refunds part of a line quantity', () => {
    const claire = h.members.claire.id;
    // 3 × 4.00 € bio (×2): 20 points.
    h.ledger.commit(sale(claire, 'R-1', [line(400, { lineId: 'A', quantity: 3, category: 'bio' })]));
    expect(h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'A', quantity: 2 }] }).pointsReversed).toBe(13);
    expect(h.ledger.refund({ refundId: 'F-2', sale: ref('R-1'), lines: 'all' }).pointsReversed).toBe(7);
  });

  it('restores redeemed points in proportion, and refunded rewards at their catalogue points', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-0', [line(60000)])); // 500 points
    const coffee = line(250, { lineId: 'K', rewardId: 'cafe-offert', discountCents: 250, category: 'cafe' });
    const lines = [line(2000, { lineId: 'A' }), line(2000, { lineId: 'B' }), coffee];
    // 200 points (10.00 €) off 40.00 € of groceries, plus a coffee for 150 points.
    const committed = h.ledger.commit(sale(claire, 'R-1', lines, 200));
    expect(committed).toMatchObject({ pointsRedeemed: 350, pointsEarned: 25, balanceAfter: 175 });

    const first = h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'A', quantity: 1 }, { lineId: 'K', quantity: 1 }] });
    expect(first).toMatchObject({ pointsRestored: 100 + 150, pointsReversed: 12 });
    expect(first.entries.map((e) => e.kind)).toEqual(['refund_redeem', 'refund_earn']);
    const second = h.ledger.refund({ refundId: 'F-2', sale: ref('R-1'), lines: 'all' });
    expect(second).toMatchObject({ pointsRestored: 100, pointsReversed: 13, balanceAfter: 500 });
  });

  it('returns every account to where it was after refunding everything', () => {
    const { claire, helene } = h.members;
    h.ledger.commit(sale(claire.id, 'R-0', [line(36000)]));
    const start = balances();
    h.ledger.commit(sale(claire.id, 'R-1', [line(1990, { lineId: 'A', quantity: 3 }), line(777, { lineId: 'B', category: 'bio', taxRateBp: 550 })], 137));
    h.ledger.commit(sale(helene.id, 'R-2', [line(1234)]));
    h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'A', quantity: 1 }] });
    h.ledger.refund({ refundId: 'F-2', sale: ref('R-2'), lines: 'all' });
    h.ledger.refund({ refundId: 'F-3', sale: ref('R-1'), lines: [{ lineId: 'B', quantity: 1 }] });
    h.ledger.refund({ refundId: 'F-4', sale: ref('R-1'), lines: 'all' });
    expect(balances()).toEqual(start);
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('books a shortfall as clawback debt instead of a negative balance, settled by the next credits', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(12000)])); // +100
    h.ledger.commit(sale(claire, 'R-2', [line(2000)], 100)); // spends them, earns 12 (15.00 € paid, 12.50 € excl. VAT)
    const refund = h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: 'all' });
    expect(refund).toMatchObject({ pointsReversed: 100, clawback: 88, balanceAfter: 0 });
    expect(h.ledger.points(claire)).toMatchObject({ balance: 0, owed: 88 });
    const reversal = h.ledger.history(claire)[0]!;
    expect(reversal.postings).toEqual([
      { account: 'program:issuance', delta: 100 },
      { account: `member:${claire}:points`, delta: -12 },
      { account: `member:${claire}:clawback`, delta: -88 },
    ]);

    const next = h.ledger.commit(sale(claire, 'R-3', [line(6000)])); // earns 50
    expect(next).toMatchObject({ pointsEarned: 50, clawbackSettled: 50, balanceAfter: 0 });
    expect(h.ledger.points(claire)).toMatchObject({ balance: 0, owed: 38 });

    // Refunding the sale that spent them restores the 100 points: 38 repay the debt first.
    const restore = h.ledger.refund({ refundId: 'F-2', sale: ref('R-2'), lines: 'all' });
    expect(restore).toMatchObject({ pointsRestored: 100, clawbackSettled: 38, pointsReversed: 12, balanceAfter: 50 });
    expect(h.ledger.points(claire)).toMatchObject({ balance: 50, owed: 0 });
    expect(h.ledger.verifyChain().ok).toBe(true);
  });

  it('is idempotent by refund id', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-1', [line(2400, { lineId: 'A' }), line(1200, { lineId: 'B' })]));
    const body = { refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'A', quantity: 1 }] };
    const first = h.ledger.refund(body);
    const before = h.snapshot();
    expect(h.ledger.refund(structuredClone(body))).toEqual(first);
    expect(h.snapshot()).toBe(before);
    const failure = refusal(() => h.ledger.refund({ ...body, lines: [{ lineId: 'B', quantity: 1 }] }), 'conflict');
    expect(failure.issues?.[0]!.message).toBe('ledger.refund_id_reused');
    expect(h.snapshot()).toBe(before);
  });

  describe('refusals write nothing', () => {
    beforeEach(() => {
      h.ledger.commit(sale(h.members.claire.id, 'R-1', [line(2400, { lineId: 'A', quantity: 2 }), line(1200, { lineId: 'B' })]));
      h.ledger.refund({ refundId: 'F-0', sale: ref('R-1'), lines: [{ lineId: 'A', quantity: 1 }] });
    });

    const cases: Array<[string, unknown, ErrorCode, string]> = [
      ['an unknown sale', { refundId: 'F-1', sale: ref('R-404'), lines: 'all' }, 'not_found', 'ledger.sale_unknown'],
      ['more than was sold', { refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'B', quantity: 2 }] }, 'bad_input', 'ledger.refund_exceeds_sold'],
      ['more than is left', { refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'A', quantity: 2 }] }, 'conflict', 'ledger.refund_exceeds_remaining'],
      ['an unknown line', { refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'Z', quantity: 1 }] }, 'bad_input', 'ledger.line_unknown'],
      ['a zero quantity', { refundId: 'F-1', sale: ref('R-1'), lines: [{ lineId: 'B', quantity: 0 }] }, 'bad_input', 'Too small: expected number to be >=1'],
    ];

    it.each(cases)('refuses %s', (_name, body, code, key) => {
      const before = h.snapshot();
      const failure = refusal(() => h.ledger.refund(body), code);
      expect(failure.issues?.map((i) => i.message)).toContain(key);
      expect(h.snapshot()).toBe(before);
    });

    it('refuses a refund of an already fully refunded sale', () => {
      h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: 'all' });
      const before = h.snapshot();
      refusal(() => h.ledger.refund({ refundId: 'F-2', sale: ref('R-1'), lines: 'all' }), 'conflict');
      expect(h.snapshot()).toBe(before);
    });
  });

  it('gives restored points the expiry of the lots they were spent from', () => {
    const claire = h.members.claire.id;
    h.ledger.commit(sale(claire, 'R-0', [line(36000)])); // lot expiring 2027-11-18
    h.clock.value += 40 * 86_400_000; // 28 December 2026
    h.ledger.commit(sale(claire, 'R-1', [line(2400)], 200));
    h.ledger.refund({ refundId: 'F-1', sale: ref('R-1'), lines: 'all' });
    expect(h.ledger.expiring(claire)).toEqual([{ expiresOn: '2027-11-18', points: 300 }]);
  });
});
