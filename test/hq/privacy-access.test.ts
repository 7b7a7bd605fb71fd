import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upsertMember } from '../../src/hq/members';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { readOperatorToken } from '../../src/hq/staff/operator-token';
import { staffClient, startTestHq, type StaffClient, type TestHq } from './hq-fixture';

/**
 * Issue 17 item 6: only customer service opens one member's data at HQ, and
 * every view and erasure is in the privacy audit log, traceable by the
 * member's request id; the log names what was done, never the data.
 */
let hq: TestHq;
let service: StaffClient;
let marketing: StaffClient;
let admin: StaffClient;
const MEMBER = '0190bbbb-0000-7000-8000-000000000001';
const CARD = makeCardNumber(700, 1);

beforeAll(async () => {
  hq = await startTestHq();
  await upsertMember(
    hq.ctx,
    { memberId: MEMBER, firstName: 'Léa', lastName: 'Garnier', email: 'lea.garnier@example.fr', phone: '+33633445566', locale: 'fr', cards: [CARD], createdAt: hq.clock.value },
    ['paris-11'],
  );
  service = await staffClient(hq, 'service', 'sophie');
  marketing = await staffClient(hq, 'marketing', 'marc');
  admin = await staffClient(hq, 'admin', 'alice');
}, 60_000);

afterAll(async () => {
  await hq?.stop();
});

describe('HQ access to one member’s data', () => {
  it('is refused to every role but customer service, to the operator token and to nobody signed in, and those refusals open nothing', async () => {
    for (const who of [marketing, admin]) {
      expect((await who.get(`/v1/privacy/members/${MEMBER}`)).status, who.username).toBe(403);
      expect((await who.get('/v1/privacy/audit')).status).toBe(403);
      expect((await who.post(`/v1/privacy/members/${MEMBER}/erase`, { cardNumber: CARD, confirmedForfeit: 0 })).status).toBe(403);
    }
    // The operator token (IT's CLI) opens the fleet, not customers.
    const token = readOperatorToken(hq.dir)!;
    expect((await fetch(`${hq.url}/v1/fleet`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const operator = await fetch(`${hq.url}/v1/privacy/members/${MEMBER}`, { headers: { authorization: `Bearer ${token}` } });
    expect(operator.status).toBe(401);
    expect((await hq.get(`/v1/privacy/members/${MEMBER}`)).status).toBe(401);
    expect(await hq.count('privacy_audit')).toBe(0);
  });

  it('lets customer service find, view and erase, each step in the audit log under the request id, without the data itself', async () => {
    const found = await service.get(`/v1/privacy/cards/${CARD}?request=R-42`);
    expect(found.json).toEqual({ memberId: MEMBER });
    const file = await service.get(`/v1/privacy/members/${MEMBER}?request=R-42`);
    expect(file.status).toBe(200);
    expect(file.json.record).toMatchObject({ lastName: 'Garnier', email: 'lea.garnier@example.fr' });
    const preview = await service.get(`/v1/privacy/members/${MEMBER}/erasure?request=R-42`);
    expect(preview.json).toMatchObject({ pointsForfeited: 0, cards: [CARD] });
    expect(preview.json.rule.fr).toContain('points');

    const wrongCard = await service.post(`/v1/privacy/members/${MEMBER}/erase`, { cardNumber: makeCardNumber(700, 2), confirmedForfeit: 0, requestId: 'R-42' });
    expect(wrongCard.status).toBe(409);
    expect(wrongCard.json.error.code).toBe('card_not_theirs');
    const noCsrf = await service.post(`/v1/privacy/members/${MEMBER}/erase`, { cardNumber: CARD, confirmedForfeit: 0, requestId: 'R-42' }, { csrf: false });
    expect(noCsrf.status).toBe(403);

    const erased = await service.post(`/v1/privacy/members/${MEMBER}/erase`, { cardNumber: CARD, confirmedForfeit: 0, requestId: 'R-42' });
    expect(erased.status, JSON.stringify(erased.json)).toBe(200);
    const receipt = await service.get(`/v1/privacy/receipts/${erased.json.receiptId as string}`);
    expect(receipt.json).toMatchObject({ cause: 'request', channel: 'customer-service', handled_by: 'sophie', points_forfeited: 0, cards_blocked: 1 });

    const trail = await service.get('/v1/privacy/audit?request=R-42');
    expect(trail.status).toBe(200);
    const steps = (trail.json.entries as Array<{ action: string; actor: string; actorRole: string; detail: Record<string, unknown> }>).map((e) => `${e.action}:${String(e.detail.what ?? e.detail.code ?? e.detail.cause)}:${e.actor}:${e.actorRole}`);
    expect(steps.sort()).toEqual(['erase:request:sophie:service', 'erase_refused:card_not_theirs:sophie:service', 'view:card:sophie:service', 'view:erasure_preview:sophie:service', 'view:member:sophie:service']);
    expect(JSON.stringify(trail.json)).not.toMatch(/Garnier|Léa|lea\.garnier|33633445566/);

    const byMember = await service.get(`/v1/privacy/audit?member=${MEMBER}`);
    expect(byMember.json.erased).toBe(true);
    expect(byMember.json.entries).toHaveLength(5);
    // Erased: the file holds no one any more.
    expect((await service.get(`/v1/privacy/members/${MEMBER}`)).json).toMatchObject({ record: null, erased: { cause: 'request' } });
  });

  it('refuses a malformed request id or action with a clear message', async () => {
    expect((await service.get(`/v1/privacy/members/${MEMBER}?request=${'x'.repeat(80)}`)).json.error.code).toBe('malformed');
    expect((await service.get('/v1/privacy/audit?action=delete')).json.error.message).toContain('action is one of');
  });
});
