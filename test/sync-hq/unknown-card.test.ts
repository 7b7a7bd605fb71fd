import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CARD_LINK_KIND, linkProvisional, lockCustomers, sweepLinkedProvisionals, sweepProvisional } from '../../src/hq/card-link';
import { startHq, type Hq } from '../../src/hq/server';
import { identifyOrProvisional, provisionalInfo } from '../../src/main/core/members/provisional';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { confirmedPoints } from '../../src/main/core/sync/pull';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { line, refusal, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, replay, type Terminal } from './member-fleet';

/**
 * sync-ledger.md §3 item 16: a card this terminal never pulled is scanned
 * while HQ is away. The sale earns onto a provisional member holding only the
 * card; nothing can be redeemed from it; back online, HQ links the card to
 * its customer and the points move there exactly once — whichever side
 * reaches HQ first, and however often the link, the intake or the push is
 * replayed.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-unknown-card-'));
let hq: Hq;
let north: Terminal;
let south: Terminal;

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(11), logger: silentLogger, maintenanceIntervalMs: 0 });
  north = await openTerminal(hq, 'caisse-lille-1', 'lille-1', 401);
  south = await openTerminal(hq, 'caisse-nice-1', 'nice-1', 501);
}, 60_000);

afterAll(async () => {
  for (const t of [north, south]) t?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

let receipts = 0;
const scan = (t: Terminal, code: string) =>
  identifyOrProvisional(t.h.db, t.members, code, {
    offline: t.h.ledger.connectivity().offline,
    settings: { terminalId: t.id, locale: 'fr' },
    clock: { now: () => t.h.clock.value },
    random: seededRandom(1000 + receipts),
  });

async function hqPoints(customer: string): Promise<number> {
  const rows = await hq.ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [customer, `member:${customer}:points`]);
  return rows[0]?.balance ?? 0;
}

async function links(provisionalId: string) {
  return hq.ctx.sql.query<{ customer_id: string; entry_id: string; delta: number }>(
    'SELECT customer_id, entry_id, delta FROM posting WHERE kind = $1 AND entry_id LIKE $2 ORDER BY leg',
    [CARD_LINK_KIND, `card-link:${provisionalId}:%`],
  );
}

async function expectBalancedLedger(): Promise<void> {
  const sum = await hq.ctx.sql.query<{ total: number }>('SELECT COALESCE(sum(delta), 0)::bigint AS total FROM posting');
  expect(sum[0]!.total).toBe(0);
  const drift = await hq.ctx.sql.query(
    `SELECT b.customer_id, b.account FROM account_balance b
     LEFT JOIN (SELECT customer_id, account, sum(delta)::bigint AS s FROM posting GROUP BY customer_id, account) p USING (customer_id, account)
     WHERE b.balance <> COALESCE(p.s, 0)`,
  );
  expect(drift).toEqual([]);
}

async function goOffline(t: Terminal): Promise<void> {
  t.cut.on = true;
  await t.sync.syncNow();
  expect(t.h.ledger.connectivity().offline).toBe(true);
}

async function comeBack(t: Terminal): Promise<void> {
  t.cut.on = false;
  expect(await t.outbox.flush()).toMatchObject({ ok: true, pending: 0 });
  await t.sync.syncNow();
  expect(t.sync.status()).toMatchObject({ backlog: 0, problem: null });
}

describe('an unknown card while HQ is away', () => {
  it('earns onto a provisional member, refuses every redemption, and HQ moves the points to the card’s customer once', async () => {
    const { member: customer } = north.enrolCustomer({ firstName: 'Inès', lastName: 'Moreau', email: 'ines.moreau@example.fr', phone: '06 55 12 34 99' });
    await north.outbox.flush();
    await south.sync.pull();
    expect(south.members.findByCard(customer.cardNumber)).toBeNull();

    // Online, an unknown card is still a card to enrol: nothing is made up.
    expect(scan(south, makeCardNumber(9001, 5))).toEqual({ kind: 'unknown_card', cardNumber: makeCardNumber(9001, 5) });

    await goOffline(south);
    const first = scan(south, customer.cardNumber);
    if (first.kind !== 'provisional') throw new Error(`expected a provisional member, got ${first.kind}`);
    expect(first).toMatchObject({ created: true, member: { firstName: '', lastName: '', email: null, phone: null, cardNumber: customer.cardNumber } });
    const provisional = first.member.id;
    expect(scan(south, `FIDELE:1:${customer.cardNumber}`)).toMatchObject({ kind: 'provisional', via: 'wallet_qr', created: false, member: { id: provisional } });

    const earned = south.h.ledger.commit(sale(provisional, `S${++receipts}`, [line(12_000)])).pointsEarned;
    expect(earned).toBeGreaterThanOrEqual(100);
    // Enough points on the card, and still no redemption: nobody knows whose they are.
    const redeem = refusal(() => south.h.ledger.commit(sale(provisional, `S${++receipts}`, [line(2_400)], 100)), 'conflict');
    expect(redeem.issues).toEqual([{ path: 'redeemPoints', message: 'ledger.provisional_no_redeem' }]);
    expect(refusal(() => south.h.ledger.preview(sale(provisional, 'P1', [line(2_400)], 100)), 'conflict').issues?.[0]?.message).toBe('ledger.provisional_no_redeem');
    expect(refusal(() => south.h.ledger.hold({ tillId: 'till-1', receipt: 'H1', memberId: provisional, redeemPoints: 100, rewards: [] }), 'conflict').issues?.[0]?.message).toBe(
      'ledger.provisional_no_redeem',
    );
    expect(south.h.ledger.preview(sale(provisional, 'P2', [line(2_400)])).options).toMatchObject({ maximumPoints: 0 });
    const more = south.h.ledger.commit(sale(provisional, `S${++receipts}`, [line(3_600)])).pointsEarned;
    const total = earned + more;

    const customerBefore = await hqPoints(customer.id);
    await comeBack(south);
    expect(await hqPoints(customer.id)).toBe(customerBefore + total);
    expect(await hqPoints(provisional)).toBe(0);
    expect(await links(provisional)).toEqual([
      { customer_id: provisional, entry_id: `card-link:${provisional}:0`, delta: -total },
      { customer_id: customer.id, entry_id: `card-link:${provisional}:0`, delta: total },
    ]);
    const lots = await hq.ctx.sql.query<{ remaining: number }>('SELECT sum(remaining)::bigint AS remaining FROM lot WHERE customer_id = $1', [customer.id]);
    expect(lots[0]!.remaining).toBe(customerBefore + total);
    await expectBalancedLedger();

    // The pull brought the customer and their card: the provisional member is merged, the card is theirs.
    expect(south.members.findByCard(customer.cardNumber)).toMatchObject({ id: customer.id, firstName: 'Inès' });
    expect(provisionalInfo(south.h.db, provisional)).toMatchObject({ mergedInto: customer.id, cardNumber: customer.cardNumber });
    expect(scan(south, customer.cardNumber)).toMatchObject({ kind: 'member', member: { id: customer.id } });
    expect(confirmedPoints(south.h.db, south.h.ledger, customer.id)).toMatchObject({ hqBalance: customerBefore + total });
    expect(confirmedPoints(south.h.db, south.h.ledger, provisional)).toMatchObject({ hqBalance: 0, total: 0 });
    refusal(() => south.h.ledger.commit(sale(provisional, `S${++receipts}`, [line(2_400)], 100)), 'conflict');
    // The customer's own store sees the points too.
    await north.sync.pull();
    expect(confirmedPoints(north.h.db, north.h.ledger, customer.id)?.hqBalance).toBe(customerBefore + total);

    // Replays: every intake and every push south ever sent (refused as such: each was signed once), the sweeps, the link itself.
    for (const sent of south.sent.filter((s) => s.path === '/v1/members' || s.path === '/v1/push')) {
      const again = await replay(hq, sent);
      expect(again.status).toBe(409);
      expect(JSON.stringify(again.body)).toContain('"code":"replay"');
    }
    expect(await sweepLinkedProvisionals(hq.ctx)).toBe(0);
    expect(await sweepLinkedProvisionals(hq.ctx, [provisional])).toBe(0);
    await hq.ctx.sql.transaction(async (tx) => {
      await lockCustomers(tx, [provisional, customer.id]);
      expect(await linkProvisional(hq.ctx, tx, provisional, customer.id)).toBe(customer.id);
      expect(await sweepProvisional(hq.ctx, tx, provisional)).toBe(0);
    });
    expect(await hqPoints(customer.id)).toBe(customerBefore + total);
    expect(await hqPoints(provisional)).toBe(0);
    expect(await links(provisional)).toHaveLength(2);
    await expectBalancedLedger();
  });

  it('a blank card earned on offline, then enrolled with: the link comes from the enrolment, once', async () => {
    const blank = makeCardNumber(9100, 42);
    await goOffline(south);
    const scanned = scan(south, blank);
    if (scanned.kind !== 'provisional') throw new Error(`expected a provisional member, got ${scanned.kind}`);
    const provisional = scanned.member.id;
    const earned = south.h.ledger.commit(sale(provisional, `S${++receipts}`, [line(6_000)])).pointsEarned;
    expect(earned).toBeGreaterThan(0);

    // Back online: HQ knows nobody with this card, so the points wait on the provisional member.
    await comeBack(south);
    expect(await hqPoints(provisional)).toBe(earned);
    expect(await links(provisional)).toEqual([]);
    const pending = await hq.ctx.sql.query<{ linked_to: string | null; store_id: string }>('SELECT linked_to, store_id FROM provisional_card WHERE provisional_id = $1', [provisional]);
    expect(pending).toEqual([{ linked_to: null, store_id: 'nice-1' }]);

    // The customer enrols at the till with that very card: it is free to enrol with, and becomes theirs.
    expect(south.members.cardExists(blank)).toBe(false);
    const { member } = south.enrolCustomer({ firstName: 'Léa', lastName: 'Girard', email: 'lea.girard@example.fr', phone: '' }, blank);
    expect(south.members.findByCard(blank)?.id).toBe(member.id);
    expect(provisionalInfo(south.h.db, provisional)?.mergedInto).toBe(member.id);

    await comeBack(south);
    expect(await hqPoints(member.id)).toBe(earned);
    expect(await hqPoints(provisional)).toBe(0);
    expect(await links(provisional)).toHaveLength(2);

    const intake = south.sent.filter((s) => s.path === '/v1/members').at(-1)!;
    expect(await replay(hq, intake)).toMatchObject({ status: 409, body: { error: { code: 'replay' } } });
    await south.sync.syncNow();
    expect(await hqPoints(member.id)).toBe(earned);
    expect(await links(provisional)).toHaveLength(2);
    await expectBalancedLedger();
  });
});
