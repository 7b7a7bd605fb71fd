import { entryHash } from '../main/core/ledger/chain';
import type { WireEntry } from '../shared/sync/protocol';
import type { HqContext } from './context';
import { toEntry } from './ingest';
import { LOOKUP_ACTION } from './member-lookup';
import { ANOMALY_HANDLED } from './sync-anomalies';
import { RELEASE_AUDITS } from './updates/it-audit';
import { updateStatuses } from './updates/status';

/** What IT staff see of the fleet: terminals, streams, backlogs, freezes, refusals. */
export interface FleetTerminal {
  terminalId: string;
  storeId: string;
  status: 'active' | 'revoked';
  appVersion: string;
  epoch: number;
  enrolledAt: number;
  lastContactAt: number | null;
  revokedAt: number | null;
  /** HQ's cursor on the current epoch. */
  lastSeq: number;
  appliedThroughSeq: number;
  /** What the terminal said it still had to send (head − cursor), when it said. */
  backlog: number | null;
  streamStatus: 'active' | 'frozen';
  frozenReason: string | null;
  skewMs: number | null;
  /** Sync anomalies about this terminal not yet marked handled (sync-anomalies.ts). */
  openAnomalies: number;
}

export interface FrozenStream {
  terminalId: string;
  epoch: number;
  lastSeq: number;
  reason: string | null;
  frozenAt: number | null;
}

export interface AuditRow {
  terminalId: string;
  at: number;
  action: string;
  code: string;
  message: string;
}

export async function listTerminals(ctx: HqContext): Promise<FleetTerminal[]> {
  const rows = await ctx.sql.query<{
    terminal_id: string;
    store_id: string;
    status: 'active' | 'revoked';
    app_version: string;
    epoch: number;
    enrolled_at: number;
    last_contact_at: number | null;
    revoked_at: number | null;
    head_seq: number | null;
    last_seq: number | null;
    applied_through_seq: number | null;
    stream_status: 'active' | 'frozen' | null;
    frozen_reason: string | null;
    skew_ms: number | null;
    open_anomalies: number;
  }>(
    `SELECT t.terminal_id, t.store_id, t.status, t.app_version, t.epoch, t.enrolled_at, t.last_contact_at, t.revoked_at, t.head_seq,
            s.last_seq, s.applied_through_seq, s.status AS stream_status, s.frozen_reason, s.skew_ms,
            (SELECT count(*)::int FROM sync_anomaly a WHERE a.terminal_id = t.terminal_id AND a.status = 'open') AS open_anomalies
     FROM terminal t LEFT JOIN terminal_stream s ON s.terminal_id = t.terminal_id AND s.epoch = t.epoch
     ORDER BY t.store_id, t.terminal_id`,
  );
  return rows.map((r) => ({
    terminalId: r.terminal_id,
    storeId: r.store_id,
    status: r.status,
    appVersion: r.app_version,
    epoch: r.epoch,
    enrolledAt: r.enrolled_at,
    lastContactAt: r.last_contact_at,
    revokedAt: r.revoked_at,
    lastSeq: r.last_seq ?? 0,
    appliedThroughSeq: r.applied_through_seq ?? 0,
    backlog: r.head_seq === null ? null : Math.max(0, r.head_seq - (r.last_seq ?? 0)),
    streamStatus: r.stream_status ?? 'active',
    frozenReason: r.frozen_reason,
    skewMs: r.skew_ms,
    openAnomalies: r.open_anomalies,
  }));
}

export async function frozenStreams(ctx: HqContext): Promise<FrozenStream[]> {
  const rows = await ctx.sql.query<{ terminal_id: string; epoch: number; last_seq: number; frozen_reason: string | null; frozen_at: number | null }>(
    "SELECT terminal_id, epoch, last_seq, frozen_reason, frozen_at FROM terminal_stream WHERE status = 'frozen' ORDER BY frozen_at DESC",
  );
  return rows.map((r) => ({ terminalId: r.terminal_id, epoch: r.epoch, lastSeq: r.last_seq, reason: r.frozen_reason, frozenAt: r.frozen_at }));
}

export async function auditLog(ctx: HqContext, limit = 100, terminalId?: string): Promise<AuditRow[]> {
  const rows = await ctx.sql.query<{ terminal_id: string; at: number; action: string; code: string; message: string }>(
    `SELECT terminal_id, at, action, code, message FROM audit WHERE ($2::text IS NULL OR terminal_id = $2) ORDER BY at DESC, audit_id DESC LIMIT $1`,
    [limit, terminalId ?? null],
  );
  return rows.map((r) => ({ terminalId: r.terminal_id, at: r.at, action: r.action, code: r.code, message: r.message }));
}

/**
 * What the audit table holds besides refusals: answered card lookups, codes
 * issued, terminals replaced or revoked, anomalies handled. The fleet's
 * refusal log leaves them out; lookups are counted apart (lookupCounts).
 */
const NOT_REFUSALS: ReadonlyArray<readonly [string, string]> = [
  [LOOKUP_ACTION, 'found'],
  [LOOKUP_ACTION, 'not_found'],
  ['enrol_code', 'code'],
  ['enrol_code', 'replace_code'],
  ['enrol', 'replaced'],
  ['revoke', 'revoked'],
  [ANOMALY_HANDLED.action, ANOMALY_HANDLED.code],
  ...RELEASE_AUDITS,
];

/** The latest refusals HQ audited (newest first): nothing that was answered. */
export async function refusalLog(ctx: HqContext, limit = 50): Promise<AuditRow[]> {
  const rows = await ctx.sql.query<{ terminal_id: string; at: number; action: string; code: string; message: string }>(
    `SELECT terminal_id, at, action, code, message FROM audit
     WHERE (action, code) NOT IN (SELECT * FROM unnest($2::text[], $3::text[]))
     ORDER BY at DESC, audit_id DESC LIMIT $1`,
    [limit, NOT_REFUSALS.map((p) => p[0]), NOT_REFUSALS.map((p) => p[1])],
  );
  return rows.map((r) => ({ terminalId: r.terminal_id, at: r.at, action: r.action, code: r.code, message: r.message }));
}

export const LOOKUP_WINDOW_MS = 24 * 3_600_000;

export interface LookupCounts {
  sinceMs: number;
  byTerminal: Array<{ terminalId: string; found: number; notFound: number }>;
}

/** Card lookups HQ answered per terminal over the last day: a counter, not log lines. */
export async function lookupCounts(ctx: HqContext): Promise<LookupCounts> {
  const since = ctx.clock.now() - LOOKUP_WINDOW_MS;
  const rows = await ctx.sql.query<{ terminal_id: string; found: number; not_found: number }>(
    `SELECT terminal_id, count(*) FILTER (WHERE code = 'found')::int AS found, count(*) FILTER (WHERE code = 'not_found')::int AS not_found
     FROM audit WHERE action = $1 AND code IN ('found', 'not_found') AND at > $2 GROUP BY terminal_id ORDER BY terminal_id`,
    [LOOKUP_ACTION, since],
  );
  return { sinceMs: since, byTerminal: rows.map((r) => ({ terminalId: r.terminal_id, found: r.found, notFound: r.not_found })) };
}

/** GET /v1/fleet: everything the console's fleet view shows. */
export async function fleetOverview(ctx: HqContext) {
  return {
    terminals: await listTerminals(ctx),
    frozenStreams: await frozenStreams(ctx),
    /** Requests refused before HQ knew who sent them, counted per minute (request-guard.ts). */
    refusals: ctx.guard.refusals(),
    recentRefusals: await refusalLog(ctx),
    lookups: await lookupCounts(ctx),
    /** Each terminal's last update report (updates/status.ts): version, build, state, progress, last error. */
    updates: await updateStatuses(ctx),
  };
}

export interface StreamVerification {
  epoch: number;
  entries: number;
  lastSeq: number;
  problems: string[];
}

/** Re-verifies a terminal's streams at HQ: gapless seq, links from the genesis, every hash, the cursor. */
export async function verifyTerminal(ctx: HqContext, terminalId: string): Promise<{ ok: boolean; streams: StreamVerification[] }> {
  const streams = await ctx.sql.query<{ epoch: number; genesis_hash: string; last_seq: number; last_hash: string }>(
    'SELECT epoch, genesis_hash, last_seq, last_hash FROM terminal_stream WHERE terminal_id = $1 ORDER BY epoch',
    [terminalId],
  );
  const result: StreamVerification[] = [];
  for (const s of streams) {
    const problems: string[] = [];
    let prev = s.genesis_hash;
    let expected = 1;
    const CHUNK = 1000;
    for (;;) {
      const rows = await ctx.sql.query<{ seq: number; entry: WireEntry; prev_hash: string; entry_hash: string }>(
        'SELECT seq, entry, prev_hash, entry_hash FROM journal_entry WHERE terminal_id = $1 AND epoch = $2 AND seq >= $3 ORDER BY seq LIMIT $4',
        [terminalId, s.epoch, expected, CHUNK],
      );
      for (const r of rows) {
        if (r.seq !== expected) problems.push(`seq ${expected} missing (next is ${r.seq})`);
        if (r.prev_hash !== prev) problems.push(`seq ${r.seq}: prev_hash does not link`);
        let recomputed = '';
        try {
          recomputed = entryHash(toEntry(r.entry), r.prev_hash);
        } catch (error) {
          problems.push(`seq ${r.seq}: ${(error as Error).message}`);
        }
        if (recomputed !== r.entry_hash || r.entry.entry_hash !== r.entry_hash) problems.push(`seq ${r.seq}: hash does not match content`);
        prev = r.entry_hash;
        expected = r.seq + 1;
      }
      if (rows.length < CHUNK) break;
    }
    if (expected - 1 !== s.last_seq) problems.push(`cursor at ${s.last_seq} but journal ends at ${expected - 1}`);
    else if (prev !== s.last_hash) problems.push('cursor hash is not the last entry hash');
    result.push({ epoch: s.epoch, entries: expected - 1, lastSeq: s.last_seq, problems });
  }
  return { ok: result.every((r) => r.problems.length === 0), streams: result };
}
