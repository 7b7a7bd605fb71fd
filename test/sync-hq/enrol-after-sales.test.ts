import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { createEnrolCode } from '../../src/hq/enrolment';
import { verifyTerminal } from '../../src/hq/fleet';
import { startHq, type Hq } from '../../src/hq/server';
import type { Timers } from '../../src/main/core/devices/reconnect';
import { PROVISIONAL_GENESIS } from '../../src/main/core/ledger/chain';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { createSync } from '../../src/main/core/sync/sync-service';
import { line, openHarness, sale, type Harness } from '../integration/ledger-fixture';

/**
 * A store opens its tills before IT enrols them: the sales made meanwhile
 * chain to the provisional genesis, and HQ adopts that genesis at the first
 * enrolment instead of issuing its own, so nothing is re-chained or left
 * behind. A terminal HQ already knows cannot bring such a history.
 */
const inert: Timers = { setTimeout: () => null, clearTimeout: () => {} };
const dir = mkdtempSync(join(tmpdir(), 'fidele-enrol-after-sales-'));
const opened: Harness[] = [];
let hq: Hq | null = null;

afterAll(async () => {
  await hq?.close();
  for (const h of opened) h.close();
  rmSync(dir, { recursive: true, force: true });
});

function terminal(terminalId: string): { h: Harness; sync: ReturnType<typeof createSync> } {
  const h = openHarness({ terminalId });
  opened.push(h);
  const sync = createSync({
    db: h.db,
    ledger: h.ledger,
    members: new MemberStore(h.db),
    clock: { now: () => h.clock.value },
    random: seededRandom(3),
    logger: silentLogger,
    fetch: globalThis.fetch,
    timers: inert,
    hqUrl: `${hq!.url}/`,
  });
  return { h, sync };
}

it('enrols a terminal that already sold, and its whole journal reaches HQ', async () => {
  hq = await startHq({ dataDir: dir, port: 0, clock: { now: () => Date.UTC(2026, 11, 2, 9) }, random: seededRandom(5), logger: silentLogger, maintenanceIntervalMs: 0 });
  const { h, sync } = terminal('caisse-lyon-2-1');
  for (let i = 1; i <= 3; i++) h.ledger.commit(sale(h.members.claire.id, `R${i}`, [line(2_000 * i)]));
  const head = h.ledger.head();
  expect(head.seq).toBeGreaterThanOrEqual(3);

  const { enrolment } = await sync.enrol({ code: (await createEnrolCode(hq.ctx, 'lyon-2', 'caisse-lyon-2-1')).code, storeId: 'lyon-2' });
  expect(enrolment).toMatchObject({ epoch: 1, genesisHash: PROVISIONAL_GENESIS });
  expect(h.ledger.head()).toEqual(head);
  sync.start();
  h.ledger.commit(sale(h.members.claire.id, 'R4', [line(1_000)]));
  await sync.syncNow();

  const remote = await hq.ctx.sql.query<{ seq: number; entry_hash: string }>('SELECT seq, entry_hash FROM journal_entry WHERE terminal_id = $1 ORDER BY seq', ['caisse-lyon-2-1']);
  const local = h.db.prepare<[], { seq: number; entry_hash: string }>('SELECT seq, entry_hash FROM ledger_entry ORDER BY seq').all();
  expect(remote).toEqual(local);
  expect((await verifyTerminal(hq.ctx, 'caisse-lyon-2-1')).ok).toBe(true);
  expect(sync.status()).toMatchObject({ backlog: 0, problem: null });
  sync.stop();
});

it('refuses a history from a terminal HQ already knows, without spending the code', async () => {
  const { h, sync } = terminal('caisse-lyon-2-1');
  h.ledger.commit(sale(h.members.claire.id, 'R1', [line(2_000)]));
  // IT's « replace » code: the only kind that enrols a terminal HQ already knows.
  const { code } = await createEnrolCode(hq!.ctx, 'lyon-2', 'caisse-lyon-2-1', { replace: true });
  await expect(sync.enrol({ code, storeId: 'lyon-2' })).rejects.toMatchObject({ code: 'refused', hqCode: 'history_refused' });
  expect(sync.enrolment()).toBeNull();
  const codes = await hq!.ctx.sql.query<{ used_at: number | null }>('SELECT used_at FROM enrol_code WHERE code = $1', [code]);
  expect(codes).toEqual([{ used_at: null }]);
  const audit = await hq!.ctx.sql.query<{ code: string }>("SELECT code FROM audit WHERE terminal_id = 'caisse-lyon-2-1' AND action = 'enrol'");
  expect(audit.map((a) => a.code)).toContain('history_refused');
});
