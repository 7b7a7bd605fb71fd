import { describe, expect, it, vi } from 'vitest';
import { runHqExpiry } from '../../src/hq/expiry';
import { HOLD_NOT_PENDING, HOLD_OVERDRAWN, OVERDRAFT_ACCOUNT } from '../../src/hq/projector';
import type { HeldSale } from '../../src/main/core/sync/holds';
import { rejection } from '../integration/ledger-fixture';
import { checkHolds, expectOracle, overdraftTotal } from './oracle';
import { BACKENDS, terminalsInRam, Terminal, useBackend, type TerminalOptions, type WorldHq } from './world';

/**
 * sync-ledger.md §3 items 10 and 14, and holds under the message faults of
 * items 6 and 8, against the real holds client (the sync service's) and the
 * real HQ; every scenario ends with the oracle, (g) included. Policy (§2.7):
 * a hold reserves points under the strict rule (available = posted − pending);
 * a redeem entry posts the hold it names only while HQ still holds it, else it
 * is an offline redemption (I7: recorded, an exception if it overdraws, never
 * counted twice); HQ's clock alone ends a hold nobody settled.
 */
const DAY = 24 * 3600_000;
terminalsInRam();

type Hq = WorldHq;

async function holdRow(hq: Hq, memberId: string, holdId: string) {
  const rows = await hq.ctx.sql.query<{ status: string; points: number; expires_at: number; resolved_at: number | null }>(
    'SELECT status, points::int AS points, expires_at, resolved_at FROM hold WHERE customer_id = $1 AND hold_id = $2',
    [memberId, holdId],
  );
  return rows[0] ?? null;
}

async function holdsOf(hq: Hq, memberId: string) {
  return hq.ctx.sql.query<{ hold_id: string; status: string; points: number; expires_at: number }>(
    'SELECT hold_id, status, points::int AS points, expires_at FROM hold WHERE customer_id = $1 ORDER BY created_at, hold_id',
    [memberId],
  );
}

async function balance(hq: Hq, memberId: string, account = `member:${memberId}:points`): Promise<number> {
  const rows = await hq.ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [memberId, account]);
  return Number(rows[0]?.balance ?? 0);
}

/** The exceptions HQ's receipts gave a terminal, as HQ stored them. */
async function exceptionsOf(hq: Hq, terminalId: string) {
  return hq.ctx.sql.query<{ entry_id: string; kind: string; detail: string }>(
    `SELECT x->>'entryId' AS entry_id, x->>'kind' AS kind, x->>'detail' AS detail
     FROM push_receipt r, jsonb_array_elements(r.receipt->'exceptions') AS x WHERE r.terminal_id = $1 ORDER BY r.through_seq`,
    [terminalId],
  );
}

async function incidentsOf(hq: Hq, memberId: string) {
  return hq.ctx.sql.query<{ kind: string; terminal_id: string; entry_id: string; points: number }>(
    "SELECT kind, terminal_id, entry_id, (detail->>'points')::int AS points FROM sync_anomaly WHERE customer_id = $1 ORDER BY created_at, anomaly_id",
    [memberId],
  );
}

/** The redeem entry a sale wrote, with what HQ holds of it. */
async function redeemOf(hq: Hq, t: Terminal, held: HeldSale) {
  const entryId = held.sale.entries.find((e) => e.kind === 'redeem')!.entryId;
  const atHq = await hq.ctx.sql.query<{ offline: boolean; hold_id: string | null }>(
    "SELECT offline, entry->'detail'->>'hold_id' AS hold_id FROM journal_entry WHERE terminal_id = $1 AND entry_id = $2",
    [t.terminalId, entryId],
  );
  const legs = await hq.ctx.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM posting WHERE entry_id = $1 AND origin = 'terminal'", [entryId]);
  return { entryId, atHq, legs: legs[0]!.n };
}

describe.each(BACKENDS)('holds under faults, HQ on $name', ({ name, skip }) => {
  const { world, terminal, keep } = useBackend(name, skip);
  const d = skip ? describe.skip : describe;

  /** A second store's terminal: the harnesses draw the same seeded entry ids, a different millisecond keeps them apart. */
  async function twin(hq: Hq, o: TerminalOptions): Promise<Terminal> {
    const t = keep(new Terminal(hq, o));
    t.h.clock.value += 7;
    await t.enrol();
    return t;
  }

  /**
   * Claire earned 1,000 points at store A a year ago: HQ expired them, A never
   * ran its own expiry and still shows them (the way a till comes to spend what
   * HQ no longer has). Then she earns `fresh` at store B: all HQ holds for her.
   * Each till spends what its own journal earned (no chain-wide view: see
   * chain-redemption.test.ts).
   */
  async function expiredAtA(hq: Hq, seed: number, fresh: number) {
    const a = await terminal(hq, { terminalId: `store-a-${seed}`, storeId: 'paris-11', seed });
    const b = await twin(hq, { terminalId: `store-b-${seed}`, storeId: 'lyon-2', seed: seed + 10 });
    const claire = a.members.claire.id;
    a.sell(claire, 120_000);
    await a.drain();
    hq.clock.value += 370 * DAY;
    expect((await runHqExpiry(hq.ctx)).points).toBe(1_000);
    b.sell(claire, fresh * 120);
    await b.drain();
    await a.pullUntilOk();
    expect(await balance(hq, claire)).toBe(fresh);
    expect(a.h.ledger.points(claire).balance).toBe(1_000);
    return { a, b, claire };
  }

  d(skip ? `skipped: ${skip}` : 'scenarios', () => {
    it('item 10: a partition outlasting the hold timeout — HQ releases the hold on its clock, the late redeem entry is an offline redemption, counted once, its overdraft an exception', async () => {
      const hq = await world();
      const { a, b, claire } = await expiredAtA(hq, 61, 800);

      // A redeems online: HQ holds 800 of Claire's points (earned at B); the entry that posts the hold is journaled, not pushed yet.
      const atA = await a.redeem(claire, 4_000, 800);
      if (atA.mode !== 'online') throw new Error(`expected an online redemption, got ${atA.mode}`);
      expect(await holdRow(hq, claire, atA.grant.holdId)).toMatchObject({ status: 'pending', points: 800 });

      // The line drops before A's next push and stays down past the hold's timeout.
      a.net.down = true;
      await a.sync.syncNow();
      expect(a.h.ledger.connectivity().offline).toBe(true);
      hq.clock.value = atA.grant.expiresAt + 1;

      // B, online, asks for a hold: HQ first releases A's on its own clock, then holds B's within what is then available.
      const atB = await b.redeem(claire, 4_000, 800);
      expect(atB.mode).toBe('online');
      expect(await holdRow(hq, claire, atA.grant.holdId)).toMatchObject({ status: 'released' });
      await b.drain();
      expect(await balance(hq, claire)).toBe(0);

      // The partition ends: A's redeem entry arrives after its hold ended.
      a.net.down = false;
      await a.drain();
      const late = await redeemOf(hq, a, atA);
      expect(late.atHq).toEqual([{ offline: false, hold_id: atA.grant.holdId }]);
      expect(late.legs).toBe(2);
      expect(await holdRow(hq, claire, atA.grant.holdId)).toMatchObject({ status: 'released' });
      // Counted once, as an offline redemption: what it spent is owed, not taken from B's posted hold nor posted as A's.
      expect(await balance(hq, claire)).toBe(0);
      expect(await balance(hq, claire, OVERDRAFT_ACCOUNT(claire))).toBe(-800);
      const exceptions = await exceptionsOf(hq, a.terminalId);
      expect(exceptions.map((x) => [x.entry_id, x.kind])).toEqual([
        [late.entryId, HOLD_NOT_PENDING],
        [late.entryId, 'offline_overdraft'],
      ]);
      expect(exceptions[0]!.detail).toContain('it was released');
      expect(await exceptionsOf(hq, b.terminalId)).toEqual([]);
      expect(await incidentsOf(hq, claire)).toEqual([{ kind: 'offline_overdraft', terminal_id: a.terminalId, entry_id: late.entryId, points: 800 }]);
      await b.pullUntilOk();
      // The bound of a late post is the hold it named: it never spends more than HQ once held for it.
      await expectOracle({ hq: hq.ctx, terminals: [a, b], overdraftBound: atA.grant.points }, 'item 10');
    }, 60_000);

    it('item 10, nothing sweeping meanwhile: a post landing just before the timeout posts the hold, one landing just after finds it released — HQ time alone decides', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'no-sweep', storeId: 'paris-11', seed: 63 });
      const claire = t.members.claire.id;
      t.sell(claire, 120_000);
      await t.drain();

      const pushAt = async (held: HeldSale, hqTime: (expiresAt: number) => number) => {
        if (held.mode !== 'online') throw new Error(`expected an online redemption, got ${held.mode}`);
        t.net.down = true;
        await t.sync.syncNow();
        hq.clock.value = hqTime(held.grant.expiresAt);
        t.net.down = false;
        // syncNow pushes before it pulls: the push meets the hold before any sweep (pull, hold request, maintenance) does.
        await t.sync.syncNow();
        expect(t.status().backlog).toBe(0);
        return held.grant;
      };
      // Baskets the points pay in full: no points earned on them, the balances below are the redemptions alone.
      const inTime = await pushAt(await t.redeem(claire, 1_500, 300), (expiresAt) => expiresAt - 1);
      expect(await holdRow(hq, claire, inTime.holdId)).toMatchObject({ status: 'posted', resolved_at: inTime.expiresAt - 1 });
      const tooLate = await pushAt(await t.redeem(claire, 1_500, 300), (expiresAt) => expiresAt);
      expect(await holdRow(hq, claire, tooLate.holdId)).toMatchObject({ status: 'released', resolved_at: tooLate.expiresAt });
      // Recorded once either way, and within what Claire had: the late one raises no overdraft.
      expect(await balance(hq, claire)).toBe(400);
      expect((await exceptionsOf(hq, t.terminalId)).map((x) => x.kind)).toEqual([HOLD_NOT_PENDING]);
      expect(await incidentsOf(hq, claire)).toEqual([]);
      await t.drain();
      await expectOracle({ hq: hq.ctx, terminals: [t], overdraftBound: 0 }, 'item 10, no sweep');
    }, 60_000);

    it('HQ expiry waits while a hold is pending: the points it reserved are spent by its post, not expired under it', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'expiry-hold', storeId: 'paris-11', seed: 95 });
      const claire = t.members.claire.id;
      t.sell(claire, 120_000); // 1,000 points, one lot
      await t.drain();
      const [lot] = await hq.ctx.sql.query<{ expires_at: number }>('SELECT expires_at FROM lot WHERE customer_id = $1', [claire]);
      const due = Number(lot!.expires_at) + hq.ctx.policy.expiryGraceMs;
      // A minute before the lot is due (both clocks), Claire pays with 800 of those points.
      hq.clock.value = due - 60_000;
      t.h.clock.value = due - 60_000;
      const input = t.basket(claire, 4_000, 800);
      const reservation = await t.holds().reserve(input);
      if (reservation.mode !== 'online') throw new Error(`expected an online hold, got ${reservation.mode}`);
      // HQ's expiry run comes while the till is still taking the payment.
      hq.clock.value = due + 60_000;
      expect(await runHqExpiry(hq.ctx)).toEqual({ lots: 0, points: 0 });
      await t.holds().commit(input, reservation);
      await t.drain();
      expect(await holdRow(hq, claire, reservation.grant.holdId)).toMatchObject({ status: 'posted' });
      // What the hold did not take expires at the next run, and nobody owes anything.
      expect(await runHqExpiry(hq.ctx)).toEqual({ lots: 1, points: 200 });
      expect(await overdraftTotal(hq.ctx)).toBe(0);
      expect(await hq.ctx.sql.query('SELECT kind FROM sync_anomaly WHERE customer_id = $1', [claire])).toEqual([]);
      await t.pullUntilOk();
      await expectOracle({ hq: hq.ctx, terminals: [t], overdraftBound: 0 }, 'expiry under a hold');
    }, 60_000);

    it.each(['A lands while B’s hold is pending', 'B posts before A lands'])(
      'item 14: store A redeems offline while store B redeems online through a hold (%s) — B’s hold is strict, A’s entry carries the overdraft',
      async (order) => {
        const hq = await world();
        const { a, b, claire } = await expiredAtA(hq, order.startsWith('A') ? 71 : 73, 800);
        const cap = a.h.ledger.policy.offlineLimits.maxPointsPerMemberPerSession;

        // A loses HQ and redeems within its signed allowance; the holds client does not even ask HQ.
        a.net.down = true;
        await a.sync.syncNow();
        const offline = await a.redeem(claire, 4_000, 800);
        expect(offline.mode).toBe('offline');

        // B holds 800 at HQ, which has not seen A's redemption: 800 available.
        const input = b.basket(claire, 4_000, 800);
        const reservation = await b.holds().reserve(input);
        if (reservation.mode !== 'online') throw new Error(`expected an online hold, got ${reservation.mode}`);
        // The strict rule: a further hold beyond posted − pending is refused, and writes nothing.
        const refused = await rejection(b.holds().reserve(b.basket(claire, 4_000, 300)));
        expect(refused.message).toContain('0 available');

        const commitB = async () => {
          await b.holds().commit(input, reservation);
          b.tick();
          await b.drain();
        };
        const landA = async () => {
          a.net.down = false;
          await a.drain();
        };
        if (order.startsWith('A')) {
          await landA();
          // Recorded, its spending of B's reserved points flagged at once; B's hold is still pending, nothing more can be held.
          expect(await balance(hq, claire)).toBe(0);
          expect(await holdRow(hq, claire, reservation.grant.holdId)).toMatchObject({ status: 'pending' });
          expect((await rejection(b.holds().reserve(b.basket(claire, 2_000, 100)))).message).toContain('0 available');
          await commitB();
        } else {
          await commitB();
          await landA();
        }

        expect(await holdRow(hq, claire, reservation.grant.holdId)).toMatchObject({ status: 'posted', points: 800 });
        const fromA = await redeemOf(hq, a, offline);
        expect(fromA.atHq).toEqual([{ offline: true, hold_id: null }]);
        // The same books whichever landed first: nothing left, 800 owed, the exception on A's entry and none on B's.
        expect(await balance(hq, claire)).toBe(0);
        expect(await overdraftTotal(hq.ctx)).toBe(800);
        const atA = await exceptionsOf(hq, a.terminalId);
        expect(atA.map((x) => [x.entry_id, x.kind])).toEqual([[fromA.entryId, 'offline_overdraft']]);
        expect(atA[0]!.detail).toContain('overdrawn by 800 points');
        expect(await exceptionsOf(hq, b.terminalId)).toEqual([]);
        const incidents = await incidentsOf(hq, claire);
        expect(incidents.filter((i) => i.kind === 'offline_overdraft')).toEqual([{ kind: 'offline_overdraft', terminal_id: a.terminalId, entry_id: fromA.entryId, points: 800 }]);
        // Where B's post is what moved the 800 to the receivable, HQ notes it against the hold, with no exception for B.
        expect(incidents.filter((i) => i.kind === HOLD_OVERDRAWN).map((i) => i.points)).toEqual(order.startsWith('A') ? [800] : []);
        for (const t of [a, b]) await t.pullUntilOk();
        await expectOracle({ hq: hq.ctx, terminals: [a, b], overdraftBound: cap }, `item 14, ${order}`);
      },
      60_000,
    );

    it('hold messages faulted on purpose: a duplicated request, a lost receipt after HQ posted the hold, replays, a lost grant with its void lost or delivered — each hold posted or voided once', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'hold-msgs', storeId: 'paris-11', seed: 81 });
      const claire = t.members.claire.id;
      t.sell(claire, [120_000, 120_000]); // 2,000 points in one sale, no line over the programme's ceiling
      await t.drain();

      // A hold request delivered several times at once: one hold, the one grant.
      t.net.script.push({ path: '/v1/holds', fault: 'duplicate' });
      const first = await t.redeem(claire, 2_500, 500);
      if (first.mode !== 'online') throw new Error(`expected an online redemption, got ${first.mode}`);
      expect(t.net.log.find((r) => r.fault === 'duplicate')!.delivered.length).toBeGreaterThanOrEqual(2);
      expect(await holdsOf(hq, claire)).toEqual([expect.objectContaining({ hold_id: first.grant.holdId, status: 'pending' })]);

      // HQ takes the push that posts it, the receipt is lost; the resend gets the stored receipt, nothing twice.
      t.net.script.push({ path: '/v1/push', fault: 'lose_response' });
      await t.sync.syncNow();
      expect(await holdRow(hq, claire, first.grant.holdId)).toMatchObject({ status: 'posted' });
      await t.drain();
      expect((await redeemOf(hq, t, first)).legs).toBe(2);
      expect(await balance(hq, claire)).toBe(1_500);

      // Replayed afterwards, the same bytes: HQ takes a signed request once, and holds nothing more.
      const replayed = await t.net.direct('/v1/holds', t.net.sent('/v1/holds')[0]!);
      expect(replayed).toMatchObject({ status: 409, json: { error: { code: 'replay' } } });
      expect(await holdsOf(hq, claire)).toHaveLength(1);

      // HQ grants, the grant is lost, the void reaches HQ and its answer is lost: voided, once.
      t.net.script.push({ path: '/v1/holds', fault: 'lose_response' }, { path: '/v1/holds/void', fault: 'lose_response' });
      const voidedSale = await t.redeem(claire, 1_000, 200);
      expect(voidedSale.mode).toBe('offline');
      const voidedId = (await holdsOf(hq, claire)).at(-1)!.hold_id;
      await vi.waitFor(async () => expect(await holdRow(hq, claire, voidedId)).toMatchObject({ status: 'voided' }));
      await t.drain();

      // Replays of that void and of its request, the same bytes: refused as replays; still voided, nothing new held.
      const voids = t.net.sent('/v1/holds/void');
      expect((await t.net.direct('/v1/holds/void', voids.at(-1)!)).json).toMatchObject({ error: { code: 'replay' } });
      expect((await t.net.direct('/v1/holds', t.net.sent('/v1/holds').at(-1)!)).json).toMatchObject({ error: { code: 'replay' } });
      expect(await holdRow(hq, claire, voidedId)).toMatchObject({ status: 'voided' });
      expect(await holdsOf(hq, claire)).toHaveLength(2);

      // HQ grants, the grant is lost, the void that follows is dropped: the till sells offline, HQ keeps an orphan hold.
      // Before asking, the till resends the void whose answer was lost (HQ had it: still voided, once).
      t.net.script.push({ path: '/v1/holds/void', fault: 'deliver' }, { path: '/v1/holds', fault: 'lose_response' }, { path: '/v1/holds/void', fault: 'drop' });
      const voidsBefore = t.net.sent('/v1/holds/void').length;
      const orphaned = await t.redeem(claire, 4_000, 800);
      expect(orphaned.mode).toBe('offline');
      expect(JSON.parse(t.net.sent('/v1/holds/void')[voidsBefore]!)).toMatchObject({ holdId: voidedId });
      expect(await holdRow(hq, claire, voidedId)).toMatchObject({ status: 'voided' });
      await vi.waitFor(() => expect(t.net.log.some((r) => r.path === '/v1/holds/void' && r.fault === 'drop')).toBe(true));
      const orphan = (await holdsOf(hq, claire)).at(-1)!;
      expect(orphan).toMatchObject({ status: 'pending', points: 800 });
      await t.drain();
      // The offline entry is recorded once, beside the orphan HQ cannot tell is the same sale; (g) holds meanwhile too.
      expect((await redeemOf(hq, t, orphaned)).atHq).toEqual([{ offline: true, hold_id: null }]);
      expect(await checkHolds(hq.ctx)).toEqual([]);

      // HQ's clock passes the orphan's timeout; the next pull's sweep releases it.
      hq.clock.value = orphan.expires_at + 1;
      await t.pullUntilOk();
      expect((await holdsOf(hq, claire)).map((h) => h.status)).toEqual(['posted', 'voided', 'released']);
      // 2,000 − 500 − 200 − 800: the orphan's points were never spent twice, and nobody owes anything.
      expect(await balance(hq, claire)).toBe(500);
      expect(await overdraftTotal(hq.ctx)).toBe(0);
      await expectOracle({ hq: hq.ctx, terminals: [t], overdraftBound: 0 }, 'hold messages');
    }, 60_000);

    it.each([91, 92])(
      'hold requests and voids duplicated, replayed, held back, dropped, answered with garbage or not at all (seed %i): every hold ends once, none pending past its timeout',
      async (seed) => {
        const hq = await world();
        const t = await terminal(hq, {
          terminalId: `hold-faults-${seed}`,
          storeId: 'paris-11',
          seed,
          weights: { deliver: 3, duplicate: 2, replay: 2, hold: 1, drop: 1, lose_response: 2, garbage: 1 },
        });
        t.net.faultPaths = ['/v1/holds'];
        const ids = t.memberIds();
        // Far more points than the scenario spends (4,000 each, at most 1,300 spent): whatever HQ holds for orphans, nobody is really
        // overdrawn. One sale each, within the programme's ceilings (no line over 2,000 €, the ticket under 5,000 €).
        for (const id of ids) t.sell(id, [160_000, 160_000, 160_000]);
        await t.drain();

        const sales: HeldSale[] = [];
        for (let i = 0; i < 16; i++) {
          const points = 100 * (1 + ((i * 7) % 5));
          sales.push(await t.redeem(ids[i % ids.length]!, points * 5, points));
          if (i % 3 === 2) await t.sync.syncNow();
        }
        // Requests still held back reach HQ after everything else: late holds nobody will post.
        await t.net.flushHeld();
        t.net.weights = {};
        await t.drain();

        const counts = t.net.counts();
        for (const fault of ['duplicate', 'replay', 'lose_response']) expect(counts[fault] ?? 0, `fault ${fault} never happened (seed ${seed}): ${JSON.stringify(counts)}`).toBeGreaterThan(0);
        const online = sales.filter((s): s is Extract<HeldSale, { mode: 'online' }> => s.mode === 'online');
        expect(online.length, `seed ${seed}`).toBeGreaterThan(0);
        expect(sales.length - online.length, `seed ${seed}`).toBeGreaterThan(0);
        // Every sale made under a grant posted its hold, once.
        for (const s of online) expect(await holdRow(hq, s.sale.memberId, s.grant.holdId), `seed ${seed}`).toMatchObject({ status: 'posted', points: s.grant.points });

        // Past every timeout on HQ's clock, a pull's sweep ends whatever neither a post nor a void settled.
        const last = await hq.ctx.sql.query<{ at: number }>('SELECT max(expires_at)::bigint AS at FROM hold');
        hq.clock.value = Number(last[0]!.at) + 1;
        await t.pullUntilOk();
        const states = await hq.ctx.sql.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM hold GROUP BY status ORDER BY status');
        expect(states.find((s) => s.status === 'pending'), `seed ${seed}`).toBeUndefined();
        expect(states.find((s) => s.status === 'posted')?.n, `seed ${seed}`).toBe(online.length);
        expect(await overdraftTotal(hq.ctx)).toBe(0);
        await expectOracle({ hq: hq.ctx, terminals: [t], overdraftBound: 0 }, `seed ${seed}`);
      },
      60_000,
    );

    it('(g) catches what it is for: a hold pending past its timeout, posted twice or by no entry, released with its post', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'oracle-g', storeId: 'paris-11', seed: 99 });
      const claire = t.members.claire.id;
      t.sell(claire, 120_000);
      await t.drain();
      const posted = await t.redeem(claire, 2_000, 300);
      const pending = await t.holds().reserve(t.basket(claire, 2_000, 200));
      if (posted.mode !== 'online' || pending.mode !== 'online') throw new Error('expected online holds');
      await t.drain();
      expect(await checkHolds(hq.ctx)).toEqual([]);

      hq.clock.value = pending.grant.expiresAt + 5_000;
      expect((await checkHolds(hq.ctx, 1_000)).join('\n')).toMatch(/still pending 5000 ms past its timeout/);
      expect(await checkHolds(hq.ctx, 10_000)).toEqual([]);
      await hq.ctx.sql.query("UPDATE hold SET status = 'released', resolved_at = expires_at WHERE hold_id = $1", [posted.grant.holdId]);
      expect((await checkHolds(hq.ctx, 10_000)).join('\n')).toMatch(/has redeem entry .* naming it, not flagged hold_not_pending/);
      await hq.ctx.sql.query("UPDATE hold SET status = 'posted', resolved_at = $2 WHERE hold_id = $1", [pending.grant.holdId, hq.clock.value]);
      const broken = (await checkHolds(hq.ctx, 10_000)).join('\n');
      expect(broken).toMatch(/posted 5000 ms after its timeout/);
      expect(broken).toMatch(/is posted by 0 redeem entries/);
    }, 60_000);
  });
});
