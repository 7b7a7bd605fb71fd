import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/main/core/ledger/canonical';
import { verifySignature } from '../../src/hq/keys';
import { upsertMember } from '../../src/hq/members';
import { releaseExpiredHolds } from '../../src/hq/holds';
import { runHqExpiry } from '../../src/hq/expiry';
import { verifyTerminal } from '../../src/hq/fleet';
import { revoke } from '../../src/hq/enrolment';
import { signingPayload, type PushReceipt } from '../../src/shared/sync/protocol';
import { balanceDrift, enrolCode, hqPoints, postRaw, staffClient, startTestHq, TestTerminal, type Json, type StaffClient, type TestHq } from './hq-fixture';

let hq: TestHq;
/** IT staff, signed in: the fleet's pages and JSON need a session. */
let itStaff: StaffClient;
const terminals: TestTerminal[] = [];
let n = 0;

/** A fresh terminal in its own store, so tests do not share streams. */
async function enrolled(store = `store-${++n}`): Promise<TestTerminal> {
  const t = new TestTerminal(`t-${++n}`, store);
  terminals.push(t);
  await t.enrol(hq);
  return t;
}

async function counts() {
  return { entries: await hq.count('journal_entry'), postings: await hq.count('posting'), receipts: await hq.count('push_receipt'), audit: await hq.count('audit') };
}

function verifiesWithHq(message: { signature: string } & Record<string, unknown>): boolean {
  return verifySignature(hq.ctx.key.publicKey, signingPayload(message), message.signature);
}

beforeAll(async () => {
  hq = await startTestHq();
  itStaff = await staffClient(hq, 'it');
}, 30_000);

afterAll(async () => {
  for (const t of terminals) t.close();
  await hq?.stop();
});

describe('enrolment', () => {
  it('registers a terminal with a signed receipt, HQ key, genesis and allowance; a code works once', async () => {
    const t = new TestTerminal('t-enrol', 'paris-11');
    terminals.push(t);
    const code = await enrolCode(hq, 'paris-11', 't-enrol');
    const first = await hq.post('/v1/terminals/enrol', t.enrolRequest(code));
    expect(first.status).toBe(200);
    const receipt = first.json;
    expect(receipt).toMatchObject({ terminalId: 't-enrol', storeId: 'paris-11', epoch: 1, hqPublicKey: hq.ctx.key.publicKey, terminalKeyId: t.keyId });
    expect(receipt.genesisHash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifiesWithHq(receipt)).toBe(true);
    expect(verifiesWithHq(receipt.allowance)).toBe(true);
    expect(verifiesWithHq({ ...receipt, issuedAt: receipt.issuedAt + 1 })).toBe(false);

    const again = await hq.post('/v1/terminals/enrol', t.enrolRequest(code));
    expect(again.status).toBe(403);
    expect(again.json.error.code).toBe('code_used');
  });

  it('refuses an expired code and audits it', async () => {
    const code = await enrolCode(hq, 'lyon-2', 't-late');
    hq.clock.value += hq.ctx.policy.enrolCodeTtlMs + 1;
    const before = await hq.count('audit');
    const t = new TestTerminal('t-late', 'lyon-2');
    terminals.push(t);
    const answer = await hq.post('/v1/terminals/enrol', t.enrolRequest(code));
    expect(answer.status).toBe(403);
    expect(answer.json.error.code).toBe('code_expired');
    expect(await hq.count('audit')).toBe(before + 1);
    expect(await hq.count("terminal WHERE terminal_id = 't-late'")).toBe(0);
  });

  it('refuses a revoked terminal: no re-enrolment without a « replace » code, no push', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    await revoke(hq.ctx, t.terminalId);
    await expect(enrolCode(hq, t.storeId, t.terminalId)).rejects.toMatchObject({ code: 'replace_required' });
    const before = await counts();
    const push = await hq.post('/v1/push', t.batch(1, t.wire.length));
    expect(push.status).toBe(403);
    expect(push.json).toMatchObject({ ok: false, refusal: { code: 'revoked' } });
    const after = await counts();
    expect(after).toEqual({ ...before, audit: before.audit + 1 });
  });
});

describe('push', () => {
  it('applies a batch, countersigns the receipt, and replays the same receipt for a duplicate', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    t.sell(t.members.helene.id, 60);
    const batch = t.batch(1, t.wire.length, { headSeq: t.wire.length });
    const first = await hq.post('/v1/push', batch);
    expect(first.status).toBe(200);
    const receipt = first.json.receipt as PushReceipt;
    expect(receipt).toMatchObject({ terminalId: t.terminalId, epoch: 1, ackedThroughSeq: t.wire.length, ackedHash: t.wire[t.wire.length - 1]!.entry_hash, exceptions: [] });
    expect(verifiesWithHq(receipt)).toBe(true);
    expect(verifiesWithHq({ ...receipt, ackedThroughSeq: receipt.ackedThroughSeq + 1 })).toBe(false);
    // What the terminal's own ledger says is what HQ's projector says.
    expect(await hqPoints(hq, t.members.claire.id)).toBe(t.harness.ledger.points(t.members.claire.id).balance);
    expect(await hqPoints(hq, t.members.helene.id)).toBe(t.harness.ledger.points(t.members.helene.id).balance);

    const before = await counts();
    hq.clock.value += 5_000;
    // A resend is signed anew (a fresh nonce): the same receipt, nothing applied twice.
    const resend = await hq.post('/v1/push', t.batch(1, t.wire.length, { headSeq: t.wire.length }));
    expect(resend.status).toBe(200);
    expect(canonicalJson(resend.json.receipt)).toBe(canonicalJson(receipt));
    expect(await counts()).toEqual(before);
    // The same bytes again are a replay: refused, audited, nothing else written.
    const replay = await hq.post('/v1/push', batch);
    expect(replay.status).toBe(409);
    expect(replay.json.refusal.code).toBe('replay');
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
    expect((await verifyTerminal(hq.ctx, t.terminalId)).ok).toBe(true);
  });

  it('applies only what is new in an overlapping batch', async () => {
    const t = await enrolled();
    // Claire also shops at the other tests' terminals: HQ's balance is chain-wide.
    const elsewhere = await hqPoints(hq, t.members.claire.id);
    t.sell(t.members.claire.id, 24);
    t.sell(t.members.claire.id, 36);
    const firstTo = t.wire.length;
    expect((await hq.post('/v1/push', t.batch(1, firstTo))).status).toBe(200);
    t.sell(t.members.claire.id, 48);
    t.sell(t.members.claire.id, 60);
    t.sell(t.members.claire.id, 12, 100); // 140 points earned so far: spends 100
    const before = await counts();
    const answer = await hq.post('/v1/push', t.batch(1, t.wire.length));
    expect(answer.status).toBe(200);
    expect(answer.json.receipt.ackedThroughSeq).toBe(t.wire.length);
    const newEntries = t.wire.slice(firstTo);
    const after = await counts();
    expect(after.entries - before.entries).toBe(newEntries.length);
    expect(after.postings - before.postings).toBe(newEntries.reduce((s, e) => s + e.postings.length, 0));
    expect((await hqPoints(hq, t.members.claire.id)) - elsewhere).toBe(t.harness.ledger.points(t.members.claire.id).balance);
    expect(await balanceDrift(hq)).toEqual([]);
  });

  it('answers a gap with the cursor and applies nothing', async () => {
    const t = await enrolled();
    for (let i = 0; i < 4; i++) t.sell(t.members.zoe.id, 24);
    expect((await hq.post('/v1/push', t.batch(1, 2))).status).toBe(200);
    const before = await counts();
    // Batch n+1 delivered before batch n.
    const answer = await hq.post('/v1/push', t.batch(4, t.wire.length));
    expect(answer.status).toBe(409);
    expect(answer.json.refusal).toEqual({ code: 'gap', message: 'resend from seq 3', cursor: { lastSeq: 2, lastHash: t.wire[1]!.entry_hash } });
    expect(await counts()).toEqual({ ...before, audit: before.audit + 1 });
    // The terminal resends from the cursor and converges.
    expect((await hq.post('/v1/push', t.batch(3, t.wire.length))).status).toBe(200);
  });

  it('freezes the stream on different content under the same seq, and audits it', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    t.sell(t.members.claire.id, 36);
    expect((await hq.post('/v1/push', t.batch(1, t.wire.length))).status).toBe(200);
    // A clone or a restored backup: same stream, same seq, other facts — validly chained and signed.
    const forked = new TestTerminal(t.terminalId, t.storeId);
    terminals.push(forked);
    Object.assign(forked, { privateKey: t.privateKey, keyId: t.keyId, receipt: t.receipt, hq });
    forked.sell(forked.members.helene.id, 90);
    const before = await counts();
    const answer = await hq.post('/v1/push', forked.batch(1, forked.wire.length));
    expect(answer.status).toBe(409);
    expect(answer.json.refusal.code).toBe('equivocation');
    const after = await counts();
    expect(after).toEqual({ ...before, audit: before.audit + 1 });
    const fleet = await itStaff.get('/v1/fleet');
    expect(fleet.json.frozenStreams.map((s: { terminalId: string }) => s.terminalId)).toContain(t.terminalId);
    // This fixture's terminal clock moves a minute a sale while HQ's stands still: its clock_skew flag is beside the point.
    const incidents = await hq.ctx.sql.query<{ kind: string }>("SELECT kind FROM sync_anomaly WHERE terminal_id = $1 AND kind <> 'clock_skew'", [t.terminalId]);
    expect(incidents.map((i) => i.kind)).toEqual(['stream_frozen_equivocation']);
    // Everything after that is refused as frozen until an operator acts.
    t.sell(t.members.claire.id, 12);
    const next = await hq.post('/v1/push', t.batch(t.wire.length, t.wire.length));
    expect(next.json.refusal.code).toBe('frozen');
  });
});

describe('bad input: refused with a clear code, nothing applied; audited only when the terminal is authenticated', () => {
  async function expectRefused(send: () => Promise<{ status: number; json: Json }>, status: number, code: string, audited = true) {
    const before = await counts();
    const auditedRows = () => hq.count(`audit WHERE code = '${code}'`);
    const auditedBefore = await auditedRows();
    const answer = await send();
    expect(answer.status).toBe(status);
    expect(answer.json).toMatchObject({ ok: false, refusal: { code } });
    const n = audited ? 1 : 0;
    expect(await counts()).toEqual({ ...before, audit: before.audit + n });
    expect(await auditedRows()).toBe(auditedBefore + n);
    return answer;
  }

  it('a forged signature', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    const stranger = new TestTerminal('t-stranger', 'nowhere');
    terminals.push(stranger);
    await expectRefused(() => hq.post('/v1/push', t.batch(1, t.wire.length, { key: stranger.privateKey })), 401, 'bad_signature', false);
  });

  it("another terminal's batch, replayed under its own name", async () => {
    const a = await enrolled();
    const b = await enrolled();
    a.sell(a.members.claire.id, 24);
    const stolen = a.batch(1, a.wire.length);
    const asB = { ...stolen, header: { ...stolen.header, terminalId: b.terminalId }, keyId: b.keyId };
    await expectRefused(() => hq.post('/v1/push', asB), 401, 'bad_signature', false);
    // Signed with B's key but carrying A's entries: a structural fault of B's stream, frozen.
    await expectRefused(() => hq.post('/v1/push', b.batch(1, 1, { entries: a.wire.slice(0, 1) })), 409, 'structural');
  });

  it('entries altered after signing (a cut or edited body)', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    const batch = t.batch(1, t.wire.length);
    const edited = { ...batch, entries: batch.entries.map((e, i) => (i === 0 ? { ...e, receipt: 'X999' } : e)) };
    await expectRefused(() => hq.post('/v1/push', edited), 400, 'malformed');
  });

  it('a broken chain freezes the stream', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    t.sell(t.members.claire.id, 24);
    const entries = t.wire.map((e, i) => (i === 1 ? { ...e, prev_hash: 'a'.repeat(64) } : e));
    await expectRefused(() => hq.post('/v1/push', t.batch(1, entries.length, { entries })), 409, 'structural');
    expect((await itStaff.get('/v1/fleet')).json.terminals.find((x: { terminalId: string }) => x.terminalId === t.terminalId).streamStatus).toBe('frozen');
  });

  it('unbalanced postings freeze the stream', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    t.appendHandMade({ kind: 'adjust', memberId: t.members.claire.id, offline: false, detail: {}, postings: [{ account: `member:${t.members.claire.id}:points`, delta: 50 }] });
    await expectRefused(() => hq.post('/v1/push', t.batch(1, t.wire.length)), 409, 'structural');
  });

  it('an unknown schema version freezes the stream', async () => {
    const t = await enrolled();
    t.sell(t.members.claire.id, 24);
    const entries = t.wire.map((e) => ({ ...e, schema_version: 9 }));
    await expectRefused(() => hq.post('/v1/push', t.batch(1, entries.length, { entries })), 409, 'schema_version');
  });

  it('an oversized body', async () => {
    const huge = JSON.stringify({ header: {}, entries: [], pad: 'x'.repeat(3 * 1024 * 1024) });
    await expectRefused(() => postRaw(hq, '/v1/push', huge), 413, 'too_large', false);
  });

  it('malformed bodies: not JSON, and JSON that is not a batch', async () => {
    await expectRefused(() => postRaw(hq, '/v1/push', '{"header": '), 400, 'malformed', false);
    await expectRefused(() => hq.post('/v1/push', { header: { terminalId: 't-x' }, entries: [] }), 400, 'malformed', false);
  });

  it('a malformed pull or hold is refused with a clear error, counted, not written', async () => {
    const before = await hq.count('audit');
    const answer = await hq.post('/v1/pull', { protocolVersion: 1, terminalId: 'nobody' });
    expect(answer.status).toBe(400);
    expect(answer.json.error.code).toBe('malformed');
    expect(await hq.count('audit')).toBe(before);
    expect(hq.ctx.guard.refusals()).toContainEqual(expect.objectContaining({ action: 'pull', code: 'malformed' }));
  });
});

describe('projector', () => {
  it('keeps balances equal to a from-scratch recomputation and every entry balanced', async () => {
    expect(await balanceDrift(hq)).toEqual([]);
    const perEntry = await hq.ctx.sql.query('SELECT entry_id FROM posting GROUP BY customer_id, entry_id HAVING sum(delta) <> 0');
    expect(perEntry).toEqual([]);
  });

  it('turns an overdrawing offline redemption into an overdraft posting, a receipt exception and an incident', async () => {
    const t = await enrolled();
    const claire = t.members.claire.id;
    t.sell(claire, 120); // 100 points
    expect((await hq.post('/v1/push', t.batch(1, t.wire.length))).status).toBe(200);
    const held = await hqPoints(hq, claire);
    // Redeemed offline at this store on a balance another store had already spent at HQ.
    const entry = t.appendHandMade({
      kind: 'redeem',
      memberId: claire,
      offline: true,
      detail: { points: held + 80 },
      postings: [
        { account: 'program:redemption', delta: held + 80 },
        { account: `member:${claire}:points`, delta: -(held + 80) },
      ],
    });
    const answer = await hq.post('/v1/push', t.batch(entry.seq, entry.seq));
    expect(answer.status).toBe(200);
    expect(answer.json.receipt.exceptions).toEqual([{ entryId: entry.entry_id, kind: 'offline_overdraft', detail: expect.stringContaining('overdrawn by 80 points') }]);
    expect(await hqPoints(hq, claire)).toBe(0);
    const overdraft = await hq.ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [claire, `member:${claire}:offline_overdraft`]);
    expect(overdraft[0]!.balance).toBe(-80);
    const incidents = await hq.ctx.sql.query<{ kind: string }>('SELECT kind FROM sync_anomaly WHERE customer_id = $1', [claire]);
    expect(incidents.map((i) => i.kind)).toContain('offline_overdraft');
    expect(await balanceDrift(hq)).toEqual([]);
  });

  it('expires lots past their date and the grace window, once', async () => {
    const t = await enrolled();
    const zoe = t.members.zoe.id;
    t.sell(zoe, 36); // 30 points, valid 12 months
    expect((await hq.post('/v1/push', t.batch(1, t.wire.length))).status).toBe(200);
    const before = await hqPoints(hq, zoe);
    expect(before).toBeGreaterThan(0);
    const later = hq.clock.value + 400 * 24 * 3600_000 + hq.ctx.policy.expiryGraceMs;
    const first = await runHqExpiry(hq.ctx, later);
    expect(first.points).toBeGreaterThanOrEqual(before);
    expect(await hqPoints(hq, zoe)).toBe(0);
    expect(await runHqExpiry(hq.ctx, later)).toEqual({ lots: 0, points: 0 });
    expect(await balanceDrift(hq)).toEqual([]);
  });
});

describe('pull', () => {
  it('serves buckets with cookies; a second pull gets only what changed', async () => {
    const t = await enrolled('pull-store');
    const { claire, helene } = t.members;
    await upsertMember(hq.ctx, { memberId: helene.id, firstName: 'Hélène', lastName: 'Lefèvre', email: null, phone: null, locale: 'fr', cards: [], createdAt: 1 }, ['pull-store']);
    t.sell(claire.id, 24);
    expect((await hq.post('/v1/push', t.batch(1, t.wire.length))).status).toBe(200);
    const request = (cookies: { program: string | null; store: string | null; terminal: string | null }) =>
      t.signed({ protocolVersion: 1, terminalId: t.terminalId, epoch: 1, cookies, ackedThroughSeq: t.wire.length, sentAt: hq.clock.value });

    const first = await hq.post('/v1/pull', request({ program: null, store: null, terminal: null }));
    expect(first.status).toBe(200);
    expect(verifiesWithHq(first.json)).toBe(true);
    const bucket = (r: Json, name: string) => r.buckets.find((b: { bucket: string }) => b.bucket === name);
    expect(bucket(first.json, 'program').puts.map((p: { key: string }) => p.key)).toEqual(['program']);
    expect(bucket(first.json, 'store').puts.map((p: { key: string }) => p.key)).toEqual([`member:${helene.id}`]);
    expect(bucket(first.json, 'terminal').puts.map((p: { key: string }) => p.key)).toEqual(['allowance']);
    expect(first.json.hqAppliedThroughSeq).toBe(t.wire.length);
    const claireBalance = first.json.balances.find((b: { memberId: string }) => b.memberId === claire.id);
    expect(claireBalance.balance).toBe(await hqPoints(hq, claire.id));
    expect(claireBalance.lots.reduce((s: number, l: { points: number }) => s + l.points, 0)).toBe(claireBalance.balance);

    const cookies = { program: bucket(first.json, 'program').cookie, store: bucket(first.json, 'store').cookie, terminal: bucket(first.json, 'terminal').cookie };
    const second = await hq.post('/v1/pull', request(cookies));
    expect(second.json.buckets.flatMap((b: { puts: unknown[] }) => b.puts)).toEqual([]);
    expect(second.json.balances).toEqual([]);

    // Helene spends at another store of the chain: her chain-wide balance comes down here.
    const other = await enrolled();
    other.sell(helene.id, 48);
    expect((await hq.post('/v1/push', other.batch(1, other.wire.length))).status).toBe(200);
    const third = await hq.post('/v1/pull', request(cookies));
    expect(third.json.balances.map((b: { memberId: string }) => b.memberId)).toEqual([helene.id]);
    expect(third.json.balances[0].balance).toBe(await hqPoints(hq, helene.id));
  });
});

describe('holds', () => {
  it('pending → posted by the redeem entry, voided, or released by HQ time; never beyond the available balance', async () => {
    const t = await enrolled();
    const jp = t.members.jeanPierre.id;
    t.sell(jp, 240); // 200 points
    expect((await hq.post('/v1/push', t.batch(1, t.wire.length))).status).toBe(200);
    const balance = await hqPoints(hq, jp);
    const hold = (holdId: string, points: number) =>
      hq.post('/v1/holds', t.signed({ protocolVersion: 1, terminalId: t.terminalId, holdId, memberId: jp, points, timeoutMs: 60_000, sentAt: hq.clock.value }));

    const a = await hold('hold-a', 120);
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ holdId: 'hold-a', points: 120, status: 'pending' });
    expect(verifiesWithHq(a.json)).toBe(true);
    expect((await hold('hold-a', 120)).json.signature).toBe(a.json.signature);
    const tooMuch = await hold('hold-b', balance - 120 + 1);
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.json.error.code).toBe('insufficient_points');

    const voided = await hq.post('/v1/holds/void', t.signed({ protocolVersion: 1, terminalId: t.terminalId, holdId: 'hold-a', memberId: jp, sentAt: hq.clock.value }));
    expect(voided.json.status).toBe('voided');

    expect((await hold('hold-c', 50)).json.status).toBe('pending');
    hq.clock.value += 60_001;
    expect(await releaseExpiredHolds(hq.ctx)).toBe(1);

    expect((await hold('hold-d', 70)).json.status).toBe('pending');
    const post = t.appendHandMade({
      kind: 'redeem',
      memberId: jp,
      offline: false,
      detail: { hold_id: 'hold-d', points: 70 },
      postings: [
        { account: 'program:redemption', delta: 70 },
        { account: `member:${jp}:points`, delta: -70 },
      ],
    });
    expect((await hq.post('/v1/push', t.batch(post.seq, post.seq))).status).toBe(200);
    const rows = await hq.ctx.sql.query<{ hold_id: string; status: string }>('SELECT hold_id, status FROM hold WHERE customer_id = $1 ORDER BY hold_id', [jp]);
    expect(rows).toEqual([
      { hold_id: 'hold-a', status: 'voided' },
      { hold_id: 'hold-c', status: 'released' },
      { hold_id: 'hold-d', status: 'posted' },
    ]);
    expect(await hqPoints(hq, jp)).toBe(balance - 70);
  });
});

describe('fleet', () => {
  it('lists terminals in JSON (the console’s fleet view) and re-verifies chains', async () => {
    const t = await enrolled('fleet-store');
    t.sell(t.members.claire.id, 24);
    expect((await hq.post('/v1/push', t.batch(1, t.wire.length, { headSeq: t.wire.length + 5 }))).status).toBe(200);
    const fleet = await itStaff.get('/v1/fleet');
    const row = fleet.json.terminals.find((x: { terminalId: string }) => x.terminalId === t.terminalId);
    expect(row).toMatchObject({ storeId: 'fleet-store', status: 'active', appVersion: '0.1.0', lastSeq: t.wire.length, backlog: 5, streamStatus: 'active' });
    // The flag counts this terminal's open anomalies (a clock skew here: the tests move HQ's clock, not the terminals').
    const open = (await itStaff.get('/v1/anomalies?status=open')).json.anomalies.filter((a: { terminalId: string }) => a.terminalId === t.terminalId);
    expect(row.openAnomalies).toBe(open.length);
    // The old page's address leads to the console's fleet view, in the language asked for.
    expect((await itStaff.get('/fleet?lang=en')).headers.get('location')).toBe('/console/fleet?lang=en');
    expect(await verifyTerminal(hq.ctx, t.terminalId)).toMatchObject({ ok: true, streams: [{ epoch: 1, entries: t.wire.length, problems: [] }] });
    const audit = await itStaff.get('/v1/fleet/audit?limit=5');
    expect(audit.json.audit.length).toBeGreaterThan(0);
  });
});

