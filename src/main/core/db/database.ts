import { closeSync, existsSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { VaultError } from '../security/file-vault';
import { PRIVATE_FILE_MODE } from '../security/private-files';
import { LATEST_SCHEMA_VERSION, migrations, type Migration } from './migrations';
import { scanWal } from './wal-check';
import { startIdleCheckpoints } from './wal-checkpoints';

export type Db = Database.Database;

export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`the local database is at schema version ${found}, newer than this build knows (${known}); refusing to open it`);
    this.name = 'SchemaTooNewError';
  }
}

/**
 * The database (or its write-ahead log) is damaged. The terminal refuses to
 * start on it rather than let SQLite drop or rewrite loyalty entries; the
 * files are left exactly as they were, for support to copy and repair.
 */
export class DatabaseCorruptError extends Error {
  readonly detail: string;
  constructor(detail: string, path?: string) {
    super(`the local database${path ? ` ${path}` : ''} failed its integrity check: ${detail}`);
    this.name = 'DatabaseCorruptError';
    this.detail = detail;
  }
}

export interface OpenOptions {
  migrations?: readonly Migration[];
  /**
   * How long a write waits for another connection's lock before SQLite gives
   * up with SQLITE_BUSY (the ledger answers `storage_busy`). Tests shorten it.
   */
  busyTimeoutMs?: number;
  /**
   * 'idle' (the default for a file): checkpoints run on a timer when writes
   * pause, never inside a commit (wal-checkpoints.ts). 'auto': SQLite's
   * own, in the commit that takes the log past 1000 pages.
   */
  checkpoints?: 'idle' | 'auto';
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/** SQLite's own words for a file that is not a sound database. */
function isCorruption(error: unknown): error is InstanceType<typeof Database.SqliteError> {
  return error instanceof Database.SqliteError && /^SQLITE_(CORRUPT|NOTADB)/.test(error.code);
}

/**
 * Opens the terminal's ledger database. There is exactly one connection per
 * process and it is the only writer; `synchronous=FULL` because tills lose
 * power and an acknowledged write must survive it.
 *
 * Refused with DatabaseCorruptError: a WAL whose recovery would drop
 * committed transactions (wal-check.ts), a file SQLite calls corrupt or not a
 * database, and a failed `quick_check`.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Db {
  if (path !== ':memory:' && path !== '') {
    const wal = scanWal(`${path}-wal`);
    if (wal && wal.droppedCommits >= 2) {
      throw new DatabaseCorruptError(
        `its write-ahead log is damaged at frame ${wal.firstBadFrame}: opening it would silently drop ${wal.droppedCommits} committed transactions that follow; nothing was changed, keep ${path} and ${path}-wal for support`,
        path,
      );
    }
  }
  // Born private: SQLite gives its -wal and -shm the mode of the database file.
  if (path !== ':memory:' && path !== '' && !existsSync(path)) closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  let db: Db;
  try {
    db = new Database(path);
  } catch (error) {
    if (isCorruption(error)) throw new DatabaseCorruptError(`${error.message} (${error.code})`, path);
    throw error;
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // SQLite's default 2 MB holds no more than the top of the journal's indexes: with a year of sales each
    // lookup a sale or a balance makes (member, balance, lots, postings by account) then reads two or three
    // pages from the OS. 32 MB keeps their interior pages (a cache, filled only as pages are read).
    db.pragma('cache_size = -32768');
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new DatabaseCorruptError(String(check), path);
    const before = schemaVersion(db);
    if (migrate(db, options.migrations ?? migrations) !== before) compactAfterMigration(db);
    if (path !== ':memory:' && path !== '' && (options.checkpoints ?? 'idle') === 'idle') startIdleCheckpoints(db);
    return db;
  } catch (error) {
    db.close();
    if (isCorruption(error)) throw new DatabaseCorruptError(`${error.message} (${error.code})`, path);
    throw error;
  }
}

/**
 * A migration that rebuilt tables (version 8's compact layout) leaves the old
 * pages free: on a terminal with months of sales, most of the file. VACUUM
 * gives them back once, right after the upgrade; it is a transaction like any
 * other, so a power cut leaves the file as it was before or after it.
 */
function compactAfterMigration(db: Db): void {
  const pages = db.pragma('page_count', { simple: true }) as number;
  const free = db.pragma('freelist_count', { simple: true }) as number;
  if (pages > 0 && free * 4 > pages) db.exec('VACUUM');
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every pending migration in one transaction: all of them or none. */
export function migrate(db: Db, list: readonly Migration[] = migrations): number {
  const known = list.length === 0 ? 0 : list[list.length - 1]!.version;
  const current = schemaVersion(db);
  if (current > known) throw new SchemaTooNewError(current, known);
  const pending = list.filter((m) => m.version > current);
  if (pending.length === 0) return current;
  db.transaction(() => {
    for (const m of pending) {
      db.exec(m.sql);
      // user_version cannot be bound as a parameter; the value is our own integer.
      db.pragma(`user_version = ${Math.trunc(m.version)}`);
    }
  }).immediate();
  return known;
}

export { LATEST_SCHEMA_VERSION };

/**
 * What a shell prints and logs when the terminal cannot start on its
 * database: what happened and what to do, without a stack trace that reads
 * like a bug. Null for any other error, which keeps its stack.
 */
export function startupRefusal(error: unknown): string | null {
  if (error instanceof DatabaseCorruptError) {
    return [
      `Fidèle cannot start: ${error.message}.`,
      'The terminal refuses to open a damaged database rather than lose or rewrite loyalty entries.',
      'Do not delete or edit the data folder: copy it as it is (the .sqlite file and its -wal beside it) and call support.',
    ].join('\n');
  }
  if (error instanceof VaultError) {
    return [
      `Fidèle cannot start: ${error.message}.`,
      'The terminal does not make itself a new identity behind HQ\'s back: nothing was changed.',
    ].join('\n');
  }
  if (error instanceof SchemaTooNewError) {
    return [`Fidèle cannot start: ${error.message}.`, 'This build is older than the database it found: install the newer build again.'].join('\n');
  }
  return null;
}

/** The exit status of a terminal refused its database: a service manager should not restart it in a loop. */
export const DATABASE_REFUSED_EXIT = 3;
