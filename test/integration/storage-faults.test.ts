import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { storageFailure } from '../../src/main/core/db/storage-errors';
import { createLedger, type Ledger } from '../../src/main/core/ledger/ledger';
import { MemberStore } from '../../src/main/core/members/member-store';
import { seededRandom, type Logger } from '../../src/main/core/ports';
import { insertKnownMembers, type KnownMembers } from '../fakes/known-members';
import { LEDGER_TABLES, line, refusal, sale, WEDNESDAY_10H } from './ledger-fixture';
import { basket, newKey, openTillHarness, type TillHarness } from './till-api-harness';

/**
 * Section 3, item 3 of the sync-ledger reference: a full disk or a database
 * locked by another process fails the sale with a code that says so, changes
 * nothing, and the next sale after the space is freed or the lock released
 * goes through on a chain that still verifies.
 */

/** A little: each test's waits on the lock are this long, not the 5 s of production. */
const BUSY_MS = 40;

interface Till {
  dir: string;
  path: string;
  db: Db;
  ledger: Ledger;
  known: KnownMembers;
  logs: Array<{ level: string; message: string }>;
}

function openTill(): Till {
  const dir = mkdtempSync(join(tmpdir(), 'fidele-storage-'));
  const path = join(dir, 'terminal.sqlite');
  const db = openDatabase(path, { busyTimeoutMs: BUSY_MS });
  const known = insertKnownMembers(new MemberStore(db));
  const logs: Till['logs'] = [];
  const logger: Logger = {
    info: (message) => logs.push({ level: 'info', message }),
    warn: (message) => logs.push({ level: 'warn', message }),
    error: (message) => logs.push({ level: 'error', message }),
  };
  const ledger = createLedger({ db, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(11), monotonic: { now: () => 1_000 }, terminalId: 'test-t1', logger });
  return { dir, path, db, ledger, known, logs };
}

/** Every ledger table and the members, as text. */
const snapshot = (db: Db, extra: string[] = []) => JSON.stringify([...LEDGER_TABLES, 'member', ...extra].map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));

/** The disk is full from now on: not one more page. */
function fillDisk(db: Db): void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  db.pragma(`max_page_count = ${pages}`);
}

function freeDisk(db: Db): void {
  db.pragma('max_page_count = 1073741823');
}

let t: Till;

beforeEach(() => {
  t = openTill();
});

afterEach(() => {
  if (t.db.open) t.db.close();
  rmSync(t.dir, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('refuses the sale that needs space with storage_full, changes nothing, and takes it once space is freed', () => {
    const { claire, zoe } = t.known;
    // 5,000 points in two sales, each within the programme's ceilings.
    t.ledger.commit(sale(claire.id, 'R-0a', [line(150_000), line(150_000)]));
    t.ledger.commit(sale(claire.id, 'R-0b', [line(150_000), line(150_000)]));
    fillDisk(t.db);
    // Sales fill the last free bytes of the pages already there; the first one that needs a new page is refused.
    let refused: { receipt: string; body: ReturnType<typeof sale>; before: string } | null = null;
    for (let i = 1; i <= 200 && !refused; i++) {
      const receipt = `R-${i}`;
      // A sale that spends points, held first: the hold must outlive the refusal.
      const body = sale(claire.id, receipt, [line(1200, { label: 'Article avec un libellé assez long pour remplir la page' })], 100);
      t.ledger.hold({ tillId: body.tillId, receipt, memberId: claire.id, redeemPoints: 100 });
      const before = snapshot(t.db);
      try {
        t.ledger.commit(body);
      } catch (error) {
        expect(error).toMatchObject({ code: 'storage_full' });
        expect((error as Error).message).toMatch(/disk is full \(SQLITE_FULL\): nothing was recorded/);
        expect(snapshot(t.db)).toBe(before);
        refused = { receipt, body, before };
      }
    }
    expect(refused, 'no sale ever needed a new page').not.toBeNull();
    expect(t.logs).toContainEqual({ level: 'error', message: 'ledger write failed on the disk' });
    // The hold is still there: the same points cannot be promised to another sale meanwhile.
    expect(t.ledger.points(claire.id).pending).toBe(100);
    // Still full: the till's retry is refused the same way, and still nothing is written.
    refusal(() => t.ledger.commit(refused!.body), 'storage_full');
    expect(snapshot(t.db)).toBe(refused!.before);

    freeDisk(t.db);
    const committed = t.ledger.commit(refused!.body);
    expect(committed).toMatchObject({ receipt: refused!.receipt, pointsRedeemed: 100 });
    expect(t.ledger.points(claire.id).pending).toBe(0);
    expect(t.ledger.commit(sale(zoe.id, 'R-Z', [line(1200)])).pointsEarned).toBe(10);
    expect(t.ledger.verifyChain()).toMatchObject({ ok: true, problems: [] });
    expect(t.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});

describe('a database locked by another process', () => {
  it('refuses the sale with storage_busy after the busy timeout, changes nothing, and takes it once the lock is released', () => {
    const { claire } = t.known;
    t.ledger.commit(sale(claire.id, 'R-0', [line(2400)]));
    const other = new Database(t.path);
    other.exec('BEGIN IMMEDIATE');
    try {
      const before = snapshot(t.db);
      const started = performance.now();
      const failure = refusal(() => t.ledger.commit(sale(claire.id, 'R-1', [line(2400)])), 'storage_busy');
      const waited = performance.now() - started;
      expect(waited).toBeGreaterThanOrEqual(BUSY_MS - 5);
      expect(waited).toBeLessThan(2_000);
      expect(failure.message).toMatch(/another process holds the terminal database \(SQLITE_BUSY\)/);
      expect(snapshot(t.db)).toBe(before);
      // The offline marker and the refund are writes like the sale.
      refusal(() => t.ledger.setOffline(true), 'storage_busy');
      refusal(() => t.ledger.refund({ refundId: 'F-1', sale: { tillId: 'till-1', receipt: 'R-0' }, lines: 'all' }), 'storage_busy');
      expect(snapshot(t.db)).toBe(before);
      expect(t.logs).toContainEqual({ level: 'warn', message: 'ledger write refused: the database is locked' });
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(t.ledger.commit(sale(claire.id, 'R-1', [line(2400)])).pointsEarned).toBe(20);
    expect(t.ledger.verifyChain()).toMatchObject({ ok: true, problems: [] });
  });

  it('takes the busy timeout from openDatabase', () => {
    expect(t.db.pragma('busy_timeout', { simple: true })).toBe(BUSY_MS);
    const other = openDatabase(t.path);
    try {
      expect(other.pragma('busy_timeout', { simple: true })).toBe(5000);
    } finally {
      other.close();
    }
  });
});

describe("SQLite's failures as the till and the screens see them", () => {
  const sqliteError = (code: string) => new Database.SqliteError(`${code} happened`, code);

  it('maps full, busy and I/O errors once, and leaves every other error alone', () => {
    expect(storageFailure(sqliteError('SQLITE_FULL'))?.code).toBe('storage_full');
    expect(storageFailure(sqliteError('SQLITE_BUSY'))?.code).toBe('storage_busy');
    expect(storageFailure(sqliteError('SQLITE_BUSY_SNAPSHOT'))?.code).toBe('storage_busy');
    expect(storageFailure(sqliteError('SQLITE_LOCKED'))?.code).toBe('storage_busy');
    for (const code of ['SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_READONLY', 'SQLITE_CORRUPT']) {
      const failure = storageFailure(sqliteError(code));
      expect(failure?.code, code).toBe('storage_failed');
      // An I/O error at COMMIT may have kept the write after all: the till is told to retry with the same receipt, not that nothing happened.
      expect(failure?.message, code).toMatch(/retry with the same receipt/);
      expect(failure?.message, code).not.toMatch(/nothing was recorded/);
    }
    expect(storageFailure(sqliteError('SQLITE_CONSTRAINT_CHECK'))).toBeNull();
    expect(storageFailure(new Error('SQLITE_FULL'))).toBeNull();
  });
});

describe('through the till API', () => {
  let h: TillHarness;

  beforeEach(async () => {
    h = await openTillHarness();
  });

  afterEach(async () => {
    await h.close();
  });

  const verifies = () => expect(h.core.ledger.verifyChain()).toMatchObject({ ok: true, problems: [] });

  it('answers 507 storage_full on a full disk with nothing written, not even the idempotency row, and the retry succeeds', async () => {
    const claire = h.known.claire.id;
    expect((await h.call('POST', '/v1/sales', { body: basket(claire, 'T-0') })).status).toBe(200);
    fillDisk(h.core.db);
    let refused: { key: string; body: unknown; before: string } | null = null;
    for (let i = 1; i <= 200 && !refused; i++) {
      const key = newKey();
      const body = basket(claire, `T-${i}`, { cents: [1200, 2400, 880] });
      const before = h.snapshot();
      const r = await h.call('POST', '/v1/sales', { key, body });
      if (r.status === 200) continue;
      expect(r.status).toBe(507);
      expect(r.json.error.code).toBe('storage_full');
      expect(h.snapshot()).toBe(before);
      refused = { key, body, before };
    }
    expect(refused, 'no sale ever needed a new page').not.toBeNull();
    freeDisk(h.core.db);
    const retried = await h.call('POST', '/v1/sales', { key: refused!.key, body: refused!.body });
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect((await h.call('POST', '/v1/sales', { body: basket(claire, 'T-next') })).status).toBe(200);
    verifies();
  });

  it('answers 503 storage_busy while another process holds the lock, with nothing written, and the retry succeeds', async () => {
    const claire = h.known.claire.id;
    h.core.db.pragma(`busy_timeout = ${BUSY_MS}`);
    const other = new Database(h.core.db.name);
    other.exec('BEGIN IMMEDIATE');
    const key = newKey();
    const body = basket(claire, 'T-1');
    let before: string;
    try {
      before = h.snapshot();
      const r = await h.call('POST', '/v1/sales', { key, body });
      expect(r.status).toBe(503);
      expect(r.json.error.code).toBe('storage_busy');
      expect(h.snapshot()).toBe(before);
      expect(h.logs.filter((l) => l.message === 'till API request failed')).toEqual([]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const retried = await h.call('POST', '/v1/sales', { key, body });
    expect(retried.status).toBe(200);
    expect(h.count('ledger_sale')).toBe(1);
    verifies();
  });

  it('answers storage_full to the screens when an enrolment meets a full disk, with nothing written', async () => {
    fillDisk(h.core.db);
    const memberTables = () => JSON.stringify(['member', 'member_card', 'member_consent', 'member_search_token', 'card_serial'].map((t) => h.core.db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
    let code: string | null = null;
    for (let i = 0; i < 200 && code === null; i++) {
      expect((await h.core.dispatch('cashier', 'enrolment.start', { presetCardNumber: null })).ok).toBe(true);
      const before = memberTables();
      const enrolled = await h.core.dispatch('customer', 'enrolment.submit', {
        firstName: 'Éloïse',
        lastName: `Le Bœuf ${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`,
        email: `eloise${i}@example.com`,
        phone: `06${String(i).padStart(8, '0')}`,
        consents: { marketing: true, personalisedOffers: false, profiling: false },
        consentWordingVersion: '2026-11.fr-1',
        locale: 'fr',
      });
      if (enrolled.ok) {
        await h.core.dispatch('cashier', 'session.clear', {});
        continue;
      }
      code = enrolled.error.code;
      expect(memberTables()).toBe(before);
    }
    expect(code).toBe('storage_full');
    expect(h.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'handler failed on the disk' }));
  });
});
