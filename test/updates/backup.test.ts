import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import { backupDatabase, backupsDir, journalHeads, markerPath, takeUpdateMarker, writeUpdateMarker } from '../../src/main/core/updates/backup';
import { buildJournalDatabase } from '../../bench/updates';

let dir: string;
let db: Db;
const T0 = Date.UTC(2026, 11, 7, 2, 0);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-backup-'));
  buildJournalDatabase(join(dir, 'terminal.sqlite'), { entries: 400, members: 20, seed: 5 });
  db = openDatabase(join(dir, 'terminal.sqlite'));
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const backups = () => readdirSync(backupsDir(dir)).sort();

describe('backup before an install', () => {
  it('copies the database privately, checks the copy, and keeps the last two', async () => {
    const heads = journalHeads(db);
    expect(heads).toMatch(/^bench-t1\/1@\d+:[0-9a-f]{64}$/);
    const first = await backupDatabase(db, dir, '1.1.0', T0);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(first.heads).toBe(heads);
    const copy = new Database(first.file, { readonly: true });
    expect(journalHeads(copy)).toBe(heads);
    expect(copy.prepare('SELECT count(*) FROM ledger_entry').pluck().get()).toBe(db.prepare('SELECT count(*) FROM ledger_entry').pluck().get());
    copy.close();
    await backupDatabase(db, dir, '1.1.0', T0 + 1000);
    const third = await backupDatabase(db, dir, '1.2.0', T0 + 2000);
    expect(backups()).toHaveLength(2);
    expect(existsSync(first.file)).toBe(false);
    expect(existsSync(third.file)).toBe(true);
  });

  it('copies one consistent moment while writes and a checkpoint go on during the copy', async () => {
    db.exec('CREATE TABLE IF NOT EXISTS bench_filler (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const fill = db.prepare<[Buffer]>('INSERT INTO bench_filler (body) VALUES (?)');
    const rows = () => db.prepare('SELECT count(*) FROM bench_filler').pluck().get() as number;
    for (let i = 0; i < 50; i++) fill.run(Buffer.alloc(3000, i));
    const before = rows();
    const heads = journalHeads(db);
    // The snapshot is taken before the first await: what follows happens while the files are copied.
    const pending = backupDatabase(db, dir, '1.2.1', T0 + 3000);
    for (let i = 0; i < 200; i++) fill.run(Buffer.alloc(3000, 100 + i));
    // Copies into the database file every frame the backup's snapshot allows, as the idle checkpoint would.
    db.pragma('wal_checkpoint(PASSIVE)');
    const backup = await pending;
    const copy = new Database(backup.file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(journalHeads(copy)).toBe(heads);
    const copied = copy.prepare('SELECT count(*) FROM bench_filler').pluck().get() as number;
    expect(copied).toBeGreaterThanOrEqual(before);
    expect(copied).toBeLessThanOrEqual(rows());
    // Every row the copy holds is whole: the page images all came from one moment.
    const bodies = copy.prepare<[], { body: Buffer }>('SELECT body FROM bench_filler').all();
    for (const { body } of bodies) expect(body.every((b) => b === body[0])).toBe(true);
    copy.close();
  });

  it('a full disk is disk-full: the partial copy is removed and the earlier backups stay', () => {
    // A real file system that fills up: a 256 KB tmpfs over the backups folder, in a mount namespace of
    // the test's own (no privilege needed), so the copy meets the kernel's ENOSPC as on a full disk.
    const data = join(dir, 'full-disk');
    mkdirSync(backupsDir(data), { recursive: true });
    const script = fileURLToPath(new URL('./backup-on-full-disk.ts', import.meta.url));
    const run = spawnSync(
      'unshare',
      ['-Urm', 'sh', '-c', 'mount -t tmpfs -o size=256k none "$1" && shift && exec "$@"', 'sh', backupsDir(data), process.execPath, '--import', 'tsx', script, join(dir, 'terminal.sqlite'), data],
      { encoding: 'utf8' },
    );
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({
      ok: false,
      name: 'BackupError',
      code: 'disk-full',
      left: ['fidele-2026-12-06T02-00-00-000Z-1.0.0.sqlite'],
    });
  });

  it('a data folder it cannot write into is backup-failed', async () => {
    const blocked = join(dir, 'blocked');
    writeFileSync(blocked, 'not a folder');
    await expect(backupDatabase(db, blocked, '1.3.0', T0)).rejects.toMatchObject({ code: 'backup-failed' });
  });
});

describe('the « updating to X » marker', () => {
  it('tells the new version whether it is the one the install meant, once', () => {
    const markers = join(dir, 'markers');
    mkdirSync(markers);
    expect(takeUpdateMarker(markers, '1.0.0')).toEqual({ kind: 'none' });
    writeUpdateMarker(markers, { from: '1.0.0', to: '1.1.0', at: T0, backup: '/b' });
    expect(statSync(markerPath(markers)).mode & 0o777).toBe(0o600);
    expect(takeUpdateMarker(markers, '1.1.0')).toMatchObject({ kind: 'installed', marker: { to: '1.1.0' } });
    expect(takeUpdateMarker(markers, '1.1.0')).toEqual({ kind: 'none' });
    writeUpdateMarker(markers, { from: '1.0.0', to: '1.1.0', at: T0, backup: '/b' });
    expect(takeUpdateMarker(markers, '1.0.0')).toMatchObject({ kind: 'not-installed', running: '1.0.0' });
    writeFileSync(markerPath(markers), '{"to":');
    expect(takeUpdateMarker(markers, '1.0.0')).toMatchObject({ kind: 'unreadable' });
  });
});
