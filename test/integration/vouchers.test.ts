import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src/shared/contract';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { createLedger, type Ledger } from '../../src/main/core/ledger/ledger';
import type { SaleResult } from '../../src/main/core/ledger/sale';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { applyTiers } from '../../src/main/core/tiers/tier-store';
import { VoucherBook } from '../../src/main/core/vouchers/voucher-book';
import { insertKnownMembers, type KnownMembers } from '../fakes/known-members';

/**
 * Basic members' vouchers through the ledger (issue 14 item 4), with the
 * default programme: a 2 € voucher every 5th visit of 10 € or more, or every
 * 50 points, valid 30 days, for the basic tier (where new members start).
 */
const DAY = 86_400_000;
/** A Wednesday, 10:00 in Paris: no promotion running. */
const START = Date.UTC(2026, 10, 18, 9, 0);

interface World {
  db: Db;
  ledger: Ledger;
  members: KnownMembers;
  clock: { value: number };
  reopen(): void;
}

let w: World;
let receipt = 0;

function openWorld(withVouchers = true): World {
  const db = openDatabase(':memory:');
  const members = insertKnownMembers(new MemberStore(db));
  const clock = { value: START };
  let mono = 0;
  let runs = 0;
  const build = () =>
    createLedger({
      db,
      clock: { now: () => clock.value },
      monotonic: { now: () => (mono += 1) },
      random: seededRandom(11 + runs++),
      terminalId: 'vouchers-t1',
      logger: silentLogger,
      ...(withVouchers ? { vouchers: new VoucherBook(db, (memberId, limit) => world.ledger.history(memberId, limit)) } : {}),
    });
  const world: World = { db, ledger: build(), members, clock, reopen: () => (world.ledger = build()) };
  return world;
}

/** A sale of one grocery line at 20 % VAT, paid by card for what is due after the voucher. */
function saleBody(memberId: string, cents: number, voucher?: { voucherId: string; cents: number }, id = `R-${++receipt}`) {
  const due = cents - (voucher?.cents ?? 0);
  return {
    tillId: 'till-1',
    receipt: id,
    memberId,
    lines: [{ lineId: 'L1', sku: 'SKU-1', label: 'Article', category: 'epicerie', quantity: 1, unitPriceCents: cents, discountCents: 0, taxRateBp: 2000, rewardId: null }],
    payments: due > 0 ? [{ method: 'card', amountCents: due }] : [],
    ...(voucher ? { voucherId: voucher.voucherId } : {}),
  };
}

const sell = (memberId: string, cents: number, voucher?: { voucherId: string; cents: number }): SaleResult => w.ledger.commit(saleBody(memberId, cents, voucher));

/** Four visits of 12 € (10 points each): the fifth issues the voucher. */
function earnVoucher(memberId: string): SaleResult {
  for (let i = 0; i < 4; i++) expect(sell(memberId, 1200).vouchers).toBeUndefined();
  const fifth = sell(memberId, 1200);
  expect(fifth.vouchers?.issued).not.toBeNull();
  return fifth;
}

function refusal(fn: () => unknown): AppFailure {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AppFailure);
    return error as AppFailure;
  }
  throw new Error('expected a refusal');
}

/** Every table a sale writes, as text: equal snapshots mean nothing was written. */
const snapshot = () =>
  JSON.stringify(['ledger_entry', 'ledger_sale', 'ledger_lot', 'ledger_balance', 'voucher'].map((t) => w.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all()));

const earnDetail = (sale: SaleResult) => {
  const entry = w.ledger.history(sale.memberId, 50).find((e) => e.kind === 'earn' && e.detail.sale_id === sale.saleId)!;
  return entry.detail;
};

const preview = (memberId: string, cents: number, voucher?: { voucherId: string; cents: number }) => {
  const { payments: _paid, ...body } = saleBody(memberId, cents, voucher, 'PREVIEW');
  return w.ledger.preview(body);
};

beforeEach(() => {
  w = openWorld();
});
afterEach(() => w.db.close());

describe('issuance cadence', () => {
  it('a basic member gets a 2 € voucher at the 5th visit, recorded in that sale’s earn entry, valid 30 days', () => {
    const claire = w.members.claire.id;
    expect(preview(claire, 1200).voucher).toEqual({ offered: null, applied: null, next: { visits: 5, points: 50, cents: 200 } });
    const fifth = earnVoucher(claire);
    const issued = fifth.vouchers!.issued!;
    expect(issued).toEqual({ voucherId: `v-${fifth.saleId}`, cents: 200, issuedAt: START, expiresAt: START + 30 * DAY });
    expect(earnDetail(fifth).voucher_issued).toEqual({ voucher_id: issued.voucherId, cents: 200, expires_at: START + 30 * DAY });
    // Both counts start again.
    expect(preview(claire, 1200).voucher).toEqual({ offered: issued, applied: null, next: { visits: 5, points: 50, cents: 200 } });
  });

  it('each 50 points is a voucher at once, one per sale however big the basket', () => {
    const big = sell(w.members.claire.id, 30_000);
    expect(big.pointsEarned).toBe(250);
    expect(big.vouchers).toEqual({ applied: null, issued: expect.objectContaining({ cents: 200 }) });
    expect(w.db.prepare('SELECT count(*) AS n FROM voucher').get()).toEqual({ n: 1 });
  });

  it('visits under the minimum basket do not count: split tickets earn no voucher', () => {
    const claire = w.members.claire.id;
    for (let i = 0; i < 8; i++) expect(sell(claire, 300).vouchers).toBeUndefined();
    expect(preview(claire, 300).voucher?.next).toEqual({ visits: 5, points: 50 - 8 * 2, cents: 200 });
  });

  it('a gold member accumulates: points, no voucher, nothing kept towards one', () => {
    const helene = w.members.helene.id;
    applyTiers(w.db, [{ memberId: helene, tier: 'gold', label: { fr: 'Or', en: 'Gold' }, next: null, rankedAt: START - DAY }], [], START);
    let points = 0;
    for (let i = 0; i < 7; i++) {
      const sale = sell(helene, 6000);
      expect(sale.vouchers).toBeUndefined();
      expect(earnDetail(sale)).not.toHaveProperty('voucher_issued');
      points += sale.pointsEarned;
    }
    expect(w.ledger.points(helene).balance).toBe(points);
    expect(preview(helene, 1200).voucher).toEqual({ offered: null, applied: null, next: null });
    expect(w.ledger.history(helene, 50).filter((e) => e.kind === 'earn' && 'voucher_progress' in e.detail)).toEqual([]);
  });

  it('a member HQ moves from gold to basic at the next pull starts collecting at once', () => {
    const helene = w.members.helene.id;
    const tier = (t: string) => applyTiers(w.db, [{ memberId: helene, tier: t, label: { fr: t, en: t }, next: null, rankedAt: START }], [], START);
    tier('gold');
    expect(sell(helene, 30_000).vouchers).toBeUndefined();
    tier('basic');
    expect(sell(helene, 30_000).vouchers?.issued).not.toBeNull();
  });

  it('where a member stands and the open vouchers survive a restart', () => {
    const claire = w.members.claire.id;
    const issued = earnVoucher(claire).vouchers!.issued!;
    sell(claire, 1200);
    w.reopen();
    expect(preview(claire, 1200).voucher).toEqual({ offered: issued, applied: null, next: { visits: 4, points: 40, cents: 200 } });
  });
});

/** Statements run while `fn` runs, by their SQL. */
function statementsRun(db: Db, fn: () => void): string[] {
  const proto = Object.getPrototypeOf(db.prepare('SELECT 1')) as Record<'run' | 'get' | 'all' | 'iterate', (...args: unknown[]) => unknown>;
  const seen: string[] = [];
  const saved = { run: proto.run, get: proto.get, all: proto.all, iterate: proto.iterate };
  for (const name of ['run', 'get', 'all', 'iterate'] as const) {
    proto[name] = function (this: { source: string }, ...args: unknown[]) {
      seen.push(this.source);
      return saved[name].apply(this, args);
    };
  }
  try {
    fn();
  } finally {
    Object.assign(proto, saved);
  }
  return seen;
}

describe('the sale path', () => {
  it('a sale that neither uses nor issues a voucher runs the same statements as on a ledger without vouchers', () => {
    const plain = openWorld(false);
    try {
      const gold = { memberId: w.members.helene.id, tier: 'gold', label: { fr: 'Or', en: 'Gold' }, next: null, rankedAt: START };
      for (const world of [w, plain]) applyTiers(world.db, [gold], [], START);
      const run = (world: World, memberId: string, id: string) => statementsRun(world.db, () => world.ledger.commit(saleBody(memberId, 1200, undefined, id)));
      for (const memberId of [w.members.claire.id, w.members.helene.id]) {
        // The member's first sale of the run reads where they stand from their journal, once.
        run(w, memberId, `warm-${memberId}`);
        run(plain, memberId, `warm-${memberId}`);
        const withVouchers = run(w, memberId, `second-${memberId}`);
        expect(withVouchers.length).toBeGreaterThan(3);
        expect(withVouchers).toEqual(run(plain, memberId, `second-${memberId}`));
      }
      // Where the basic member stands rides in the earn entry the sale writes anyway.
      expect(w.ledger.history(w.members.claire.id, 1)[0]!.detail.voucher_progress).toEqual({ visits: 2, points: 20 });
    } finally {
      plain.db.close();
    }
  });
});

describe('using a voucher', () => {
  it('is offered at the next checkout, taken off the ticket once, recorded in the sale’s earn entry', () => {
    const claire = w.members.claire.id;
    const voucher = earnVoucher(claire).vouchers!.issued!;
    const shown = preview(claire, 1200, voucher);
    expect(shown.voucher?.applied).toEqual(voucher);
    const used = sell(claire, 1200, voucher);
    expect(used.vouchers).toEqual({ applied: voucher, issued: null });
    // The voucher is not paid money: 10 € paid excluding VAT earns 8 points, not 10.
    expect(used.pointsEarned).toBe(8);
    expect(earnDetail(used).voucher_applied).toEqual({ voucher_id: voucher.voucherId, cents: 200, expires_at: voucher.expiresAt });
    expect(preview(claire, 1200).voucher?.offered).toBeNull();
  });

  it('a voucher applied twice is refused with a clear message, and nothing is written', () => {
    const claire = w.members.claire.id;
    const voucher = earnVoucher(claire).vouchers!.issued!;
    sell(claire, 1200, voucher);
    const before = snapshot();
    const again = refusal(() => sell(claire, 1500, voucher));
    expect(again.code).toBe('conflict');
    expect(again.message).toBe('this voucher has already been used');
    expect(again.issues).toEqual([{ path: 'voucherId', message: 'ledger.voucher_used' }]);
    expect(snapshot()).toBe(before);
    expect(refusal(() => preview(claire, 1500, voucher)).issues).toEqual([{ path: 'voucherId', message: 'ledger.voucher_used' }]);
  });

  it('the same sale replayed (same receipt, same basket) returns the first result and uses nothing more', () => {
    const claire = w.members.claire.id;
    const voucher = earnVoucher(claire).vouchers!.issued!;
    const body = saleBody(claire, 1200, voucher);
    const first = w.ledger.commit(body);
    const before = snapshot();
    expect(w.ledger.commit(body)).toEqual(first);
    expect(snapshot()).toBe(before);
  });

  it('another member’s voucher, a made-up one, or one bigger than the ticket is refused, nothing written', () => {
    const voucher = earnVoucher(w.members.claire.id).vouchers!.issued!;
    const before = snapshot();
    expect(refusal(() => sell(w.members.helene.id, 1200, voucher)).issues).toEqual([{ path: 'voucherId', message: 'ledger.voucher_unknown' }]);
    expect(refusal(() => sell(w.members.claire.id, 1200, { voucherId: 'v-nothing', cents: 200 })).issues).toEqual([{ path: 'voucherId', message: 'ledger.voucher_unknown' }]);
    expect(refusal(() => sell(w.members.claire.id, 150, voucher)).issues).toEqual([{ path: 'voucherId', message: 'ledger.voucher_exceeds_basket' }]);
    // Paid as if there were no voucher: the payments do not add up.
    expect(refusal(() => w.ledger.commit({ ...saleBody(w.members.claire.id, 1200), voucherId: voucher.voucherId })).issues).toEqual([
      { path: 'payments', message: 'ledger.payments_mismatch' },
    ]);
    expect(snapshot()).toBe(before);
  });

  it('expires: not offered after its validity, refused as expired', () => {
    const claire = w.members.claire.id;
    const voucher = earnVoucher(claire).vouchers!.issued!;
    w.clock.value = voucher.expiresAt - 1;
    expect(preview(claire, 1200).voucher?.offered).toEqual(voucher);
    w.clock.value = voucher.expiresAt;
    expect(preview(claire, 1200).voucher?.offered).toBeNull();
    const before = snapshot();
    expect(refusal(() => sell(claire, 1200, voucher)).issues).toEqual([{ path: 'voucherId', message: 'ledger.voucher_expired' }]);
    expect(snapshot()).toBe(before);
  });
});

describe('refunds', () => {
  const refundAll = (sale: SaleResult, id: string) => w.ledger.refund({ refundId: id, sale: { tillId: sale.tillId, receipt: sale.receipt }, lines: 'all' });

  it('refunding the sale that used a voucher gives it back, offered again and usable once more', () => {
    const claire = w.members.claire.id;
    const voucher = earnVoucher(claire).vouchers!.issued!;
    const used = sell(claire, 1200, voucher);
    const refund = refundAll(used, 'F-1');
    expect(refund.vouchers).toEqual({ restored: voucher, withdrawn: null });
    const reversal = w.ledger.history(claire, 5).find((e) => e.kind === 'refund_earn')!;
    expect(reversal.detail.voucher_restored).toEqual({ voucher_id: voucher.voucherId, cents: 200, expires_at: voucher.expiresAt });
    expect(preview(claire, 1200).voucher?.offered).toEqual(voucher);
    expect(sell(claire, 1200, voucher).vouchers?.applied).toEqual(voucher);
    // The refund replayed gives nothing back a second time.
    expect(refundAll(used, 'F-1')).toEqual(refund);
    expect(preview(claire, 1200).voucher?.offered).toBeNull();
  });

  it('a voucher whose validity is over when its sale is refunded stays spent', () => {
    const claire = w.members.claire.id;
    const voucher = earnVoucher(claire).vouchers!.issued!;
    const used = sell(claire, 1200, voucher);
    w.clock.value = voucher.expiresAt + DAY;
    expect(refundAll(used, 'F-1').vouchers).toBeUndefined();
    expect(w.db.prepare('SELECT status FROM voucher').get()).toEqual({ status: 'used' });
  });

  it('refunding the sale that issued a voucher withdraws it while unused; a partial refund leaves it', () => {
    const claire = w.members.claire.id;
    const big = w.ledger.commit({
      ...saleBody(claire, 0),
      lines: [
        { lineId: 'A', sku: 'A', label: 'A', category: 'epicerie', quantity: 1, unitPriceCents: 3000, discountCents: 0, taxRateBp: 2000, rewardId: null },
        { lineId: 'B', sku: 'B', label: 'B', category: 'epicerie', quantity: 1, unitPriceCents: 3000, discountCents: 0, taxRateBp: 2000, rewardId: null },
      ],
      payments: [{ method: 'card', amountCents: 6000 }],
    });
    const voucher = big.vouchers!.issued!;
    expect(w.ledger.refund({ refundId: 'F-A', sale: { tillId: 'till-1', receipt: big.receipt }, lines: [{ lineId: 'A', quantity: 1 }] }).vouchers).toBeUndefined();
    expect(preview(claire, 1200).voucher?.offered).toEqual(voucher);
    expect(refundAll(big, 'F-B').vouchers).toEqual({ restored: null, withdrawn: voucher });
    expect(preview(claire, 1200).voucher?.offered).toBeNull();
    expect(refusal(() => sell(claire, 1200, voucher)).issues).toEqual([{ path: 'voucherId', message: 'ledger.voucher_withdrawn' }]);
  });

  it('refunding the sale that issued a voucher already used leaves that use alone', () => {
    const claire = w.members.claire.id;
    const fifth = earnVoucher(claire);
    const voucher = fifth.vouchers!.issued!;
    sell(claire, 1200, voucher);
    expect(refundAll(fifth, 'F-1').vouchers).toBeUndefined();
    expect(w.db.prepare('SELECT status FROM voucher').get()).toEqual({ status: 'used' });
  });
});
