import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { migrations } from '../../src/main/core/db/migrations';
import { BACKSTOP_PAGES, startIdleCheckpoints } from '../../src/main/core/db/wal-checkpoints';

/**
 * The write-ahead log is copied back into the database when writes pause,
 * not inside the commit that takes it past SQLite's 1000 pages (a sale in
 * about forty used to pay for the previous forty's pages).
 */
let dir: string;
let db: Db;
const open: Db[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-checkpoints-'));
  db = openDatabase(join(dir, 'terminal.sqlite'));
  open.push(db);
  db.exec('CREATE TABLE filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL) STRICT');
});

afterEach(() => {
  for (const d of open.splice(0)) if (d.open) d.close();
  rmSync(dir, { recursive: true, force: true });
});

const walPages = (path: string) => Math.floor((statSync(`${path}-wal`).size - 32) / (24 + 4096));
/** One transaction of `pages` new pages (a 4000-byte row fills a page). */
const write = (d: Db, pages: number) => d.transaction(() => {
  const insert = d.prepare('INSERT INTO filler (body) VALUES (?)');
  for (let i = 0; i < pages; i++) insert.run(Buffer.alloc(4000, i % 251));
}).immediate();
/** The database file's own pages: the log's frames reach it only when checkpointed. */
const filePages = (d: Db) => statSync(d.name).size / 4096;

describe('checkpoints off the commit path', () => {
  it('no commit checkpoints below the backstop, however long the log grows between pauses', () => {
    for (let i = 0; i < 60; i++) write(db, 50);
    // SQLite's default would have copied the log back and reused it from its start every 1000 pages.
    expect(walPages(db.name)).toBeGreaterThanOrEqual(3000);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(BACKSTOP_PAGES);
  });

  it('bounds the log at the backstop under a burst that never lets a tick run', () => {
    const checkpoints = startIdleCheckpoints(db, { tickMs: 3_600_000, backstopPages: 1000 });
    try {
      for (let i = 0; i < 60; i++) write(db, 50);
      // The commit past 1000 pages checkpoints and the log is written over from its start.
      expect(walPages(db.name)).toBeLessThan(1500);
    } finally {
      checkpoints.stop();
    }
  });

  it('copies the log back once a tick has passed without a write, and not while writes go on', () => {
    const checkpoints = startIdleCheckpoints(db, { tickMs: 3_600_000 });
    try {
      const before = filePages(db);
      write(db, 20);
      expect(checkpoints.tick()).toBe(false); // writes since the last tick: not idle
      expect(filePages(db)).toBe(before);
      expect(checkpoints.tick()).toBe(true); // a whole tick without one
      expect(filePages(db)).toBeGreaterThanOrEqual(before + 20);
      expect(checkpoints.tick()).toBe(false); // nothing new to copy
    } finally {
      checkpoints.stop();
    }
  });

  it('bounds the log under writes that never pause', () => {
    const checkpoints = startIdleCheckpoints(db, { tickMs: 3_600_000, maxPendingChanges: 100 });
    try {
      const before = filePages(db);
      write(db, 60);
      expect(checkpoints.tick()).toBe(false);
      write(db, 60);
      expect(checkpoints.tick()).toBe(true); // 120 rows since the last checkpoint, past the bound of 100
      expect(filePages(db)).toBeGreaterThanOrEqual(before + 120);
    } finally {
      checkpoints.stop();
    }
  });

  it('a tick that finds the connection busy with a query waits for the next one, without throwing in a timer', () => {
    const checkpoints = startIdleCheckpoints(db, { tickMs: 3_600_000 });
    try {
      write(db, 5);
      checkpoints.tick();
      const reading = db.prepare('SELECT id FROM filler').iterate();
      reading.next();
      expect(checkpoints.tick()).toBe(false);
      reading.return?.();
      expect(checkpoints.tick()).toBe(true);
    } finally {
      checkpoints.stop();
    }
  });

  it('keeps SQLite’s own checkpoints when asked, and in memory', () => {
    const auto = openDatabase(join(dir, 'auto.sqlite'), { checkpoints: 'auto' });
    open.push(auto);
    expect(auto.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const memory = openDatabase(':memory:');
    open.push(memory);
    expect(memory.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });
});

describe('migration 18', () => {
  it('drops the index of postings by account on an install at 17, keeping every posting readable', () => {
    const path = join(dir, 'at17.sqlite');
    const old = openDatabase(path, { migrations: migrations.filter((m) => m.version <= 17) });
    open.push(old);
    const index = "SELECT count(*) FROM sqlite_master WHERE name = 'ledger_posting_by_account'";
    expect(old.prepare(index).pluck().get()).toBe(1);
    old.exec(`INSERT INTO ledger_stream VALUES ('t1', 1, '${'0'.repeat(64)}', 0)`);
    old.exec(`INSERT INTO ledger_entry VALUES ('t1', 1, 1, 'e1', 'g1', 'earn', 1, 'r1', 'm1', NULL, NULL, 0, 0, 'b', 0, '[]', '{}', '${'0'.repeat(64)}', '${'1'.repeat(64)}')`);
    old.exec("INSERT INTO ledger_posting VALUES ('t1', 1, 1, 0, 'program:issuance', -5), ('t1', 1, 1, 1, 'member:m1:points', 5)");
    old.close();
    const upgraded = openDatabase(path);
    open.push(upgraded);
    expect(upgraded.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(18);
    expect(upgraded.prepare(index).pluck().get()).toBe(0);
    expect(upgraded.prepare('SELECT account, delta FROM ledger_posting ORDER BY leg').all()).toEqual([
      { account: 'program:issuance', delta: -5 },
      { account: 'member:m1:points', delta: 5 },
    ]);
  });
});
