import { describe, expect, it } from 'vitest';
import { expectOracle } from './oracle';
import { BACKENDS, countRows, terminalsInRam, type Terminal, useBackend } from './world';

/**
 * Customers' incidents through the sync faults (sync-ledger.md §3 and
 * docs/relationship.md): recorded, re-qualified and resolved in two stores
 * while batches are duplicated, held back, replayed, dropped and cut; then
 * none is lost or doubled at HQ, each stands the same everywhere, and a
 * customer who complained in Lyon is known in Paris.
 */
const SEEDS = [11, 23];
terminalsInRam();

const KINDS = ['billing_error', 'waiting_time', 'product_defect', 'order_delivery'] as const;
const OUTCOMES = ['well_resolved', 'poorly_resolved', 'unresolved', 'declined'] as const;

/** One round of a store's life: sales, an incident, and the resolution of the one before. */
function round(t: Terminal, r: number, open: string[]): void {
  t.sellMany(2);
  const ids = t.memberIds();
  const recorded = t.h.ledger.incidents.record({ memberId: ids[r % ids.length], kind: KINDS[r % KINDS.length], severity: 1 + (r % 5), recordedBy: `c-${r}` });
  t.tick();
  if (r % 3 === 1) t.h.ledger.incidents.update({ incidentId: recorded.incident.incidentId, severity: 5, recordedBy: 'resp' });
  const previous = open.shift();
  if (previous) t.h.ledger.incidents.resolve({ incidentId: previous, outcome: OUTCOMES[r % OUTCOMES.length], recordedBy: `c-${r}`, gesture: r % 2 ? { type: 'points', points: 20 } : { type: 'apology' } });
  open.push(recorded.incident.incidentId);
  t.tick();
}

describe.each(BACKENDS)('customer incidents through sync faults, HQ on $name', ({ name, skip }) => {
  const { world, terminal } = useBackend(name, skip);
  const d = skip ? describe.skip : describe;

  d(skip ? `skipped: ${skip}` : 'scenarios', () => {
    it.each(SEEDS)('two stores, faulty networks: none lost, none doubled, the same on every terminal and HQ; Lyon’s complaint known in Paris (seed %i)', async (seed) => {
      const hq = await world();
      const weights = { deliver: 3, duplicate: 2, hold: 1, replay: 1, drop: 1, lose_response: 2, truncate: 1 };
      const lyon = await terminal(hq, { terminalId: `lyon-${seed}`, storeId: 'lyon-2', seed, maxEntries: 3, weights });
      const paris = await terminal(hq, { terminalId: `paris-${seed}`, storeId: 'paris-11', seed: seed + 100, maxEntries: 3, weights });
      const open = { lyon: [] as string[], paris: [] as string[] };
      for (let r = 0; r < 6; r++) {
        round(lyon, r, open.lyon);
        round(paris, r + 1, open.paris);
        await lyon.sync.syncNow();
        await paris.sync.syncNow();
      }
      for (const t of [lyon, paris]) {
        await t.drain();
        await t.net.flushHeld();
        t.net.weights = {};
        await t.drain();
      }
      for (const t of [lyon, paris]) await t.pullUntilOk();

      const journaled = [lyon, paris].reduce(
        (n, t) => n + (t.db.prepare<[], { n: number }>("SELECT count(*) AS n FROM ledger_entry WHERE kind LIKE 'incident_%'").get()?.n ?? 0),
        0,
      );
      expect(await countRows(hq, 'customer_incident_fact')).toBe(journaled);
      expect(await countRows(hq, 'customer_incident')).toBe(12);
      // Lyon's still-open incident is in Paris's view of that member, from HQ.
      const lyonOpen = open.lyon[0]!;
      const member = lyon.db.prepare<[string], { member_id: string }>('SELECT member_id FROM incident WHERE incident_id = ?').get(lyonOpen)!.member_id;
      const seenInParis = paris.h.ledger.incidents.relationship(member).openIncidents.find((i) => i.incidentId === lyonOpen);
      expect(seenInParis).toMatchObject({ origin: 'chain', status: 'open' });
      // Read from the member's summary row, which the pull that brought Lyon's facts wrote in its transaction.
      expect(paris.db.prepare('SELECT member_id FROM relationship_stale').all()).toEqual([]);
      expect(paris.db.prepare('SELECT 1 AS one FROM member WHERE id = ? AND relationship IS NOT NULL').get(member)).toEqual({ one: 1 });
      await expectOracle({ hq: hq.ctx, terminals: [lyon, paris] }, `seed ${seed}`);
    }, 120_000);
  });
});
