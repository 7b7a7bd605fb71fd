import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEnrolCode } from '../../src/hq/enrolment';
import { upsertMember } from '../../src/hq/members';
import { startHq, type Hq } from '../../src/hq/server';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { basket, openTillHarness, type TillHarness } from '../integration/till-api-harness';

/**
 * A till integration redeeming points on an enrolled terminal: the till API
 * pushes what the terminal has not sent yet and asks HQ to hold the points
 * chain-wide before the sale is written, HQ's refusal
 * refuses the sale with nothing written, the hold is posted when the sale's
 * entry reaches HQ, and with HQ away the sale falls back to the signed
 * offline allowance; a card of another store is looked up at HQ.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-till-hold-'));
let hq: Hq;
let h: TillHarness;

beforeAll(async () => {
  const clock = { now: () => h?.clock.value ?? Date.UTC(2026, 11, 2, 9) };
  hq = await startHq({ dataDir: dir, port: 0, clock, random: seededRandom(8), logger: silentLogger, maintenanceIntervalMs: 0 });
  h = await openTillHarness({ hqUrl: hq.url });
  const { code } = await createEnrolCode(hq.ctx, 'paris-11', h.core.sync.view().terminalId);
  const enrolled = await h.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' });
  expect(enrolled.ok).toBe(true);
}, 60_000);

afterAll(async () => {
  await h?.close();
  await hq?.close().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
});

async function syncNow(): Promise<void> {
  const r = await h.core.dispatch('cashier', 'sync.now', {});
  expect(r.ok).toBe(true);
}

const holds = () => hq.ctx.sql.query<{ status: string; points: number }>('SELECT status, points::int AS points FROM hold ORDER BY created_at, status');

it('holds the points at HQ, posts the hold when the sale reaches HQ; a replayed receipt frees the hold it asked for', async () => {
  const claire = h.known.claire.id;
  for (const receipt of ['E-1', 'E-2']) expect((await h.call('POST', '/v1/sales', { body: basket(claire, receipt) })).status).toBe(200);
  // 160 points earned here a moment ago: the redemption sends them to HQ first, so HQ can hold them.
  expect(h.core.ledger.ackCursor().seq).toBeLessThan(h.core.ledger.head().seq);
  const sold = await h.call('POST', '/v1/sales', { body: basket(claire, 'R-1', { redeemPoints: 100 }) });
  expect(sold.status, sold.text).toBe(200);
  expect(await holds()).toEqual([{ status: 'pending', points: 100 }]);
  const redeem = h.core.ledger.history(claire, 10).find((e) => e.kind === 'redeem')!;
  expect(redeem.detail.hold_id).toEqual(expect.any(String));
  expect(redeem.offline).toBe(false);

  // The till lost the answer and sends the sale again under a new Idempotency-Key: the first sale comes back (its
  // entry, pushed before the new hold was asked for, posted the first hold), and the hold asked for the replay is
  // voided at once, not left pending until HQ's timeout.
  const replay = await h.call('POST', '/v1/sales', { body: basket(claire, 'R-1', { redeemPoints: 100 }) });
  expect(replay.status, replay.text).toBe(200);
  expect(replay.json.sale).toEqual(sold.json.sale);
  expect(await holds()).toEqual([
    { status: 'posted', points: 100 },
    { status: 'voided', points: 100 },
  ]);
  const view = await h.core.dispatch('cashier', 'sync.status', {});
  expect(view.ok && view.value).toMatchObject({ state: 'idle', backlog: 0, hqExceptions: 0 });
});

it('refuses what HQ cannot hold, with nothing written', async () => {
  const claire = h.known.claire.id;
  await syncNow();
  // HQ knows every point this terminal has; another store's hold on them is what HQ alone can see.
  const balance = (await hq.ctx.sql.query<{ balance: number }>('SELECT balance::int AS balance FROM account_balance WHERE customer_id = $1 AND account = $2', [claire, `member:${claire}:points`]))[0]!.balance;
  expect(balance).toBeGreaterThan(100);
  await hq.ctx.sql.query(
    `INSERT INTO hold (customer_id, hold_id, terminal_id, points, status, created_at, expires_at) VALUES ($1, 'autre-magasin', 'caisse-lyon', $2, 'pending', $3, $4)`,
    [claire, balance - 50, h.clock.value, h.clock.value + 60_000],
  );
  const early = h.snapshot();
  const refused = await h.call('POST', '/v1/sales', { body: basket(claire, 'R-0', { redeemPoints: 100 }) });
  expect(refused.status, refused.text).toBe(409);
  expect(refused.json.error.issues).toEqual([expect.objectContaining({ message: 'ledger.insufficient_points' })]);
  expect(h.snapshot()).toBe(early);
  await hq.ctx.sql.query("UPDATE hold SET status = 'voided' WHERE hold_id = 'autre-magasin'");
});

it('with HQ away, redeems within the signed allowance, offline', async () => {
  const claire = h.known.claire.id;
  const port = hq.port;
  await hq.close();
  const sold = await h.call('POST', '/v1/sales', { body: basket(claire, 'R-2', { redeemPoints: 100 }) });
  expect(sold.status, sold.text).toBe(200);
  const redeem = h.core.ledger.history(claire, 10).find((e) => e.kind === 'redeem' && e.receipt === 'R-2')!;
  expect(redeem.offline).toBe(true);
  expect(redeem.detail.hold_id).toBeUndefined();
  expect(redeem.detail.allowance_id).toEqual(expect.any(String));
  hq = await startHq({ dataDir: dir, port, clock: { now: () => h.clock.value }, random: seededRandom(9), logger: silentLogger, maintenanceIntervalMs: 0 });
  await syncNow();
  const view = await h.core.dispatch('cashier', 'sync.status', {});
  expect(view.ok && view.value).toMatchObject({ state: 'idle', backlog: 0, problem: null });
}, 60_000);

it('a card of another store is looked up at HQ when scanned: the customer and their chain-wide balance come down', async () => {
  const memberId = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
  const cardNumber = makeCardNumber(7777, 1);
  await upsertMember(
    hq.ctx,
    { memberId, firstName: 'Inès', lastName: 'Marchand', email: null, phone: null, locale: 'fr', cards: [cardNumber], createdAt: h.clock.value },
    ['lyon-2'],
  );
  expect(h.core.members.findByCard(cardNumber)).toBeNull();
  const r = await h.call('POST', '/v1/identify', { body: { code: cardNumber } });
  expect(r.status, r.text).toBe(200);
  expect(r.json.member).toMatchObject({ id: memberId, firstName: 'Inès', cardNumber });
  const links = await hq.ctx.sql.query<{ store_id: string }>('SELECT store_id FROM member_store WHERE customer_id = $1 ORDER BY store_id', [memberId]);
  expect(links.map((l) => l.store_id)).toEqual(['lyon-2', 'paris-11']);

  const unknown = await h.call('POST', '/v1/identify', { body: { code: makeCardNumber(7777, 2) } });
  expect(unknown.status).toBe(404);
}, 60_000);
