import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revoke } from '../../src/hq/enrolment';
import { lookupCard } from '../../src/hq/member-lookup';
import { upsertMember } from '../../src/hq/members';
import { startHq, type Hq } from '../../src/hq/server';
import { Accounts } from '../../src/main/core/ledger/accounts';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { lookupCardAtHq } from '../../src/main/core/sync/card-lookup';
import { HqClock } from '../../src/main/core/sync/hq-clock';
import { chainPositions, pullCookies } from '../../src/main/core/sync/pull';
import { signCanonical } from '../../src/main/core/sync/signing';
import type { Transport, TransportResult } from '../../src/main/core/sync/transport';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { CardLookupAnswer, PROTOCOL_VERSION, PullResponse, type CardLookupRequest, type PullRequest } from '../../src/shared/sync/protocol';
import { line, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { nonce } from '../hq/hq-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * The online card lookup: a customer of a Lyon store scans their card at a
 * Paris terminal that never pulled them. HQ finds the holder, links them to
 * the Paris store, the Paris terminal's next pull brings them with their
 * chain-wide balance, and they spend those points there through an HQ hold.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-card-lookup-'));
let hq: Hq;
let a: Terminal;
let b: Terminal;
let c: Terminal;

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(41), logger: silentLogger, maintenanceIntervalMs: 0 });
  a = await openTerminal(hq, 'caisse-lyon-1', 'lyon-2', 201);
  // As core.ts builds it: balances are HQ's chain-wide ones plus what happened here since.
  b = await openTerminal(hq, 'caisse-paris-1', 'paris-11', 111, { chain: chainPositions });
  c = await openTerminal(hq, 'caisse-nantes-1', 'nantes-1', 301);
  // Every harness ledger draws the same seeded bytes: on one clock, A's and B's first entries would get the same
  // UUIDv7, and HQ keys postings by (customer, entry id).
  b.h.clock.value = WEDNESDAY_10H + 60_000;
}, 60_000);

afterAll(async () => {
  for (const t of [a, b, c]) t?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

const AMELIE = { firstName: 'Amélie', lastName: 'Poulain', email: 'amelie.poulain@example.fr', phone: '06 11 22 33 44' };

async function hqBalance(memberId: string): Promise<number> {
  const rows = await hq.ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [memberId, Accounts.points(memberId)]);
  return rows[0]?.balance ?? 0;
}

const storesOf = async (memberId: string) =>
  (await hq.ctx.sql.query<{ store_id: string }>('SELECT store_id FROM member_store WHERE customer_id = $1 ORDER BY store_id', [memberId])).map((r) => r.store_id);

const lookupAudit = (terminalId: string) =>
  hq.ctx.sql.query<{ code: string; detail: Record<string, unknown> }>(
    "SELECT code, detail FROM audit WHERE terminal_id = $1 AND action = 'member_lookup' ORDER BY at, audit_id",
    [terminalId],
  );

const storeCookie = (t: Terminal) => Number(/^v(\d+)$/.exec(pullCookies(t.h.db).store ?? 'v0')![1]);

function signedLookup(t: Terminal, cardNumber: string, overrides: Partial<CardLookupRequest> = {}): CardLookupRequest {
  const unsigned = { protocolVersion: PROTOCOL_VERSION, terminalId: t.id, cardNumber, sentAt: WEDNESDAY_10H, nonce: nonce(), keyId: t.sync.key.keyId, ...overrides };
  return { ...unsigned, signature: t.sync.key.sign(unsigned) } as CardLookupRequest;
}

const post = async (path: string, body: unknown) => {
  const response = await globalThis.fetch(`${hq.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { error?: { code: string } } };
};

describe('a customer of store A at a terminal of store B', () => {
  it('B looks the card up, pulls the member with their chain-wide balance, and they redeem there through an HQ hold', async () => {
    const { member } = a.enrolCustomer(AMELIE);
    const earned = a.h.ledger.commit(sale(member.id, 'A-1', [line(24_000)]));
    expect(earned.pointsEarned).toBeGreaterThanOrEqual(150);
    // The record goes through A's member outbox, the entry through its push.
    await a.sync.syncNow();
    expect(a.outbox.pending()).toBe(0);
    expect(a.sync.status().backlog).toBe(0);
    expect(await hqBalance(member.id)).toBe(earned.pointsEarned);
    expect(await storesOf(member.id)).toEqual(['lyon-2']);

    expect(await b.sync.pull()).toMatchObject({ ok: true });
    expect(b.members.findByCard(member.cardNumber)).toBeNull();
    expect(b.h.ledger.points(member.id).balance).toBe(0);

    expect(await b.sync.lookupCard(member.cardNumber)).toBe('pulled');
    expect(b.members.findByCard(member.cardNumber)).toMatchObject({ id: member.id, firstName: 'Amélie', lastName: 'Poulain' });
    expect(b.h.ledger.points(member.id).balance).toBe(earned.pointsEarned);
    expect(await storesOf(member.id)).toEqual(['lyon-2', 'paris-11']);
    // The audit log names the card by its last four digits, and not the member.
    expect(await lookupAudit(b.id)).toEqual([{ code: 'found', detail: expect.objectContaining({ card: `…${member.cardNumber.slice(-4)}`, storeId: 'paris-11' }) }]);
    expect(JSON.stringify(await lookupAudit(b.id))).not.toContain(member.id);
    // Learnt from HQ: B does not send the member back as its own.
    expect(b.outbox.pending()).toBe(0);

    const redeemed = await b.sync.holds()!.redeemWithHold(sale(member.id, 'B-1', [line(12_000)], 100));
    expect(redeemed.mode).toBe('online');
    expect(redeemed.sale.pointsRedeemed).toBe(100);
    await b.sync.syncNow();
    await a.sync.syncNow();
    expect(await hqBalance(member.id)).toBe(earned.pointsEarned - 100 + redeemed.sale.pointsEarned);
    const holds = await hq.ctx.sql.query<{ status: string; points: number; terminal_id: string }>(
      'SELECT status, points::int AS points, terminal_id FROM hold WHERE customer_id = $1',
      [member.id],
    );
    expect(holds).toEqual([{ status: 'posted', points: 100, terminal_id: b.id }]);
    expect(b.h.ledger.points(member.id).balance).toBe(earned.pointsEarned - 100 + redeemed.sale.pointsEarned);
  });

  it('a member linked by a lookup reaches the store’s next pull although its change version is older than the cookie', async () => {
    // A CRM import: no terminal ever saw the card, the member is only in lyon-2.
    const card = makeCardNumber(9001, 17);
    const memberId = '01890000-0000-7000-8000-0000000000c1';
    await upsertMember(hq.ctx, { memberId, firstName: 'Léa', lastName: 'Seydoux', email: null, phone: null, locale: 'fr', cards: [card], createdAt: WEDNESDAY_10H }, ['lyon-2']);
    expect(await b.sync.pull()).toMatchObject({ ok: true });
    const version = (await hq.ctx.sql.query<{ change_version: number }>('SELECT change_version FROM member WHERE customer_id = $1', [memberId]))[0]!.change_version;
    expect(storeCookie(b)).toBeGreaterThanOrEqual(version);

    const pullWith = async (cookies: PullRequest['cookies']) => {
      const unsigned = {
        protocolVersion: PROTOCOL_VERSION,
        terminalId: b.id,
        epoch: b.sync.enrolment()!.epoch,
        cookies,
        ackedThroughSeq: 0,
        sentAt: WEDNESDAY_10H,
        nonce: nonce(),
        keyId: b.sync.key.keyId,
      };
      const answer = await post('/v1/pull', { ...unsigned, signature: b.sync.key.sign(unsigned) });
      expect(answer.status).toBe(200);
      const response = PullResponse.parse(answer.body);
      const store = response.buckets.find((x) => x.bucket === 'store')!;
      return { keys: store.puts.map((p) => p.key), balances: response.balances.map((x) => x.memberId) };
    };
    const cookies = pullCookies(b.h.db);
    expect((await pullWith(cookies)).keys).not.toContain(`member:${memberId}`);

    const answer = await post('/v1/members/lookup', signedLookup(b, card));
    expect(answer.status).toBe(200);
    expect(CardLookupAnswer.parse(answer.body)).toMatchObject({ cardNumber: card, found: true, memberId });
    const next = await pullWith(cookies);
    expect(next.keys).toEqual([`member:${memberId}`]);
    expect(next.balances).toEqual([memberId]);
    // The lookup changed nothing of the member: only its link to paris-11 is new.
    expect((await hq.ctx.sql.query<{ change_version: number }>('SELECT change_version FROM member WHERE customer_id = $1', [memberId]))[0]!.change_version).toBe(version);
    // nantes-1 asked for nothing and gets nothing.
    expect(await storesOf(memberId)).toEqual(['lyon-2', 'paris-11']);
  });

  it('an unknown card is not found and links nothing; a malformed one is never sent, and refused at HQ', async () => {
    const unknown = makeCardNumber(9999, 1);
    const links = async () => (await hq.ctx.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM member_store'))[0]!.n;
    const before = await links();
    const counter = async () => (await hq.ctx.sql.query<{ value: number }>("SELECT value FROM change_counter WHERE name = 'pull'"))[0]!.value;
    const version = await counter();
    expect(await b.sync.lookupCard(unknown)).toBe('not_found');
    expect(await links()).toBe(before);
    expect(await counter()).toBe(version);
    expect((await lookupAudit(b.id)).filter((r) => r.detail.card === `…${unknown.slice(-4)}`)).toEqual([{ code: 'not_found', detail: { card: `…${unknown.slice(-4)}` } }]);

    // Two imported records listing one card: the first keeps it, the second is an incident and loses it from its record.
    const shared = makeCardNumber(9001, 18);
    const ids = ['01890000-0000-7000-8000-0000000000e1', '01890000-0000-7000-8000-0000000000e2'];
    for (const memberId of ids) {
      await upsertMember(hq.ctx, { memberId, firstName: 'Anne', lastName: 'Dupont', email: null, phone: null, locale: 'fr', cards: [shared], createdAt: WEDNESDAY_10H }, ['lyon-2']);
    }
    const conflicts = await hq.ctx.sql.query<{ customer_id: string; terminal_id: string }>("SELECT customer_id, terminal_id FROM sync_anomaly WHERE kind = 'card_conflict'");
    expect(conflicts).toEqual([{ customer_id: ids[1], terminal_id: 'hq' }]);
    const second = await hq.ctx.sql.query<{ record: { cards: string[] } }>('SELECT record FROM member WHERE customer_id = $1', [ids[1]]);
    expect(second[0]!.record.cards).toEqual([]);
    expect(await b.sync.lookupCard(shared)).toBe('pulled');
    expect(await storesOf(ids[0]!)).toEqual(['lyon-2', 'paris-11']);
    expect(await storesOf(ids[1]!)).toEqual(['lyon-2']);

    const sent = b.sent.length;
    expect(await b.sync.lookupCard('0400000000001')).toBe('not_found');
    expect(b.sent.length).toBe(sent);
    const refused = await post('/v1/members/lookup', signedLookup(b, '0400000000001'));
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_card' } } });
    expect((await lookupAudit(b.id)).filter((r) => r.code === 'invalid_card')).toHaveLength(1);
  });

  it('a forged, another terminal’s or a revoked terminal’s lookup is refused, and links nothing; only the revoked one is audited', async () => {
    const { member } = a.enrolCustomer({ firstName: 'Jean', lastName: 'Valjean', email: '', phone: '07 55 44 33 22' });
    await a.sync.syncNow();
    expect(await storesOf(member.id)).toEqual(['lyon-2']);

    // B's name, A's key and signature.
    const asB = { protocolVersion: PROTOCOL_VERSION, terminalId: b.id, cardNumber: member.cardNumber, sentAt: WEDNESDAY_10H, nonce: nonce(), keyId: a.sync.key.keyId };
    expect(await post('/v1/members/lookup', { ...asB, signature: a.sync.key.sign(asB) })).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
    // B's key id, signed by A.
    const forged = { ...asB, keyId: b.sync.key.keyId };
    expect(await post('/v1/members/lookup', { ...forged, signature: a.sync.key.sign(forged) })).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
    // B's genuine request, altered on the way: another card.
    const altered = { ...signedLookup(b, member.cardNumber), cardNumber: makeCardNumber(201, 1) };
    expect(await post('/v1/members/lookup', altered)).toMatchObject({ status: 401, body: { error: { code: 'bad_signature' } } });
    // Nothing proved who sent these: counted, never written under the terminal id they carry.
    const refusals = (await lookupAudit(b.id)).filter((r) => r.code === 'bad_signature');
    expect(refusals).toHaveLength(0);

    const ghost = { ...signedLookup(b, member.cardNumber, { terminalId: 'caisse-fantome' }) };
    expect(await post('/v1/members/lookup', ghost)).toMatchObject({ status: 401, body: { error: { code: 'unknown_terminal' } } });
    expect(await lookupAudit('caisse-fantome')).toEqual([]);
    expect(hq.ctx.guard.refusals()).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'member_lookup', code: 'bad_signature', count: 3 }), expect.objectContaining({ action: 'member_lookup', code: 'unknown_terminal', count: 1 })]),
    );

    await revoke(hq.ctx, c.id);
    expect(await c.sync.lookupCard(member.cardNumber)).toBe('unavailable');
    expect(await lookupAudit(c.id)).toEqual([expect.objectContaining({ code: 'revoked' })]);
    expect(c.members.findByCard(member.cardNumber)).toBeNull();
    expect(await storesOf(member.id)).toEqual(['lyon-2']);
  });

  it('with HQ down: unavailable, and not asked again until HQ answered something else', async () => {
    const { member } = a.enrolCustomer({ firstName: 'Zélie', lastName: 'Martin', email: 'zelie@example.fr', phone: '' });
    await a.sync.syncNow();
    b.cut.on = true;
    expect(await b.sync.lookupCard(member.cardNumber)).toBe('unavailable');
    expect(b.sync.status().state).toBe('offline');
    expect(b.h.ledger.connectivity().offline).toBe(true);
    b.cut.on = false;
    const sent = b.sent.length;
    // Known to be away: a scan does not wait on HQ.
    expect(await b.sync.lookupCard(member.cardNumber)).toBe('unavailable');
    expect(b.sent.length).toBe(sent);
    expect(await storesOf(member.id)).toEqual(['lyon-2']);

    expect(await b.sync.pull()).toMatchObject({ ok: true });
    expect(await b.sync.lookupCard(member.cardNumber)).toBe('pulled');
    expect(b.members.findByCard(member.cardNumber)?.id).toBe(member.id);
  });

  it('bounds lookups per terminal and hour; refusals do not use the quota up', async () => {
    const answered = (await lookupAudit(b.id)).filter((r) => r.code === 'found' || r.code === 'not_found').length;
    const card = makeCardNumber(9999, 2);
    const answer = await lookupCard(hq.ctx, signedLookup(b, card), { perHour: answered + 1 });
    expect(answer).toMatchObject({ found: false, memberId: null });
    await expect(lookupCard(hq.ctx, signedLookup(b, card), { perHour: answered + 1 })).rejects.toMatchObject({ code: 'too_many_lookups', status: 429 });
    expect((await lookupAudit(b.id)).filter((r) => r.code === 'too_many_lookups')).toEqual([{ code: 'too_many_lookups', detail: { card: `…${card.slice(-4)}` } }]);
    await expect(lookupCard(hq.ctx, signedLookup(b, card), { perHour: answered + 2 })).resolves.toMatchObject({ found: false });
  });
});

describe('the terminal reads HQ’s answer', () => {
  const card = makeCardNumber(201, 1);
  const answerFor = (result: TransportResult) => {
    const transport: Transport = { post: async () => result };
    return lookupCardAtHq({ transport, key: b.sync.key, enrolment: b.sync.enrolment()!, hqClock: new HqClock({ now: () => WEDNESDAY_10H }, { now: () => 0 }), random: seededRandom(3) }, card);
  };
  const signedBy = (sign: (payload: unknown) => string, keyId: string, fields: { cardNumber: string; found: boolean; memberId: string | null }) => {
    const unsigned = { ...fields, hqTime: WEDNESDAY_10H, keyId };
    return { ...unsigned, signature: sign(unsigned) };
  };
  const ok = (body: unknown): TransportResult => ({ kind: 'answer', status: 200, body, retryAfterMs: null });

  it('takes only HQ’s signed word about the card asked for', async () => {
    const memberId = '01890000-0000-7000-8000-0000000000d1';
    expect(await answerFor(ok(signedBy(hq.ctx.key.sign, hq.ctx.key.keyId, { cardNumber: card, found: true, memberId })))).toEqual({ kind: 'found', memberId });
    expect(await answerFor(ok(signedBy(hq.ctx.key.sign, hq.ctx.key.keyId, { cardNumber: card, found: false, memberId: null })))).toEqual({ kind: 'not_found' });

    const stranger = generateKeyPairSync('ed25519').privateKey;
    const impostor = signedBy((p) => signCanonical(stranger, p), hq.ctx.key.keyId, { cardNumber: card, found: true, memberId });
    expect(await answerFor(ok(impostor))).toMatchObject({ kind: 'unavailable', reason: 'bad_signature' });
    const otherCard = signedBy(hq.ctx.key.sign, hq.ctx.key.keyId, { cardNumber: makeCardNumber(201, 2), found: true, memberId });
    expect(await answerFor(ok(otherCard))).toMatchObject({ kind: 'unavailable', reason: 'bad_signature' });
    const tampered = { ...signedBy(hq.ctx.key.sign, hq.ctx.key.keyId, { cardNumber: card, found: false, memberId: null }), found: true, memberId };
    expect(await answerFor(ok(tampered))).toMatchObject({ kind: 'unavailable', reason: 'bad_signature' });
    expect(await answerFor(ok({ found: true }))).toMatchObject({ kind: 'unavailable', reason: 'garbage' });
  });

  it('maps what is not an answer to unavailable, with why', async () => {
    expect(await answerFor({ kind: 'timeout' })).toMatchObject({ kind: 'unavailable', reason: 'timeout' });
    expect(await answerFor({ kind: 'unreachable', detail: 'ECONNREFUSED' })).toMatchObject({ kind: 'unavailable', reason: 'unreachable' });
    expect(await answerFor({ kind: 'garbage', status: 502, detail: '<html>', retryAfterMs: null })).toMatchObject({ kind: 'unavailable', reason: 'garbage' });
    expect(await answerFor({ kind: 'answer', status: 503, body: {}, retryAfterMs: 5_000 })).toMatchObject({ kind: 'unavailable', reason: 'server_error' });
    expect(await answerFor({ kind: 'answer', status: 403, body: { error: { code: 'revoked', message: 'revoked' } }, retryAfterMs: null })).toEqual({
      kind: 'unavailable',
      reason: 'refused',
      message: 'revoked: revoked',
    });
  });
});
