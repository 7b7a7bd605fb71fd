import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHq, type Hq } from '../../src/hq/server';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { memberVaultOf } from '../../src/main/core/members/member-store';
import { memberIntakeRecord } from '../../src/main/core/sync/member-outbox';
import { MemberIntakeReceipt, PROTOCOL_VERSION, type MemberIntake } from '../../src/shared/sync/protocol';
import { WEDNESDAY_10H } from '../integration/ledger-fixture';
import { nonce } from '../hq/hq-fixture';
import { openTerminal, replay, type Terminal } from './member-fleet';

/**
 * A member enrolled on one terminal's touchscreen reaches HQ once, with only
 * the fields HQ needs, and reaches the other terminals of the same store in
 * their next pull — never another store's. Resends, replays and an answer
 * lost after HQ committed change nothing at HQ.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-members-'));
let hq: Hq;
let a: Terminal;
let b: Terminal;
let other: Terminal;

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(5), logger: silentLogger, maintenanceIntervalMs: 0 });
  a = await openTerminal(hq, 'caisse-lyon-1', 'lyon-2', 201);
  b = await openTerminal(hq, 'caisse-lyon-2', 'lyon-2', 202);
  other = await openTerminal(hq, 'caisse-nantes-1', 'nantes-1', 301);
}, 60_000);

afterAll(async () => {
  for (const t of [a, b, other]) t?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

const AMELIE = { firstName: 'Amélie', lastName: 'Poulain', email: 'amelie.poulain@example.fr', phone: '06 11 22 33 44' };

async function hqMember(id: string) {
  const rows = await hq.ctx.sql.query<{ record: unknown; change_version: number }>('SELECT record, change_version FROM member WHERE customer_id = $1', [id]);
  return rows[0] ?? null;
}

describe('member records from the terminal that enrolled them to HQ', () => {
  it('enrolled at terminal A of a store: at HQ with its consents, in terminal B’s pull, not in another store’s', async () => {
    const { member } = a.enrolCustomer(AMELIE);
    expect(a.outbox.pending()).toBeGreaterThanOrEqual(1);
    const flushed = await a.outbox.flush();
    expect(flushed).toMatchObject({ ok: true, pending: 0 });
    expect(a.outbox.pending()).toBe(0);

    const row = await hqMember(member.id);
    expect(row?.record).toEqual({
      memberId: member.id,
      firstName: 'Amélie',
      lastName: 'Poulain',
      email: 'amelie.poulain@example.fr',
      phone: '+33611223344',
      locale: 'fr',
      cards: [member.cardNumber],
      createdAt: member.memberSince,
    });
    const consents = await hq.ctx.sql.query<{ purpose: string; granted: boolean; wording_version: string; source: string; terminal_id: string }>(
      'SELECT purpose, granted, wording_version, source, terminal_id FROM member_consent WHERE customer_id = $1 ORDER BY purpose',
      [member.id],
    );
    expect(consents).toEqual([
      { purpose: 'marketing', granted: true, wording_version: '2026-11.fr-2', source: 'self-enrolment', terminal_id: 'caisse-lyon-1' },
      { purpose: 'personalisedOffers', granted: false, wording_version: '2026-11.fr-2', source: 'self-enrolment', terminal_id: 'caisse-lyon-1' },
      { purpose: 'profiling', granted: true, wording_version: '2026-11.fr-2', source: 'self-enrolment', terminal_id: 'caisse-lyon-1' },
    ]);

    expect(b.members.findByCard(member.cardNumber)).toBeNull();
    const pulled = await b.sync.pull();
    expect(pulled).toMatchObject({ ok: true });
    expect(b.members.findByCard(member.cardNumber)).toEqual(member);
    // Kept on B as keyed hashes and shown masked (issue 17); the whole address finds her.
    expect(b.members.detail(member.id)).toMatchObject({ firstName: 'Amélie', email: 'a***@example.fr', phone: '06 ** ** ** 44', cards: [member.cardNumber] });
    expect(b.members.findByContact('amelie.poulain@example.fr', null)).toBe(member.id);
    // B learnt the member from HQ: it does not send it back.
    expect(memberIntakeRecord(b.h.db, member.id).ok).toBe(true);
    expect(b.h.db.prepare('SELECT count(*) AS n FROM member_outbox WHERE member_id = ?').get(member.id)).toEqual({ n: 0 });

    expect(await other.sync.pull()).toMatchObject({ ok: true });
    expect(other.members.findByCard(member.cardNumber)).toBeNull();
  });

  it('a resend, a replayed request and an answer lost after HQ committed change nothing at HQ', async () => {
    const { member } = a.enrolCustomer({ firstName: 'Jean', lastName: 'Valjean', email: '', phone: '07 55 44 33 22' });
    a.cut.afterAnswer = true;
    const lost = await a.outbox.flush();
    a.cut.afterAnswer = false;
    expect(lost).toMatchObject({ ok: false, code: 'unreachable' });
    // HQ has it; the terminal cannot know, so it keeps it.
    const first = await hqMember(member.id);
    expect(first?.record).toMatchObject({ memberId: member.id, email: null, phone: '+33755443322' });
    expect(a.outbox.pending()).toBe(1);

    const retried = await a.outbox.flush();
    expect(retried).toMatchObject({ ok: true, sent: 1, stored: 0, unchanged: 1, pending: 0 });
    expect(await hqMember(member.id)).toEqual(first);

    const request = a.sent.filter((s) => s.path === '/v1/members').at(-1)!;
    // The same signed bytes again: a replay, refused before anything is read (a resend is signed anew, above).
    const again = await replay(hq, request);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'replay' } } });
    expect(await hqMember(member.id)).toEqual(first);
    const consents = await hq.ctx.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM member_consent WHERE customer_id = $1', [member.id]);
    expect(consents[0]!.n).toBe(3);
  });

  it('validates each record at HQ’s edge: a bad one is rejected alone; a bad signature stores nothing', async () => {
    const { member } = a.enrolCustomer({ firstName: 'Zélie', lastName: 'Martin', email: 'zelie@example.fr', phone: '' });
    const good = memberIntakeRecord(a.h.db, member.id);
    if (!good.ok) throw new Error(good.reason);
    const badCard = { ...good.record, memberId: '01890000-0000-7000-8000-000000000001', cards: ['0400000000001'] };
    const badName = { ...good.record, memberId: '01890000-0000-7000-8000-000000000002', firstName: 'R2D2 <script>' };
    const key = a.sync.key;
    const unsigned: Omit<MemberIntake, 'signature'> = {
      protocolVersion: PROTOCOL_VERSION,
      terminalId: a.id,
      members: [badCard, good.record, badName],
      sentAt: WEDNESDAY_10H,
      nonce: nonce(),
      keyId: key.keyId,
    };
    const post = (body: unknown) =>
      globalThis.fetch(`${hq.url}/v1/members`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

    const forged = await post({ ...unsigned, signature: key.sign({ ...unsigned, terminalId: b.id }) });
    expect(forged.status).toBe(401);
    expect(await hqMember(member.id)).toBeNull();

    const answer = await post({ ...unsigned, signature: key.sign(unsigned) });
    expect(answer.status).toBe(200);
    const receipt = MemberIntakeReceipt.parse(await answer.json());
    expect(receipt.results.map((r) => [r.index, r.status])).toEqual([
      [0, 'rejected'],
      [1, 'stored'],
      [2, 'rejected'],
    ]);
    expect(receipt.results[0]!.detail).toMatch(/cards/);
    expect(receipt.results[2]!.detail).toMatch(/firstName/);
    expect(await hqMember(member.id)).not.toBeNull();
    expect(await hqMember('01890000-0000-7000-8000-000000000001')).toBeNull();
    expect(await hqMember('01890000-0000-7000-8000-000000000002')).toBeNull();

    // A record that cannot be valid stays on the terminal, marked, and does not hold the queue.
    // (The contact waiting for HQ is sealed: the damage is sealed in its place.)
    a.h.db.prepare('UPDATE member SET contact_sealed = ? WHERE id = ?').run(memberVaultOf(a.h.db).seal(JSON.stringify({ email: null, phone: '+1555' })), member.id);
    const { member: next } = a.enrolCustomer({ firstName: 'Paul', lastName: 'Martin', email: 'paul.m@example.fr', phone: '' });
    const flushed = await a.outbox.flush();
    expect(flushed).toMatchObject({ ok: true, pending: 0 });
    expect(a.outbox.rejected()).toEqual([{ memberId: member.id, reason: expect.stringMatching(/^local: phone/) as unknown as string }]);
    expect((await hqMember(next.id))?.record).toMatchObject({ firstName: 'Paul' });
  });
});
