import { afterEach, describe, expect, it } from 'vitest';
import { hashManagerPin } from '../../src/main/core/ledger/manager-pin';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import { DEFAULT_SALE_LIMITS, parseProgramRules, saleLimits } from '../../src/main/core/ledger/rules';
import { seededRandom } from '../../src/main/core/ports';
import { line, openHarness, refusal, sale, type Harness } from './ledger-fixture';

/** Cheap scrypt parameters: the tests check the flow, not the cost. */
const PIN_HASH = hashManagerPin('4821', seededRandom(3), { N: 1024, r: 8, p: 1 });
const MANAGER = { id: 'resp-1', pin: '4821' };

let h: Harness;

/** The till's payments for `cents`, each within the 1 000 000 € a payment may carry. */
function paid(cents: number) {
  const payments = [];
  for (let left = cents; left > 0; left -= 100_000_000) payments.push({ method: 'card', amountCents: Math.min(left, 100_000_000) });
  return payments;
}

/** 20 × 1 000 000 €: the ticket a till token sent to mint 18 957 345 points. */
function hugeTicket(memberId: string, receipt: string) {
  return { ...sale(memberId, receipt, [line(100_000_000, { quantity: 20 })]), payments: paid(2_000_000_000) };
}

describe('the programme ceilings', () => {
  it('apply their defaults to a programme that names none, and are checked like the rest', () => {
    // What HQ publishes names no limits, so terminals from before ceilings still take it.
    expect('limits' in DEFAULT_PROGRAM).toBe(false);
    expect(saleLimits(DEFAULT_PROGRAM)).toEqual({ maxTicketCents: 500_000, maxLineCents: 200_000, maxPointsPerSale: 10_000 });
    const named = parseProgramRules({ ...DEFAULT_PROGRAM, limits: { maxTicketCents: 100_000, maxLineCents: 50_000, maxPointsPerSale: 2_000 } });
    expect(saleLimits(named)).toEqual({ maxTicketCents: 100_000, maxLineCents: 50_000, maxPointsPerSale: 2_000 });
    expect(() => parseProgramRules({ ...DEFAULT_PROGRAM, limits: { ...DEFAULT_SALE_LIMITS, maxTicketCents: 0 } })).toThrow(/limits.maxTicketCents/);
    expect(() => parseProgramRules({ ...DEFAULT_PROGRAM, limits: { maxTicketCents: 1 } })).toThrow(/limits/);
  });

});

describe('a sale past a ceiling', () => {
  afterEach(() => h.close());

  it('is refused, in preview and commit, naming the limits, writing nothing', () => {
    h = openHarness({ policy: { managerPinHash: PIN_HASH } });
    const before = h.snapshot();
    const body = hugeTicket(h.members.claire.id, 'T-1');
    const previewed = refusal(() => h.ledger.preview(body), 'over_limit');
    expect(previewed.issues).toEqual([
      { path: 'lines.0', message: 'ledger.over_limit.max_line_cents' },
      { path: 'lines', message: 'ledger.over_limit.max_ticket_cents' },
      { path: 'lines', message: 'ledger.over_limit.max_points_per_sale' },
    ]);
    const committed = refusal(() => h.ledger.commit(body), 'over_limit');
    expect(committed.message).toMatch(/maxTicketCents 500000 \(this sale: 2000000000\)/);
    expect(committed.message).toMatch(/maxPointsPerSale 10000/);
    expect(h.snapshot()).toBe(before);
    expect(h.ledger.points(h.members.claire.id).balance).toBe(0);
  });

  it("is accepted with a manager's PIN, and the same receipt again answers the first sale", () => {
    h = openHarness({ policy: { managerPinHash: PIN_HASH } });
    const body = { ...hugeTicket(h.members.claire.id, 'T-1'), manager: MANAGER };
    const result = h.ledger.commit(body);
    expect(result.pointsEarned).toBeGreaterThan(10_000_000);
    expect(h.logs).toContainEqual(expect.objectContaining({ message: 'a manager approved a sale over the programme ceilings' }));
    expect(JSON.stringify(h.db.prepare('SELECT * FROM ledger_sale').all())).not.toContain('4821');
    // A retry without the approval is the same sale, not another basket: the PIN is not part of it.
    expect(h.ledger.commit({ ...body, manager: null })).toEqual(result);
  });

  it('is refused with a wrong PIN, approvals locked after five, nothing written', () => {
    h = openHarness({ policy: { managerPinHash: PIN_HASH } });
    const before = h.snapshot();
    for (let i = 0; i < 5; i++) {
      const wrong = refusal(() => h.ledger.commit({ ...hugeTicket(h.members.claire.id, 'T-1'), manager: { id: 'resp-1', pin: '0000' } }), 'forbidden');
      expect(wrong.issues).toEqual([{ path: 'manager.pin', message: 'ledger.manager_pin_wrong' }]);
    }
    const locked = refusal(() => h.ledger.commit({ ...hugeTicket(h.members.claire.id, 'T-1'), manager: MANAGER }), 'forbidden');
    expect(locked.issues).toEqual([{ path: 'manager.pin', message: 'ledger.manager_pin_locked' }]);
    expect(h.snapshot()).toBe(before);
    h.mono.value += 5 * 60_000;
    expect(h.ledger.commit({ ...hugeTicket(h.members.claire.id, 'T-1'), manager: MANAGER }).pointsEarned).toBeGreaterThan(0);
  });

  it('is refused when it earns more points than the ceiling, even with ticket and lines within theirs', () => {
    h = openHarness({ rules: { limits: { ...DEFAULT_SALE_LIMITS, maxPointsPerSale: 100 } }, policy: { managerPinHash: PIN_HASH } });
    const before = h.snapshot();
    // 150 € at 20 % VAT: 125 points, each line and the ticket far below their ceilings.
    const body = sale(h.members.claire.id, 'T-2', [line(7_500), line(7_500)]);
    const refused = refusal(() => h.ledger.commit(body), 'over_limit');
    expect(refused.issues).toEqual([{ path: 'lines', message: 'ledger.over_limit.max_points_per_sale' }]);
    expect(h.snapshot()).toBe(before);
    expect(h.ledger.commit(sale(h.members.claire.id, 'T-3', [line(6_000)])).pointsEarned).toBe(50);
    expect(h.ledger.commit({ ...body, manager: MANAGER }).pointsEarned).toBe(125);
  });

  it('is not one at exactly the ceiling: no PIN needed', () => {
    h = openHarness({ rules: { limits: { maxTicketCents: 12_000, maxLineCents: 12_000, maxPointsPerSale: 100 } } });
    expect(h.ledger.commit(sale(h.members.claire.id, 'T-4', [line(12_000)])).pointsEarned).toBe(100);
  });

  it('cannot be approved on a terminal with no manager PIN, and says so', () => {
    h = openHarness();
    const unset = refusal(() => h.ledger.commit({ ...hugeTicket(h.members.claire.id, 'T-1'), manager: MANAGER }), 'forbidden');
    expect(unset.issues).toEqual([{ path: 'manager.pin', message: 'ledger.manager_pin_unset' }]);
  });
});
