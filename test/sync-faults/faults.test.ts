import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { revoke } from '../../src/hq/enrolment';
import { SKEW_FLAG_MS } from '../../src/hq/ingest';
import { listTerminals } from '../../src/hq/fleet';
import { runHqExpiry } from '../../src/hq/expiry';
import { signWith } from '../../src/hq/keys';
import { MAX_PUSH_BYTES } from '../../src/hq/server';
import { buildPushBatch } from '../../src/main/core/sync/batcher';
import { pushSigningPayload, type PushBatch } from '../../src/shared/sync/protocol';
import { TestTerminal, type TestHq } from '../hq/hq-fixture';
import { expectOracle, overdraftTotal } from './oracle';
import { BACKENDS, countRows, terminalsInRam, Terminal, useBackend } from './world';

/**
 * sync-ledger.md §3 against the real client and the real HQ: every scenario
 * ends with the oracle. Random scenarios run under fixed seeds, named in the
 * test title and in every failure message. The same scenarios run on PGlite
 * and on a throwaway PostgreSQL server.
 */
const SEEDS = [11, 23, 57];
const DAY = 24 * 3600_000;
/** What the sync client signs a batch with: HQ's time and a nonce of its own. */
const freshStamp = (hq: { clock: { value: number } }) => ({ sentAt: hq.clock.value, nonce: randomBytes(16).toString('base64url') });
terminalsInRam();

describe.each(BACKENDS)('sync faults, HQ on $name', ({ name, skip }) => {
  const { world, terminal, keep } = useBackend(name, skip);
  const count = countRows;

  const d = skip ? describe.skip : describe;

  d(skip ? `skipped: ${skip}` : 'scenarios', () => {
    it.each(SEEDS)('duplicated, held back, replayed, dropped, cut, and answers lost after commit (seed %i)', async (seed) => {
      const hq = await world();
      const t = await terminal(hq, {
        terminalId: `dup-${seed}`,
        storeId: 'paris-11',
        seed,
        maxEntries: 3,
        weights: { deliver: 3, duplicate: 2, hold: 1, replay: 1, drop: 1, lose_response: 2, truncate: 1 },
      });
      for (let round = 0; round < 8; round++) {
        t.sellMany(5);
        await t.sync.syncNow();
      }
      await t.drain();
      // Late copies of anything still held back arrive after everything else.
      await t.net.flushHeld();
      t.net.weights = {};
      await t.drain();

      const counts = t.net.counts();
      for (const fault of ['duplicate', 'hold', 'replay', 'drop', 'lose_response', 'truncate']) {
        expect(counts[fault] ?? 0, `fault ${fault} never happened (seed ${seed}): ${JSON.stringify(counts)}`).toBeGreaterThan(0);
      }
      // Duplicates really reached HQ more than once, and nothing got in twice.
      expect(t.net.log.some((r) => r.fault === 'duplicate' && r.delivered.length >= 2)).toBe(true);
      expect(t.status()).toMatchObject({ backlog: 0, problem: null, rejectedReceipts: 0 });
      expect(await count(hq, 'journal_entry')).toBe(t.h.ledger.head().seq);
      await expectOracle({ hq: hq.ctx, terminals: [t] }, `seed ${seed}`);
    }, 60_000);

    it('a batch delivered before the one it follows gets a gap answer, applies nothing, and the stream converges', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'reorder-1', storeId: 'paris-11', seed: 5, maxEntries: 4 });
      t.sellMany(12);
      const head = t.h.ledger.head().seq;
      const batch = (after: number): PushBatch =>
        buildPushBatch(t.h.ledger.outbox(4, after)!, { key: t.sync.key, appVersion: '0.1.0', ...freshStamp(hq), terminalTime: t.h.clock.value, headSeq: head });
      const first = batch(0);
      const second = batch(first.header.toSeq);

      const early = await t.net.direct('/v1/push', JSON.stringify(second));
      expect(early.status).toBe(409);
      expect(early.json).toMatchObject({ ok: false, refusal: { code: 'gap', cursor: { lastSeq: 0 } } });
      expect(await count(hq, 'journal_entry')).toBe(0);
      expect(await count(hq, 'posting')).toBe(0);

      expect((await t.net.direct('/v1/push', JSON.stringify(first))).status).toBe(200);
      // Resent as the client resends: signed anew (the refused bytes themselves were taken once).
      expect((await t.net.direct('/v1/push', JSON.stringify(batch(first.header.toSeq)))).status).toBe(200);
      // n+2 then n+1 again: a late copy of the same bytes is a replay; signed anew it is a duplicate, answered with the stored receipt.
      await t.drain();
      expect(await t.net.direct('/v1/push', JSON.stringify(second))).toMatchObject({ status: 409, json: { ok: false, refusal: { code: 'replay' } } });
      const late = await t.net.direct('/v1/push', JSON.stringify(batch(first.header.toSeq)));
      expect(late).toMatchObject({ status: 200, json: { ok: true, receipt: { ackedThroughSeq: second.header.toSeq } } });
      expect(await count(hq, 'journal_entry')).toBe(head);
      await expectOracle({ hq: hq.ctx, terminals: [t] });
    }, 60_000);

    it('clock skew of ±5 min, ±1 day, ±1 year and a clock set back mid-session change neither order, dedupe nor balances', async () => {
      const hq = await world();
      const skews = [5 * 60_000, -5 * 60_000, DAY, -DAY, 365 * DAY, -365 * DAY];
      const terminals: Terminal[] = [];
      for (const [i, skew] of skews.entries()) {
        const t = new Terminal(hq, {
          terminalId: `skew-${i}`,
          storeId: 'lyon-2',
          seed: 100 + i,
          maxEntries: 5,
          weights: { deliver: 4, duplicate: 1, lose_response: 1 },
        });
        keep(t);
        t.h.clock.value += skew;
        await t.enrol();
        terminals.push(t);
      }
      for (let round = 0; round < 4; round++) {
        for (const [i, t] of terminals.entries()) {
          t.sellMany(3);
          // The last one's clock is set back an hour mid-session, twice.
          if (i === terminals.length - 1 && round % 2 === 1) t.h.clock.value -= 3600_000;
          await t.sync.syncNow();
        }
      }
      for (const t of terminals) await t.drain();
      for (const t of terminals) await t.pullUntilOk();

      for (const t of terminals) {
        const walls = await hq.ctx.sql.query<{ seq: number; wall_time: number }>('SELECT seq, wall_time FROM journal_entry WHERE terminal_id = $1 ORDER BY seq', [t.terminalId]);
        expect(walls.map((w) => w.seq)).toEqual(Array.from({ length: t.h.ledger.head().seq }, (_, k) => k + 1));
      }
      // The set-back clock shows in the wall times HQ stored, and did not reorder anything.
      const back = await hq.ctx.sql.query<{ wall_time: number }>('SELECT wall_time FROM journal_entry WHERE terminal_id = $1 ORDER BY seq', [terminals[5]!.terminalId]);
      expect(back.some((w, k) => k > 0 && w.wall_time < back[k - 1]!.wall_time)).toBe(true);
      // HQ measured each terminal's skew (its clock minus the terminal's, at the last push).
      const fleet = new Map((await listTerminals(hq.ctx)).map((f) => [f.terminalId, f.skewMs]));
      for (const [i, t] of terminals.entries()) {
        const measured = fleet.get(t.terminalId)!;
        expect(Math.abs(measured + skews[i]!), `skew of ${t.terminalId}`).toBeLessThan(3 * 3600_000);
        if (Math.abs(skews[i]!) >= DAY) expect(Math.sign(measured)).toBe(-Math.sign(skews[i]!));
      }
      // HQ flags each clock a day or more off (far past SKEW_FLAG_MS), once, in the right direction. (This world's
      // terminal clocks drift from HQ's by the selling itself, so the five-minute ones say nothing either way.)
      const flagged = await hq.ctx.sql.query<{ terminal_id: string; detail: { direction: string } }>("SELECT terminal_id, detail FROM sync_anomaly WHERE kind = 'clock_skew'");
      for (const [i, t] of terminals.entries()) {
        if (Math.abs(skews[i]!) < DAY) continue;
        expect(DAY).toBeGreaterThan(SKEW_FLAG_MS);
        expect(flagged.filter((f) => f.terminal_id === t.terminalId).map((f) => f.detail.direction), t.terminalId).toEqual([skews[i]! > 0 ? 'ahead' : 'behind']);
      }
      await expectOracle({ hq: hq.ctx, terminals });
    }, 60_000);

    it('two stores redeem one member offline during a shared outage: all recorded, overdraft ≤ K × cap, incidents raised', async () => {
      const hq = await world();
      const a = await terminal(hq, { terminalId: 'store-a-1', storeId: 'paris-11', seed: 31 });
      const b = new Terminal(hq, { terminalId: 'store-b-1', storeId: 'lyon-2', seed: 32 });
      keep(b);
      // Both harnesses draw the same seeded ids; a different millisecond keeps their UUIDv7 entry ids apart
      // (HQ keys postings by (customer, entry_id, leg): see the report on colliding ids).
      b.h.clock.value += 7;
      await b.enrol();
      const claire = a.members.claire.id;
      expect(b.members.claire.id).toBe(claire);
      for (let i = 0; i < 10; i++) {
        a.sell(claire, 30_000);
        b.sell(claire, 30_000);
      }
      for (const t of [a, b]) await t.drain();
      const earned = a.h.ledger.points(claire).balance + b.h.ledger.points(claire).balance;
      expect(earned).toBe(5_000);

      // A year and four days on, HQ expires Claire's points; neither till has run its own expiry,
      // so each still shows what she earned there: the way two tills come to spend what HQ no longer holds.
      hq.clock.value += 365 * DAY + 5 * DAY;
      expect((await runHqExpiry(hq.ctx)).points).toBe(earned);

      a.net.down = true;
      b.net.down = true;
      const limits = a.h.ledger.policy.offlineLimits;
      for (const t of [a, b]) {
        await t.sync.syncNow();
        expect(t.h.ledger.connectivity().offline).toBe(true);
        t.sell(claire, 12_000, limits.maxPointsPerTransaction);
        t.sell(claire, 12_000, limits.maxPointsPerMemberPerSession - limits.maxPointsPerTransaction);
        // The per-member offline limit is reached: a third redemption is refused at the till.
        expect(() => t.sell(claire, 12_000, 100)).toThrow(/offline/);
        // Earning goes on offline.
        for (let i = 0; i < 5; i++) t.sell(t.members.helene.id, 2_400);
      }
      const redeemed = [a, b].map((t) =>
        t.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM ledger_entry WHERE kind = 'redeem' AND offline = 1 AND member_id = ?").get(claire)!.n,
      );
      expect(redeemed).toEqual([2, 2]);

      a.net.down = false;
      b.net.down = false;
      for (const t of [a, b]) await t.drain();
      for (const t of [a, b]) await t.pullUntilOk();

      const cap = limits.maxPointsPerMemberPerSession;
      const overdraft = await overdraftTotal(hq.ctx);
      // Each store spent up to its cap of points HQ no longer held; what Claire earned on those tickets meanwhile covers a little.
      expect(overdraft).toBeGreaterThan(2 * cap - 400);
      expect(overdraft).toBeLessThanOrEqual(2 * cap);
      const atHq = await hq.ctx.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM journal_entry WHERE kind = 'redeem' AND offline AND member_id = $1", [claire]);
      expect(atHq[0]!.n).toBe(4);
      // One incident per overdrawing redemption, from both stores, and together they are the overdraft.
      const incidents = await hq.ctx.sql.query<{ kind: string; terminal_id: string; points: number }>(
        "SELECT i.kind, i.terminal_id, (i.detail->>'points')::int AS points FROM sync_anomaly i WHERE i.customer_id = $1",
        [claire],
      );
      expect(new Set(incidents.map((i) => i.kind))).toEqual(new Set(['offline_overdraft']));
      expect(new Set(incidents.map((i) => i.terminal_id))).toEqual(new Set(['store-a-1', 'store-b-1']));
      expect(incidents.reduce((sum, i) => sum + i.points, 0)).toBe(overdraft);
      // The receipts told both tills.
      for (const t of [a, b]) expect(t.logs.some((l) => l.message === 'HQ recorded exceptions for pushed entries')).toBe(true);
      await expectOracle({ hq: hq.ctx, terminals: [a, b], overdraftBound: 2 * cap });
    }, 60_000);

    it('item 15, the expiry race: an offline redemption made before the points expired, reaching HQ after it expired them, is honoured by reversing that expiry; one made after is an overdraft', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'expiry-race', storeId: 'paris-11', seed: 41 });
      const claire = t.members.claire.id;
      t.sell(claire, 120_000); // 1,000 points, one lot
      await t.drain();
      const [lot] = await hq.ctx.sql.query<{ expires_at: number }>('SELECT expires_at FROM lot WHERE customer_id = $1', [claire]);
      const expiresAt = Number(lot!.expires_at);
      // Both clocks move together: this terminal's clock is right.
      const clocksAt = (ms: number) => {
        hq.clock.value = ms;
        t.h.clock.value = ms;
      };

      // The line goes down an hour before the points' date; Claire redeems 600 then, 400 more an hour after it (40 € baskets).
      clocksAt(expiresAt - 3600_000);
      t.net.down = true;
      await t.sync.syncNow();
      expect(t.h.ledger.connectivity().offline).toBe(true);
      t.sell(claire, 4_000, 600);
      clocksAt(expiresAt + 3600_000);
      t.sell(claire, 4_000, 400);
      const [before, after] = t.h.ledger.history(claire, 10).filter((e) => e.kind === 'redeem').reverse();

      // HQ, still unreachable, passes the grace window and expires the whole lot; then the till catches up.
      clocksAt(expiresAt + hq.ctx.policy.expiryGraceMs + 3600_000);
      expect(await runHqExpiry(hq.ctx)).toEqual({ lots: 1, points: 1_000 });
      t.net.down = false;
      await t.drain();
      await t.pullUntilOk();

      const reversals = await hq.ctx.sql.query<{ entry_id: string; account: string; delta: number }>(
        "SELECT entry_id, account, delta::int AS delta FROM posting WHERE customer_id = $1 AND kind = 'expire_reversal' ORDER BY leg",
        [claire],
      );
      expect(reversals).toEqual([
        { entry_id: `hq-unexpire-${before!.entry_id}`, account: 'program:expired', delta: -600 },
        { entry_id: `hq-unexpire-${before!.entry_id}`, account: `member:${claire}:points`, delta: 600 },
      ]);
      // Only the redemption made after the date overdrew, and it alone is the incident.
      const incidents = await hq.ctx.sql.query<{ kind: string; entry_id: string; points: number }>(
        "SELECT kind, entry_id, (detail->>'points')::int AS points FROM sync_anomaly WHERE customer_id = $1",
        [claire],
      );
      expect(incidents.map((i) => [i.kind, i.entry_id])).toEqual([['offline_overdraft', after!.entry_id]]);
      expect(incidents[0]!.points).toBe(await overdraftTotal(hq.ctx));
      expect(incidents[0]!.points).toBeGreaterThan(0);
      // Expiry runs again: nothing expires twice, nothing given back is taken again.
      expect(await runHqExpiry(hq.ctx)).toEqual({ lots: 0, points: 0 });
      await expectOracle({ hq: hq.ctx, terminals: [t], overdraftBound: 400 });
    }, 60_000);

    it('HQ answering 500, garbage or too slowly: the terminal keeps selling, keeps every entry, then converges', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'flaky-1', storeId: 'paris-11', seed: 41, maxEntries: 4, timeoutMs: 400 });
      const phases: Array<{ fault: 'error_500' | 'garbage' | 'slow'; code: string }> = [
        { fault: 'error_500', code: 'garbage' },
        { fault: 'garbage', code: 'garbage' },
        { fault: 'slow', code: 'timeout' },
      ];
      for (const { fault, code } of phases) {
        t.net.weights = { [fault]: 1 };
        const acked = t.status().ackedSeq;
        for (let i = 0; i < 2; i++) {
          t.sellMany(3);
          await t.sync.syncNow();
          expect(t.status(), `${fault}`).toMatchObject({ ackedSeq: acked, problem: null, lastError: { code } });
          expect(t.status().backlog).toBe(t.h.ledger.head().seq - acked);
        }
        t.net.weights = {};
        await t.drain();
        expect(t.status()).toMatchObject({ backlog: 0, problem: null, rejectedReceipts: 0 });
      }
      // Each round's push and pull both met the fault.
      // Two syncs per phase, each a push and a pull (and the member records queued before the pull): every one faulted.
      const counts = t.net.counts();
      for (const fault of ['error_500', 'garbage', 'slow'] as const) expect(counts[fault], fault).toBeGreaterThanOrEqual(4);
      await expectOracle({ hq: hq.ctx, terminals: [t] });
    }, 60_000);

    it('bad inputs next to a live terminal are refused with a clear error and an audit record; nothing applied; the honest terminal converges', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'honest-1', storeId: 'paris-11', seed: 51, maxEntries: 5 });
      const fake = { ctx: hq.ctx, clock: hq.clock, post: async (path: string, body: unknown) => t.net.direct(path, JSON.stringify(body)) } as unknown as TestHq;
      const attacker = async (id: string) => {
        const x = new TestTerminal(id, 'paris-11');
        keep(x);
        await x.enrol(fake);
        x.sell(x.members.claire.id, 24);
        x.sell(x.members.helene.id, 48);
        return x;
      };

      t.sellMany(6);
      await t.drain();
      const honestBatch = (): PushBatch =>
        buildPushBatch(t.h.ledger.outbox(5, 0)!, { key: t.sync.key, appVersion: '0.1.0', ...freshStamp(hq), terminalTime: t.h.clock.value, headSeq: t.h.ledger.head().seq });

      // `unaudited`: nothing proves who sent it, so nothing is written (request-guard.ts counts it).
      const refusals: Array<{ what: string; status: number; code: string; body: () => Promise<string>; unaudited?: true }> = [
        {
          what: 'forged signature',
          status: 401,
          code: 'bad_signature',
          unaudited: true,
          body: async () => {
            const batch = honestBatch();
            const forger = generateKeyPairSync('ed25519').privateKey;
            return JSON.stringify({ ...batch, signature: signWith(forger, pushSigningPayload(batch)) });
          },
        },
        {
          what: "another terminal's batch",
          status: 401,
          code: 'bad_signature',
          unaudited: true,
          body: async () => {
            const x = await attacker('thief-1');
            const batch = honestBatch();
            return JSON.stringify({ ...batch, keyId: x.keyId, signature: signWith(x.privateKey, pushSigningPayload({ header: batch.header, keyId: x.keyId })) });
          },
        },
        {
          what: "another terminal's entries under its own name",
          status: 409,
          code: 'structural',
          body: async () => {
            const x = await attacker('thief-2');
            return JSON.stringify(x.batch(1, 1, { entries: honestBatch().entries.slice(0, 1).map((e) => ({ ...e })) }));
          },
        },
        {
          what: 'a revoked key',
          status: 403,
          code: 'revoked',
          body: async () => {
            const x = await attacker('revoked-1');
            expect(await revoke(hq.ctx, 'revoked-1')).toBe(true);
            return JSON.stringify(x.batch(1, x.wire.length));
          },
        },
        {
          what: 'a broken chain',
          status: 409,
          code: 'structural',
          body: async () => {
            const x = await attacker('broken-1');
            const [e1, e2] = x.wire;
            return JSON.stringify(x.batch(1, 2, { entries: [e1!, { ...e2!, prev_hash: 'f'.repeat(64) }] }));
          },
        },
        {
          what: 'an unknown schema version',
          status: 409,
          code: 'schema_version',
          body: async () => {
            const x = await attacker('future-1');
            return JSON.stringify(x.batch(1, 1, { entries: [{ ...x.wire[0]!, schema_version: 99 }] }));
          },
        },
        {
          what: 'an oversized body',
          status: 413,
          code: 'too_large',
          unaudited: true,
          body: async () => JSON.stringify({ ...honestBatch(), padding: 'x'.repeat(MAX_PUSH_BYTES + 1024) }),
        },
        { what: 'a body that is not JSON', status: 400, code: 'malformed', unaudited: true, body: async () => '{"header": {"terminalId": "honest-1", ' },
        {
          what: 'a batch without entries',
          status: 400,
          code: 'malformed',
          unaudited: true,
          body: async () => JSON.stringify({ ...honestBatch(), entries: [] }),
        },
      ];

      for (const r of refusals) {
        t.sellMany(2);
        await t.sync.syncNow();
        const body = await r.body();
        const before = { entries: await count(hq, 'journal_entry'), postings: await count(hq, 'posting'), audit: await count(hq, 'audit') };
        const answer = await t.net.direct('/v1/push', body);
        expect(answer.status, r.what).toBe(r.status);
        expect(answer.json, r.what).toMatchObject({ ok: false, refusal: { code: r.code, message: expect.any(String) } });
        expect(await count(hq, 'journal_entry'), r.what).toBe(before.entries);
        expect(await count(hq, 'posting'), r.what).toBe(before.postings);
        const audits = await hq.ctx.sql.query<{ code: string }>('SELECT code FROM audit ORDER BY at DESC, audit_id DESC');
        expect(audits.length, r.what).toBe(before.audit + (r.unaudited ? 0 : 1));
        if (!r.unaudited) expect(audits.map((a) => a.code), r.what).toContain(r.code);
      }

      // A replay of an acknowledged batch is no refusal: HQ answers with the receipt it gave, and applies nothing again.
      const replayed = honestBatch();
      const entries = await count(hq, 'journal_entry');
      const replay = await t.net.direct('/v1/push', JSON.stringify(replayed));
      expect(replay).toMatchObject({ status: 200, json: { ok: true, receipt: { ackedThroughSeq: replayed.header.toSeq, terminalId: 'honest-1' } } });
      expect(await count(hq, 'journal_entry')).toBe(entries);

      t.sellMany(4);
      await t.drain();
      expect(t.status()).toMatchObject({ backlog: 0, problem: null, rejectedReceipts: 0 });
      const honest = (await listTerminals(hq.ctx)).find((f) => f.terminalId === 'honest-1')!;
      expect(honest).toMatchObject({ streamStatus: 'active', status: 'active' });
      await expectOracle({ hq: hq.ctx, terminals: [t] });
    }, 60_000);
  });
});
