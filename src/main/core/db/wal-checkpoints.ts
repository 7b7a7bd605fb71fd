import type Database from 'better-sqlite3';

/**
 * When the write-ahead log is copied back into the database file.
 *
 * SQLite's default is to checkpoint inside the COMMIT that takes the log past
 * 1000 pages: on a terminal that is one sale in about forty, which then pays
 * for copying every page the previous forty wrote (tens of milliseconds) while
 * the cashier waits. A till is idle most of the time, so the copy is moved
 * there: the connection's automatic checkpoint is off, and a timer copies the
 * log back once a tick has passed without a write (PASSIVE: it never waits
 * for, nor blocks, anything). Under writes that never pause, it copies anyway
 * once the log holds `maxPendingChanges` row changes, which bounds the log.
 *
 * Durability is unchanged: a commit is durable once its frames are fsync'd in
 * the log (synchronous=FULL), checkpointed or not. SQLite itself checkpoints
 * and removes the log when the connection closes; `journal_size_limit` trims
 * a log that grew large back to that size when it is next reused.
 */
export interface IdleCheckpointOptions {
  tickMs?: number;
  maxPendingChanges?: number;
  /** SQLite's autocheckpoint threshold in pages (BACKSTOP_PAGES by default). */
  backstopPages?: number;
}

export const CHECKPOINT_TICK_MS = 250;
/**
 * Some 120 sales without a pause of a tick (about 10 MB of log, a checkpoint
 * of a few tens of milliseconds): never reached at a till, where sales are
 * seconds apart. Small enough that the log, once copied back, is written over
 * from its start within the size it already has: a commit that lengthens the
 * file makes its fsync commit the file system's metadata too, and costs about
 * twice one that writes over blocks the file already holds.
 */
export const MAX_PENDING_CHANGES = 1_500;
export const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

export interface IdleCheckpoints {
  /** Runs the tick's decision now (tests); returns whether it checkpointed. */
  tick(): boolean;
  stop(): void;
}

/**
 * SQLite's own checkpoint on commit, kept only as a backstop: the ticks keep the log far below it, but a
 * burst of writes that never yields to the event loop (a bulk import, a test) would otherwise grow the log
 * without bound, since no tick can run until it ends.
 */
export const BACKSTOP_PAGES = 16_384;

export function startIdleCheckpoints(db: Database.Database, options: IdleCheckpointOptions = {}): IdleCheckpoints {
  const maxPending = options.maxPendingChanges ?? MAX_PENDING_CHANGES;
  db.pragma(`wal_autocheckpoint = ${options.backstopPages ?? BACKSTOP_PAGES}`);
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
  const changes = db.prepare('SELECT total_changes()').pluck();
  let seen = changes.get() as number;
  let checkpointed = seen;
  const tick = (): boolean => {
    if (!db.open) {
      stop();
      return false;
    }
    try {
      const now = changes.get() as number;
      const idle = now === seen;
      seen = now;
      if (now === checkpointed || (!idle && now - checkpointed < maxPending)) return false;
      db.pragma('wal_checkpoint(PASSIVE)');
      checkpointed = now;
      return true;
    } catch {
      // A connection busy with a query (an open iterator), or a failing checkpoint, loses nothing: the log
      // keeps every frame, and the next tick tries again.
      return false;
    }
  };
  const timer = setInterval(tick, options.tickMs ?? CHECKPOINT_TICK_MS);
  timer.unref();
  function stop(): void {
    clearInterval(timer);
  }
  return { tick, stop };
}
