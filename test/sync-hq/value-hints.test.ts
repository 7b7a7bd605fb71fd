import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHq, type Hq } from '../../src/hq/server';
import { seedDemoValueHistory } from '../../src/hq/value/demo-history';
import { valueHintPatch } from '../../src/hq/value/value-hints';
import { valueScheduler } from '../../src/hq/value/value-scheduler';
import { checkValueHint, valueHintOf } from '../../src/main/core/value/value-hints';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * Segments and P(alive) reach the store's terminals in the pull, for the
 * members who agreed to profiling only, never a euro value; a member who
 * withdraws the consent loses the hint at the next pull.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-value-hints-'));
let hq: Hq;
let till: Terminal;
let elsewhere: Terminal;

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(15), logger: silentLogger, maintenanceIntervalMs: 0, valueCheckIntervalMs: 0 });
  till = await openTerminal(hq, 'caisse-paris-1', 'paris-11', 211);
  elsewhere = await openTerminal(hq, 'caisse-nantes-1', 'nantes-1', 311);
  await seedDemoValueHistory(hq.ctx, { storeId: 'paris-11', members: 200 });
}, 60_000);

afterAll(async () => {
  for (const t of [till, elsewhere]) t?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function storeMembers(storeId: string): Promise<{ yes: string[]; no: string[] }> {
  const rows = await hq.ctx.sql.query<{ customer_id: string; granted: boolean }>(
    `SELECT c.customer_id, c.granted FROM member_consent c JOIN member_store s ON s.customer_id = c.customer_id
     WHERE s.store_id = $1 AND c.purpose = 'profiling' ORDER BY c.customer_id`,
    [storeId],
  );
  return { yes: rows.filter((r) => r.granted).map((r) => r.customer_id), no: rows.filter((r) => !r.granted).map((r) => r.customer_id) };
}

const hintRows = (t: Terminal) => t.h.db.prepare('SELECT member_id FROM member_value_hint ORDER BY member_id').all() as { member_id: string }[];

describe('customer-value hints in the pull', () => {
  it('reach the store’s terminals for the members with the profiling consent only, without any euro value', async () => {
    expect((await valueScheduler(hq.ctx).run('manual')).status).toBe('ok');
    const { yes, no } = await storeMembers('paris-11');
    expect(yes.length).toBeGreaterThan(20);
    expect(no.length).toBeGreaterThan(20);

    const first = await till.sync.pull();
    expect(first, JSON.stringify(first)).toMatchObject({ ok: true });
    expect(hintRows(till).map((r) => r.member_id)).toEqual(yes);
    expect(valueHintOf(till.h.db, no[0]!)).toBeNull();
    const hint = valueHintOf(till.h.db, yes[0]!)!;
    expect(Object.keys(hint).sort()).toEqual(['lastVisitOn', 'memberId', 'pAlivePercent', 'scoredOn', 'segment', 'welcomeBack']);
    expect(hint.welcomeBack === null).toBe(hint.segment !== 'lapsed');
    const score = await hq.ctx.sql.query<{ segment: string; last_visit: string }>('SELECT segment, last_visit FROM member_value WHERE customer_id = $1', [yes[0]]);
    expect(hint).toMatchObject({ segment: score[0]!.segment, lastVisitOn: score[0]!.last_visit });

    // Another store's terminal learns nothing of these members.
    expect(await elsewhere.sync.pull()).toMatchObject({ ok: true });
    expect(hintRows(elsewhere)).toEqual([]);
  });

  it('a quiet night sends nothing again; a withdrawn consent deletes the hint at the next pull', async () => {
    const { yes } = await storeMembers('paris-11');
    const before = hintRows(till).length;
    expect((await valueScheduler(hq.ctx).run('manual')).status).toBe('ok');
    const cookie = (till.h.db.prepare("SELECT value FROM sync_state WHERE key = 'cookie:store'").get() as { value: string }).value;
    expect(await valueHintPatch(hq.ctx.sql, 'paris-11', Number(cookie.slice(1)), valueScheduler(hq.ctx).config)).toEqual({ puts: [], deletes: [] });
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(hintRows(till).length).toBe(before);

    const leaving = yes[0]!;
    await hq.ctx.sql.query(
      "INSERT INTO member_consent (customer_id, purpose, recorded_at, granted, wording_version, source, terminal_id) VALUES ($1, 'profiling', $2, false, 'test', 'test', 'test')",
      [leaving, WEDNESDAY_10H + 1],
    );
    expect((await valueScheduler(hq.ctx).run('manual')).scored).toBe(yes.length - 1 + (await storeMembers('lyon-2')).yes.length + (await storeMembers('lille-centre')).yes.length);
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(valueHintOf(till.h.db, leaving)).toBeNull();
    expect(hintRows(till).length).toBe(before - 1);
  });

  it('refuses a hint that is malformed, carries a euro value or names another member (the whole pull is refused before writing)', () => {
    const ok = { memberId: 'm1', segment: 'steady', pAlivePercent: 50, lastVisitOn: '2026-11-01', scoredOn: '2026-11-18', welcomeBack: null };
    expect(checkValueHint('value:m1', ok)).toEqual(ok);
    for (const value of [{ ...ok, segment: 'gold' }, { ...ok, pAlivePercent: 150 }, { ...ok, pAlivePercent: 0.5 }, { ...ok, memberId: 'm2' }, { ...ok, valueEuros: 120 }, { ...ok, lastVisitOn: 'hier' }]) {
      expect(() => checkValueHint('value:m1', value), JSON.stringify(value)).toThrow();
    }
  });
});
