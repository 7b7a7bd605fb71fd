import { chmodSync, closeSync, createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { AppVersion } from '../../../shared/updates/release';
import type { Db } from '../db/database';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../security/private-files';
import type { BackupFailure } from './policy';

/**
 * Before an install (issue 13, electron.md §3.2): the terminal's database is
 * copied while sales go on, the copy is opened and checked, and an
 * « updating to X » marker is written. The new version reads the marker at
 * its start and reports to HQ whether it is the version that was meant to run.
 *
 * Backups live in <data>/backups, private (0600), the last KEEP of them.
 */

export const KEEP_BACKUPS = 2;
const BACKUP_STEP_PAGES = 1000;

export class BackupError extends Error {
  constructor(
    readonly code: BackupFailure,
    message: string,
  ) {
    super(message);
    this.name = 'BackupError';
  }
}

export function backupsDir(dataDir: string): string {
  return join(dataDir, 'backups');
}

/** Each journal stream's head (seq and hash): what a copy must hold to be the database it copied. */
export function journalHeads(db: Db): string {
  return headsOf(db)
    .map((h) => `${h.terminalId}/${h.epoch}@${h.seq === null ? '0' : `${h.seq}:${h.hash}`}`)
    .join(' ');
}

interface Head {
  terminalId: string;
  epoch: number;
  /** null: a stream with no entry yet. */
  seq: number | null;
  hash: string | null;
}

function headsOf(db: Db): Head[] {
  return db
    .prepare<[], { terminal_id: string; epoch: number; seq: number | null; hash: string | null }>(
      `SELECT s.terminal_id, s.epoch, e.seq, e.entry_hash AS hash
       FROM ledger_stream s
       LEFT JOIN ledger_entry e ON e.terminal_id = s.terminal_id AND e.epoch = s.epoch
         AND e.seq = (SELECT max(seq) FROM ledger_entry m WHERE m.terminal_id = s.terminal_id AND m.epoch = s.epoch)
       ORDER BY s.terminal_id, s.epoch`,
    )
    .all()
    .map((r) => ({ terminalId: r.terminal_id, epoch: r.epoch, seq: r.seq, hash: r.hash }));
}

/** The snapshot's heads the copy does not hold, with the same hash at the same place. */
function missingHeads(copy: Db, heads: readonly Head[]): string[] {
  const at = copy.prepare<[string, number, number], string>('SELECT entry_hash FROM ledger_entry WHERE terminal_id = ? AND epoch = ? AND seq = ?').pluck();
  return heads.filter((h) => h.seq !== null && at.get(h.terminalId, h.epoch, h.seq) !== h.hash).map((h) => `${h.terminalId}/${h.epoch}@${String(h.seq)}`);
}

function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC' || (typeof code === 'string' && code.startsWith('SQLITE_FULL'));
}

export interface BackupResult {
  file: string;
  heads: string;
  bytes: number;
}

/**
 * Copies `db` into the backups folder and checks the copy.
 *
 * SQLite's backup API copies page by page through its pager, some 280 MB/s
 * here: 10 s for a terminal with two million journal entries. In WAL mode the
 * files themselves can be copied, by the kernel (copy_file_range), under a
 * read transaction held on a second connection for the whole copy:
 * - while any reader holds a snapshot, SQLite never restarts the log over
 *   frames that snapshot may need, and a checkpoint writes into the database
 *   file only page versions that are also in the log (up to the oldest
 *   reader's mark) — or none at all when the reader reads the file alone;
 * - so the database file is copied first, then the log: any page a checkpoint
 *   rewrote during the file's copy (even torn in the copy) is in the copied log
 *   at that version or a later one, and opening the copy replays the log;
 * - frames that sales appended after the snapshot come along when complete
 *   and committed, a frame caught half-written fails its checksum and is
 *   dropped with the rest of its transaction: the copy is one consistent
 *   moment, at or after the snapshot.
 * The copy is then opened (replaying its log into one self-contained file) and
 * must hold every journal stream's head as of the snapshot. No `quick_check`
 * scan: the copy was just written through the page cache, so a scan would read
 * the cache back and re-check the source (which the terminal verifies at every
 * start), not the disk. A full disk is `disk-full`, anything else
 * `backup-failed`; either way the partial copy is removed, and older backups
 * are left as they were.
 */
export async function backupDatabase(db: Db, dataDir: string, label: string, now: number): Promise<BackupResult> {
  const dir = backupsDir(dataDir);
  const file = join(dir, `fidele-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${label.replace(/[^0-9A-Za-z.-]/g, '_')}.sqlite`);
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const snapshot = db.pragma('journal_mode', { simple: true }) === 'wal' ? await copyUnderSnapshot(db.name, file) : await copyWithBackupApi(db, file);
    chmodSync(file, PRIVATE_FILE_MODE);
    const copy = new Database(file, { fileMustExist: true });
    let heads: string;
    try {
      // Replays and removes the copied log: a backup is one self-contained file.
      copy.pragma('journal_mode = DELETE');
      heads = journalHeads(copy);
      const missing = missingHeads(copy, snapshot);
      if (missing.length > 0) throw new BackupError('backup-failed', `the backup lacks the journal heads ${missing.join(' ')} the database had when it began`);
    } finally {
      copy.close();
    }
    await syncFile(file);
    await syncFile(dir);
    const bytes = statSync(file).size;
    pruneBackups(dir, file);
    return { file, heads, bytes };
  } catch (error) {
    for (const suffix of SIDE_FILES) removeQuietly(`${file}${suffix}`);
    if (error instanceof BackupError) throw error;
    if (isDiskFull(error)) throw new BackupError('disk-full', `the disk is full: no room to back up the database before the install (${String((error as Error).message)})`);
    throw new BackupError('backup-failed', `the database backup failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The file copy described above; returns the heads as of the snapshot it held. */
async function copyUnderSnapshot(source: string, file: string): Promise<Head[]> {
  const reader = new Database(source, { readonly: true, fileMustExist: true });
  try {
    reader.exec('BEGIN');
    // The first read starts the snapshot; the heads are the copy's floor.
    const heads = headsOf(reader);
    await copyWhole(source, file);
    if (existsSync(`${source}-wal`)) await copyWhole(`${source}-wal`, `${file}-wal`);
    reader.exec('COMMIT');
    return heads;
  } finally {
    reader.close();
  }
}

/**
 * The kernel's copy where the file systems allow it; where they refuse it
 * (EINVAL, EXDEV, ENOTSUP: some network and FUSE file systems, a device), the
 * bytes through this process.
 */
async function copyWhole(source: string, target: string): Promise<void> {
  try {
    await copyFile(source, target);
  } catch (error) {
    if (!['EINVAL', 'EXDEV', 'ENOTSUP', 'ENOSYS'].includes(String((error as NodeJS.ErrnoException).code))) throw error;
    await pipeline(createReadStream(source), createWriteStream(target, { mode: PRIVATE_FILE_MODE }));
  }
}

/** A database outside WAL mode (none the terminal opens): SQLite's own online backup. */
async function copyWithBackupApi(db: Db, file: string): Promise<Head[]> {
  // Born private: SQLite keeps the mode of a file that exists.
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  await db.backup(file, { progress: () => BACKUP_STEP_PAGES });
  return headsOf(db);
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const SIDE_FILES = ['', '-journal', '-wal', '-shm'];

function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // Nothing there to remove (its folder could not even be made).
  }
}

/** Keeps the newest KEEP_BACKUPS (names sort by time), the one just made among them. */
function pruneBackups(dir: string, keep: string): void {
  const all = readdirSync(dir)
    .filter((n) => /^fidele-.*\.sqlite$/.test(n))
    .sort();
  const old = all.slice(0, Math.max(0, all.length - KEEP_BACKUPS)).map((n) => join(dir, n));
  for (const path of old) if (path !== keep) for (const suffix of SIDE_FILES) removeQuietly(`${path}${suffix}`);
}

// ── the « updating to X » marker ────────────────────────────────────────────

export const UpdateMarker = z.strictObject({
  from: AppVersion,
  to: AppVersion,
  at: z.number().int().nonnegative(),
  backup: z.string().max(4096),
});
export type UpdateMarker = z.infer<typeof UpdateMarker>;

export function markerPath(dataDir: string): string {
  return join(dataDir, 'updating-to.json');
}

/** Written (atomically, private) just before the install starts. */
export function writeUpdateMarker(dataDir: string, marker: UpdateMarker): void {
  const path = markerPath(dataDir);
  writeFileSync(`${path}.tmp`, JSON.stringify(marker), { mode: PRIVATE_FILE_MODE });
  renameSync(`${path}.tmp`, path);
}

export type MarkerOutcome =
  | { kind: 'none' }
  /** The version the install was meant to bring is the one running. */
  | { kind: 'installed'; marker: UpdateMarker }
  /** Still (or again) another version: the install did not take. */
  | { kind: 'not-installed'; marker: UpdateMarker; running: string }
  | { kind: 'unreadable'; message: string };

/** Read once at start, then removed: the outcome is reported once. */
export function takeUpdateMarker(dataDir: string, running: string): MarkerOutcome {
  const path = markerPath(dataDir);
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'none' };
    return { kind: 'unreadable', message: String(error) };
  }
  rmSync(path, { force: true });
  try {
    const marker = UpdateMarker.parse(JSON.parse(raw));
    return marker.to === running ? { kind: 'installed', marker } : { kind: 'not-installed', marker, running };
  } catch (error) {
    return { kind: 'unreadable', message: `the update marker is damaged: ${String(error)}`.slice(0, 300) };
  }
}
