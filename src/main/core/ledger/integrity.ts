import { AppFailure } from '../../../shared/contract';
import type { ChainProblem, VerifyReport } from './verify';

/**
 * Whether this run of the terminal may write to its journal.
 *
 * - `unverified`: start() has not run (tests, tools); writes go through.
 * - `verifying`: start() is checking the chain; writes wait for the verdict
 *   (refused as `unavailable`, a retry a moment later succeeds).
 * - `verified`: the chain verified at start; writes go through.
 * - `damaged`: it did not. Every write is refused with `ledger_damaged` for
 *   the rest of the run, and reads keep working, so the cashier can still see
 *   balances while support is called. Only a restart after a repair (which
 *   verifies again) lifts it: nothing in the process can make a damaged
 *   journal trustworthy.
 *
 * Why the verdict must come before the first write of the run: a new entry
 * chains onto the head and its checks read the projections. On a journal
 * whose newest entries were deleted, it would take a seq HQ may already hold
 * with another hash (a fork of our own making); on edited balances or lots, a
 * redemption would spend points the customer never had; and once written, an
 * acknowledged sale on an untrusted journal cannot be taken back.
 */
export type IntegrityState = 'unverified' | 'verifying' | 'verified' | 'damaged';

export interface IntegrityView {
  state: IntegrityState;
  /** When the last verdict was reached (wall clock), or null. */
  checkedAt: number | null;
  /** The first problems found, for the log and support. */
  problems: ChainProblem[];
  /** How many problems in all. */
  problemCount: number;
}

export class IntegrityGate {
  private view: IntegrityView = { state: 'unverified', checkedAt: null, problems: [], problemCount: 0 };

  begin(): void {
    // A damaged verdict stands for the whole run, whatever a second start() would find.
    if (this.view.state !== 'damaged') this.view = { ...this.view, state: 'verifying' };
  }

  settle(report: VerifyReport, at: number): void {
    const problemCount = report.problems.length + report.moreProblems;
    const damaged = !report.ok || this.view.state === 'damaged';
    this.view = { state: damaged ? 'damaged' : 'verified', checkedAt: at, problems: report.problems.slice(0, 10), problemCount: Math.max(problemCount, this.view.problemCount) };
  }

  current(): IntegrityView {
    return this.view;
  }

  /** Throws the refusal for a write while the journal is untrusted or still being checked. */
  assertWritable(operation: string): void {
    const { state, problems, problemCount } = this.view;
    if (state === 'damaged') {
      const first = problems[0];
      const where = first ? `${first.kind}${first.seq !== undefined ? ` at seq ${first.seq}` : ''}${first.account ? ` on ${first.account}` : ''}` : 'unknown problem';
      throw new AppFailure(
        'ledger_damaged',
        `${operation} refused: the points journal failed its check at start (${problemCount} problem(s), first: ${where}); loyalty is suspended until support repairs it`,
        [{ path: '', message: 'ledger.damaged' }],
      );
    }
    if (state === 'verifying') {
      throw new AppFailure('unavailable', `${operation} refused: the points journal is still being checked at start, retry in a moment`, [
        { path: '', message: 'ledger.verifying' },
      ]);
    }
  }
}
