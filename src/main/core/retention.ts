import type { TerminalConfig } from './config/terminal-config';
import type { Db } from './db/database';
import type { Timers } from './devices/reconnect';
import type { Clock, Logger } from './ports';
import type { NameIndex } from './members/name-index';
import { purgeUnseenMembers, UNSEEN_MEMBERS_DAYS } from './privacy/retention';

const DAY_MS = 24 * 3_600_000;

/**
 * What the terminal keeps, and for how long, beyond the ledger itself:
 * - a printed receipt's copy (the ESC/POS bytes, with the member's name and
 *   balance): 30 days after it printed or was given up. The job's row stays,
 *   without its bytes, so a sale replayed later is still not printed twice;
 * - a till API request record (migration 3): 7 days. After that a till
 *   replaying the same Idempotency-Key is no longer recognised as a replay —
 *   a sale or refund is still recognised by the ledger (by receipt and refund
 *   id) and answered with its first result; an identify simply runs again;
 * - a stored answer to a till's identify call (a member's name and points):
 *   1 day, or the request records' time if shorter. A till retries within
 *   seconds; the answer is personal data with no use after that.
 * - a member's personal data, when this terminal has not seen them for
 *   three years (privacy/retention.ts): HQ keeps them, a scan brings them back.
 * The journal, sales, refunds and adjustments are never touched.
 */
export const RETENTION_DEFAULTS = { printedReceiptsDays: 30, tillRequestsDays: 7, identifyAnswersDays: 1, unseenMembersDays: UNSEEN_MEMBERS_DAYS } as const;

export type RetentionPolicy = { [K in keyof typeof RETENTION_DEFAULTS]: number };

export function retentionPolicy(config: Pick<TerminalConfig, 'retention'>): RetentionPolicy {
  return { ...RETENTION_DEFAULTS, ...config.retention };
}

export interface Pruned {
  printedReceipts: number;
  tillRequests: number;
  identifyAnswers: number;
}

/** Pruning runs at start and then this often. */
export const RETENTION_EVERY_MS = 60 * 60_000;

/** One pass: everything older than its retention, as of `now`. */
export function pruneExpired(db: Db, policy: RetentionPolicy, now: number): Pruned {
  const before = (days: number) => now - days * DAY_MS;
  return db.transaction(() => {
    const printedReceipts = db
      .prepare(`UPDATE print_job SET payload = X'' WHERE state IN ('done', 'abandoned') AND updated_at < ? AND length(payload) > 0`)
      .run(before(policy.printedReceiptsDays)).changes;
    // An identify answer is the only stored response naming a member and how they were found.
    const identifyAnswers = db
      .prepare(
        `DELETE FROM till_request WHERE created_at < ? AND json_valid(response)
           AND json_type(response, '$.member') = 'object' AND json_type(response, '$.via') = 'text'`,
      )
      .run(before(Math.min(policy.identifyAnswersDays, policy.tillRequestsDays))).changes;
    const tillRequests = db.prepare('DELETE FROM till_request WHERE created_at < ?').run(before(policy.tillRequestsDays)).changes;
    return { printedReceipts, tillRequests, identifyAnswers };
  }).immediate();
}

/** Real timers that never keep the process alive on their own. */
const backgroundTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Prunes now and then every RETENTION_EVERY_MS; returns how to stop. A failed pass is logged and retried at the next. */
export function startRetention(o: { db: Db; policy: RetentionPolicy; clock: Clock; logger: Logger; timers?: Timers; names?: Pick<NameIndex, 'remove' | 'invalidate'> }): () => void {
  const timers = o.timers ?? backgroundTimers;
  let timer: unknown = null;
  let stopped = false;
  const pass = () => {
    try {
      const pruned = pruneExpired(o.db, o.policy, o.clock.now());
      if (pruned.printedReceipts + pruned.tillRequests + pruned.identifyAnswers > 0) o.logger.info('retention: pruned old records', { ...pruned });
      const members = purgeUnseenMembers(o.db, o.names ?? null, o.policy.unseenMembersDays, o.clock.now());
      if (members > 0) o.logger.info('retention: removed members not seen here for the retention period', { members });
    } catch (error) {
      o.logger.error('retention: pruning failed', { error: String(error) });
    }
    if (!stopped) timer = timers.setTimeout(pass, RETENTION_EVERY_MS);
  };
  pass();
  return () => {
    stopped = true;
    if (timer !== null) timers.clearTimeout(timer);
  };
}
