import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, type Db } from '../../src/main/core/db/database';
import { migrations } from '../../src/main/core/db/migrations';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers } from '../fakes/known-members';
import { line, sale, WEDNESDAY_10H } from './ledger-fixture';

/** Migration 25 keys the lots by member: a terminal with a year of lots keyed by lot id upgrades and goes on. */
const BY_MEMBER = 25;

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-lots-migration-'));
  path = join(dir, 'terminal.sqlite');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function ledgerOn(db: Db, now: () => number, seed: number) {
  return createLedger({ db, clock: { now }, random: seededRandom(seed), terminalId: 'test-t1', logger: silentLogger, monotonic: { now: () => 1 } });
}

const lotsOf = (db: Db) => db.prepare('SELECT lot_id, member_id, points, remaining, opened_seq, expires_on, expires_at FROM ledger_lot ORDER BY lot_id').all();

describe('the lots on an upgraded terminal (migration 25)', () => {
  it('keeps every lot as it was, verifies, and takes, restores and reads them by member afterwards', async () => {
    const before = openDatabase(path, { migrations: migrations.filter((m) => m.version < BY_MEMBER) });
    const { claire, helene } = insertKnownMembers(new MemberStore(before));
    let now = WEDNESDAY_10H - 120 * 86_400_000;
    const old = ledgerOn(before, () => now, 5);
    for (let i = 1; i <= 6; i++) {
      now += 15 * 86_400_000;
      old.commit(sale(i % 2 ? claire.id : helene.id, `T-${i}`, [line(8_000 + i * 1_000)], i === 5 ? 100 : 0));
    }
    const lots = lotsOf(before);
    const points = old.points(claire.id);
    expect(before.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ledger_lot_by_member'").pluck().get()).toBe(1);
    before.close();

    const db = openDatabase(path);
    try {
      expect(schemaVersion(db)).toBeGreaterThanOrEqual(BY_MEMBER);
      expect(lotsOf(db)).toEqual(lots);
      expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ledger_lot_by_member'").pluck().get()).toBe(0);
      now = WEDNESDAY_10H;
      const ledger = ledgerOn(db, () => now, 6);
      expect((await ledger.start()).ok).toBe(true);
      expect(ledger.points(claire.id)).toEqual(points);
      // Spends from the oldest lot, then the refund gives the points back with that lot's expiry.
      const spent = ledger.commit(sale(claire.id, 'T-7', [line(3_000)], 100));
      expect(spent.balanceAfter).toBe(points.balance - 100 + spent.pointsEarned);
      const refund = ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'T-7' }, lines: 'all' });
      expect(refund.balanceAfter).toBe(points.balance);
      expect(ledger.expiring(claire.id).reduce((sum, lot) => sum + lot.points, 0)).toBe(points.balance);
      expect(ledger.verifyChain().ok).toBe(true);
    } finally {
      db.close();
    }
  });
});
