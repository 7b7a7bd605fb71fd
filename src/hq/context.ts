import { uuidv7 } from '../main/core/ids';
import { DEFAULT_PROGRAM } from '../shared/programme/default-programme';
import type { ProgramRules } from '../shared/programme/rules-schema';
import type { Clock, Logger, Random } from '../main/core/ports';
import type { Sql } from './db';
import type { SigningKey } from './keys';
import type { RequestGuard } from './request-guard';

export interface HqPolicy {
  enrolCodeTtlMs: number;
  /**
   * A signed request is taken only if its `sentAt` is within this of HQ's
   * clock; its nonce is remembered for twice this (request-freshness.ts).
   */
  freshnessWindowMs: number;
  /** Failed enrolments (a wrong, used or expired code…) per client address per minute before 429. */
  enrolFailuresPerMinute: number;
  /** Unauthenticated refusals (unknown terminal, bad signature, malformed) per client address per minute before 429. */
  unauthenticatedFailuresPerMinute: number;
  /** The first allowance and every renewal (sync-ledger.md §2.7). */
  allowance: {
    maxPointsPerTransaction: number;
    maxPointsPerCustomerPerSession: number;
    maxPointsTotal: number;
    maxOfflineDurationMs: number;
    validityMs: number;
    policyVersion: string;
  };
  /** Expiry stays provisional this long after a lot's date: late offline redemptions made before it still count. */
  expiryGraceMs: number;
}

export const DEFAULT_HQ_POLICY: HqPolicy = {
  enrolCodeTtlMs: 15 * 60_000,
  freshnessWindowMs: 5 * 60_000,
  enrolFailuresPerMinute: 5,
  unauthenticatedFailuresPerMinute: 30,
  allowance: {
    maxPointsPerTransaction: 1000,
    maxPointsPerCustomerPerSession: 2000,
    maxPointsTotal: 20_000,
    maxOfflineDurationMs: 72 * 3600_000,
    validityMs: 7 * 24 * 3600_000,
    policyVersion: 'hq-2026.1',
  },
  expiryGraceMs: 72 * 3600_000 + 24 * 3600_000,
};

export interface HqContext {
  sql: Sql;
  /** In-memory counts of refusals and per-address failures (request-guard.ts): nothing attacker-chosen is written. */
  guard: RequestGuard;
  key: SigningKey;
  clock: Clock;
  random: Random;
  logger: Logger;
  policy: HqPolicy;
  rules: ProgramRules;
}

export function defaultRules(): ProgramRules {
  return DEFAULT_PROGRAM;
}

export function newId(ctx: Pick<HqContext, 'clock' | 'random'>): string {
  return uuidv7(ctx.clock, ctx.random);
}

/**
 * A refusal HQ explains: `code` is the protocol's refusal code (or a route's
 * error code), `status` the HTTP status.
 */
export class HqError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly cursor: { lastSeq: number; lastHash: string } | null = null,
    /** Set on `stale` refusals: HQ's clock, so the terminal can correct its estimate and sign again. */
    readonly hqTime: number | null = null,
  ) {
    super(message);
    this.name = 'HqError';
  }
}

export interface AuditRecord {
  terminalId: string | null;
  action: string;
  code: string;
  message: string;
  detail?: Record<string, unknown>;
}

/** Every refusal leaves one of these, whatever else was (not) written. */
export async function audit(ctx: Pick<HqContext, 'clock' | 'random' | 'logger'>, sql: Sql, record: AuditRecord): Promise<void> {
  await sql.query('INSERT INTO audit (terminal_id, audit_id, at, action, code, message, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    record.terminalId ?? '',
    newId(ctx),
    ctx.clock.now(),
    record.action,
    record.code,
    record.message.slice(0, 500),
    JSON.stringify(record.detail ?? {}),
  ]);
  ctx.logger.warn('hq refusal', { terminalId: record.terminalId, action: record.action, code: record.code, message: record.message });
}

/** Takes the next pull change version; the row lock is held until commit, so versions become visible in order. */
export async function nextChangeVersion(tx: Sql): Promise<number> {
  const rows = await tx.query<{ value: number }>("UPDATE change_counter SET value = value + 1 WHERE name = 'pull' RETURNING value");
  return rows[0]!.value;
}
