import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, LedgerAccount, Result, SessionState } from '../../src/shared/contract';
import { RECEIPT_WIDTH } from '../../src/shared/domain/receipt-layout';
import { createCore, type Core } from '../../src/main/core/core';
import { hashManagerPin } from '../../src/main/core/ledger/manager-pin';
import { MANUAL_TILL } from '../../src/main/core/loyalty';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';
import { WEDNESDAY_10H } from './ledger-fixture';

/** The ledger as the screens reach it: through dispatch, with events and the customer greeting. */
let core: Core;
let known: KnownMembers;
let now: number;
let events: Array<{ name: EventName; payload: unknown }>;

beforeEach(async () => {
  now = WEDNESDAY_10H;
  core = createCore({
    dbPath: ':memory:',
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => now },
    random: seededRandom(21),
    monotonic: { now: () => 1_000 },
    logger: silentLogger,
    validateOutput: true,
  });
  known = insertKnownMembers(core.members);
  await core.start();
  events = [];
  core.bus.subscribe((name, payload) => events.push({ name, payload }));
});

afterEach(async () => {
  await core.close();
});

async function ok<T>(result: Promise<Result<unknown>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
}

/** A till's sale for Claire: 84,40 € of groceries at 5,5 % VAT, paid by card. */
function tillSale(receipt: string, redeemPoints = 0) {
  const total = 8440;
  const discount = redeemPoints * 5;
  return {
    tillId: 'caisse-1',
    receipt,
    memberId: known.claire.id,
    redeemPoints,
    lines: [{ lineId: '1', sku: 'SKU-1', label: 'Courses', category: 'grocery', quantity: 1, unitPriceCents: total, taxRateBp: 550 }],
    payments: [{ method: 'card' as const, amountCents: total - discount }],
  };
}

describe('the ledger through the contract', () => {
  it('tells the cashier screen the program: base category first, VAT rates, rewards', async () => {
    const program = await ok<{ categories: Array<{ slug: string; excluded: boolean }>; taxRatesBp: number[]; rewards: Array<{ label: string }> }>(
      core.dispatch('cashier', 'ledger.program', {}),
    );
    expect(program.categories[0]).toMatchObject({ slug: 'grocery', excluded: false });
    expect(program.categories.filter((c) => c.excluded).map((c) => c.slug)).toEqual(core.ledger.rules.excludedCategories);
    expect(program.taxRatesBp).toEqual([...core.ledger.rules.taxRatesBp].sort((a, b) => b - a));
    expect(program.rewards.map((r) => r.label)).toEqual(core.ledger.rules.rewards.map((r) => r.label));
  });

  it('shows a member with no points yet, and the first reward to aim for', async () => {
    const account = await ok<LedgerAccount>(core.dispatch('cashier', 'ledger.account', { memberId: known.claire.id }));
    expect(account).toMatchObject({ balance: 0, available: 0, pending: 0, owed: 0, expiring: [], visits: [] });
    expect(account.nextReward).toMatchObject({ label: 'Café offert', points: 150, missing: 150 });
  });

  it('a till sale greets the member with her new balance on both screens, and her account shows the visit', async () => {
    await ok(core.dispatch('cashier', 'member.identify', { code: known.claire.cardNumber, source: 'keyboard' }));
    const sale = core.loyalty.commit(tillSale('T-0001'));
    // 84,40 € incl. 5,5 % VAT is 80,00 € excl. VAT: 80 points, floored once per ticket.
    expect(sale.pointsEarned).toBe(80);
    const moved = events.find((e) => e.name === 'points.moved')?.payload;
    expect(moved).toMatchObject({ memberId: known.claire.id, firstName: 'Claire', reason: 'sale', pointsEarned: 80, balance: 80 });
    const session = await ok<SessionState>(core.dispatch('customer', 'session.get', {}));
    expect(session).toMatchObject({ phase: 'identified', greeting: { balance: 80, nextReward: { points: 150, missing: 70 } } });

    const account = await ok<LedgerAccount>(core.dispatch('cashier', 'ledger.account', { memberId: known.claire.id }));
    expect(account.balance).toBe(80);
    expect(account.visits).toEqual([{ at: now, tillId: 'caisse-1', receipt: 'T-0001', pointsEarned: 80, pointsRedeemed: 0, refunded: false }]);
    expect(account.expiring).toEqual([{ expiresOn: expect.stringMatching(/^2027-11-/), points: 80 }]);
  });

  it('a manual sale previews, then commits, and redemption turns points into a discount', async () => {
    core.loyalty.commit(tillSale('T-0002'));
    core.loyalty.commit(tillSale('T-0003'));
    const input = { memberId: known.claire.id, lines: [{ category: 'bio', amountCents: 4200, taxRateBp: 550 }], redeemPoints: 100 };
    const before = core.ledger.head().seq;
    const preview = await ok<{ pointsEarned: number; redemption: { discountCents: number }; options: { minimumPoints: number } }>(
      core.dispatch('cashier', 'ledger.manualPreview', input),
    );
    expect(core.ledger.head().seq).toBe(before);
    expect(preview.redemption.discountCents).toBe(500);
    expect(preview.options.minimumPoints).toBe(100);
    const sale = await ok<{ tillId: string; pointsRedeemed: number; pointsEarned: number; balanceAfter: number }>(
      core.dispatch('cashier', 'ledger.manualCommit', input),
    );
    expect(sale).toMatchObject({ tillId: MANUAL_TILL, pointsRedeemed: 100, pointsEarned: preview.pointsEarned });
    expect(sale.balanceAfter).toBe(160 - 100 + preview.pointsEarned);
  });

  it('a refund from the cashier screen restores the balance, once', async () => {
    core.loyalty.commit(tillSale('T-0004'));
    const refund = { refundId: 'r-1', sale: { tillId: 'caisse-1', receipt: 'T-0004' }, lines: 'all' };
    const first = await ok<{ balanceAfter: number; pointsReversed: number }>(core.dispatch('cashier', 'ledger.refund', refund));
    expect(first).toMatchObject({ balanceAfter: 0, pointsReversed: 80 });
    const again = await ok<{ balanceAfter: number }>(core.dispatch('cashier', 'ledger.refund', refund));
    expect(again).toEqual(first);
    expect(core.ledger.points(known.claire.id).balance).toBe(0);
    const account = await ok<LedgerAccount>(core.dispatch('cashier', 'ledger.account', { memberId: known.claire.id }));
    expect(account.visits.map((v) => [v.receipt, v.refunded])).toEqual([['T-0004', true]]);
    expect(events.filter((e) => e.name === 'points.moved').map((e) => (e.payload as { reason: string }).reason)).toEqual(['sale', 'refund', 'refund']);
  });

  it('refuses what the ledger refuses, with its message keys, through dispatch', async () => {
    const unknownMember = await core.dispatch('cashier', 'ledger.manualPreview', {
      memberId: '01900000-0000-7000-8000-000000000000',
      lines: [{ category: 'bio', amountCents: 100, taxRateBp: 550 }],
    });
    expect(unknownMember).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const badRate = await core.dispatch('cashier', 'ledger.manualPreview', {
      memberId: known.claire.id,
      lines: [{ category: 'bio', amountCents: 100, taxRateBp: 1234 }],
    });
    expect(badRate).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    const tooMuch = await core.dispatch('cashier', 'ledger.manualCommit', {
      memberId: known.claire.id,
      lines: [{ category: 'bio', amountCents: 10_000, taxRateBp: 550 }],
      redeemPoints: 500,
    });
    expect(tooMuch.ok).toBe(false);
    expect(core.ledger.head().seq).toBe(0);
    expect(await core.dispatch('customer', 'ledger.account', { memberId: known.claire.id })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('a manual sale the commit refuses gives the reason its preview gives, and writes nothing', async () => {
    core.loyalty.commit(tillSale('T-0010'));
    const refusals = [
      { memberId: '01900000-0000-7000-8000-000000000000', lines: [{ category: 'bio', amountCents: 100, taxRateBp: 550 }] },
      { memberId: known.claire.id, lines: [{ category: 'bio', amountCents: 100, taxRateBp: 1234 }] },
      { memberId: known.claire.id, lines: [{ category: 'bio', amountCents: 10_000, taxRateBp: 550 }], redeemPoints: 500 },
      { memberId: known.claire.id, lines: [{ category: 'bio', amountCents: 10_000, taxRateBp: 550 }], redeemPoints: 55 },
      { memberId: known.claire.id, lines: [{ category: 'bio', amountCents: 100, taxRateBp: 550 }], redeemPoints: 50 },
    ];
    const head = core.ledger.head().seq;
    for (const input of refusals) {
      const preview = await core.dispatch('cashier', 'ledger.manualPreview', input);
      const commit = await core.dispatch('cashier', 'ledger.manualCommit', input);
      expect(preview.ok).toBe(false);
      expect(commit).toEqual({ ok: false, error: (preview as { error: unknown }).error });
    }
    expect(core.ledger.head().seq).toBe(head);
  });

  it('lays out the receipt lines in 42 columns, in French and English', () => {
    const sale = core.loyalty.commit(tillSale('T-0005'));
    const fr = core.loyalty.receiptLines(sale, 'fr');
    expect(fr.every((line) => line.length <= RECEIPT_WIDTH)).toBe(true);
    expect(fr.join('\n')).toContain('Points gagnés');
    expect(fr.join('\n')).toMatch(/Nouveau solde\s+80 pts/);
    expect(fr.join('\n')).toContain('Plus que 70 pts pour : Café offert');
    expect(fr.join('\n')).toMatch(/80 pts expirent le \d{2}\/11\/2027/);
    const en = core.loyalty.receiptLines(sale, 'en');
    expect(en.join('\n')).toMatch(/New balance\s+80 pts/);
  });

  it('takes the manager PIN and threshold from the terminal configuration', async () => {
    const pinHash = hashManagerPin('482913', seededRandom(3), { N: 1024, r: 8, p: 1 });
    const managed = createCore({
      dbPath: ':memory:',
      config: testConfig({ adjustmentThresholdPoints: 50, managerPinHash: pinHash }),
      shell: 'browser',
      clock: { now: () => now },
      random: seededRandom(22),
      monotonic: { now: () => 1_000 },
      logger: silentLogger,
    });
    const members = insertKnownMembers(managed.members);
    const adjust = (points: number, pin: string | null) => () =>
      managed.loyalty.adjust({
        adjustmentId: `adj-${points}-${pin ?? 'none'}`,
        memberId: members.claire.id,
        points,
        reason: 'geste commercial',
        actor: 'caissier-7',
        manager: pin ? { id: 'responsable-1', pin } : null,
      });
    expect(adjust(40, null)()).toMatchObject({ balanceAfter: 40, approvedBy: null });
    expect(adjust(60, null)).toThrow();
    expect(adjust(60, '000000')).toThrow();
    expect(adjust(60, '482913')()).toMatchObject({ balanceAfter: 100, approvedBy: 'responsable-1' });
    await managed.close();
  });

  it('gives the Z report of the day as data and as printable lines', async () => {
    core.loyalty.commit(tillSale('T-0006'));
    const z = await ok<{ day: string; lines: string[]; report: { today: { entries: number } } }>(core.dispatch('cashier', 'ledger.zReport', {}));
    expect(z.day).toBe('2026-11-18');
    expect(z.report.today.entries).toBeGreaterThan(0);
    expect(z.lines.every((line) => line.length <= RECEIPT_WIDTH)).toBe(true);
  });
});
