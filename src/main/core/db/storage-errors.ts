import Database from 'better-sqlite3';
import { AppFailure } from '../../../shared/contract';

/**
 * What SQLite's own failures mean at the till. A write that hits one was
 * rolled back by SQLite (and by better-sqlite3's transaction wrapper), so the
 * caller is told plainly that the disk is the problem and whether a retry can
 * help, instead of an `internal` error that reads like a bug.
 *
 * The one mapping, used wherever a SqliteError can surface: the ledger's
 * operations, and the transports' last-resort catch for writes made outside
 * the ledger (the till API's transaction around a sale, member enrolment).
 */
export function storageFailure(error: unknown): AppFailure | null {
  if (!(error instanceof Database.SqliteError)) return null;
  const code = error.code;
  if (code.startsWith('SQLITE_FULL')) {
    return new AppFailure('storage_full', `the terminal's disk is full (${code}): nothing was recorded`);
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AppFailure('storage_busy', `another process holds the terminal database (${code}): nothing was recorded, retry`);
  }
  // An I/O error at COMMIT may leave the transaction on disk after all (a failed fsync), so this
  // one does not claim "nothing was recorded": the ledger is idempotent by receipt, and a retry
  // with the same receipt returns the sale if it was kept.
  if (/^SQLITE_(IOERR|READONLY|CANTOPEN|CORRUPT|NOTADB|PROTOCOL)/.test(code)) {
    return new AppFailure('storage_failed', `the terminal's disk refused the write (${code}): retry with the same receipt, call support if it persists`);
  }
  return null;
}

/** The failure to hand to a caller: the AppFailure a SQLite error means, or the error as it was. */
export function asStorageFailure(error: unknown): unknown {
  return storageFailure(error) ?? error;
}
