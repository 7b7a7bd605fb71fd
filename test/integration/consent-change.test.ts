import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/core';
import { pendingConsentChanges, acknowledgeConsentChanges } from '../../src/main/core/members/consents';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

/** Issue 17 item 1, terminal side: a consent given or withdrawn at the till or on the customer screen. */

let dir: string;
let core: Core;
let known: KnownMembers;
let now: number;
const VERSION = testConfig().consentWordingVersion;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-consent-'));
  now = Date.UTC(2026, 11, 7, 10);
  core = createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => now },
    random: seededRandom(8),
    logger: silentLogger,
    validateOutput: true,
  });
  known = insertKnownMembers(core.members);
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

const change = (role: 'cashier' | 'customer', memberId: string, purpose: string, granted: boolean, consentWordingVersion = VERSION) =>
  core.dispatch(role, 'member.setConsent', { memberId, purpose, granted, consentWordingVersion });

describe('member.setConsent', () => {
  it('records a withdrawal at the till with its wording version and time, queued for HQ, and drops the member’s scores with profiling', async () => {
    const claire = known.claire.id;
    core.db
      .prepare("INSERT INTO member_value_hint (member_id, segment, p_alive, last_visit_on, scored_on, welcome_back, received_at) VALUES (?, 'steady', 0.9, '2026-12-01', '2026-12-01', 0, ?)")
      .run(claire, now);
    now += 60_000;
    const result = await change('cashier', claire, 'marketing', false);
    expect(result.ok).toBe(true);
    const consents = (result as { ok: true; value: { consents: Array<{ purpose: string; granted: boolean; wordingVersion: string; recordedAt: number }> } }).value.consents;
    // The history keeps the first answer and adds the change; the latest per purpose is the consent.
    expect(consents.filter((c) => c.purpose === 'marketing')).toEqual([
      { purpose: 'marketing', granted: true, wordingVersion: VERSION, recordedAt: Date.UTC(2024, 2, 14, 10) },
      { purpose: 'marketing', granted: false, wordingVersion: VERSION, recordedAt: now },
    ]);
    expect(pendingConsentChanges(core.db)).toEqual([
      { consentRowid: expect.any(Number), memberId: claire, purpose: 'marketing', granted: false, wordingVersion: VERSION, recordedAt: now, source: 'till' },
    ]);
    // The same answer again is no change: nothing new in the history or for HQ.
    await change('cashier', claire, 'marketing', false);
    expect(pendingConsentChanges(core.db)).toHaveLength(1);

    expect(core.db.prepare('SELECT count(*) AS n FROM member_value_hint WHERE member_id = ?').get(claire)).toEqual({ n: 1 });
    expect((await change('cashier', claire, 'profiling', true)).ok).toBe(true);
    expect(core.db.prepare('SELECT count(*) AS n FROM member_value_hint WHERE member_id = ?').get(claire)).toEqual({ n: 1 });
    await change('cashier', claire, 'profiling', false);
    expect(core.db.prepare('SELECT count(*) AS n FROM member_value_hint WHERE member_id = ?').get(claire)).toEqual({ n: 0 });
    expect(pendingConsentChanges(core.db).map((c) => [c.purpose, c.granted])).toEqual([['marketing', false], ['profiling', true], ['profiling', false]]);

    acknowledgeConsentChanges(core.db, pendingConsentChanges(core.db).map((c) => c.consentRowid));
    expect(pendingConsentChanges(core.db)).toEqual([]);
  });

  it('lets the customer screen change only the member it shows', async () => {
    expect(await change('customer', known.claire.id, 'marketing', false)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await core.dispatch('cashier', 'member.identify', { code: known.claire.cardNumber, source: 'keyboard' })).ok).toBe(true);
    expect(await change('customer', known.helene.id, 'marketing', false)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await change('customer', known.claire.id, 'personalisedOffers', true)).toMatchObject({ ok: true });
    expect(pendingConsentChanges(core.db)).toMatchObject([{ memberId: known.claire.id, purpose: 'personalisedOffers', granted: true, source: 'customer-screen' }]);
  });

  it('refuses wording this terminal does not show, an unknown member and an unknown purpose, and records nothing', async () => {
    expect(await change('cashier', known.claire.id, 'marketing', false, '2019-01.fr-0')).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await change('cashier', '0193a5b2-7c00-7000-8000-00000000dead', 'marketing', false)).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(await change('cashier', known.claire.id, 'telepathy', false)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(pendingConsentChanges(core.db)).toEqual([]);
    expect(core.db.prepare('SELECT count(*) AS n FROM member_consent WHERE member_id = ?').get(known.claire.id)).toEqual({ n: 3 });
  });
});
