import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  it('a full disk is disk-full: the partial copy is removed and the earlier backups stay', async () => {
    const before = backups();
    const at = T0 + 60_000;
    // The next backup's file is a link to /dev/full: every write to it fails with ENOSPC, as on a full disk.
    const name = `fidele-${new Date(at).toISOString().replace(/[:.]/g, '-')}-1.3.0.sqlite`;
    symlinkSync('/dev/full', join(backupsDir(dir), name));
    await expect(backupDatabase(db, dir, '1.3.0', at)).rejects.toMatchObject({ name: 'BackupError', code: 'disk-full' });
    expect(backups()).toEqual(before);
    expect(existsSync('/dev/full')).toBe(true);
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
