import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppFailure } from '../../src/shared/contract';
import type { PrivacySelfEvent, PrivacySelfRequest } from '../../src/shared/contract/privacy-self';
import { createCore, type Core } from '../../src/main/core/core';
import { SelfService, type SignedPost } from '../../src/main/core/privacy/self-service';
import { buildNoticeDocument } from '../../src/main/core/privacy/self-service-notice';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

/** Issue 17 item 2, terminal side: self-service goes to HQ under a proof held for the member shown, and nothing else. */

const SESSION = 'S'.repeat(43);
let dir: string;
let core: Core;
let known: KnownMembers;
let shown: string | null;
let asked: PrivacySelfRequest['request'][];
let answers: Record<string, { status: number; body: unknown }>;
let events: PrivacySelfEvent[];

const post: SignedPost = async (_path, build) => {
  const key = { keyId: 'k', sign: () => 'sig' };
  const request = build({ sentAt: 1, nonce: 'n'.repeat(22) }, key as never, { terminalId: 't-1' } as never) as unknown as PrivacySelfRequest;
  asked.push(request.request);
  const answer = answers[request.request.op]!;
  return { kind: 'answer', status: answer.status, body: answer.body, retryAfterMs: null };
};

function selfService(): SelfService {
  return new SelfService({
    post,
    hqUrl: 'http://hq.test/',
    members: core.members,
    lookups: core.lookups,
    clock: { now: () => 1_000 },
    shownMemberId: () => shown,
    shownCard: () => known.claire.cardNumber,
    balance: () => 0,
    tier: () => null,
    segment: () => null,
    emit: (event) => events.push(event),
    erased: () => undefined,
  });
}

const hqData = (email: string | null) => ({
  identity: { firstName: 'Claire', lastName: 'Dupont', email, phone: '+33612345678', locale: 'fr', cards: [known.claire.cardNumber], createdAt: 1 },
  consents: [],
  balance: 0,
  forfeit: 0,
  visits: { count: 0, last: null },
  incidents: [],
  tier: null,
  segment: null,
  referrals: null,
});

async function failure(promise: Promise<unknown>): Promise<AppFailure> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppFailure) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-privacy-self-'));
  core = createCore({ dbPath: join(dir, 'terminal.sqlite'), config: testConfig(), shell: 'browser', clock: { now: () => 1_000 }, random: seededRandom(8), logger: silentLogger, validateOutput: true });
  known = insertKnownMembers(core.members);
  shown = known.claire.id;
  asked = [];
  events = [];
  answers = {
    challenge: { status: 200, body: { challengeId: 'c1', channel: 'email', destination: 'c***@example.com', expiresAt: 600_000 } },
    verify: { status: 200, body: { session: SESSION, expiresAt: 600_000 } },
    view: { status: 200, body: hqData('claire.dupont@example.com') },
    rectify: { status: 200, body: { ok: true } },
  };
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('self-service privacy on the terminal', () => {
  it('asks HQ for a code only for the member the screens show', async () => {
    const self = selfService();
    const refused = await failure(self.start('customer', known.helene.id, null));
    expect(refused.code).toBe('forbidden');
    expect(asked).toEqual([]);
    await self.start('cashier', known.claire.id, null);
    expect(events.map((e) => [e.state, e.by])).toEqual([['code_sent', 'cashier']]);
  });

  it('a wrong code comes back with the tries HQ left; the proof dies when another member is shown, without asking HQ', async () => {
    const self = selfService();
    await self.start('customer', known.claire.id, null);
    answers.verify = { status: 400, body: { error: { code: 'wrong_code', message: 'wrong code', triesLeft: 2 } } };
    const wrong = await failure(self.verify('123456'));
    expect(wrong.code).toBe('bad_input');
    expect(wrong.issues).toEqual([
      { path: 'privacy', message: 'privacy.error.wrong_code' },
      { path: 'triesLeft', message: '2' },
    ]);
    answers.verify = { status: 200, body: { session: SESSION, expiresAt: 600_000 } };
    const view = await self.verify('654321');
    expect(view.identity.email).toBe('claire.dupont@example.com');
    shown = known.helene.id;
    self.shownChanged();
    const before = asked.length;
    expect((await failure(self.view())).issues).toEqual([{ path: 'privacy', message: 'privacy.error.not_shown' }]);
    expect(asked.length).toBe(before);
  });

  it('a correction HQ refuses changes nothing here; one it takes is re-hashed and re-masked here', async () => {
    const self = selfService();
    await self.start('customer', known.claire.id, null);
    await self.verify('654321');
    answers.rectify = { status: 400, body: { error: { code: 'invalid', message: 'not a valid correction' } } };
    await failure(self.rectify({ firstName: 'Claire', lastName: 'Dupont', email: 'claire.new@example.com', phone: '06 12 34 56 78' }));
    expect(core.members.findByEmail('claire.dupont@example.com')).toBe(known.claire.id);
    expect(core.members.findByEmail('claire.new@example.com')).toBeNull();
    answers.rectify = { status: 200, body: { ok: true } };
    answers.view = { status: 200, body: hqData('claire.new@example.com') };
    await self.rectify({ firstName: 'claire', lastName: 'Dupont', email: 'claire.new@example.com', phone: '07 55 50 12 99' });
    expect(core.members.findByEmail('claire.new@example.com')).toBe(known.claire.id);
    expect(core.members.findByEmail('claire.dupont@example.com')).toBeNull();
    expect(core.members.findByPhone('0755501299')).toBe(known.claire.id);
    expect(core.members.summary(known.claire.id)).toMatchObject({ firstName: 'claire', email: 'c***@example.com', phone: '07 ** ** ** 99' });
  });

  it('the IPC edge: only the customer answers a code or sees the data; an invalid correction is refused before anything runs', async () => {
    expect((await core.dispatch('cashier', 'privacy.selfVerify', { code: '123456' })).ok).toBe(false);
    expect((await core.dispatch('cashier', 'privacy.selfView', {})).ok).toBe(false);
    const bad = await core.dispatch('customer', 'privacy.selfRectify', { firstName: 'Claire', lastName: 'Dupont', email: 'claire@', phone: '' });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ code: 'bad_input', issues: [{ path: 'email', message: 'email.format' }] });
    const phone = await core.dispatch('customer', 'privacy.selfRectify', { firstName: 'Claire', lastName: 'Dupont', email: '', phone: '01 23 45 67 89' });
    if (!phone.ok) expect(phone.error.issues).toEqual([{ path: 'phone', message: 'phone.not_mobile' }]);
    expect(phone.ok).toBe(false);
    // Without an HQ the till cannot start it: said, not hidden.
    await core.dispatch('cashier', 'member.select', { memberId: known.claire.id });
    const start = await core.dispatch('cashier', 'privacy.selfStart', { memberId: known.claire.id });
    expect(start.ok).toBe(false);
    if (!start.ok) expect(start.error.issues).toEqual([{ path: 'privacy', message: 'privacy.error.offline' }]);
  });

  it('the printed notice carries every section and the QR to the full notice', () => {
    const doc = buildNoticeDocument('fr', 'http://hq.test/privacy', 48);
    const text = doc.blocks.map((b) => (b.type === 'text' ? b.text : '')).join('\n');
    for (const heading of ['Ce que nous gardons', 'Combien de temps', 'Vos droits', 'Comment faire']) expect(text).toContain(heading);
    expect(text).toContain('3 ans');
    expect(doc.blocks).toContainEqual({ type: 'qr', payload: 'http://hq.test/privacy' });
  });
});
