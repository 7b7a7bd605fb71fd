import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, migrations, type Migration } from './migrations';

export type Db = Database.Database;

export class SchemaTooNewError extends Error {
  constructor(found: number, known: number) {
    super(`the local database is at schema version ${found}, newer than this build knows (${known}); refusing to open it`);
    this.name = 'SchemaTooNewError';
  }
}

export class DatabaseCorruptError extends Error {
  constructor(detail: string) {
    super(`the local database failed its integrity check: ${detail}`);
    this.name = 'DatabaseCorruptError';
  }
}

/**
 * Opens the terminal's ledger database. There is exactly one connection per
 * process and it is the only writer; `synchronous=FULL` because tills lose
 * power and an acknowledged write must survive it.
 */
export function openDatabase(path: string, options: { migrations?: readonly Migration[] } = {}): Db {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new DatabaseCorruptError(String(check));
    migrate(db, options.migrations ?? migrations);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
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
