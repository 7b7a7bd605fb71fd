import type { Db } from '../db/database';

export type PrintJobState = 'queued' | 'printing' | 'interrupted' | 'done' | 'abandoned';

export interface PrintJob {
  seq: number;
  jobId: string;
  printerId: string;
  label: string;
  payload: Uint8Array;
  state: PrintJobState;
  attempts: number;
  createdAt: number;
  updatedAt: number;
  lastProblem: string | null;
}

interface Row {
  seq: number;
  job_id: string;
  printer_id: string;
  label: string;
  payload: Buffer;
  state: PrintJobState;
  attempts: number;
  created_at: number;
  updated_at: number;
  last_problem: string | null;
}

const toJob = (r: Row): PrintJob => ({
  seq: r.seq,
  jobId: r.job_id,
  printerId: r.printer_id,
  label: r.label,
  payload: new Uint8Array(r.payload),
  state: r.state,
  attempts: r.attempts,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  lastProblem: r.last_problem,
});

/**
 * The print jobs of this terminal, in SQLite so a receipt interrupted by paper
 * out, a pulled cable or a restart is still there to finish. Each state change
 * is guarded by the state it leaves, so a job is marked done at most once.
 */
export class PrintQueue {
  private readonly insertStmt;
  private readonly nextStmt;
  private readonly pendingCountStmt;
  private readonly moveStmt;
  private readonly startStmt;
  private readonly getStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO print_job (job_id, printer_id, label, payload, state, attempts, created_at, updated_at)
       VALUES (?, ?, ?, ?, 'queued', 0, ?, ?)`,
    );
    this.nextStmt = db.prepare<[string], Row>(
      `SELECT * FROM print_job WHERE printer_id = ? AND state IN ('queued', 'interrupted', 'printing') ORDER BY seq LIMIT 1`,
    );
    this.pendingCountStmt = db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM print_job WHERE printer_id = ? AND state IN ('queued', 'interrupted', 'printing')`,
    );
    this.moveStmt = db.prepare(
      `UPDATE print_job SET state = ?, updated_at = ?, last_problem = coalesce(?, last_problem) WHERE job_id = ? AND state = ?`,
    );
    this.startStmt = db.prepare(
      `UPDATE print_job SET state = 'printing', attempts = attempts + 1, updated_at = ? WHERE job_id = ? AND state IN ('queued', 'interrupted', 'printing')`,
    );
    this.getStmt = db.prepare<[string], Row>('SELECT * FROM print_job WHERE job_id = ?');
  }

  add(job: { jobId: string; printerId: string; label: string; payload: Uint8Array; at: number }): void {
    this.insertStmt.run(job.jobId, job.printerId, job.label, Buffer.from(job.payload), job.at, job.at);
  }

  /** The oldest unfinished job. A job left `printing` by a crash comes back: it was never confirmed. */
  next(printerId: string): PrintJob | undefined {
    const row = this.nextStmt.get(printerId);
    return row && toJob(row);
  }

  pendingCount(printerId: string): number {
    return this.pendingCountStmt.get(printerId)!.n;
  }

  get(jobId: string): PrintJob | undefined {
    const row = this.getStmt.get(jobId);
    return row && toJob(row);
  }

  /** Whether a job with this label was ever queued for the printer: a replayed sale must not print twice. */
  hasLabel(printerId: string, label: string): boolean {
    return this.db.prepare('SELECT 1 FROM print_job WHERE printer_id = ? AND label = ? LIMIT 1').get(printerId, label) !== undefined;
  }

  markPrinting(jobId: string, at: number): boolean {
    return this.startStmt.run(at, jobId).changes === 1;
  }

  /** Only a job being printed can be confirmed: a late or repeated confirmation changes nothing. */
  markDone(jobId: string, at: number): boolean {
    return this.moveStmt.run('done', at, null, jobId, 'printing').changes === 1;
  }

  /** An interrupted copy that the printer finished after all (its `GS r` reply came late): done, not printed again. */
  markInterruptedDone(jobId: string, at: number): boolean {
    return this.moveStmt.run('done', at, null, jobId, 'interrupted').changes === 1;
  }

  markInterrupted(jobId: string, at: number, problem: string): boolean {
    return this.moveStmt.run('interrupted', at, problem, jobId, 'printing').changes === 1;
  }

  /** The cashier gave up on a job (e.g. the printer is broken): it is kept, as abandoned, for the record. */
  abandon(jobId: string, at: number): boolean {
    return (
      this.db
        .prepare(`UPDATE print_job SET state = 'abandoned', updated_at = ? WHERE job_id = ? AND state IN ('queued', 'interrupted')`)
        .run(at, jobId).changes === 1
    );
  }
}
