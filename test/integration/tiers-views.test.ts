import { afterEach, describe, expect, it } from 'vitest';
import type { LedgerAccount, Result, SessionState } from '../../src/shared/contract';
import { RECEIPT_WIDTH } from '../../src/shared/domain/receipt-layout';
import type { MemberTier } from '../../src/shared/tiers/member-tier';
import { createCore, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger, systemClock } from '../../src/main/core/ports';
import { buildLoyaltyReceipt, RECEIPT_COLUMNS, referenceReceiptData } from '../../src/main/core/receipt/receipt';
import { applyTiers } from '../../src/main/core/tiers/tier-store';
import { until } from '../fakes/device-harness';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';
import { WEDNESDAY_10H } from './ledger-fixture';

/**
 * The member's tier where the screens and the receipt read it (issue 14
 * item 3): the cashier's account view, the customer screen's greeting, the
 * till's receipt lines and the printed receipt, each with what is left to
 * reach the next tier; a member HQ has not ranked is basic, with no gap.
 */
let core: Core;
let known: KnownMembers;
afterEach(async () => core?.close());

async function ok<T>(result: Promise<Result<unknown>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value as T;
}

const gold = { fr: 'Or', en: 'Gold' };
const basic = { fr: 'Essentiel', en: 'Basic' };
const RANKED = Date.UTC(2026, 10, 18, 2);
const tiers = (k: KnownMembers): MemberTier[] => [
  { memberId: k.helene.id, tier: 'gold', label: gold, next: null, rankedAt: RANKED },
  { memberId: k.claire.id, tier: 'basic', label: basic, next: { tier: 'gold', label: gold, gapCents: 4_150 }, rankedAt: RANKED },
];

async function open(devices: 'simulated' | 'rig' = 'simulated'): Promise<void> {
  core = createCore({
    dbPath: ':memory:',
    config: testConfig(devices === 'rig' ? { devices: 'rig' } : {}),
    shell: 'browser',
    clock: devices === 'rig' ? systemClock : { now: () => WEDNESDAY_10H },
    random: seededRandom(31),
    monotonic: { now: () => 1_000 },
    logger: silentLogger,
    validateOutput: true,
  });
  known = insertKnownMembers(core.members);
  await core.start();
  applyTiers(core.db, tiers(known), [], WEDNESDAY_10H);
}

const sale = (memberId: string, receipt: string) => ({
  tillId: 'caisse-1',
  receipt,
  memberId,
  lines: [{ lineId: '1', sku: 'SKU-1', label: 'Courses', category: 'grocery', quantity: 1, unitPriceCents: 2_000, taxRateBp: 550 }],
  payments: [{ method: 'card' as const, amountCents: 2_000 }],
});

describe('the tier on the screens and the receipt', () => {
  it('the cashier’s account view carries the tier and the gap; an unranked member is basic with none', async () => {
    await open();
    const account = (memberId: string) => ok<LedgerAccount>(core.dispatch('cashier', 'ledger.account', { memberId }));
    expect((await account(known.helene.id)).tier).toMatchObject({ tier: 'gold', label: gold, next: null });
    expect((await account(known.claire.id)).tier).toMatchObject({ tier: 'basic', next: { tier: 'gold', gapCents: 4_150 } });
    expect((await account(known.zoe.id)).tier).toEqual({ memberId: known.zoe.id, tier: 'basic', label: basic, next: null, rankedAt: null });
  });

  it('the customer screen’s greeting carries the tier once the card is scanned; a sale brings the gap down', async () => {
    await open();
    await ok(core.dispatch('cashier', 'member.select', { memberId: known.claire.id }));
    const greeted = await ok<SessionState>(core.dispatch('customer', 'session.get', {}));
    expect(greeted).toMatchObject({ phase: 'identified', greeting: { tier: { tier: 'basic', next: { gapCents: 4_150, label: gold } } } });
    core.loyalty.commit(sale(known.claire.id, 'T-1'));
    const after = await ok<SessionState>(core.dispatch('customer', 'session.get', {}));
    expect(after).toMatchObject({ phase: 'identified', greeting: { balance: core.ledger.points(known.claire.id).balance, tier: { tier: 'basic', next: { gapCents: 4_150 - 2_000 } } } });
    expect(core.ledger.points(known.claire.id).balance).toBeGreaterThan(0);
  });

  it('the till’s receipt lines name the tier and the gap, in 42 columns, French and English', async () => {
    await open();
    const committed = core.loyalty.commit(sale(known.claire.id, 'T-2'));
    const fr = core.loyalty.receiptLines(committed, 'fr');
    expect(fr.every((line) => line.length <= RECEIPT_WIDTH)).toBe(true);
    expect(fr.join('\n')).toMatch(/Statut\s+Essentiel/);
    // The gap of the night's ranking less the 20 € just bought here.
    expect(fr.join('\n')).toContain("Plus que 22 € d'achats pour passer Or");
    const en = core.loyalty.receiptLines(committed, 'en');
    expect(en.join('\n')).toMatch(/Status\s+Basic/);
    expect(en.join('\n')).toContain('Only €22 more in purchases to reach Gold');
    const top = core.loyalty.receiptLines(core.loyalty.commit(sale(known.helene.id, 'T-3')), 'fr').join('\n');
    expect(top).toMatch(/Statut\s+Or/);
    expect(top).not.toContain("d'achats");
  });

  it.each(RECEIPT_COLUMNS)('the printed receipt document has the tier line and the gap in %i columns', (columns) => {
    const data = { ...referenceReceiptData(WEDNESDAY_10H), tier: { memberId: 'm', tier: 'basic', label: basic, next: { tier: 'gold', label: gold, gapCents: 123_401 }, rankedAt: RANKED } };
    const lines = buildLoyaltyReceipt(data, columns).blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
    expect(lines.some((l) => /^Statut\s+Essentiel$/.test(l))).toBe(true);
    expect(lines.join(' ')).toContain("Plus que 1 235 € d'achats pour passer Or");
    expect(buildLoyaltyReceipt(referenceReceiptData(WEDNESDAY_10H), columns).blocks.some((b) => b.type === 'text' && b.text.startsWith('Statut'))).toBe(false);
  });

  it('the receipt printed after a sale names the tier, and says when the sale reached the night’s cut-off', async () => {
    await open('rig');
    await until(() => core.devices.list().every((d) => d.state === 'enabled'), 'every rig device enabled', 5_000);
    await ok(core.dispatch('cashier', 'ledger.manualCommit', { memberId: known.claire.id, lines: [{ category: 'grocery', amountCents: 4_250, taxRateBp: 550 }] }));
    const printed = async () => (await ok<{ pages: Array<{ text: string }> }>(core.dispatch('simulator', 'sim.printed', {}))).pages;
    let pages = await printed();
    for (const deadline = Date.now() + 5_000; pages.length === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      pages = await printed();
    }
    expect(pages).toHaveLength(1);
    const text = pages[0]!.text;
    expect(text).toMatch(/Statut\s+Essentiel/);
    // 42,50 € bought against a gap of 41,50 €: the cut-off is reached, the status moves at the next ranking.
    expect(text.replace(/\s+/g, ' ')).toContain('Seuil Or atteint : votre statut sera revu au prochain classement');
    expect(text).not.toContain('Plus que 0');
  });

  it('a sale made before the ranking does not count against the gap', async () => {
    await open();
    core.loyalty.commit(sale(known.claire.id, 'T-4'));
    // HQ ranked after that sale: its gap already counts it.
    applyTiers(core.db, [{ ...tiers(known)[1]!, rankedAt: Date.now() + 60_000 }], [], WEDNESDAY_10H);
    expect((await ok<LedgerAccount>(core.dispatch('cashier', 'ledger.account', { memberId: known.claire.id }))).tier.next?.gapCents).toBe(4_150);
  });
});
