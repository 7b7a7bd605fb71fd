import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnrolCode } from '../../src/hq/enrolment';
import { upsertMember } from '../../src/hq/members';
import { startHq, type Hq } from '../../src/hq/server';
import { createCore, type Core } from '../../src/main/core/core';
import { cryptoRandom } from '../../src/main/core/crypto-random';
import { silentLogger, systemClock } from '../../src/main/core/ports';
import type { Reservation } from '../../src/main/core/sync/holds';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { testConfig } from '../fakes/known-members';
import { basket } from '../integration/till-api-harness';

/**
 * Two stores' terminals (real cores: real clock, real sync timers, the
 * default pull cadence) enrolled with one HQ on in-process PGlite, and a
 * customer of both stores. For the cross-store freshness test and the sync
 * benchmark: a redemption committed in store B, then how long until store A's
 * screens show the new balance.
 */
export interface TwoStores {
  hq: Hq;
  a: Core;
  b: Core;
  memberId: string;
  cardNumber: string;
  close(): Promise<void>;
}

const MEMBER_ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';

async function terminal(dir: string, hq: Hq, storeId: string, terminalId: string, terminalCode: number): Promise<Core> {
  const config = testConfig({ terminalId, terminalCode, hq: { url: hq.url }, storeId });
  const core = createCore({ dbPath: join(dir, `${terminalId}.sqlite`), config, shell: 'browser', clock: systemClock, random: cryptoRandom, logger: silentLogger });
  await core.start();
  const { code } = await createEnrolCode(hq.ctx, storeId, terminalId);
  const enrolled = await core.dispatch('cashier', 'sync.enrol', { code, storeId });
  if (!enrolled.ok) throw new Error(`enrolment of ${terminalId} refused: ${JSON.stringify(enrolled.error)}`);
  return core;
}

async function until(what: string, test: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!test()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function openTwoStores(): Promise<TwoStores> {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-two-stores-'));
  const hq = await startHq({ dataDir: dir, inMemory: true, port: 0, clock: systemClock, random: cryptoRandom, logger: silentLogger, maintenanceIntervalMs: 0 });
  const cardNumber = makeCardNumber(7001, 1);
  await upsertMember(
    hq.ctx,
    { memberId: MEMBER_ID, firstName: 'Inès', lastName: 'Marchand', email: null, phone: null, locale: 'fr', cards: [cardNumber], createdAt: systemClock.now() },
    ['store-a', 'store-b'],
  );
  const a = await terminal(dir, hq, 'store-a', 'caisse-a', 7101);
  const b = await terminal(dir, hq, 'store-b', 'caisse-b', 7102);
  await until('the customer reaches both stores', () => a.members.summary(MEMBER_ID) !== null && b.members.summary(MEMBER_ID) !== null, 20_000);
  return {
    hq,
    a,
    b,
    memberId: MEMBER_ID,
    cardNumber,
    async close() {
      await a.close();
      await b.close();
      await hq.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a till does for a sale: the points held at HQ first (reserve), then the commit under that hold, then settle. */
export async function sellAt(core: Core, memberId: string, receipt: string, options: { redeemPoints?: number; cents?: number[] } = {}): Promise<void> {
  const input = basket(memberId, receipt, options);
  const reservation: Reservation | null = await core.sync.reserve(input);
  const sale = core.loyalty.commit(input, reservation?.mode === 'online' ? { holdId: reservation.grant.holdId } : undefined);
  await core.sync.settle(reservation, sale);
  if (options.redeemPoints && reservation?.mode !== 'online') throw new Error(`redemption ${receipt} was not held at HQ (${reservation?.mode ?? 'no HQ'})`);
}

/** The balance store A's screens greet the customer with (the customer screen's greeting, as the cashier's). */
export async function shownAt(core: Core): Promise<number | null> {
  const session = await core.dispatch('cashier', 'session.get', {});
  if (!session.ok) return null;
  const state = session.value as { phase: string; greeting?: { balance: number } };
  return state.phase === 'identified' ? (state.greeting?.balance ?? null) : null;
}

/**
 * The customer on A's screens, a redemption committed in B: ms from B's commit until A shows B's new balance
 * (without anyone touching A). Throws past `timeoutMs`.
 */
export async function crossStoreDelay(t: TwoStores, receipt: string, timeoutMs = 30_000): Promise<number> {
  const selected = await t.a.dispatch('cashier', 'member.select', { memberId: t.memberId });
  if (!selected.ok) throw new Error(`member.select at A: ${JSON.stringify(selected.error)}`);
  await sellAt(t.b, t.memberId, receipt, { redeemPoints: 100 });
  const committed = performance.now();
  const expected = t.b.ledger.points(t.memberId).balance;
  let shown: number | null;
  const deadline = committed + timeoutMs;
  while ((shown = await shownAt(t.a)) !== expected) {
    if (performance.now() > deadline) throw new Error(`store A still shows ${shown}, store B committed ${expected}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return performance.now() - committed;
}

/** Points for the customer, earned in B and known at HQ and in A (which shows them). */
export async function fund(t: TwoStores, receipts: number): Promise<void> {
  for (let i = 0; i < receipts; i++) await sellAt(t.b, t.memberId, `EARN-${i}`, { cents: [50_000] });
  const balance = t.b.ledger.points(t.memberId).balance;
  await until('the earned points reach store A', () => t.a.ledger.points(t.memberId).balance === balance, 30_000);
}
