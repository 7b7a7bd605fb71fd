import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrolCode, revoke } from '../../src/hq/enrolment';
import { ephemeralHqKey } from '../../src/hq/keys';
import { upsertMember } from '../../src/hq/members';
import { pruneNonces } from '../../src/hq/request-freshness';
import { startHq } from '../../src/hq/server';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { PROTOCOL_VERSION } from '../../src/shared/sync/protocol';
import { WEDNESDAY_10H } from '../integration/ledger-fixture';
import { enrolCode, startTestHq, TestTerminal, type Json, type TestHq } from './hq-fixture';

/**
 * Issue 10, items 2 and 3, as an attacker on the network would try them:
 * enrolment codes that enrol another terminal, guessed codes, replayed and
 * stale signed requests, floods of unauthenticated requests, and what the
 * audit log keeps of card lookups.
 */
let hq: TestHq;
const terminals: TestTerminal[] = [];
let n = 0;

function terminal(store = `store-${++n}`, id = `t-${++n}`): TestTerminal {
  const t = new TestTerminal(id, store);
  terminals.push(t);
  return t;
}

async function enrolled(store?: string): Promise<TestTerminal> {
  const t = terminal(store);
  await t.enrol(hq);
  return t;
}

const pullOf = (t: TestTerminal, overrides: Record<string, unknown> = {}) =>
  t.signed({
    protocolVersion: PROTOCOL_VERSION,
    terminalId: t.terminalId,
    epoch: t.receipt!.epoch,
    cookies: { program: null, store: null, terminal: null },
    ackedThroughSeq: 0,
    sentAt: hq.clock.value,
    ...overrides,
  });

/** Each scenario that counts failures per address starts on a fresh minute of HQ's clock. */
function nextMinute(): void {
  hq.clock.value += 61_000;
}

beforeAll(async () => {
  hq = await startTestHq();
}, 30_000);

afterAll(async () => {
  for (const t of terminals) t.close();
  await hq?.stop();
});

describe('enrolment codes are bound to one terminal and its store', () => {
  it('a code issued for terminal B of store B does not enrol (nor take over) terminal A of store A', async () => {
    const a = await enrolled('store-a');
    a.sell(a.members.claire.id, 24);
    const code = await enrolCode(hq, 'store-b', 't-b');
    // An attacker's terminal claiming to be A, with a fresh key, tries both stores.
    const thief = terminal('store-a', a.terminalId);
    for (const storeId of ['store-a', 'store-b']) {
      const answer = await hq.post('/v1/terminals/enrol', { ...thief.enrolRequest(code), storeId });
      expect(answer.status).toBe(403);
      expect(answer.json.error.code).toBe('terminal_mismatch');
    }
    const rows = await hq.ctx.sql.query<{ key_id: string; store_id: string; epoch: number }>('SELECT key_id, store_id, epoch FROM terminal WHERE terminal_id = $1', [a.terminalId]);
    expect(rows).toEqual([{ key_id: a.keyId, store_id: 'store-a', epoch: 1 }]);
    // The real terminal A is still HQ's terminal A.
    expect((await hq.post('/v1/push', a.batch(1, a.wire.length))).status).toBe(200);
    // The code still enrols the terminal it was made for.
    const b = terminal('store-b', 't-b');
    expect((await hq.post('/v1/terminals/enrol', b.enrolRequest(code))).status).toBe(200);
  });

  it('an active terminal is not re-enrolled without a « replace » code; with one it is, audited, and the old key stops', async () => {
    nextMinute();
    const a = await enrolled();
    a.sell(a.members.helene.id, 24);
    // IT cannot even make a plain code for a terminal HQ knows…
    await expect(createEnrolCode(hq.ctx, a.storeId, a.terminalId)).rejects.toMatchObject({ code: 'replace_required' });
    // …and a plain code made before the terminal enrolled does not re-enrol it afterwards.
    const fresh = terminal(undefined, 't-twice');
    const first = await enrolCode(hq, fresh.storeId, fresh.terminalId);
    const second = await enrolCode(hq, fresh.storeId, fresh.terminalId);
    expect((await hq.post('/v1/terminals/enrol', fresh.enrolRequest(first))).status).toBe(200);
    const again = await hq.post('/v1/terminals/enrol', terminal(fresh.storeId, fresh.terminalId).enrolRequest(second));
    expect(again.status).toBe(409);
    expect(again.json.error.code).toBe('replace_required');

    const audited = () => hq.count(`audit WHERE terminal_id = '${a.terminalId}' AND code IN ('replace_code', 'replaced')`);
    expect(await audited()).toBe(0);
    const { code, replace } = await createEnrolCode(hq.ctx, a.storeId, a.terminalId, { replace: true, by: 'it-staff' });
    expect(replace).toBe(true);
    const replacement = terminal(a.storeId, a.terminalId);
    const answer = await hq.post('/v1/terminals/enrol', replacement.enrolRequest(code));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ terminalId: a.terminalId, epoch: 2, terminalKeyId: replacement.keyId });
    expect(await audited()).toBe(2);
    const replaced = await hq.ctx.sql.query<{ message: string; detail: Json }>("SELECT message, detail FROM audit WHERE terminal_id = $1 AND code = 'replaced'", [a.terminalId]);
    expect(replaced[0]!.detail).toMatchObject({ previous: { keyId: a.keyId, epoch: 1 }, keyId: replacement.keyId, epoch: 2 });
    // The replaced device's key no longer opens anything.
    const old = await hq.post('/v1/pull', pullOf(a));
    expect(old.status).toBe(401);
    expect(old.json.error.code).toBe('bad_signature');
  });

  it('a revoked terminal is enrolled again only with a « replace » code', async () => {
    nextMinute();
    const a = await enrolled();
    await revoke(hq.ctx, a.terminalId);
    await expect(createEnrolCode(hq.ctx, a.storeId, a.terminalId)).rejects.toMatchObject({ code: 'replace_required' });
    const code = await enrolCode(hq, a.storeId, a.terminalId, { replace: true });
    const back = terminal(a.storeId, a.terminalId);
    expect((await hq.post('/v1/terminals/enrol', back.enrolRequest(code))).status).toBe(200);
    expect(await hq.ctx.sql.query('SELECT status, revoked_at FROM terminal WHERE terminal_id = $1', [a.terminalId])).toEqual([{ status: 'active', revoked_at: null }]);
  });

  it('a used or expired code is refused, and a replace code is single-use too', async () => {
    nextMinute();
    const a = await enrolled();
    const code = await enrolCode(hq, a.storeId, a.terminalId, { replace: true });
    expect((await hq.post('/v1/terminals/enrol', terminal(a.storeId, a.terminalId).enrolRequest(code))).status).toBe(200);
    const reused = await hq.post('/v1/terminals/enrol', terminal(a.storeId, a.terminalId).enrolRequest(code));
    expect(reused.json.error.code).toBe('code_used');
    const late = terminal();
    const lateCode = await enrolCode(hq, late.storeId, late.terminalId);
    hq.clock.value += hq.ctx.policy.enrolCodeTtlMs;
    const expired = await hq.post('/v1/terminals/enrol', late.enrolRequest(lateCode));
    expect(expired.json.error.code).toBe('code_expired');
  });

  it('guessing codes: refused without a row written, then 429 from that address for the rest of the minute', async () => {
    nextMinute();
    const t = terminal();
    const code = await enrolCode(hq, t.storeId, t.terminalId);
    const before = { audit: await hq.count('audit'), stores: await hq.count('store'), terminals: await hq.count('terminal') };
    const limit = hq.ctx.policy.enrolFailuresPerMinute;
    for (let i = 0; i < limit; i++) {
      const guess = await hq.post('/v1/terminals/enrol', { ...t.enrolRequest(`GUESS-${String(i).padStart(5, '0')}`), terminalId: `attacker-${i}`, storeId: `junk-${i}` });
      expect(guess.status).toBe(403);
      expect(guess.json.error.code).toBe('invalid_code');
    }
    expect({ audit: await hq.count('audit'), stores: await hq.count('store'), terminals: await hq.count('terminal') }).toEqual(before);
    // Even the right code waits: the address is not read for the rest of the minute.
    const blocked = await fetch(`${hq.url}/v1/terminals/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t.enrolRequest(code)) });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as Json).error.code).toBe('too_many_failures');
    nextMinute();
    expect((await hq.post('/v1/terminals/enrol', t.enrolRequest(code))).status).toBe(200);
  });
});

describe('every signed request is fresh and taken once', () => {
  it('the same signed pull sent twice: the second is refused as a replay, and audited', async () => {
    const t = await enrolled();
    const request = pullOf(t);
    expect((await hq.post('/v1/pull', request)).status).toBe(200);
    const audit = await hq.count(`audit WHERE terminal_id = '${t.terminalId}' AND code = 'replay'`);
    const replay = await hq.post('/v1/pull', request);
    expect(replay.status).toBe(409);
    expect(replay.json.error.code).toBe('replay');
    expect(await hq.count(`audit WHERE terminal_id = '${t.terminalId}' AND code = 'replay'`)).toBe(audit + 1);
    // Signed again with a new nonce, the same pull is served.
    expect((await hq.post('/v1/pull', pullOf(t))).status).toBe(200);
  });

  it('a pull dated 1970, or more than the window away, is refused as stale with HQ’s time; within the window it is served', async () => {
    const t = await enrolled();
    const w = hq.ctx.policy.freshnessWindowMs;
    for (const sentAt of [0, hq.clock.value - w - 1, hq.clock.value + w + 1]) {
      const stale = await hq.post('/v1/pull', pullOf(t, { sentAt }));
      expect(stale.status).toBe(401);
      expect(stale.json.error).toMatchObject({ code: 'stale', hqTime: hq.clock.value });
    }
    expect((await hq.post('/v1/pull', pullOf(t, { sentAt: hq.clock.value - w + 1000 }))).status).toBe(200);
  });

  it('holds, hold voids, member intake, card lookups and pushes are checked the same way', async () => {
    const t = await enrolled();
    const jp = t.members.jeanPierre.id;
    t.sell(jp, 240);
    const push = t.batch(1, t.wire.length);
    expect((await hq.post('/v1/push', push)).status).toBe(200);
    const replayedPush = await hq.post('/v1/push', push);
    expect(replayedPush.json.refusal.code).toBe('replay');
    const stalePush = await hq.post('/v1/push', t.batch(1, t.wire.length, { sentAt: 0 }));
    expect(stalePush.status).toBe(401);
    expect(stalePush.json.refusal).toMatchObject({ code: 'stale', hqTime: hq.clock.value });

    const hold = t.signed({ protocolVersion: 1, terminalId: t.terminalId, holdId: 'h-1', memberId: jp, points: 50, timeoutMs: 60_000, sentAt: hq.clock.value });
    const voidIt = t.signed({ protocolVersion: 1, terminalId: t.terminalId, holdId: 'h-1', memberId: jp, sentAt: hq.clock.value });
    const card = makeCardNumber(42, 4242);
    const lookup = t.signed({ protocolVersion: 1, terminalId: t.terminalId, cardNumber: card, sentAt: hq.clock.value });
    const intake = t.signed({ protocolVersion: 1, terminalId: t.terminalId, members: [{ provisional: 'no' }], sentAt: hq.clock.value });
    for (const [path, body] of [
      ['/v1/holds', hold],
      ['/v1/holds/void', voidIt],
      ['/v1/members/lookup', lookup],
      ['/v1/members', intake],
    ] as const) {
      expect((await hq.post(path, body)).status, path).toBe(200);
      expect((await hq.post(path, body)).json.error.code, path).toBe('replay');
      const { nonce: _nonce, keyId: _keyId, signature: _signature, ...content } = body;
      const stale = await hq.post(path, t.signed({ ...content, sentAt: 1 }));
      expect(stale.json.error.code, path).toBe('stale');
    }
  });

  it('nonces outlive the window (twice it), survive an HQ restart, and are pruned after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fidele-hq-restart-'));
    const clock = { value: WEDNESDAY_10H };
    const key = ephemeralHqKey();
    const open = () => startHq({ dataDir: dir, port: 0, clock: { now: () => clock.value }, random: seededRandom(7), logger: silentLogger, key, maintenanceIntervalMs: 0 });
    const post = async (url: string, body: unknown) => {
      const response = await fetch(`${url}/v1/pull`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, json: (await response.json()) as Json };
    };
    let server = await open();
    try {
      const t = terminal();
      const { code } = await createEnrolCode(server.ctx, t.storeId, t.terminalId);
      const enrol = await fetch(`${server.url}/v1/terminals/enrol`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(t.enrolRequest(code)) });
      t.receipt = (await enrol.json()) as Json;
      const request = t.signed({ protocolVersion: 1, terminalId: t.terminalId, epoch: 1, cookies: { program: null, store: null, terminal: null }, ackedThroughSeq: 0, sentAt: clock.value });
      expect((await post(server.url, request)).status).toBe(200);
      await server.close();
      server = await open();
      expect((await post(server.url, request)).json.error.code).toBe('replay');
      const w = server.ctx.policy.freshnessWindowMs;
      clock.value += w;
      expect(await pruneNonces(server.ctx)).toBe(0);
      clock.value += w + 1;
      expect(await pruneNonces(server.ctx)).toBe(1);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('unauthenticated requests are counted, rate-limited, never written', () => {
  it('a flood of bad requests with random terminal ids writes no row, and the address gets 429', async () => {
    nextMinute();
    const victim = await enrolled();
    const tables = async () => ({ audit: await hq.count('audit'), nonces: await hq.count('request_nonce'), terminals: await hq.count('terminal') });
    const before = await tables();
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `x${randomBytes(8).toString('hex')}`;
      const forged = i % 3 === 0 ? { ...pullOf(victim), terminalId: id } : i % 3 === 1 ? { ...pullOf(victim), signature: 'AAAA' } : { terminalId: id, junk: 'x'.repeat(100) };
      statuses.push((await hq.post(i % 2 ? '/v1/pull' : '/v1/holds', forged)).status);
      if (i % 10 === 0) statuses.push((await hq.post('/v1/push', { header: { terminalId: id }, entries: [] })).status);
    }
    expect(await tables()).toEqual(before);
    const limit = hq.ctx.policy.unauthenticatedFailuresPerMinute;
    expect(statuses.slice(0, limit).every((s) => s === 400 || s === 401)).toBe(true);
    expect(statuses.slice(limit).every((s) => s === 429)).toBe(true);
    // Counted by kind, HQ's words only: no terminal id the sender chose.
    const counts = hq.ctx.guard.refusals();
    expect(counts.reduce((sum, c) => sum + c.count, 0)).toBeGreaterThanOrEqual(statuses.length);
    const flood = counts.filter((c) => c.minute > hq.clock.value - 60_000);
    expect(new Set(flood.map((c) => c.action))).toEqual(new Set(['pull', 'hold', 'push']));
    expect(new Set(flood.map((c) => c.code))).toEqual(new Set(['unknown_terminal', 'bad_signature', 'malformed', 'too_many_failures']));
    expect(JSON.stringify(counts)).not.toMatch(/"x[0-9a-f]{16}"/);
    // Requests the terminal really signed are not what the flood used up, once the minute is over.
    nextMinute();
    expect((await hq.post('/v1/pull', pullOf(victim))).status).toBe(200);
  });
});

describe('the audit log names no card and no member from a lookup', () => {
  it('after lookups that find, miss and are rate-limited, no audit row carries a card number or the member id', async () => {
    nextMinute();
    const t = await enrolled();
    const memberId = '0190ffff-0000-7000-8000-00000000beef';
    const card = makeCardNumber(77, 7001);
    await upsertMember(hq.ctx, { memberId, firstName: 'Zoé', lastName: 'Carte', email: null, phone: null, locale: 'fr', cards: [card], createdAt: 1 }, ['elsewhere']);
    const ask = (cardNumber: string) => hq.post('/v1/members/lookup', t.signed({ protocolVersion: 1, terminalId: t.terminalId, cardNumber, sentAt: hq.clock.value }));
    const found = await ask(card);
    expect(found.json).toMatchObject({ found: true, memberId });
    const missed = makeCardNumber(77, 7002);
    expect((await ask(missed)).json.found).toBe(false);
    const rows = await hq.ctx.sql.query<{ message: string; detail: Json }>("SELECT message, detail FROM audit WHERE action = 'member_lookup'");
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const all = JSON.stringify(await hq.ctx.sql.query('SELECT * FROM audit'));
    expect(all).not.toContain(card);
    expect(all).not.toContain(missed);
    expect(all).not.toMatch(/04\d{11}/);
    expect(JSON.stringify(rows)).not.toContain(memberId);
    expect(JSON.stringify(rows)).toContain(card.slice(-4));
  });
});
