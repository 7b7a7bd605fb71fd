import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/main/core/config/terminal-config';
import { openDatabase, schemaVersion, type Db } from '../../src/main/core/db/database';
import { migrations } from '../../src/main/core/db/migrations';
import { PrintQueue } from '../../src/main/core/devices/print-queue';
import { createLedger } from '../../src/main/core/ledger/ledger';
import { DEFAULT_PROGRAM } from '../../src/main/core/ledger/program.default';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { pruneExpired, RETENTION_DEFAULTS, RETENTION_EVERY_MS, retentionPolicy, startRetention } from '../../src/main/core/retention';
import { insertKnownMembers } from '../fakes/known-members';
import { line, openHarness, sale, WEDNESDAY_10H, type Harness } from './ledger-fixture';
import defaults from '../../resources/terminal.default.json';

const DAY = 24 * 3_600_000;
const hash = 'a'.repeat(64);

function tillRequest(db: Db, key: string, createdAt: number, response: unknown): void {
  db.prepare('INSERT INTO till_request (till_id, idempotency_key, request_hash, status, response, created_at) VALUES (?, ?, ?, 200, ?, ?)').run(
    'till-1',
    key,
    hash,
    JSON.stringify(response),
    createdAt,
  );
}

function printJob(db: Db, label: string, state: string, at: number): void {
  db.prepare(`INSERT INTO print_job (job_id, printer_id, label, payload, state, created_at, updated_at) VALUES (?, 'p1', ?, ?, ?, ?, ?)`).run(
    `job-${label}`,
    label,
    Buffer.from(`Claire Dupont ${label}`),
    state,
    at,
    at,
  );
}

const keys = (db: Db) => db.prepare<[], { idempotency_key: string }>('SELECT idempotency_key FROM till_request ORDER BY 1').all().map((r) => r.idempotency_key);
const payloads = (db: Db) =>
  Object.fromEntries(db.prepare<[], { label: string; n: number }>('SELECT label, length(payload) AS n FROM print_job ORDER BY label').all().map((r) => [r.label, r.n]));

describe('retention on the terminal', () => {
  let h: Harness;
  afterEach(() => h.close());

  it('prunes receipt copies, till request records and identify answers past their time, and never the journal', async () => {
    h = openHarness();
    const now = WEDNESDAY_10H + 60 * DAY;
    h.ledger.commit(sale(h.members.claire.id, 'R-1', [line(1000)]));
    const journal = () => h.db.prepare('SELECT * FROM ledger_entry ORDER BY seq').all();
    const sales = () => h.db.prepare('SELECT * FROM ledger_sale').all();
    const [journalBefore, salesBefore] = [journal(), sales()];

    printJob(h.db, 'sale:old', 'done', now - 31 * DAY);
    printJob(h.db, 'sale:given-up', 'abandoned', now - 31 * DAY);
    printJob(h.db, 'sale:recent', 'done', now - 29 * DAY);
    printJob(h.db, 'sale:stuck', 'queued', now - 90 * DAY);
    const identify = { member: { id: 'm', firstName: 'Claire' }, via: 'card', points: { balance: 3 } };
    tillRequest(h.db, 'sale-8d', now - 8 * DAY, { saleId: 's', pointsEarned: 3 });
    tillRequest(h.db, 'sale-6d', now - 6 * DAY, { saleId: 's', pointsEarned: 3 });
    tillRequest(h.db, 'identify-2d', now - 2 * DAY, identify);
    tillRequest(h.db, 'identify-1h', now - 3_600_000, identify);

    expect(pruneExpired(h.db, retentionPolicy({}), now)).toEqual({ printedReceipts: 2, tillRequests: 1, identifyAnswers: 1 });
    expect(keys(h.db)).toEqual(['identify-1h', 'sale-6d']);
    // The copy goes; the job stays, so a sale replayed later still does not print twice.
    expect(payloads(h.db)).toEqual({ 'sale:given-up': 0, 'sale:old': 0, 'sale:recent': 25, 'sale:stuck': 24 });
    expect(new PrintQueue(h.db).hasLabel('p1', 'sale:old')).toBe(true);
    expect(journal()).toEqual(journalBefore);
    expect(sales()).toEqual(salesBefore);
    // Nothing left to prune: a second pass changes nothing.
    expect(pruneExpired(h.db, retentionPolicy({}), now)).toEqual({ printedReceipts: 0, tillRequests: 0, identifyAnswers: 0 });
    h.reopen();
    expect((await h.ledger.start()).problems).toEqual([]);
  });

  it('takes its times from the configuration, runs at start and then periodically on the injected clock', () => {
    h = openHarness();
    const policy = retentionPolicy(parseConfig({ ...defaults, retention: { tillRequestsDays: 2 } }, 'test'));
    expect(policy).toEqual({ ...RETENTION_DEFAULTS, tillRequestsDays: 2 });
    expect(() => parseConfig({ ...defaults, retention: { tillRequestsDays: 0 } }, 'test')).toThrow(/retention\.tillRequestsDays/);

    const clock = { value: WEDNESDAY_10H };
    tillRequest(h.db, 'first', clock.value - 3 * DAY, { saleId: 's' });
    tillRequest(h.db, 'second', clock.value - DAY, { saleId: 's' });
    const pending: Array<{ fn: () => void; ms: number }> = [];
    const stop = startRetention({
      db: h.db,
      policy,
      clock: { now: () => clock.value },
      logger: silentLogger,
      timers: { setTimeout: (fn, ms) => pending.push({ fn, ms }), clearTimeout: () => pending.splice(0) },
    });
    expect(keys(h.db)).toEqual(['second']);
    expect(pending.map((p) => p.ms)).toEqual([RETENTION_EVERY_MS]);
    clock.value += 2 * DAY;
    pending.shift()!.fn();
    expect(keys(h.db)).toEqual([]);
    stop();
    expect(pending).toEqual([]);
  });
});

describe("the sale table's layout", () => {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-layout-'));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Bytes per sale of the sale records: the sale and refund tables with their indexes, overflow pages
   * included. Not the whole file: every later migration adds tables of its own, empty here, whose pages
   * would count against the layout this measures.
   */
  const bytesPerSale = (db: Db, count: number) =>
    db.prepare<[], { bytes: number }>("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name LIKE '%ledger_sale%' OR name LIKE '%ledger_refund%'").get()!.bytes / count;

  it('an upgraded database keeps every sale and refund byte for byte, verifies, and takes far less room per sale', async () => {
    const path = join(dir, 'terminal.sqlite');
    const SALES = 600;
    // Today's ledger writes the sales into a database of today's layout, then they are moved into one of
    // version 7's layout (sales in a WITHOUT ROWID table, each spilling into its own overflow page), as a
    // terminal of that version held them: today's code needs tables version 7 did not have.
    const sourcePath = join(dir, 'source.sqlite');
    const source = openDatabase(sourcePath);
    const members = insertKnownMembers(new MemberStore(source));
    const clock = { value: WEDNESDAY_10H };
    const build = (d: Db, seed: number) =>
      createLedger({ db: d, clock: { now: () => clock.value }, random: seededRandom(seed), monotonic: { now: () => clock.value }, terminalId: 'test-t1', logger: silentLogger, rules: DEFAULT_PROGRAM });
    let ledger = build(source, 1);
    const inputs = Array.from({ length: SALES }, (_, i) =>
      sale(members.claire.id, `R-${i}`, Array.from({ length: 6 }, (_, k) => line(199 + 100 * k, { label: `Article ${k} du ticket ${i}` }))),
    );
    const results = inputs.map((input) => {
      clock.value += 60_000;
      return ledger.commit(input);
    });
    ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'R-1' }, lines: 'all' });
    source.close();

    let db = openDatabase(path, { migrations: migrations.filter((m) => m.version <= 7) });
    expect(schemaVersion(db)).toBe(7);
    expect(db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'ledger_sale'").get()!.sql).toMatch(/WITHOUT ROWID/);
    db.prepare('ATTACH DATABASE ? AS source').run(sourcePath);
    const tables = db.prepare<[], { name: string }>("SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all();
    db.transaction(() => {
      for (const { name } of tables) {
        const columns = (db.pragma(`main.table_info(${name})`) as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
        db.exec(`INSERT OR IGNORE INTO main."${name}" (${columns}) SELECT ${columns} FROM source."${name}"`);
      }
    })();
    db.exec('DETACH DATABASE source');
    expect(db.prepare<[], { n: number }>('SELECT count(*) AS n FROM ledger_sale').get()!.n).toBe(SALES);
    const rows = (d: Db) => JSON.stringify([d.prepare('SELECT * FROM ledger_sale ORDER BY sale_id').all(), d.prepare('SELECT * FROM ledger_refund').all()]);
    const before = rows(db);
    const sizeBefore = bytesPerSale(db, SALES);
    db.close();

    db = openDatabase(path);
    expect(schemaVersion(db)).toBe(migrations[migrations.length - 1]!.version);
    expect(rows(db)).toBe(before);
    const sizeAfter = bytesPerSale(db, SALES);
    console.log(`bytes per sale: ${Math.round(sizeBefore)} before, ${Math.round(sizeAfter)} after the layout migration`);
    expect(sizeAfter).toBeLessThan(sizeBefore * 0.65);
    const overflow = db.prepare<[], { n: number }>("SELECT count(*) AS n FROM dbstat WHERE name = 'ledger_sale' AND pagetype = 'overflow'").get()!.n;
    expect(overflow).toBe(0);

    ledger = build(db, 2);
    expect((await ledger.start()).problems).toEqual([]);
    // A replayed sale still gets its first result; a refund still finds its sale; the tables stay append-only.
    expect(ledger.commit(inputs[5])).toEqual(results[5]);
    expect(ledger.refund({ refundId: 'F-2', sale: { tillId: 'till-1', receipt: 'R-2' }, lines: 'all' }).pointsReversed).toBeGreaterThan(0);
    expect(() => db.prepare('DELETE FROM ledger_sale').run()).toThrow(/append-only/);
    expect(() => db.prepare("UPDATE ledger_refund SET result = '{}'").run()).toThrow(/append-only/);
    db.close();
  });
});
