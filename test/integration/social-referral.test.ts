import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppFailure, Result } from '../../src/shared/contract';
import { createCore, type Core } from '../../src/main/core/core';
import { referralCodeOf } from '../../src/main/core/social/referral-code';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { DEFAULT_SOCIAL_POLICY } from '../../src/shared/social/policy';
import { formatReferralCode, referralQrPayload } from '../../src/shared/social/referral-code';
import { newcomerForm, screenCalls } from '../fakes/newcomer';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

/**
 * Referrals on a terminal standing alone (issue 16 item 1): the terminal
 * decides the reward itself (HQ decides once the terminal is enrolled:
 * test/sync-hq/social-referral.test.ts).
 */
let dir: string;
let core: Core;
let known: KnownMembers;
let now: number;
const { referrerPoints, refereePoints, minimumPurchaseCents, monthlyCap } = DEFAULT_SOCIAL_POLICY.referral;

const { call, ok, issueKeys } = screenCalls(() => core);

function open(): Core {
  return createCore({ dbPath: join(dir, 'terminal.sqlite'), config: testConfig(), shell: 'browser', clock: { now: () => now }, random: seededRandom(5), logger: silentLogger, validateOutput: true });
}

const form = newcomerForm;

async function enrol(overrides: Record<string, unknown> = {}): Promise<Result<unknown>> {
  await ok('customer', 'enrolment.start', { presetCardNumber: null });
  const result = await call('customer', 'enrolment.submit', form(overrides));
  if (!result.ok) await ok('customer', 'enrolment.cancel', { reason: 'abandoned' });
  return result;
}

const buy = (memberId: string, cents: number) => ok<{ pointsEarned: number }>('cashier', 'ledger.manualCommit', { memberId, lines: [{ category: 'grocery', amountCents: cents, taxRateBp: 0 }] });
const balance = (memberId: string) => core.ledger.points(memberId).balance;
const memberCount = () => core.db.prepare('SELECT count(*) FROM member').pluck().get() as number;
const journalKinds = () => core.db.prepare("SELECT kind FROM ledger_entry WHERE kind IN ('referral', 'referral_reward') ORDER BY seq").pluck().all();

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-referral-'));
  now = Date.UTC(2026, 11, 7, 10);
  core = open();
  known = insertKnownMembers(core.members);
  await core.start();
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('referral at enrolment', () => {
  it('shows each member a code and QR, the same one derived from their id', async () => {
    await ok('cashier', 'member.select', { memberId: known.claire.id });
    const view = await ok<{ referral: { code: string; qr: string } }>('customer', 'social.view', {});
    const code = referralCodeOf(known.claire.id);
    expect(view.referral).toEqual({ code: formatReferralCode(code), qr: referralQrPayload(code) });
    expect(view.referral.code).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
  });

  it('rewards both after the new member’s first purchase above the minimum, once', async () => {
    const enrolled = await enrol({ referralCode: referralQrPayload(referralCodeOf(known.claire.id)) });
    expect(enrolled.ok).toBe(true);
    const lea = (enrolled as { value: { member: { id: string }; referral: { code: string } } }).value;
    expect(lea.referral.code).toBe(formatReferralCode(referralCodeOf(lea.member.id)));
    expect(journalKinds()).toEqual(['referral']);
    const claireBefore = balance(known.claire.id);

    // Below the minimum: no reward yet.
    const small = await buy(lea.member.id, minimumPurchaseCents - 1);
    expect(balance(lea.member.id)).toBe(small.pointsEarned);
    expect(balance(known.claire.id)).toBe(claireBefore);

    const big = await buy(lea.member.id, minimumPurchaseCents);
    expect(balance(lea.member.id)).toBe(small.pointsEarned + big.pointsEarned + refereePoints);
    expect(balance(known.claire.id)).toBe(claireBefore + referrerPoints);

    // A later purchase, and a restart that reloads what is pending, reward nothing more.
    await buy(lea.member.id, minimumPurchaseCents * 3);
    await core.close();
    core = open();
    await core.start();
    await buy(lea.member.id, minimumPurchaseCents * 2);
    expect(balance(known.claire.id)).toBe(claireBefore + referrerPoints);
    expect(journalKinds()).toEqual(['referral', 'referral_reward', 'referral_reward']);
    expect(core.ledger.verifyChain().ok).toBe(true);
  });

  it('accepts the code typed with dashes, spaces and lower case', async () => {
    const typed = ` ${formatReferralCode(referralCodeOf(known.helene.id)).toLowerCase().replace('-', ' - ')} `;
    expect((await enrol({ referralCode: typed })).ok).toBe(true);
    expect(core.social.referrals.referrerOf((core.db.prepare("SELECT id FROM member ORDER BY created_at DESC, id DESC LIMIT 1").pluck().get() as string))).toBe(known.helene.id);
  });

  it('refuses a code that does not exist, and writes nothing', async () => {
    const members = memberCount();
    const result = await enrol({ referralCode: 'ZZZZ-ZZZZ' });
    expect(result.ok).toBe(false);
    expect(issueKeys(result)).toEqual(['referral.unknown_code']);
    expect(memberCount()).toBe(members);
    expect(journalKinds()).toEqual([]);
    expect(issueKeys(await enrol({ referralCode: 'pas un code' }))).toEqual(['referral.unknown_code']);
  });

  it('refuses the customer’s own code (same phone or email as its holder), and writes nothing', async () => {
    const members = memberCount();
    const code = formatReferralCode(referralCodeOf(known.claire.id));
    expect(issueKeys(await enrol({ referralCode: code, email: '', phone: '06 12 34 56 78' }))).toEqual(['referral.own_code']);
    expect(issueKeys(await enrol({ referralCode: code, email: 'Claire.Dupont@example.com' }))).toEqual(['referral.own_code']);
    expect(memberCount()).toBe(members);
    expect(journalKinds()).toEqual([]);
  });

  it('refuses the customer’s own code when the card being enrolled is its holder’s', () => {
    let refusal: unknown = null;
    try {
      core.social.referrals.check(referralCodeOf(known.claire.id), { email: null, phone: null, cardNumber: known.claire.cardNumber });
    } catch (error) {
      refusal = error;
    }
    expect((refusal as AppFailure).issues).toEqual([{ path: 'referralCode', message: 'referral.own_code' }]);
  });

  it('refuses a code past its monthly cap, and writes nothing; the next month it works again', async () => {
    const code = formatReferralCode(referralCodeOf(known.zoe.id));
    for (let i = 0; i < monthlyCap; i++) expect((await enrol({ referralCode: code, email: `ami${i}@example.fr` })).ok).toBe(true);
    const members = memberCount();
    expect(issueKeys(await enrol({ referralCode: code, email: 'un-de-trop@example.fr' }))).toEqual(['referral.cap_reached']);
    expect(memberCount()).toBe(members);
    now = Date.UTC(2027, 0, 2, 10);
    expect((await enrol({ referralCode: code, email: 'un-de-trop@example.fr' })).ok).toBe(true);
  });
});

describe('a friend’s code typed at the till', () => {
  it('links a member who has not bought yet, and refuses a second code', async () => {
    const lea = ((await enrol()) as { value: { member: { id: string } } }).value.member.id;
    await ok('cashier', 'member.select', { memberId: lea });
    expect(await ok('cashier', 'social.attachReferral', { code: formatReferralCode(referralCodeOf(known.claire.id)) })).toEqual({ referrerFirstName: 'Claire' });
    const again = await call('cashier', 'social.attachReferral', { code: formatReferralCode(referralCodeOf(known.helene.id)) });
    expect(issueKeys(again)).toEqual(['referral.already_referred']);
    expect(journalKinds()).toEqual(['referral']);
  });

  it('refuses a member who already bought, their own code, and writes nothing', async () => {
    await ok('cashier', 'member.select', { memberId: known.claire.id });
    expect(issueKeys(await call('cashier', 'social.attachReferral', { code: formatReferralCode(referralCodeOf(known.claire.id)) }))).toEqual(['referral.own_code']);
    await buy(known.claire.id, 1_000);
    expect(issueKeys(await call('cashier', 'social.attachReferral', { code: formatReferralCode(referralCodeOf(known.helene.id)) }))).toEqual(['referral.not_new']);
    expect(journalKinds()).toEqual([]);
  });
});
