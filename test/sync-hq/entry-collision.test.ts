import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { startHq, type Hq } from '../../src/hq/server';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { line, sale } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * Two terminals that draw the same entry ids (a cloned disk, a broken random
 * source: here the same seed and the same clock) sell to the same member.
 * HQ must not take the second store's entries for replays of the first's:
 * every point is posted, and the clash is raised.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-collision-'));
const terminals: Terminal[] = [];
let hq: Hq | null = null;

afterAll(async () => {
  for (const t of terminals) t.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('posts both terminals’ points when their entry ids collide, and raises an incident', async () => {
  hq = await startHq({ dataDir: dir, port: 0, clock: { now: () => Date.UTC(2026, 11, 2, 9) }, random: seededRandom(4), logger: silentLogger, maintenanceIntervalMs: 0 });
  const a = await openTerminal(hq, 'caisse-lyon-1', 'lyon-2', 11, { seed: 7 });
  const b = await openTerminal(hq, 'caisse-nice-1', 'nice-1', 12, { seed: 7 });
  terminals.push(a, b);
  const claire = a.h.members.claire.id;
  expect(b.h.members.claire.id).toBe(claire);
  const earned = [a, b].map((t) => t.h.ledger.commit(sale(claire, 'R1', [line(10_000)])));
  expect(earned[0]!.entries.map((e) => e.entryId)).toEqual(earned[1]!.entries.map((e) => e.entryId));
  for (const t of [a, b]) await t.sync.syncNow();

  const [balance] = await hq.ctx.sql.query<{ balance: number }>('SELECT balance::int AS balance FROM account_balance WHERE customer_id = $1 AND account = $2', [claire, `member:${claire}:points`]);
  expect(balance!.balance).toBe(earned[0]!.pointsEarned + earned[1]!.pointsEarned);
  const incidents = await hq.ctx.sql.query<{ kind: string; terminal_id: string }>("SELECT kind, terminal_id FROM sync_anomaly WHERE kind = 'entry_id_collision'");
  expect(incidents).toEqual([{ kind: 'entry_id_collision', terminal_id: 'caisse-nice-1' }]);
  // A replay of B's batch changes nothing: the clash is posted once.
  await b.sync.syncNow();
  const [after] = await hq.ctx.sql.query<{ n: number }>("SELECT count(*)::int AS n FROM posting WHERE customer_id = $1 AND entry_id LIKE '%@caisse-nice-1:%'", [claire]);
  expect(after!.n).toBeGreaterThan(0);
  expect(await hq.ctx.sql.query("SELECT kind FROM sync_anomaly WHERE kind = 'entry_id_collision'")).toHaveLength(1);
}, 60_000);
