import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';

export interface Habit {
  lastVisitAt: number | null;
  /** Share of the member's visits (0…1) that bought each category. */
  categoryShares: Record<string, number>;
}

const NO_HABIT: Habit = { lastVisitAt: null, categoryShares: {} };

/**
 * What a member usually buys, one row per member folded at each sale: the
 * per-member category frequency summary history conditions read at the till
 * without going through the sales. Kept only for members who agreed to
 * profiling (the caller checks): a habit is a profile.
 */
export class Habits {
  private readonly stmts: {
    get: Statement<[string], { visits: number; last_visit_at: number; categories: string }>;
    put: Statement<[string, number, number, string]>;
  };

  private pending: Array<{ memberId: string; categories: string[]; at: number }> = [];
  private scheduled = false;

  constructor(
    private readonly db: Db,
    private readonly onError: (error: unknown) => void,
    private readonly later: (run: () => void) => void = (run) => setImmediate(run),
  ) {
    this.stmts = {
      get: db.prepare('SELECT visits, last_visit_at, categories FROM offer_member_habit WHERE member_id = ?'),
      put: db.prepare(
        `INSERT INTO offer_member_habit (member_id, visits, last_visit_at, categories) VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id) DO UPDATE SET visits = excluded.visits, last_visit_at = excluded.last_visit_at, categories = excluded.categories`,
      ),
    };
  }

  of(memberId: string): Habit {
    this.flush();
    const row = this.stmts.get.get(memberId);
    if (!row || row.visits <= 0) return NO_HABIT;
    const counts = JSON.parse(row.categories) as Record<string, number>;
    const categoryShares: Record<string, number> = {};
    for (const [category, n] of Object.entries(counts)) categoryShares[category] = n / row.visits;
    return { lastVisitAt: row.last_visit_at, categoryShares };
  }

  /**
   * One visit more, buying these categories: written on the event loop's next turn, visits of the same turn in one
   * transaction, so a sale's commit is the only fsync the cashier waits for. A crash in between loses a habit's
   * visit, never anything of the sale.
   */
  visited(memberId: string, categories: Iterable<string>, at: number): void {
    this.pending.push({ memberId, categories: [...new Set(categories)], at });
    if (this.scheduled) return;
    this.scheduled = true;
    this.later(() => {
      this.scheduled = false;
      try {
        this.flush();
      } catch (error) {
        this.onError(error);
      }
    });
  }

  /** Writes the visits still in memory (before a read, and when the terminal closes). */
  flush(): void {
    if (this.pending.length === 0) return;
    const visits = this.pending;
    this.pending = [];
    this.db.transaction(() => {
      for (const { memberId, categories, at } of visits) {
        const row = this.stmts.get.get(memberId);
        const counts = row ? (JSON.parse(row.categories) as Record<string, number>) : {};
        for (const category of categories) counts[category] = (counts[category] ?? 0) + 1;
        this.stmts.put.run(memberId, (row?.visits ?? 0) + 1, Math.max(at, row?.last_visit_at ?? 0), JSON.stringify(counts));
      }
    })();
  }
}
