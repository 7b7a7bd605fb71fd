import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SocialView } from '../../src/shared/contract';
import { createCore, type Core } from '../../src/main/core/core';
import { causeAccount } from '../../src/main/core/social/social-entries';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { buildLoyaltyReceipt, referenceReceiptData } from '../../src/main/core/receipt/receipt';
import type { CauseRecord } from '../../src/shared/social/cause';
import { DEFAULT_SOCIAL_POLICY } from '../../src/shared/social/policy';
import { screenCalls } from '../fakes/newcomer';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

/** Points for causes at the till (issue 16 item 4): a gift from the customer screen, its counter, its refusals. */
let dir: string;
let core: Core;
let known: KnownMembers;
let n = 0;
const { minimumDonationPoints } = DEFAULT_SOCIAL_POLICY.causes;

const school: CauseRecord = {
  id: 'ecole-jules-ferry',
  name: 'l’école Jules-Ferry',
  description: 'Une classe verte pour les CM2',
  imageUrl: null,
  goalPoints: 50_000,
  status: 'open',
  totalPoints: 12_000,
  totalAt: Date.UTC(2026, 11, 1),
};
const closed: CauseRecord = { ...school, id: 'banque-alimentaire', name: 'la banque alimentaire', status: 'closed', totalPoints: 800 };

const { call, ok, issueKeys } = screenCalls(() => core);
const donationId = () => `0190a1b2-c3d4-7e5f-8a9b-${String(++n).padStart(12, '0')}`;
const donate = (causeId: string, points: number) => call('customer', 'social.donate', { donationId: donationId(), causeId, points });
const donations = () => core.db.prepare("SELECT count(*) FROM ledger_entry WHERE kind = 'donate'").pluck().get();
const counter = async (id: string) => (await ok<SocialView>('customer', 'social.view', {})).causes.find((c) => c.id === id)!.totalPoints;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-causes-'));
  core = createCore({ dbPath: join(dir, 'terminal.sqlite'), config: testConfig(), shell: 'browser', clock: { now: () => Date.UTC(2026, 11, 7, 10) }, random: seededRandom(9), logger: silentLogger, validateOutput: true });
  known = insertKnownMembers(core.members);
  await core.start();
  core.social.causes.install([school, closed]);
  await ok('cashier', 'ledger.manualCommit', { memberId: known.claire.id, lines: [{ category: 'grocery', amountCents: 50_000, taxRateBp: 0 }] });
  await ok('cashier', 'member.select', { memberId: known.claire.id });
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a donation to a cause', () => {
  it('moves the points from the member to the cause’s account and the counter', async () => {
    const before = core.ledger.points(known.claire.id).balance;
    const view = await ok<SocialView>('customer', 'social.view', {});
    expect(view.causes.map((c) => [c.id, c.status, c.totalPoints])).toEqual([
      ['ecole-jules-ferry', 'open', 12_000],
      ['banque-alimentaire', 'closed', 800],
    ]);
    const done = await ok<{ balance: number; causeTotal: number }>('customer', 'social.donate', { donationId: donationId(), causeId: school.id, points: 150 });
    expect(done).toMatchObject({ balance: before - 150, causeTotal: 12_150 });
    expect(core.ledger.points(known.claire.id).balance).toBe(before - 150);
    expect(await counter(school.id)).toBe(12_150);
    const entry = core.ledger.history(known.claire.id, 1)[0]!;
    expect(entry.kind).toBe('donate');
    expect(entry.postings).toEqual(expect.arrayContaining([{ account: causeAccount(school.id), delta: 150 }]));
    expect(core.ledger.verifyChain().ok).toBe(true);
  });

  it('refuses a gift above the balance, below the minimum, to a closed or unknown cause, and writes nothing', async () => {
    const balance = core.ledger.points(known.claire.id).balance;
    expect(issueKeys(await donate(school.id, balance + 1))).toEqual(['ledger.insufficient_points']);
    expect(issueKeys(await donate(school.id, minimumDonationPoints - 1))).toEqual(['social.donation_below_minimum']);
    expect(issueKeys(await donate(closed.id, minimumDonationPoints))).toEqual(['social.cause_closed']);
    expect(issueKeys(await donate('nulle-part', minimumDonationPoints))).toEqual(['social.cause_unknown']);
    expect(donations()).toBe(0);
    expect(core.ledger.points(known.claire.id).balance).toBe(balance);
    expect(await counter(school.id)).toBe(12_000);
  });

  it('is made once however often the screen sends it', async () => {
    const input = { donationId: donationId(), causeId: school.id, points: 100 };
    await ok('customer', 'social.donate', input);
    await ok('customer', 'social.donate', input);
    expect(donations()).toBe(1);
    expect(issueKeys(await call('customer', 'social.donate', { ...input, points: 101 }))).toEqual(['social.donation_id_reused']);
  });

  it('stands when the sale that earned the points is refunded: the refund claws back from the member', async () => {
    const sale = core.db.prepare('SELECT till_id, receipt FROM ledger_sale WHERE member_id = ?').get(known.claire.id) as { till_id: string; receipt: string };
    const earned = core.ledger.points(known.claire.id).balance;
    await ok('customer', 'social.donate', { donationId: donationId(), causeId: school.id, points: earned });
    const refund = await ok<{ pointsReversed: number }>('cashier', 'ledger.refund', { refundId: 'R-1', sale: { tillId: sale.till_id, receipt: sale.receipt }, lines: 'all' });
    expect(refund.pointsReversed).toBe(earned);
    expect(await counter(school.id)).toBe(12_000 + earned);
    expect(core.ledger.points(known.claire.id)).toMatchObject({ balance: 0, owed: earned });
  });
});

describe('the receipt', () => {
  it('prints the causes’ counters and the member’s referral code with its QR', () => {
    const data = { ...referenceReceiptData(Date.UTC(2026, 11, 7, 10)), social: { referralCode: 'ABCD-EFGH', referralQr: 'FIDELE-PARRAIN:ABCDEFGH', causes: ["12 430 pts pour l'école Jules-Ferry"] } };
    const doc = buildLoyaltyReceipt(data, 42);
    const lines = doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text.trim()] : []));
    expect(lines).toContain("12 430 pts pour l'école Jules-Ferry");
    expect(lines.join(' ')).toContain('Parrainez un ami avec le code ABCD-EFGH');
    expect(doc.blocks).toContainEqual({ type: 'qr', payload: 'FIDELE-PARRAIN:ABCDEFGH' });
    expect(buildLoyaltyReceipt(referenceReceiptData(Date.UTC(2026, 11, 7, 10)), 42).blocks.some((b) => b.type === 'qr' && b.payload.startsWith('FIDELE-PARRAIN'))).toBe(false);
  });
});
