import { signingPayload, type UpdateStatusRequest } from '../../shared/sync/protocol';
import type { UpdateStatusReport } from '../../shared/updates/directive';
import { authenticateTerminal } from '../auth';
import { newId, type HqContext } from '../context';
import { updatesChanged } from './service';

/**
 * What terminals report of their updates (POST /v1/updates/status): HQ keeps
 * the latest per terminal (the fleet view) and its last HISTORY_PER_TERMINAL
 * reports. The terminal's reported version becomes the version HQ lists for it.
 */
export const HISTORY_PER_TERMINAL = 50;

export async function receiveUpdateStatus(ctx: HqContext, request: UpdateStatusRequest): Promise<undefined> {
  await authenticateTerminal(ctx, 'update_status', request, signingPayload(request));
  const r = request.report;
  const now = ctx.clock.now();
  await ctx.sql.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO terminal_update_status (terminal_id, app_version, build, state, target_version, progress_percent, waiting_for, last_error, reported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (terminal_id) DO UPDATE SET app_version = EXCLUDED.app_version, build = EXCLUDED.build, state = EXCLUDED.state,
         target_version = EXCLUDED.target_version, progress_percent = EXCLUDED.progress_percent, waiting_for = EXCLUDED.waiting_for,
         last_error = EXCLUDED.last_error, reported_at = EXCLUDED.reported_at`,
      [request.terminalId, r.appVersion, r.build, r.state, r.targetVersion, r.progressPercent, JSON.stringify(r.waitingFor), r.lastError === null ? null : JSON.stringify(r.lastError), now],
    );
    await tx.query('UPDATE terminal SET app_version = $2 WHERE terminal_id = $1', [request.terminalId, r.appVersion]);
    await tx.query('INSERT INTO terminal_update_history (terminal_id, report_id, at, report) VALUES ($1, $2, $3, $4)', [request.terminalId, newId(ctx), now, JSON.stringify(r)]);
    await tx.query(
      `DELETE FROM terminal_update_history WHERE terminal_id = $1 AND report_id NOT IN
         (SELECT report_id FROM terminal_update_history WHERE terminal_id = $1 ORDER BY at DESC, report_id DESC LIMIT $2)`,
      [request.terminalId, HISTORY_PER_TERMINAL],
    );
  });
  // The feed answers a terminal without a target with its reported version.
  updatesChanged(ctx);
  return undefined;
}

export interface TerminalUpdateStatus extends UpdateStatusReport {
  terminalId: string;
  reportedAt: number;
}

interface StatusRow {
  terminal_id: string;
  app_version: string;
  build: string;
  state: UpdateStatusReport['state'];
  target_version: string | null;
  progress_percent: number | null;
  waiting_for: UpdateStatusReport['waitingFor'];
  last_error: UpdateStatusReport['lastError'];
  reported_at: number;
}

/** The latest report of every terminal that sent one. */
export async function updateStatuses(ctx: HqContext): Promise<TerminalUpdateStatus[]> {
  const rows = await ctx.sql.query<StatusRow>(
    'SELECT terminal_id, app_version, build, state, target_version, progress_percent, waiting_for, last_error, reported_at FROM terminal_update_status ORDER BY terminal_id',
  );
  return rows.map((r) => ({
    terminalId: r.terminal_id,
    appVersion: r.app_version,
    build: r.build,
    state: r.state,
    targetVersion: r.target_version,
    progressPercent: r.progress_percent,
    waitingFor: r.waiting_for,
    lastError: r.last_error,
    reportedAt: r.reported_at,
  }));
}

/** One terminal's last reports, newest first. */
export async function updateHistory(ctx: HqContext, terminalId: string): Promise<Array<{ at: number; report: UpdateStatusReport }>> {
  return ctx.sql.query<{ at: number; report: UpdateStatusReport }>('SELECT at, report FROM terminal_update_history WHERE terminal_id = $1 ORDER BY at DESC, report_id DESC', [terminalId]);
}
