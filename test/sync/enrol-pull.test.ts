import { afterEach, describe, expect, it } from 'vitest';
import { PROVISIONAL_GENESIS } from '../../src/main/core/ledger/chain';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import { loadTerminalKey } from '../../src/main/core/sync/keys';
import { confirmedPoints, pullCookies, storedAllowance, storedProgramRules } from '../../src/main/core/sync/pull';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { EnrolmentError } from '../../src/main/core/sync/enrolment';
import { createSync } from '../../src/main/core/sync/sync-service';
import type { FetchLike } from '../../src/main/core/sync/transport';
import { openSyncHarness, type SyncHarness } from './sync-harness';

let s: SyncHarness;
afterEach(() => s?.close());

const SYNC_TABLES = ['sync_state', 'sync_member_balance', 'sync_bucket_item', 'member', 'member_card', 'member_search_token'];
const snapshot = (x: SyncHarness) => JSON.stringify(SYNC_TABLES.map((t) => x.h.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));

function hqMember(id: string, card: string, lastName = 'Martin') {
  return { memberId: id, firstName: 'Léa', lastName, email: `${id}@example.com`, phone: '+33611223344', locale: 'fr', cards: [card], createdAt: Date.UTC(2025, 0, 2) };
}

describe('enrolment', () => {
  it('keeps one key pair, enrols with it, pins HQ\u2019s key and adopts HQ\u2019s genesis on an empty journal', async () => {
    s = await openSyncHarness({ enrol: false });
    expect(s.h.ledger.head().hash).toBe(PROVISIONAL_GENESIS);
    const { enrolment, restartRequired } = await s.sync.enrol({ code: 'TEST-CODE-1', storeId: 'store-1' });
    expect(restartRequired).toBe(false);
    expect(enrolment).toMatchObject({ epoch: 1, hqPublicKey: s.hq.hq.publicKey, hqKeyId: s.hq.hq.keyId, terminalKeyId: s.sync.key.keyId });
    expect(s.h.ledger.head().hash).toBe(enrolment.genesisHash);
    expect(loadTerminalKey(s.h.db)!.publicKey).toBe(s.sync.key.publicKey);
    expect(s.hq.terminals.get('test-t1')!.publicKey).toBe(s.sync.key.publicKey);
    expect(storedAllowance(s.h.db)?.terminalId).toBe('test-t1');
    // The first sale chains to HQ's genesis, and the chain still verifies.
    s.sell(1);
    expect(s.h.ledger.verifyChain().ok).toBe(true);
    expect(() => s.h.db.prepare("UPDATE ledger_stream SET genesis_hash = ?").run('a'.repeat(64))).toThrow(/append-only/);
  });

  it('keeps a journal kept before enrolment: refuses a receipt that would re-chain it to another genesis', async () => {
    s = await openSyncHarness({ enrol: false });
    s.sell(1);
    const head = s.h.ledger.head();
    // This fake HQ ignores the history the terminal declares and issues a genesis of its own.
    await expect(s.sync.enrol({ code: 'TEST-CODE-1', storeId: 'store-1' })).rejects.toMatchObject({ code: 'journal_not_empty' });
    expect(s.sync.enrolment()).toBeNull();
    expect(s.h.ledger.head()).toEqual(head);
    expect(s.h.ledger.verifyChain().ok).toBe(true);
  });

  it('does not enrol a terminal whose journal failed its check at start: HQ never sees that history', async () => {
    s = await openSyncHarness({ enrol: false });
    s.sell(2);
    s.h.db.prepare("UPDATE ledger_balance SET balance = balance + 5000 WHERE account LIKE 'member:%:points'").run();
    expect((await s.h.ledger.start()).ok).toBe(false);
    await expect(s.sync.enrol({ code: 'TEST-CODE-1', storeId: 'store-1' })).rejects.toMatchObject({ code: 'ledger_damaged' });
    expect(s.hq.requests).toEqual([]);
    expect(s.sync.enrolment()).toBeNull();
  });

  it('stores nothing from a receipt whose signature does not verify', async () => {
    s = await openSyncHarness({ enrol: false });
    // A man in the middle swaps the genesis: the receipt no longer verifies with the key it carries.
    const forging: FetchLike = async (url, init) => {
      const response = await s.hq.fetch(url, init);
      const body = JSON.parse(await response.text()) as Record<string, unknown>;
      return { ...response, text: async () => JSON.stringify({ ...body, genesisHash: 'e'.repeat(64) }) };
    };
    const other = createSync({
      db: s.h.db,
      ledger: s.h.ledger,
      members: new MemberStore(s.h.db),
      clock: s.time.clock,
      random: seededRandom(1),
      logger: silentLogger,
      fetch: forging,
      timers: s.time,
      hqUrl: 'http://hq.test',
    });
    const error = await other.enrol({ code: 'TEST-CODE-1', storeId: 'store-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnrolmentError);
    expect((error as EnrolmentError).code).toBe('bad_receipt');
    expect(s.sync.enrolment()).toBeNull();
    expect(s.h.ledger.head().hash).toBe(PROVISIONAL_GENESIS);
  });

  it('reports HQ\u2019s refusal of a bad code', async () => {
    s = await openSyncHarness({ enrol: false });
    await expect(s.sync.enrol({ code: 'WRONG-CODE', storeId: 'store-1' })).rejects.toMatchObject({ code: 'refused', hqCode: 'invalid_code' });
  });
});

describe('pull', () => {
  it('applies program, members, chain-wide balances, allowance and cookies, then sends the cookies back', async () => {
    s = await openSyncHarness();
    s.hq.program = { ...DEFAULT_PROGRAM, version: 'fr-2026.2' };
    s.hq.members = [hqMember('m-hq-1', '2999000000012'), hqMember(s.h.members.claire.id, s.h.members.claire.cardNumber, 'Dupont-Leroy')];
    s.hq.balances = [{ memberId: s.h.members.claire.id, balance: 250, pending: 0, lots: [{ expiresOn: '2027-01-31', points: 250 }] }];
    s.sell(2);
    s.sync.start();
    await s.time.advance(0);
    // start() pushed, then pulled once.
    expect(s.sync.status().lastPullAt).toBe(s.time.value);
    expect((storedProgramRules(s.h.db) as { version: string }).version).toBe('fr-2026.2');
    // Names are sealed in the file (issue 17): read back through the store.
    const store = new MemberStore(s.h.db);
    expect(store.summary(s.h.members.claire.id)?.lastName).toBe('Dupont-Leroy');
    expect(s.h.db.prepare('SELECT last_name FROM member WHERE id = ?').get(s.h.members.claire.id)).toEqual({ last_name: '' });
    expect(s.h.db.prepare("SELECT member_id FROM member_card WHERE card_number = '2999000000012'").get()).toEqual({ member_id: 'm-hq-1' });
    expect(store.names.find(0, 'dupont', 10).map((h) => h.memberId)).toContain(s.h.members.claire.id);
    expect(pullCookies(s.h.db)).toEqual({ program: 'v1', store: 'v1', terminal: 'v1' });
    // HQ has applied through seq 2; a later local sale shows on top of HQ's balance.
    s.sell(1);
    const points = confirmedPoints(s.h.db, s.h.ledger, s.h.members.claire.id)!;
    expect(points.hqBalance).toBe(250);
    expect(points.localSince).toBeGreaterThan(0);
    expect(points.total).toBe(250 + points.localSince);
    expect(s.h.db.prepare('SELECT as_of_seq FROM sync_member_balance').get()).toEqual({ as_of_seq: 2 });
    // The cookies go back up: nothing changed at HQ, so nothing comes down again.
    expect(await s.sync.pull()).toMatchObject({ ok: true, members: 0, balances: 0 });
    s.hq.pullVersion++;
    expect(await s.sync.pull()).toMatchObject({ ok: true, members: 2, balances: 1, hqAppliedThroughSeq: 2 });
  });

  it('applies nothing when the response\u2019s signature does not verify', async () => {
    s = await openSyncHarness();
    s.hq.members = [hqMember('m-hq-1', '2999000000012')];
    s.hq.tamperPull = (body) => ({ ...body, hqAppliedThroughSeq: 99 });
    const before = snapshot(s);
    expect(await s.sync.pull()).toMatchObject({ ok: false, code: 'bad_signature' });
    expect(snapshot(s)).toBe(before);
  });

  it('applies nothing when a write fails midway through the transaction', async () => {
    s = await openSyncHarness();
    s.hq.program = { ...DEFAULT_PROGRAM, version: 'fr-2026.3' };
    s.hq.members = [hqMember('m-hq-1', '2999000000012'), hqMember('m-hq-2', '2999000000020')];
    s.hq.balances = [
      { memberId: 'm-hq-1', balance: 10, pending: 0, lots: [] },
      { memberId: 'm-hq-2', balance: 20, pending: 0, lots: [] },
    ];
    // The program, both members and the first balance are written before this fires.
    s.h.db.exec("CREATE TEMP TRIGGER fail_midway BEFORE INSERT ON sync_member_balance WHEN NEW.member_id = 'm-hq-2' BEGIN SELECT RAISE(ABORT, 'disk went away'); END");
    const before = snapshot(s);
    expect(await s.sync.pull()).toMatchObject({ ok: false, code: 'apply_failed' });
    expect(snapshot(s)).toBe(before);
    expect(storedProgramRules(s.h.db)).toBeNull();
    s.h.db.exec('DROP TRIGGER temp.fail_midway');
    expect(await s.sync.pull()).toMatchObject({ ok: true, members: 2, balances: 2 });
  });

  it('refuses a response with an invalid program as a whole', async () => {
    s = await openSyncHarness();
    s.hq.program = { version: 'broken' };
    s.hq.members = [hqMember('m-hq-1', '2999000000012')];
    const before = snapshot(s);
    expect(await s.sync.pull()).toMatchObject({ ok: false, code: 'invalid' });
    expect(snapshot(s)).toBe(before);
  });

  it('runs one pull at a time', async () => {
    s = await openSyncHarness();
    const [a, b] = [s.sync.pull(), s.sync.pull()];
    await s.time.settle();
    expect(await a).toEqual(await b);
    expect(s.hq.requests.filter((r) => r.path === '/v1/pull').length).toBe(1);
  });
});
