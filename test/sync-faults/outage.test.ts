import { describe, expect, it } from 'vitest';
import { expectOracle } from './oracle';
import { BACKENDS, countRows, terminalsInRam, useBackend } from './world';

/**
 * sync-ledger.md §3 test 5 at N = 7 days: HQ unreachable for a week while one
 * terminal keeps selling (21,000 entries on advancing wall and monotonic
 * clocks), then HQ back and the backlog drains through the real client.
 * A file of its own so it runs beside the other fault scenarios.
 */
const DAY = 24 * 3600_000;
terminalsInRam();

describe.each(BACKENDS)('a week-long HQ outage, HQ on $name', ({ name, skip }) => {
  const { world, terminal } = useBackend(name, skip);
  const count = countRows;
  const d = skip ? describe.skip : describe;

  d(skip ? `skipped: ${skip}` : 'scenario', () => {
    it('HQ down for 7 days with 21,000 entries queued: the terminal keeps selling, then the backlog drains, none refused for its age', async () => {
      const hq = await world();
      const t = await terminal(hq, { terminalId: 'outage-7d', storeId: 'paris-11', seed: 7, timeoutMs: 120_000 });
      t.sellMany(20);
      await t.drain();
      const ackedBefore = t.status().ackedSeq;

      t.net.down = true;
      const target = 21_000 + ackedBefore;
      // 21,000 entries spread over 7 days on the wall and monotonic clocks: one sale every ~29 s.
      const step = Math.floor((7 * DAY) / 21_000);
      const ids = t.memberIds();
      const started = t.h.clock.value;
      for (let i = 0; t.h.ledger.head().seq < target; i++) {
        t.sell(ids[i % ids.length]!, 900 + (i % 40) * 100, 0, step);
        if (i % 5_000 === 0) {
          await t.sync.syncNow();
          expect(t.status()).toMatchObject({ state: 'offline', ackedSeq: ackedBefore, problem: null });
          expect(t.h.ledger.connectivity().offline).toBe(true);
        }
      }
      expect(t.h.clock.value - started).toBeGreaterThanOrEqual(7 * DAY - step);
      expect(t.status().backlog).toBe(21_000);
      expect(t.net.log.filter((r) => r.fault === 'down').length).toBeGreaterThan(0);

      hq.clock.value += 7 * DAY;
      t.net.down = false;
      await t.drain(100);
      expect(t.status()).toMatchObject({ backlog: 0, problem: null, rejectedReceipts: 0, state: 'idle' });
      expect(t.h.ledger.connectivity().offline).toBe(false);
      expect(await count(hq, 'journal_entry')).toBe(target);
      const refused = await hq.ctx.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM audit WHERE action = 'push'");
      expect(refused[0]!.n).toBe(0);
      await expectOracle({ hq: hq.ctx, terminals: [t] });
    }, 120_000);
  });
});
