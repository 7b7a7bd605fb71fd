import type { Statement } from 'better-sqlite3';
import { DEFAULT_GOODWILL, GoodwillPolicy, type GoodwillBudgetView, type Gesture } from '../../../shared/contract';
import type { Db } from '../db/database';
import { addDays, formatLocalDate, localParts } from '../ledger/local-time';
import type { Monotonic } from '../ledger/journal';
import type { ProgramRules } from '../ledger/rules';

const POLICY_TTL_MS = 1_000;

/**
 * The store's goodwill budget (docs/relationship.md): what HQ set for the
 * store (the `goodwill` key of the store bucket), else DEFAULT_GOODWILL; and
 * what this terminal granted in the current store-local period.
 */
export function periodKey(period: GoodwillPolicy['period'], at: number, timeZone: string): string {
  const local = localParts(at, timeZone);
  if (period === 'month') return `${String(local.year).padStart(4, '0')}-${String(local.month).padStart(2, '0')}`;
  if (period === 'week') return `W${formatLocalDate(addDays(local, 1 - local.weekday))}`;
  return formatLocalDate(local);
}

/** What a gesture costs the budget, in cents: points at the programme's redemption value, rounded up. */
export function gestureCents(gesture: Gesture, rules: ProgramRules): number {
  switch (gesture.type) {
    case 'none':
    case 'apology':
      return 0;
    case 'points':
      return Math.ceil((gesture.points * rules.redemption.value.cents) / rules.redemption.value.points);
    case 'voucher':
    case 'refund':
      return gesture.valueCents;
  }
}

export class GoodwillLedger {
  private readonly s: {
    policy: Statement<[], { value: string }>;
    used: Statement<[string], { cents: number }>;
    spend: Statement<[string, number]>;
  };

  private cached: { policy: GoodwillPolicy; at: number } | null = null;
  /** The last period key: every time zone's offset is whole minutes, so one UTC minute lies in one local day. */
  /** What this period has used, as last read. */
  private used: { key: string; cents: number } | null = null;
  private lastKey: { period: GoodwillPolicy['period']; timeZone: string; minute: number; key: string } | null = null;

  constructor(
    private readonly db: Db,
    private readonly monotonic: Monotonic,
  ) {
    this.s = {
      policy: db.prepare("SELECT value FROM sync_bucket_item WHERE bucket = 'store' AND key = 'goodwill'"),
      used: db.prepare('SELECT cents FROM goodwill_usage WHERE period_key = ?'),
      spend: db.prepare('INSERT INTO goodwill_usage (period_key, cents) VALUES (?, ?) ON CONFLICT (period_key) DO UPDATE SET cents = cents + excluded.cents'),
    };
  }

  /** HQ's policy for this store; a malformed one (never expected: pulls are checked and signed) falls back to the default. */
  policy(): GoodwillPolicy {
    // Read at every member lookup but changed only by a pull: a second's staleness is no one's loss.
    const now = this.monotonic.now();
    if (this.cached && now - this.cached.at < POLICY_TTL_MS) return this.cached.policy;
    const row = this.s.policy.get();
    const parsed = row ? GoodwillPolicy.safeParse(JSON.parse(row.value)) : null;
    const policy = parsed?.success ? parsed.data : DEFAULT_GOODWILL;
    this.cached = { policy, at: now };
    return policy;
  }

  budget(rules: ProgramRules, now: number): GoodwillBudgetView {
    const policy = this.policy();
    const key = this.periodKeyAt(policy.period, now, rules.timeZone);
    const used = this.usedIn(key);
    return {
      period: policy.period,
      periodKey: key,
      budgetCents: policy.budgetCents,
      usedCents: used,
      remainingCents: Math.max(0, policy.budgetCents - used),
      cashierLimitCents: policy.cashierLimitCents,
      centsPerPoint: { cents: rules.redemption.value.cents, points: rules.redemption.value.points },
    };
  }

  private periodKeyAt(period: GoodwillPolicy['period'], now: number, timeZone: string): string {
    const minute = Math.floor(now / 60_000);
    const last = this.lastKey;
    if (last && last.minute === minute && last.period === period && last.timeZone === timeZone) return last.key;
    const key = periodKey(period, now, timeZone);
    this.lastKey = { period, timeZone, minute, key };
    return key;
  }

  /** Inside the resolve's transaction. */
  spend(key: string, cents: number): void {
    // Read again after any spend: this connection is the database's only writer, and a rolled-back spend must not stay counted.
    this.used = null;
    if (cents > 0) this.s.spend.run(key, cents);
  }

  private usedIn(key: string): number {
    if (this.used?.key === key) return this.used.cents;
    const cents = this.s.used.get(key)?.cents ?? 0;
    // Only what is committed is kept: a transaction's own reads could still be rolled back.
    this.used = this.db.inTransaction ? null : { key, cents };
    return cents;
  }
}
