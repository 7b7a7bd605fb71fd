import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppFailure, type VoucherView } from '../../src/shared/contract';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { createLedger, type Ledger } from '../../src/main/core/ledger/ledger';
import type { RefundResult } from '../../src/main/core/ledger/refund';
import type { SaleResult } from '../../src/main/core/ledger/sale';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { VoucherBook } from '../../src/main/core/vouchers/voucher-book';
import { insertKnownMembers } from '../fakes/known-members';

/**
 * For any sequence of sales (with or without a voucher, the member's own or
 * another's), refunds whole or in part, replays of a sale or a refund under
 * the same key, the same voucher under a new receipt, time passing and
 * restarts: a voucher is applied at most once — never by two sales that both
 * stand, never again unless a refund gave it back — a refused operation
 * writes nothing, and memory (what the screens are offered) says what the
 * database says.
 */
const START = Date.UTC(2026, 10, 16, 8); // Monday 16 November 2026, 09:00 Paris
const DAY = 86_400_000;

const opArb = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      t: fc.constant('sale' as const),
      member: fc.nat(2),
      cents: fc.oneof(fc.integer({ min: 100, max: 999 }), fc.integer({ min: 1000, max: 3000 }), fc.integer({ min: 3000, max: 9000 })),
      voucher: fc.option(fc.nat(), { nil: null }),
      ownMember: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('reuse' as const), sale: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('replaySale' as const), sale: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('refund' as const), sale: fc.nat(), all: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('replayRefund' as const), refund: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('time' as const), days: fc.integer({ min: 1, max: 20 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restart' as const) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

interface World {
  db: Db;
  ledger: Ledger;
  members: string[];
  clock: { value: number };
  sales: Array<{ body: Record<string, unknown>; result: SaleResult; refundedLines: number }>;
  refunds: Array<{ body: Record<string, unknown>; result: RefundResult }>;
  /** Every voucher ever issued, by id, with its owner. */
  vouchers: Map<string, { owner: string; view: VoucherView }>;
  restart(): void;
}

function openWorld(seed: number): World {
  const db = openDatabase(':memory:');
  const known = insertKnownMembers(new MemberStore(db));
  const clock = { value: START };
  let mono = 0;
  let runs = 0;
  const build = () =>
    createLedger({
      db,
      clock: { now: () => clock.value },
      monotonic: { now: () => (mono += 1) },
      random: seededRandom(seed + runs++),
      terminalId: 'prop-v1',
      logger: silentLogger,
      vouchers: new VoucherBook(db, (memberId, limit) => w.ledger.history(memberId, limit)),
    });
  const w: World = {
    db,
    ledger: build(),
    members: [known.claire.id, known.helene.id, known.zoe.id],
    clock,
    sales: [],
    refunds: [],
    vouchers: new Map(),
    restart: () => (w.ledger = build()),
  };
  return w;
}

/** Two lines, so a refund can be partial. */
function saleBody(memberId: string, receipt: string, cents: number, voucher: VoucherView | null) {
  const a = Math.ceil(cents / 2);
  const due = cents - (voucher?.cents ?? 0);
  const line = (lineId: string, price: number) => ({ lineId, sku: lineId, label: 'Article', category: 'epicerie', quantity: 1, unitPriceCents: price, discountCents: 0, taxRateBp: 2000, rewardId: null });
  return {
    tillId: 'till-1',
    receipt,
    memberId,
    lines: [line('A', a), line('B', cents - a)],
    payments: due > 0 ? [{ method: 'card', amountCents: due }] : [],
    ...(voucher ? { voucherId: voucher.voucherId } : {}),
  };
}

const signature = (w: World) =>
  JSON.stringify([w.ledger.head(), ...['ledger_sale', 'ledger_refund', 'voucher'].map((t) => w.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all())]);

/** Runs `fn`; a refusal must be a clear AppFailure and must have written nothing. */
function attempt<T>(w: World, fn: () => T): T | null {
  const before = signature(w);
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof AppFailure)) throw error;
    expect(['bad_input', 'conflict']).toContain(error.code);
    expect(signature(w)).toBe(before);
    return null;
  }
}

function recordSale(w: World, body: Record<string, unknown>, result: SaleResult): void {
  w.sales.push({ body, result, refundedLines: 0 });
  const issued = result.vouchers?.issued;
  if (issued) w.vouchers.set(issued.voucherId, { owner: result.memberId, view: issued });
}

function apply(w: World, op: Op, step: number): void {
  switch (op.t) {
    case 'sale': {
      const pool = [...w.vouchers.values()];
      const picked = op.voucher === null || pool.length === 0 ? null : pool[op.voucher % pool.length]!;
      const member = picked && op.ownMember ? picked.owner : w.members[op.member]!;
      const body = saleBody(member, `R-${step}`, op.cents, picked?.view ?? null);
      const result = attempt(w, () => w.ledger.commit(body));
      if (result) recordSale(w, body, result);
      return;
    }
    case 'reuse': {
      // A voucher already applied, under a new receipt: refused unless a refund gave it back.
      const using = w.sales.filter((s) => s.result.vouchers?.applied);
      if (using.length === 0) return;
      const earlier = using[op.sale % using.length]!;
      const body = { ...earlier.body, receipt: `R-${step}` };
      const result = attempt(w, () => w.ledger.commit(body));
      if (result) recordSale(w, body, result);
      return;
    }
    case 'replaySale': {
      if (w.sales.length === 0) return;
      const earlier = w.sales[op.sale % w.sales.length]!;
      const before = signature(w);
      expect(w.ledger.commit(earlier.body)).toEqual(earlier.result);
      expect(signature(w)).toBe(before);
      return;
    }
    case 'refund': {
      if (w.sales.length === 0) return;
      const target = w.sales[op.sale % w.sales.length]!;
      const left = target.refundedLines === 0 ? ['A', 'B'] : target.refundedLines === 1 ? ['B'] : [];
      const body = {
        refundId: `F-${step}`,
        sale: { tillId: 'till-1', receipt: target.body.receipt as string },
        lines: op.all ? ('all' as const) : [{ lineId: left[0] ?? 'A', quantity: 1 }],
      };
      const result = attempt(w, () => w.ledger.refund(body));
      expect(result !== null).toBe(left.length > 0);
      if (result) {
        target.refundedLines += result.lines.length;
        w.refunds.push({ body, result });
      }
      return;
    }
    case 'replayRefund': {
      if (w.refunds.length === 0) return;
      const earlier = w.refunds[op.refund % w.refunds.length]!;
      const before = signature(w);
      expect(w.ledger.refund(earlier.body)).toEqual(earlier.result);
      expect(signature(w)).toBe(before);
      return;
    }
    case 'time':
      w.clock.value += op.days * DAY;
      return;
    case 'restart':
      w.restart();
      return;
  }
}

function checkInvariants(w: World): void {
  const now = w.clock.value;
  for (const [voucherId, { owner }] of w.vouchers) {
    const applications = w.sales.filter((s) => s.result.vouchers?.applied?.voucherId === voucherId);
    const restorations = w.refunds.filter((r) => r.result.vouchers?.restored?.voucherId === voucherId);
    // Applied at most once, plus once per refund that gave it back.
    expect(applications.length).toBeLessThanOrEqual(1 + restorations.length);
    // Never by two sales that both stand.
    const standing = applications.filter((s) => s.refundedLines < 2);
    expect(standing.length).toBeLessThanOrEqual(1);
    // Only its owner's sales use it.
    for (const s of applications) expect(s.result.memberId).toBe(owner);
    const row = w.db.prepare<[string], { status: string; used_by_sale: string | null }>('SELECT status, used_by_sale FROM voucher WHERE voucher_id = ?').get(voucherId)!;
    if (standing.length === 1) expect(row).toEqual({ status: 'used', used_by_sale: standing[0]!.result.saleId });
  }
  // What the screens are offered is what the database holds open and in date.
  for (const member of w.members) {
    const open = w.db
      .prepare<[string, number], { voucher_id: string }>("SELECT voucher_id FROM voucher WHERE member_id = ? AND status = 'open' AND expires_at > ? ORDER BY expires_at, voucher_id")
      .all(member, now)
      .map((r) => r.voucher_id);
    const { payments: _p, ...preview } = saleBody(member, 'PREVIEW', 2000, null);
    expect(w.ledger.preview(preview).voucher?.offered?.voucherId ?? null).toBe(open[0] ?? null);
  }
}

describe('vouchers under any sequence of sales, refunds and replays', () => {
  it('are applied at most once, refusals write nothing, memory follows the database', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 45 }), fc.integer({ min: 1, max: 1_000_000 }), (ops, seed) => {
        const w = openWorld(seed);
        try {
          ops.forEach((op, step) => {
            apply(w, op, step);
            checkInvariants(w);
          });
        } finally {
          w.db.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
