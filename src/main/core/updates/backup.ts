import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { AppVersion } from '../../../shared/updates/release';
import type { Db } from '../db/database';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../security/private-files';
import type { BackupFailure } from './policy';

/**
 * Before an install (issue 13, electron.md §3.2): the terminal's database is
 * copied with SQLite's online backup (sales may go on meanwhile: the copy is
 * of one consistent moment), the copy is opened and checked, and an
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
  const rows = db
    .prepare<[], { terminal_id: string; epoch: number; head: string | null }>(
      `SELECT s.terminal_id, s.epoch,
         (SELECT e.seq || ':' || e.entry_hash FROM ledger_entry e WHERE e.terminal_id = s.terminal_id AND e.epoch = s.epoch ORDER BY e.seq DESC LIMIT 1) AS head
       FROM ledger_stream s ORDER BY s.terminal_id, s.epoch`,
    )
    .all();
  return rows.map((r) => `${r.terminal_id}/${r.epoch}@${r.head ?? '0'}`).join(' ');
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
 * Copies `db` into the backups folder and checks the copy: it opens as a
 * database, holds as many pages as the source had at the end of the copy, and
 * its journal heads are the source's (same connection: SQLite brings the copy
 * up to date with our own writes during it). No `quick_check` scan: the copy
 * was just written through the page cache, so a scan would read the cache back
 * and re-check the source (which the terminal verifies at every start), not
 * the disk, while doubling the time of a 2.7 GB backup. A full disk is
 * `disk-full`, anything else `backup-failed`; either way the partial copy is
 * removed, and older backups are left as they were.
 */
export async function backupDatabase(db: Db, dataDir: string, label: string, now: number): Promise<BackupResult> {
  const dir = backupsDir(dataDir);
  const file = join(dir, `fidele-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${label.replace(/[^0-9A-Za-z.-]/g, '_')}.sqlite`);
  try {
    mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // Born private: SQLite keeps the mode of a file that exists.
    closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
    // 4 MB a step rather than SQLite's 400 KB: fewer turns of the event loop, each still short.
    await db.backup(file, { progress: () => BACKUP_STEP_PAGES });
    const heads = journalHeads(db);
    const pages = db.pragma('page_count', { simple: true });
    const copy = new Database(file, { fileMustExist: true });
    try {
      // The copy keeps the source's WAL mode; a backup is one self-contained file.
      copy.pragma('journal_mode = DELETE');
      const copiedPages = copy.pragma('page_count', { simple: true });
      if (copiedPages !== pages) throw new BackupError('backup-failed', `the backup holds ${String(copiedPages)} pages, the database ${String(pages)}`);
      const copied = journalHeads(copy);
      if (copied !== heads) throw new BackupError('backup-failed', `the backup's journal heads (${copied}) are not the database's (${heads})`);
    } finally {
      copy.close();
    }
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
