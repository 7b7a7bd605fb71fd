import type { Statement } from 'better-sqlite3';
import { AppFailure } from '../../../shared/contract';
import type { Db } from '../db/database';
import type { Clock } from '../ports';
import { Accounts } from './accounts';
import type { Monotonic } from './journal';

/**
 * Offline redemption allowance (sync-ledger.md §2.7), bounded like an EMV
 * floor limit. Earning is always allowed offline; redeeming only within
 * these limits, counted over the current offline session. Once enrolled they
 * come from the allowance HQ signed (the sync code turns it into these);
 * before enrolment, from configuration.
 */
export interface OfflineLimits {
  maxPointsPerTransaction: number;
  maxPointsPerMemberPerSession: number;
  maxPointsPerTerminalSession: number;
  /** Measured on the monotonic clock, so setting the wall clock back cannot extend it. */
  maxOfflineDurationMs: number;
  /** The HQ allowance these limits come from; absent for configured limits. */
  allowanceId?: string;
  /** Wall-clock ms after which no offline redemption is allowed at all (the allowance's expiry). */
  expiresAt?: number;
}

/** Why no offline limits apply: every offline redemption is refused, with this reason. */
export interface OfflineLimitsRefusal {
  refused: 'no_allowance' | 'invalid_allowance';
  message: string;
}

/**
 * Asked at each offline check, so a renewed allowance applies from the next
 * sale without restarting the ledger. Must be cheap and must not throw.
 */
export type OfflineLimitsProvider = () => OfflineLimits | OfflineLimitsRefusal;

export const DEFAULT_OFFLINE_LIMITS: OfflineLimits = {
  maxPointsPerTransaction: 1000,
  maxPointsPerMemberPerSession: 2000,
  maxPointsPerTerminalSession: 20_000,
  maxOfflineDurationMs: 72 * 3600_000,
};

interface PersistedSession {
  startedWall: number;
  /** Redemptions after this seq count against the session. */
  startSeq: number;
  /** Offline time already measured before the current run of the process. */
  elapsedMs: number;
}

const STATE_KEY = 'offline_session';

function refusal(limit: string, text: string): AppFailure {
  return new AppFailure('unavailable', `offline redemption refused: ${text}`, [{ path: 'redeemPoints', message: `ledger.offline.${limit}` }]);
}

/**
 * Whether this terminal is offline, and for how long. The session survives a
 * restart (it is stored); across a restart the monotonic clock starts again,
 * so the elapsed time is the larger of the stored monotonic measure plus this
 * run's, and the wall-clock span: neither a clock set back nor a power cycle
 * extends the allowance.
 */
export class OfflineSession {
  private session: PersistedSession | null;
  private monoAtLoad: number;
  private readonly s: {
    read: Statement<[string], { value: string }>;
    write: Statement<[string, string]>;
    remove: Statement<[string]>;
    used: Statement<[string, number, number, string], { points: number | null }>;
    usedBy: Statement<[string, number, number, string, string], { points: number | null }>;
  };

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly monotonic: Monotonic,
    private readonly stream: { terminalId: string; epoch: number },
    private readonly limits: OfflineLimitsProvider,
  ) {
    // A redemption HQ held for is not spent on the allowance, even when written offline.
    const usedSql = `SELECT sum(p.delta) AS points FROM ledger_entry e
      JOIN ledger_posting p ON p.terminal_id = e.terminal_id AND p.epoch = e.epoch AND p.seq = e.seq
      WHERE e.terminal_id = ? AND e.epoch = ? AND e.seq > ? AND e.kind = 'redeem' AND e.offline = 1 AND p.account = ?
        AND json_extract(e.detail, '$.hold_id') IS NULL`;
    this.s = {
      read: db.prepare('SELECT value FROM ledger_state WHERE key = ?'),
      write: db.prepare('INSERT INTO ledger_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      remove: db.prepare('DELETE FROM ledger_state WHERE key = ?'),
      used: db.prepare(usedSql),
      usedBy: db.prepare(`${usedSql} AND e.member_id = ?`),
    };
    const stored = this.s.read.get(STATE_KEY);
    this.session = stored ? (JSON.parse(stored.value) as PersistedSession) : null;
    this.monoAtLoad = monotonic.now();
  }

  isOffline(): boolean {
    return this.session !== null;
  }

  /** Going offline opens a session at the current head; coming back online closes it. */
  setOffline(offline: boolean, headSeq: number): void {
    if (offline && !this.session) {
      this.session = { startedWall: this.clock.now(), startSeq: headSeq, elapsedMs: 0 };
      this.monoAtLoad = this.monotonic.now();
      this.persist();
    } else if (!offline && this.session) {
      this.session = null;
      this.s.remove.run(STATE_KEY);
    }
  }

  elapsedMs(): number {
    if (!this.session) return 0;
    const mono = this.session.elapsedMs + (this.monotonic.now() - this.monoAtLoad);
    const wall = this.clock.now() - this.session.startedWall;
    return Math.max(mono, wall, 0);
  }

  usage(memberId: string): { member: number; terminal: number } {
    if (!this.session) return { member: 0, terminal: 0 };
    const { terminalId, epoch } = this.stream;
    return {
      member: this.s.usedBy.get(terminalId, epoch, this.session.startSeq, Accounts.redemption, memberId)?.points ?? 0,
      terminal: this.s.used.get(terminalId, epoch, this.session.startSeq, Accounts.redemption)?.points ?? 0,
    };
  }

  /** Why no offline redemption is possible at all right now, whatever the amount, or null. */
  private blocked(limits: OfflineLimits): { limit: string; text: string } | null {
    if (limits.expiresAt !== undefined && this.clock.now() >= limits.expiresAt) {
      const which = limits.allowanceId ? ` ${limits.allowanceId}` : '';
      return { limit: 'allowance_expired', text: `the HQ offline allowance${which} expired at ${new Date(limits.expiresAt).toISOString()}` };
    }
    if (this.elapsedMs() > limits.maxOfflineDurationMs) return { limit: 'duration', text: 'offline for too long' };
    return null;
  }

  /** The most a member may redeem now (Infinity online). */
  allowance(memberId: string): number {
    if (!this.session) return Number.POSITIVE_INFINITY;
    const limits = this.limits();
    if ('refused' in limits || this.blocked(limits)) return 0;
    const used = this.usage(memberId);
    return Math.max(
      0,
      Math.min(
        limits.maxPointsPerTransaction,
        limits.maxPointsPerMemberPerSession - used.member,
        limits.maxPointsPerTerminalSession - used.terminal,
      ),
    );
  }

  /** Refuses an offline redemption outside the limits, naming the limit. */
  check(memberId: string, points: number): void {
    if (!this.session || points === 0) return;
    const limits = this.limits();
    if ('refused' in limits) throw refusal(limits.refused, limits.message);
    const blocked = this.blocked(limits);
    if (blocked) throw refusal(blocked.limit, blocked.text);
    if (points > limits.maxPointsPerTransaction) throw refusal('per_transaction', `more than ${limits.maxPointsPerTransaction} points in one sale`);
    const used = this.usage(memberId);
    if (used.member + points > limits.maxPointsPerMemberPerSession) throw refusal('per_member', 'this customer reached the offline limit');
    if (used.terminal + points > limits.maxPointsPerTerminalSession) throw refusal('per_terminal', 'this terminal reached the offline limit');
  }

  /** The allowance an offline redemption is made under, for its journal entry (null online or under configured limits). */
  allowanceId(): string | null {
    if (!this.session) return null;
    const limits = this.limits();
    return 'refused' in limits ? null : (limits.allowanceId ?? null);
  }

  /** Stores the time measured so far; called in the transaction of each offline redemption. */
  checkpoint(): void {
    if (!this.session) return;
    const now = this.monotonic.now();
    this.session = { ...this.session, elapsedMs: this.session.elapsedMs + (now - this.monoAtLoad) };
    this.monoAtLoad = now;
    this.persist();
  }

  private persist(): void {
    this.s.write.run(STATE_KEY, JSON.stringify(this.session));
  }
}
