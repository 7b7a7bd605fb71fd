import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LedgerAccount } from '../../src/shared/contract';
import { createCore } from '../../src/main/core/core';
import { openDatabase, schemaVersion, type Db } from '../../src/main/core/db/database';
import { migrations } from '../../src/main/core/db/migrations';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { testConfig } from '../fakes/known-members';
import { WEDNESDAY_10H } from './ledger-fixture';

/**
 * The cashier's account view of a member (balance, points by expiry date,
 * last visits) is read on every card shown. With a year of sales its lots
 * and entries lie scattered over the file: migrations 16 and 17 put what
 * the view reads (an enrolled terminal's lots opened since HQ's checkpoint
 * too) into the two indexes it walks, so a terminal upgraded with its
 * journal reads one range of each, without the rows, and shows the same.
 */
const COVERING = 16;

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-account-reads-'));
  path = join(dir, 'terminal.sqlite');
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

function sale(memberId: string, receipt: string, cents: number, redeemPoints = 0) {
  return {
    tillId: 'caisse-1',
    receipt,
    memberId,
    redeemPoints,
    lines: [{ lineId: '1', sku: 'SKU-1', label: 'Courses', category: 'grocery', quantity: 1, unitPriceCents: cents, taxRateBp: 550 }],
    payments: [{ method: 'card' as const, amountCents: cents - redeemPoints * 5 }],
  };
}

/** Claire's year at the till, written by the schema before migration 16: sales, a redemption, a refund. */
function journalBeforeCovering(): string {
  const db = openDatabase(path, { migrations: migrations.filter((m) => m.version < COVERING) });
  // Claire as a terminal of that time kept her (in clear: the start after the upgrade seals her, migration 20).
  const claire = '018e3c67-8100-7f3d-83f5-3d7dc319ee70';
  const card = makeCardNumber(9990, 1);
  db.prepare("INSERT INTO member (id, first_name, last_name, email, phone, locale, primary_card, created_at, created_by_terminal) VALUES (?, 'Claire', 'Dupont', 'claire.dupont@example.com', '+33612345678', 'fr', ?, 0, 'test-t1')").run(claire, card);
  db.prepare('INSERT INTO member_card (card_number, member_id, issued_at) VALUES (?, ?, 0)').run(card, claire);
  let now = WEDNESDAY_10H - 200 * 86_400_000;
  const ledger = createLedger({ db, clock: { now: () => now }, random: seededRandom(5), terminalId: 'test-t1', logger: silentLogger, monotonic: { now: () => 1 } });
  for (let i = 1; i <= 8; i++) {
    now += 20 * 86_400_000;
    ledger.commit(sale(claire, `T-${i}`, 2_000 + i * 1_000, i === 6 ? 100 : 0));
  }
  now += 86_400_000;
  ledger.refund({ refundId: 'R-1', sale: { tillId: 'caisse-1', receipt: 'T-7' }, lines: 'all' });
  db.close();
  return claire;
}

async function accountOf(memberId: string): Promise<{ account: LedgerAccount; db: Db; close: () => Promise<void> }> {
  const core = createCore({ dbPath: path, config: testConfig(), shell: 'browser', clock: { now: () => WEDNESDAY_10H }, random: seededRandom(6), logger: silentLogger });
  await core.start();
  const result = await core.dispatch('cashier', 'ledger.account', { memberId });
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return { account: result.value as LedgerAccount, db: core.db, close: () => core.close() };
}

function plan(db: Db, sql: string): string {
  const unbound = Array.from(sql.matchAll(/\?/g), () => null);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...unbound) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
}

describe("a member's account view on an upgraded terminal", () => {
  it('shows the same balance, expiring points and visits after migrations 16 and 17, read from the indexes alone', async () => {
    const memberId = journalBeforeCovering();
    const before = openDatabase(path, { migrations: migrations.filter((m) => m.version < COVERING) });
    const visitsBefore = before
      .prepare("SELECT till_id, receipt, kind FROM ledger_entry WHERE member_id = ? AND kind IN ('earn', 'redeem') ORDER BY seq DESC")
      .all(memberId);
    expect(visitsBefore.length).toBe(9);
    before.close();

    const { account, db, close } = await accountOf(memberId);
    try {
      expect(schemaVersion(db)).toBeGreaterThanOrEqual(COVERING + 1);
      expect(account.visits.map((v) => [v.receipt, v.pointsEarned, v.pointsRedeemed, v.refunded])).toEqual([
        ['T-8', 94, 0, false],
        ['T-7', 85, 0, true],
        ['T-6', 71, 100, false],
        ['T-5', 66, 0, false],
        ['T-4', 56, 0, false],
      ]);
      expect(account.balance).toBe(account.expiring.reduce((sum, lot) => sum + lot.points, 0));
      expect(account.balance).toBe(db.prepare("SELECT balance FROM ledger_balance WHERE account = 'member:' || ? || ':points'").pluck().get(memberId));

      // The statements the view runs, as the ledger prepares them: no row of ledger_lot or ledger_entry is read.
      expect(plan(db, 'SELECT lot_id, remaining FROM ledger_lot WHERE member_id = ? AND remaining > 0 ORDER BY expires_at, opened_seq')).toMatch(
        /SEARCH ledger_lot USING PRIMARY KEY \(member_id=\?/,
      );
      expect(
        plan(db, 'SELECT expires_on, sum(remaining) AS points FROM ledger_lot WHERE member_id = ? AND remaining > 0 AND expires_at > ? GROUP BY expires_on ORDER BY expires_on'),
      ).toMatch(/SEARCH ledger_lot USING PRIMARY KEY \(member_id=\?/);
      // An enrolled terminal's view: the lots opened here since HQ's checkpoint, spent or not.
      expect(
        plan(db, 'SELECT expires_on, sum(points) AS points FROM ledger_lot WHERE member_id = ? AND opened_seq > ? AND expires_at > ? GROUP BY expires_on ORDER BY expires_on'),
      ).toMatch(/SEARCH ledger_lot USING PRIMARY KEY \(member_id=\?/);
      expect(plan(db, 'SELECT seq, kind, till_id, receipt, wall_time, postings FROM ledger_entry WHERE member_id = ? ORDER BY seq DESC LIMIT ?')).toMatch(
        /COVERING INDEX ledger_entry_by_member/,
      );
    } finally {
      await close();
    }
  });
});
