import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHq, type Hq } from '../../src/hq/server';
import { verifyTerminal } from '../../src/hq/fleet';
import { HqError } from '../../src/hq/context';
import { eraseMember, erasurePreview, type ErasureRequest } from '../../src/hq/privacy/erasure';
import { readPrivacyAudit } from '../../src/hq/privacy/audit';
import { changeConsent } from '../../src/main/core/members/consents';
import { isBlockedCard } from '../../src/main/core/privacy/erasure';
import { identifyOrProvisional } from '../../src/main/core/members/provisional';
import { verifyChain } from '../../src/main/core/ledger/verify';
import { AppFailure } from '../../src/shared/contract';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { line, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * Issue 17 items 1 and 3 across HQ and real terminals: a consent changed at
 * one till reaches HQ with its wording version and time and the store's other
 * terminals in their next pull; an erasure at HQ removes the person there and,
 * after their next pull, from every terminal, while every chain, balance and
 * sum still verifies. Refusals change nothing.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-erasure-'));
const clock = { value: WEDNESDAY_10H };
let hq: Hq;
let a: Terminal;
let b: Terminal;
let other: Terminal;

const AMELIE = { firstName: 'Amélie', lastName: 'Poulain', email: 'amelie.poulain@example.fr', phone: '06 11 22 33 44' };
const BRUNO = { firstName: 'Bruno', lastName: 'Vasseur', email: 'bruno.vasseur@example.fr', phone: '06 55 44 33 22' };

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => clock.value }, random: seededRandom(17), logger: silentLogger, maintenanceIntervalMs: 0 });
  a = await openTerminal(hq, 'caisse-lyon-1', 'lyon-2', 201);
  b = await openTerminal(hq, 'caisse-lyon-2', 'lyon-2', 202);
  other = await openTerminal(hq, 'caisse-nantes-1', 'nantes-1', 301);
  for (const t of [a, b, other]) expect(await t.sync.pull()).toMatchObject({ ok: true });
}, 60_000);

afterAll(async () => {
  for (const t of [a, b, other]) t?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

const pulled = async (...terminals: Terminal[]) => {
  for (const t of terminals) {
    const outcome = await t.sync.pull();
    expect(outcome, `${t.id}: ${JSON.stringify(outcome)}`).toMatchObject({ ok: true });
  }
};

async function hqRows(sqlText: string, params: unknown[] = []) {
  return hq.ctx.sql.query<Record<string, unknown>>(sqlText, params);
}

/** Every row of every HQ table, as text: what a search for a person's data would find. */
async function hqDump(): Promise<string> {
  const tables = await hqRows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
  const parts: string[] = [];
  for (const t of tables) parts.push(JSON.stringify(await hqRows(`SELECT * FROM ${t.table_name as string}`)));
  return parts.join('\n');
}

/** What an erasure changes at HQ, as text. */
async function personalTables(): Promise<string> {
  const parts: string[] = [];
  for (const table of ['member', 'member_store', 'member_intake', 'member_consent', 'member_card', 'account_balance', 'posting', 'lot', 'member_value', 'member_tier', 'member_erasure', 'erasure_receipt']) {
    parts.push(JSON.stringify(await hqRows(`SELECT * FROM ${table} ORDER BY 1, 2`)));
  }
  return parts.join('\n');
}

/** HQ's books: each balance is the sum of its postings, and all postings sum to zero. */
async function hqBooksBalance(): Promise<void> {
  const off = await hqRows(
    `SELECT b.customer_id, b.account, b.balance, coalesce(p.sum, 0) AS sum FROM account_balance b
     LEFT JOIN (SELECT customer_id, account, sum(delta)::bigint AS sum FROM posting GROUP BY customer_id, account) p USING (customer_id, account)
     WHERE b.balance <> coalesce(p.sum, 0)`,
  );
  expect(off).toEqual([]);
  expect(Number((await hqRows('SELECT coalesce(sum(delta), 0)::bigint AS s FROM posting'))[0]!.s)).toBe(0);
  const lots = await hqRows(
    `SELECT l.customer_id FROM (SELECT customer_id, sum(remaining)::bigint AS r FROM lot GROUP BY customer_id) l
     JOIN account_balance b ON b.customer_id = l.customer_id AND b.account = 'member:' || l.customer_id || ':points' WHERE b.balance <> l.r`,
  );
  expect(lots).toEqual([]);
}

async function chainsVerify(): Promise<void> {
  for (const t of [a, b, other]) {
    expect(verifyChain(t.h.db).ok, t.id).toBe(true);
    expect((await verifyTerminal(hq.ctx, t.id)).ok, t.id).toBe(true);
  }
  await hqBooksBalance();
}

function request(memberId: string, cardNumber: string | null, confirmedForfeit: number, requestId = 'req-1'): ErasureRequest {
  return { memberId, cardNumber, confirmedForfeit, cause: 'request', channel: 'customer-service', by: { actor: 'sophie', role: 'service' }, requestId };
}

async function refused(promise: Promise<unknown>, code: string): Promise<HqError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(HqError);
  expect((error as HqError).code).toBe(code);
  return error as HqError;
}

describe('consent changes round-trip to HQ and back', () => {
  it('a withdrawal at one till is at HQ with its wording and time, at the store’s other till after its pull, and drops the member’s score and hint', async () => {
    const { member } = a.enrolCustomer(AMELIE);
    expect(await a.outbox.flush()).toMatchObject({ ok: true, pending: 0 });
    await hqRows(
      `INSERT INTO member_value (customer_id, run_id, as_of, repeat_visits, first_visit, last_visit, p_alive, expected_visits, expected_spend, value, segment, change_version)
       VALUES ($1, 'r1', '2026-11-30', 3, '2026-01-01', '2026-11-20', 0.8, 2, 40, 40, 'steady', (SELECT value FROM change_counter WHERE name = 'pull'))`,
      [member.id],
    );
    await pulled(a, b);
    const hint = (t: Terminal) => t.h.db.prepare('SELECT 1 FROM member_value_hint WHERE member_id = ?').get(member.id);
    expect(hint(b)).toBeTruthy();

    clock.value += 60_000;
    a.h.clock.value = clock.value;
    changeConsent(
      a.h.db,
      a.members,
      { memberId: member.id, purpose: 'profiling', granted: false, consentWordingVersion: '2026-11.fr-2' },
      { role: 'cashier', shownMemberId: member.id, wordingVersion: '2026-11.fr-2', now: clock.value },
    );
    expect(a.h.db.prepare('SELECT count(*) AS n FROM member_consent_outbox').get()).toEqual({ n: 1 });
    await pulled(a);
    expect(a.h.db.prepare('SELECT count(*) AS n FROM member_consent_outbox').get()).toEqual({ n: 0 });
    expect(await hqRows("SELECT granted, wording_version, recorded_at, source, terminal_id FROM member_consent WHERE customer_id = $1 AND purpose = 'profiling' ORDER BY recorded_at", [member.id])).toEqual([
      { granted: true, wording_version: '2026-11.fr-2', recorded_at: WEDNESDAY_10H, source: 'self-enrolment', terminal_id: 'caisse-lyon-1' },
      { granted: false, wording_version: '2026-11.fr-2', recorded_at: clock.value, source: 'till', terminal_id: 'caisse-lyon-1' },
    ]);
    expect(await hqRows('SELECT 1 FROM member_value WHERE customer_id = $1', [member.id])).toEqual([]);

    await pulled(b);
    const atB = b.members.detail(member.id)!.consents.filter((c) => c.purpose === 'profiling');
    expect(atB.at(-1)).toEqual({ purpose: 'profiling', granted: false, wordingVersion: '2026-11.fr-2', recordedAt: clock.value });
    expect(hint(b)).toBeUndefined();
    // B queues nothing back: HQ has it. A pull again adds nothing twice.
    expect(b.h.db.prepare('SELECT count(*) AS n FROM member_consent_outbox').get()).toEqual({ n: 0 });
    await pulled(a, b);
    expect(b.members.detail(member.id)!.consents.filter((c) => c.purpose === 'profiling')).toHaveLength(2);
    // Another store never hears of it.
    await pulled(other);
    expect(other.members.summary(member.id)).toBeNull();
  });
});

describe('erasure across the chain', () => {
  let amelie: string;
  let card: string;
  let bruno: string;
  let brunoCard: string;

  beforeAll(async () => {
    amelie = a.members.findByEmail(AMELIE.email)!;
    card = a.members.summary(amelie)!.cardNumber;
    const enrolled = a.enrolCustomer(BRUNO);
    bruno = enrolled.member.id;
    brunoCard = enrolled.member.cardNumber;
    expect(await a.outbox.flush()).toMatchObject({ ok: true, pending: 0 });
    a.h.ledger.commit(sale(amelie, 'A-1', [line(4200)]));
    a.h.ledger.commit(sale(bruno, 'A-2', [line(1500)]));
    await a.sync.syncNow();
    await pulled(a, b, other);
    expect(b.members.summary(amelie)).not.toBeNull();
    for (const t of [a, b]) expect(t.members.names.find(1, 'amelie', 10).map((hit) => hit.memberId)).toContain(amelie);
  }, 30_000);

  it('refuses a card that is not the customer’s, an amount of points not the one shown, a redemption in flight: nothing done, each refusal in the audit log', async () => {
    const preview = await erasurePreview(hq.ctx, amelie);
    expect(preview.pointsForfeited).toBeGreaterThan(0);
    expect(preview.cards).toEqual([card]);
    const before = await personalTables();

    await refused(eraseMember(hq.ctx, request(amelie, brunoCard, preview.pointsForfeited)), 'card_not_theirs');
    await refused(eraseMember(hq.ctx, request(amelie, card, preview.pointsForfeited + 1)), 'forfeit_changed');
    await hqRows("INSERT INTO hold (customer_id, hold_id, terminal_id, points, status, created_at, expires_at) VALUES ($1, 'h-1', 'caisse-lyon-2', 10, 'pending', $2, $3)", [
      amelie,
      clock.value,
      clock.value + 120_000,
    ]);
    const inFlight = await refused(eraseMember(hq.ctx, request(amelie, card, preview.pointsForfeited)), 'sale_in_flight');
    expect(inFlight.message).toContain('nothing was erased');
    await hqRows("UPDATE hold SET status = 'voided', resolved_at = $2 WHERE customer_id = $1 AND hold_id = 'h-1'", [amelie, clock.value]);

    expect(await personalTables()).toEqual(before);
    const trail = await readPrivacyAudit(hq.ctx, { requestId: 'req-1' });
    expect(trail.map((r) => `${r.action} ${String(r.detail.code)} ${r.actor}`).sort()).toEqual([
      'erase_refused card_not_theirs sophie',
      'erase_refused forfeit_changed sophie',
      'erase_refused sale_in_flight sophie',
    ]);
    await refused(eraseMember(hq.ctx, request('0190aaaa-bbbb-7ccc-8ddd-000000000000', null, 0)), 'not_found');
  });

  it('removes the person from HQ and from every terminal after its next pull, while every balance, sum and chain still verifies', async () => {
    // B has Amélie on screen and rings up a sale while the erasure happens: the tombstone wins, the sale is refused cleanly.
    const preview = await erasurePreview(hq.ctx, amelie);
    const receipt = await eraseMember(hq.ctx, request(amelie, card, preview.pointsForfeited));
    expect(receipt).toMatchObject({ memberId: amelie, pointsForfeited: preview.pointsForfeited, cardsBlocked: 1 });

    // HQ: nothing of her left in any table; her points lapsed; the receipt names no one.
    const dump = await hqDump();
    for (const clear of ['Poulain', 'Amélie', AMELIE.email, '+33611223344', '0611223344']) expect(dump, clear).not.toContain(clear);
    expect(await hqRows('SELECT record FROM member WHERE customer_id = $1', [amelie])).toEqual([{ record: null }]);
    expect(await hqRows("SELECT balance FROM account_balance WHERE customer_id = $1 AND account = 'member:' || $1 || ':points'", [amelie])).toEqual([{ balance: 0 }]);
    const stored = await hqRows('SELECT * FROM erasure_receipt WHERE receipt_id = $1', [receipt.receiptId]);
    expect(JSON.stringify(stored)).not.toContain(amelie);
    expect(stored[0]).toMatchObject({ cause: 'request', points_forfeited: preview.pointsForfeited, cards_blocked: 1 });
    // Bruno is untouched.
    expect(await hqRows("SELECT record->>'lastName' AS last FROM member WHERE customer_id = $1", [bruno])).toEqual([{ last: 'Vasseur' }]);
    await refused(eraseMember(hq.ctx, request(amelie, card, 0)), 'already_erased');

    // A sale in flight at B for her: B pulls the tombstone before the cashier validates.
    const basket = sale(amelie, 'B-1', [line(900)]);
    await pulled(a, b, other);
    let failure: unknown = null;
    try {
      b.h.ledger.commit(basket);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(AppFailure);
    expect((failure as AppFailure).code).toBe('not_found');

    for (const t of [a, b]) {
      expect(t.members.summary(amelie), t.id).toBeNull();
      expect(t.members.findByEmail(AMELIE.email)).toBeNull();
      expect(t.members.findByPhone(AMELIE.phone)).toBeNull();
      expect(t.members.names.find(1, 'amelie', 10).map((hit) => hit.memberId)).not.toContain(amelie);
      expect(t.members.summary(bruno), t.id).not.toBeNull();
    }
    for (const t of [a, b, other]) {
      expect(isBlockedCard(t.h.db, card), t.id).toBe(true);
      // Scanned offline, the card is refused: no provisional member is made to earn on it.
      const scanned = identifyOrProvisional(t.h.db, t.members, card, { offline: true, settings: { terminalId: t.id, locale: 'fr' }, clock: { now: () => clock.value }, random: seededRandom(1) });
      expect(scanned, t.id).toEqual({ kind: 'invalid', problem: 'blocked' });
      const rows = t.h.db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'ledger%' AND name NOT IN ('member_erased', 'member_card_blocked')")
        .all() as Array<{ name: string }>;
      for (const { name } of rows) {
        const text = JSON.stringify(t.h.db.prepare(`SELECT * FROM ${name}`).all());
        expect(text.includes(amelie), `${t.id} ${name}`).toBe(false);
      }
    }
    await chainsVerify();
  });

  it('points a store earned for her before it heard of the erasure lapse when they reach HQ; the sums still verify', async () => {
    // Bruno's erasure, while `other` never pulled him: a sale made offline elsewhere reaches HQ after the erasure.
    const preview = await erasurePreview(hq.ctx, bruno);
    b.h.ledger.commit(sale(bruno, 'B-2', [line(2000)]));
    await eraseMember(hq.ctx, request(bruno, brunoCard, preview.pointsForfeited, 'req-2'));
    await b.sync.syncNow();
    expect(await hqRows("SELECT balance FROM account_balance WHERE customer_id = $1 AND account = 'member:' || $1 || ':points'", [bruno])).toEqual([{ balance: 0 }]);
    expect(Number((await hqRows("SELECT count(*) AS n FROM posting WHERE customer_id = $1 AND kind = 'forfeit'", [bruno]))[0]!.n)).toBe(4);
    await pulled(a, b, other);
    expect(b.members.summary(bruno)).toBeNull();
    await chainsVerify();
  });
});
