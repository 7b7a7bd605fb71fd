import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppFailure } from '../../src/shared/contract';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { createLedger, type Ledger } from '../../src/main/core/ledger/ledger';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers } from '../fakes/known-members';

/**
 * For any sequence of sales, refunds, redemptions, holds and replays:
 * postings sum to zero, no balance goes negative, a replay changes nothing,
 * a refusal writes nothing, the chain verifies, and refunding everything
 * returns every balance to where it started.
 */
const CATEGORIES = ['epicerie', 'bio', 'local', 'tobacco', 'press', 'gift_card'] as const;
const TAX_RATES = [0, 210, 550, 1000, 2000] as const;
const START = Date.UTC(2026, 10, 16, 8); // Monday 16 November 2026, 09:00 Paris

const lineArb = fc.record({
  unitPriceCents: fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 3000, max: 25_000 })),
  quantity: fc.integer({ min: 1, max: 4 }),
  category: fc.constantFrom(...CATEGORIES),
  taxRateBp: fc.constantFrom(...TAX_RATES),
  discountPercent: fc.constantFrom(0, 0, 10, 50, 100),
});

const opArb = fc.oneof(
  { weight: 5, arbitrary: fc.record({ t: fc.constant('sale' as const), member: fc.nat(2), lines: fc.array(lineArb, { minLength: 1, maxLength: 5 }), redeem: fc.oneof(fc.constant(0), fc.integer({ min: 80, max: 700 })), reward: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('refund' as const), sale: fc.nat(), all: fc.boolean(), picks: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('replaySale' as const), sale: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('replayRefund' as const), refund: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('holdVoid' as const), member: fc.nat(2), points: fc.integer({ min: 100, max: 900 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('spend' as const), member: fc.nat(2) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('time' as const), minutes: fc.integer({ min: 1, max: 3 * 24 * 60 }) }) },
);

interface World {
  db: Db;
  ledger: Ledger;
  members: string[];
  clock: { value: number };
  sales: Array<{ body: Record<string, unknown>; result: unknown; lines: Map<string, number> }>;
  refunds: Array<{ body: Record<string, unknown>; result: unknown }>;
}

function openWorld(seed: number): World {
  const db = openDatabase(':memory:');
  const known = insertKnownMembers(new MemberStore(db));
  const clock = { value: START };
  let mono = 0;
  const ledger = createLedger({
    db,
    clock: { now: () => clock.value },
    monotonic: { now: () => (mono += 1) },
    random: seededRandom(seed),
    terminalId: 'prop-t1',
    logger: silentLogger,
  });
  const members = [known.claire.id, known.helene.id, known.zoe.id];
  // Some points to spend from the start.
  members.forEach((memberId, i) => ledger.adjust({ adjustmentId: `seed-${i}`, memberId, points: 150 + 100 * i, reason: 'Reprise de solde', actor: 'test' }));
  return { db, ledger, members, clock, sales: [], refunds: [] };
}

/** What changes whenever anything is written. */
function signature(w: World): string {
  const count = (table: string) => (w.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return JSON.stringify([w.ledger.head(), count('ledger_sale'), count('ledger_refund'), count('ledger_lot'), w.db.prepare('SELECT * FROM ledger_balance ORDER BY account').all()]);
}

function balances(w: World): Record<string, number> {
  const rows = w.db.prepare<[], { account: string; balance: number }>('SELECT account, balance FROM ledger_balance WHERE balance <> 0 ORDER BY account').all();
  return Object.fromEntries(rows.map((r) => [r.account, r.balance]));
}

function checkInvariants(w: World): void {
  const unbalanced = w.db.prepare('SELECT seq FROM ledger_posting GROUP BY terminal_id, epoch, seq HAVING sum(delta) <> 0').all();
  expect(unbalanced).toEqual([]);
  for (const m of w.members) {
    const p = w.ledger.points(m);
    expect(p.balance).toBeGreaterThanOrEqual(0);
    expect(p.owed).toBeGreaterThanOrEqual(0);
    if (p.owed > 0) expect(p.balance).toBe(0);
  }
}

/** Runs `fn`; if it is refused, nothing may have been written. */
function attempt<T>(w: World, fn: () => T): T | null {
  const before = signature(w);
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof AppFailure)) throw error;
    expect(['bad_input', 'conflict', 'unavailable']).toContain(error.code);
    expect(signature(w)).toBe(before);
    return null;
  }
}

type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function apply(w: World, op: Op, step: number): void {
  switch (op.t) {
    case 'sale': {
      const lines: Array<Record<string, unknown>> = op.lines.map((l, i) => ({
        lineId: `L${i}`,
        sku: `SKU-${i}`,
        label: 'Article',
        category: l.category,
        quantity: l.quantity,
        unitPriceCents: l.unitPriceCents,
        discountCents: Math.floor((l.unitPriceCents * l.quantity * l.discountPercent) / 100),
        taxRateBp: l.taxRateBp,
        rewardId: null,
      }));
      if (op.reward) lines.push({ lineId: 'R', sku: 'REWARD-CAFE', label: 'Café offert', category: 'cafe', quantity: 1, unitPriceCents: 250, discountCents: 250, taxRateBp: 1000, rewardId: 'cafe-offert' });
      const net = lines.reduce((s, l) => s + (l.quantity as number) * (l.unitPriceCents as number) - (l.discountCents as number), 0);
      const due = net - op.redeem * 5;
      const body = { tillId: 'till-1', receipt: `R-${step}`, memberId: w.members[op.member]!, lines, payments: due > 0 ? [{ method: 'card', amountCents: due }] : [], redeemPoints: op.redeem };
      const result = attempt(w, () => w.ledger.commit(body));
      if (result) w.sales.push({ body, result, lines: new Map(lines.map((l) => [l.lineId as string, l.quantity as number])) });
      return;
    }
    case 'refund': {
      if (w.sales.length === 0) return;
      const target = w.sales[op.sale % w.sales.length]!;
      const ids = [...target.lines.keys()];
      const picks = new Map<string, number>();
      for (const [i, q] of op.picks) picks.set(ids[i % ids.length]!, q);
      const body = {
        refundId: `F-${step}`,
        sale: { tillId: 'till-1', receipt: (target.body as { receipt: string }).receipt },
        lines: op.all ? ('all' as const) : [...picks].map(([lineId, quantity]) => ({ lineId, quantity })),
      };
      const fits = op.all ? [...target.lines.values()].some((q) => q > 0) : [...picks].every(([id, q]) => q <= target.lines.get(id)!);
      const result = attempt(w, () => w.ledger.refund(body));
      expect(result !== null).toBe(fits);
      if (result) {
        for (const l of result.lines) target.lines.set(l.lineId, target.lines.get(l.lineId)! - l.quantity);
        w.refunds.push({ body, result });
      }
      return;
    }
    case 'replaySale': {
      if (w.sales.length === 0) return;
      const s = w.sales[op.sale % w.sales.length]!;
      const before = signature(w);
      expect(w.ledger.commit(structuredClone(s.body))).toEqual(s.result);
      expect(signature(w)).toBe(before);
      return;
    }
    case 'replayRefund': {
      if (w.refunds.length === 0) return;
      const r = w.refunds[op.refund % w.refunds.length]!;
      const before = signature(w);
      expect(w.ledger.refund(structuredClone(r.body))).toEqual(r.result);
      expect(signature(w)).toBe(before);
      return;
    }
    case 'holdVoid': {
      const key = { tillId: 'till-2', receipt: `H-${step}` };
      const before = signature(w);
      const held = attempt(w, () => w.ledger.hold({ ...key, memberId: w.members[op.member]!, redeemPoints: op.points }));
      if (held) expect(w.ledger.points(w.members[op.member]!).pending).toBe(op.points);
      expect(w.ledger.void(key)).toEqual({ releasedPoints: held ? op.points : 0 });
      expect(signature(w)).toBe(before);
      return;
    }
    case 'spend': {
      // Spend every point the member has on a ticket paid entirely with points (so it earns
      // nothing): refunding their earlier sales later falls short and books clawback debt.
      const memberId = w.members[op.member]!;
      const points = w.ledger.points(memberId).available;
      if (points < 100) return;
      const lines = [{ lineId: 'A', sku: 'SKU-A', label: 'Article', category: 'epicerie', quantity: 1, unitPriceCents: points * 5, discountCents: 0, taxRateBp: 2000, rewardId: null }];
      const body = { tillId: 'till-1', receipt: `S-${step}`, memberId, lines, payments: [], redeemPoints: points };
      const result = w.ledger.commit(body);
      expect(result).toMatchObject({ pointsRedeemed: points, pointsEarned: 0, balanceAfter: 0 });
      w.sales.push({ body, result, lines: new Map([['A', 1]]) });
      return;
    }
    case 'time':
      w.clock.value += op.minutes * 60_000;
      return;
  }
}

describe('ledger properties', () => {
  it('hold for any sequence of sales, refunds, redemptions and replays', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 1_000_000 }), (ops, seed) => {
        const w = openWorld(seed);
        try {
          const start = balances(w);
          ops.forEach((op, step) => {
            apply(w, op, step);
            checkInvariants(w);
          });
          expect(w.ledger.verifyChain().problems).toEqual([]);

          // Refund whatever is left of every sale: every account returns to where it started.
          w.sales.forEach((s, i) => {
            if ([...s.lines.values()].some((q) => q > 0)) w.ledger.refund({ refundId: `F-final-${i}`, sale: { tillId: 'till-1', receipt: (s.body as { receipt: string }).receipt }, lines: 'all' });
            checkInvariants(w);
          });
          expect(balances(w)).toEqual(start);
          expect(w.ledger.verifyChain().problems).toEqual([]);
        } finally {
          w.db.close();
        }
      }),
      { seed: 20261118, numRuns: 400, endOnFailure: true },
    );
  }, 60_000);
});
