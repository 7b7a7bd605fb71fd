import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { upsertMember } from '../../src/hq/members';
import { COOL_DOWN_MS, MAX_WRONG_TRIES } from '../../src/hq/privacy-self/challenge';
import { EXPORT_TTL_MS } from '../../src/hq/privacy-self/export';
import { outboxOf } from '../../src/hq/privacy-self/sender';
import { unzipStored } from '../../src/hq/privacy-self/zip';
import { useMemberEraser } from '../../src/hq/privacy-self/erase';
import { PROTOCOL_VERSION } from '../../src/shared/sync/protocol';
import { startTestHq, TestTerminal, type Json, type TestHq } from './hq-fixture';

let hq: TestHq;
let t: TestTerminal;
let n = 0;

beforeAll(async () => {
  hq = await startTestHq();
  t = new TestTerminal('t-privacy', 'paris-11');
  await t.enrol(hq);
}, 60_000);
afterAll(async () => {
  await hq.stop();
});

/** A member of the terminal's store, with a contact HQ sends codes to. */
async function member(contact: { email?: string | null; phone?: string | null } = {}): Promise<string> {
  n += 1;
  const memberId = `0190ffff-0000-7000-8000-${String(n).padStart(12, '0')}`;
  await upsertMember(
    hq.ctx,
    {
      memberId,
      firstName: 'claire',
      lastName: 'MARTIN',
      email: contact.email === undefined ? `claire${n}@exemple.fr` : contact.email,
      phone: contact.phone === undefined ? '+33612345678' : contact.phone,
      locale: 'fr',
      cards: [makeCardNumber(77, 8000 + n)],
      createdAt: 1,
    },
    ['paris-11'],
  );
  return memberId;
}

const ask = (request: Record<string, unknown>, who: TestTerminal = t) =>
  hq.post('/v1/privacy/self', who.signed({ protocolVersion: PROTOCOL_VERSION, terminalId: who.terminalId, request, sentAt: hq.clock.value }));

async function lastCode(memberId: string): Promise<string> {
  const [message] = await outboxOf(hq.ctx, memberId);
  return /(\d{6})/.exec(message!.body)![1]!;
}

async function proven(memberId: string): Promise<string> {
  const sent = await ask({ op: 'challenge', memberId, channel: null });
  expect(sent.status).toBe(200);
  const verified = await ask({ op: 'verify', challengeId: sent.json.challengeId, code: await lastCode(memberId) });
  expect(verified.status).toBe(200);
  return verified.json.session as string;
}

describe('self-service privacy at HQ', { timeout: 30_000 }, () => {
  it('sends a code to the email on file through the outbox, masked in the answer, and the right code opens the member data', async () => {
    const memberId = await member();
    const sent = await ask({ op: 'challenge', memberId, channel: null });
    expect(sent.json).toMatchObject({ channel: 'email', destination: 'c***@exemple.fr' });
    const [message] = await outboxOf(hq.ctx, memberId);
    expect(message!.destination).toBe(`claire${n}@exemple.fr`);
    const verified = await ask({ op: 'verify', challengeId: sent.json.challengeId, code: await lastCode(memberId) });
    const view = await ask({ op: 'view', session: verified.json.session });
    expect(view.status).toBe(200);
    expect(view.json.identity).toMatchObject({ firstName: 'claire', lastName: 'MARTIN', email: `claire${n}@exemple.fr`, phone: '+33612345678' });
    expect(view.json.referrals).toBeNull();
    // The code serves once.
    expect((await ask({ op: 'verify', challengeId: sent.json.challengeId, code: await lastCode(memberId) })).json.error.code).toBe('code_used');
  });

  it('counts wrong codes per member, then cools down: even the right code is refused until the cool-down has passed', async () => {
    const memberId = await member();
    const sent = await ask({ op: 'challenge', memberId, channel: 'sms' });
    expect(sent.json.destination).toBe('06 ** ** ** 78');
    const right = await lastCode(memberId);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let i = 1; i < MAX_WRONG_TRIES; i++) {
      const refused = await ask({ op: 'verify', challengeId: sent.json.challengeId, code: wrong });
      expect(refused.status).toBe(400);
      expect(refused.json.error).toMatchObject({ code: 'wrong_code', triesLeft: MAX_WRONG_TRIES - i });
    }
    const locked = await ask({ op: 'verify', challengeId: sent.json.challengeId, code: wrong });
    expect(locked.status).toBe(429);
    expect(locked.json.error.code).toBe('locked');
    expect(locked.json.error.retryAt).toBe(hq.clock.value + COOL_DOWN_MS);
    expect((await ask({ op: 'verify', challengeId: sent.json.challengeId, code: right })).json.error.code).toBe('locked');
    expect((await ask({ op: 'challenge', memberId, channel: null })).json.error.code).toBe('locked');
    hq.clock.value += COOL_DOWN_MS + 1;
    // The code in flight died with the lock; a new one works.
    expect((await ask({ op: 'verify', challengeId: sent.json.challengeId, code: right })).json.error.code).toBe('code_used');
    await proven(memberId);
  });

  it('refuses a member of another store, a member without contact, and another terminal answering the code', async () => {
    const stranger = await member();
    await hq.ctx.sql.query('DELETE FROM member_store WHERE customer_id = $1', [stranger]);
    expect((await ask({ op: 'challenge', memberId: stranger, channel: null })).json.error.code).toBe('unknown_member');
    const mute = await member({ email: null, phone: null });
    expect((await ask({ op: 'challenge', memberId: mute, channel: null })).json.error.code).toBe('no_contact');
    const memberId = await member();
    const sent = await ask({ op: 'challenge', memberId, channel: null });
    const other = new TestTerminal('t-privacy-2', 'paris-11');
    await other.enrol(hq);
    expect((await ask({ op: 'verify', challengeId: sent.json.challengeId, code: await lastCode(memberId) }, other)).json.error.code).toBe('unknown_code');
    const session = (await ask({ op: 'verify', challengeId: sent.json.challengeId, code: await lastCode(memberId) })).json.session;
    expect((await ask({ op: 'view', session }, other)).json.error.code).toBe('session_expired');
  });

  it('a rectification with an invalid email or phone writes nothing; a valid one is a new pull version of the record', async () => {
    const memberId = await member();
    const session = await proven(memberId);
    const before = await hq.ctx.sql.query<{ record: Json; change_version: number }>('SELECT record, change_version FROM member WHERE customer_id = $1', [memberId]);
    for (const bad of [{ email: 'claire@', phone: null }, { email: null, phone: '0123' }]) {
      const refused = await ask({ op: 'rectify', session, firstName: 'Claire', lastName: 'Martin', ...bad });
      expect(refused.status).toBe(400);
      expect(refused.json.error.code).toBe('invalid');
    }
    expect(await hq.ctx.sql.query('SELECT record, change_version FROM member WHERE customer_id = $1', [memberId])).toEqual(before);
    const done = await ask({ op: 'rectify', session, firstName: 'claire-marie', lastName: 'de la Tour', email: 'cm@exemple.fr', phone: '+33698765432' });
    expect(done.status).toBe(200);
    const after = await hq.ctx.sql.query<{ record: Json; change_version: number }>('SELECT record, change_version FROM member WHERE customer_id = $1', [memberId]);
    expect(after[0]!.record).toMatchObject({ firstName: 'claire-marie', lastName: 'de la Tour', email: 'cm@exemple.fr', phone: '+33698765432' });
    expect(after[0]!.change_version).toBeGreaterThan(before[0]!.change_version);
    const audit = JSON.stringify(await hq.ctx.sql.query("SELECT * FROM audit WHERE action = 'privacy_rectify'"));
    expect(audit).not.toContain('cm@exemple.fr');
  });

  it('an export link serves the archive once, JSON and CSV; forged, used and expired links are refused', async () => {
    const memberId = await member();
    const session = await proven(memberId);
    const link = await ask({ op: 'export', session });
    const url = `${hq.url}/privacy/export/${link.json.token}`;
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const files = unzipStored(Buffer.from(await response.arrayBuffer()));
    expect([...files.keys()].sort()).toEqual(['consentements.csv', 'fidele-donnees.json', 'identite.csv', 'incidents.csv', 'points.csv']);
    expect(JSON.parse(files.get('fidele-donnees.json')!)).toMatchObject({ memberId, identity: { email: `claire${n}@exemple.fr` } });
    expect(files.get('identite.csv')).toContain(`claire${n}@exemple.fr`);
    expect((await fetch(url)).status).toBe(410);
    const forged = `${link.json.token.slice(0, -1)}${link.json.token.endsWith('A') ? 'B' : 'A'}`;
    const refused = await fetch(`${hq.url}/privacy/export/${forged}`);
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain('Lien inconnu');
    const late = await ask({ op: 'export', session });
    hq.clock.value += EXPORT_TTL_MS;
    expect((await fetch(`${hq.url}/privacy/export/${late.json.token}`)).status).toBe(410);
  });

  it('erasure: refused for a card that is not the member’s or a changed forfeit, nothing erased; then HQ erases the proven member and ends their sessions', async () => {
    const memberId = await member();
    const card = makeCardNumber(77, 8000 + n);
    const session = await proven(memberId);
    const notTheirs = await ask({ op: 'erase', session, cardNumber: makeCardNumber(77, 9999), confirmedForfeit: 0 });
    expect(notTheirs.json.error.code).toBe('card_not_theirs');
    const changed = await ask({ op: 'erase', session, cardNumber: card, confirmedForfeit: 5 });
    expect(changed.json.error.code).toBe('forfeit_changed');
    expect((await ask({ op: 'view', session })).json.identity.email).toBe(`claire${n}@exemple.fr`);
    const done = await ask({ op: 'erase', session, cardNumber: card, confirmedForfeit: 0 });
    expect(done.status).toBe(200);
    expect(done.json.receiptId).toEqual(expect.any(String));
    expect((await ask({ op: 'view', session })).json.error.code).toBe('session_expired');
    expect(await outboxOf(hq.ctx, memberId)).toEqual([]);
    const audit = await hq.ctx.sql.query<{ action: string; request_id: string }>('SELECT action, request_id FROM privacy_audit WHERE customer_id = $1 ORDER BY at', [memberId]);
    expect(new Set(audit.filter((a) => a.action !== 'erase_refused').map((a) => a.request_id)).size).toBe(1);
    expect(audit.map((a) => a.action)).toContain('erase');
  });

  it('another eraser can be put behind the seam (a deployment, a test)', async () => {
    const memberId = await member();
    const session = await proven(memberId);
    const erased: string[] = [];
    useMemberEraser(hq.ctx, async (_ctx, request) => {
      erased.push(request.customerId);
      return { receiptId: 'receipt-1' };
    });
    expect((await ask({ op: 'erase', session, cardNumber: makeCardNumber(77, 8000 + n), confirmedForfeit: 0 })).json).toEqual({ receiptId: 'receipt-1' });
    expect(erased).toEqual([memberId]);
  });

  it('serves the full notice publicly, in French and English', async () => {
    const fr = await hq.get('/privacy');
    expect(fr.status).toBe(200);
    expect(fr.text).toContain('Combien de temps');
    expect(fr.text).toContain('3 ans');
    expect((await hq.get('/privacy?lang=en')).text).toContain('For how long');
  });
});

