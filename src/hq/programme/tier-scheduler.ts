import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HqContext } from '../context';
import { localDay } from '../value/nightly';
import { valueScheduler } from '../value/value-scheduler';
import { DEFAULT_TIER_POLICY, validateTierPolicy, type TierPolicy } from '../../shared/programme/tiers';
import { runTierRanking, type TierRunResult, type TierTrigger } from './ranking';

export const TIER_POLICY_FILE = 'tier-policy.json';

/** Bad tier policy: every problem, one per line; nothing is ranked with it. */
export class TierPolicyError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} refused:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'TierPolicyError';
  }
}

/** A policy from JSON text (a file or a request), or the reasons it is refused. */
export function parseTierPolicy(text: string, source: string): TierPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TierPolicyError(source, [`not JSON: ${error instanceof Error ? error.message : String(error)}`]);
  }
  const check = validateTierPolicy(raw);
  if (!check.ok) throw new TierPolicyError(source, check.problems);
  return check.policy;
}

/**
 * Until the programme document carries the tiers (issue 14 item 1), `tier-policy.json`
 * in HQ's data folder over the default 20 / 60 / 20.
 */
export function loadTierPolicy(dataDir: string | null): TierPolicy {
  const path = dataDir === null ? null : join(dataDir, TIER_POLICY_FILE);
  if (path === null || !existsSync(path)) return DEFAULT_TIER_POLICY;
  return parseTierPolicy(readFileSync(path, 'utf8'), path);
}

/**
 * The nightly ranking on HQ's clock, after the customer-value run's hour
 * (value-config's `nightlyAt` and time zone): due once a day, caught up when HQ
 * was down at that hour. Runs, whoever asks, one at a time.
 */
export class TierScheduler {
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly ctx: HqContext,
    readonly policy: TierPolicy,
  ) {}

  private get timing() {
    return valueScheduler(this.ctx).config;
  }

  async due(now = this.ctx.clock.now()): Promise<boolean> {
    const { timeZone, nightlyAt } = this.timing;
    const time = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(now));
    if (time < nightlyAt) return false;
    const done = await this.ctx.sql.query("SELECT 1 FROM tier_run WHERE trigger = 'nightly' AND as_of = $1 LIMIT 1", [localDay(now, timeZone)]);
    return done.length === 0;
  }

  /** Called by the timer: ranks when due and no ranking is under way. */
  async tick(): Promise<TierRunResult | null> {
    return this.busy || !(await this.due()) ? null : this.run('nightly');
  }

  run(trigger: TierTrigger, policy: TierPolicy = this.policy): Promise<TierRunResult> {
    const next = this.chain.then(() => this.rank(trigger, policy));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async rank(trigger: TierTrigger, policy: TierPolicy): Promise<TierRunResult> {
    this.busy = true;
    try {
      return await runTierRanking(this.ctx, policy, { timeZone: this.timing.timeZone, trigger });
    } finally {
      this.busy = false;
    }
  }

  /** Resolves once the rankings asked so far are over. */
  idle = (): Promise<unknown> => this.chain;
}

const schedulers = new WeakMap<HqContext, TierScheduler>();

/** HQ's one tier scheduler: made with `policy` the first time, found again by the routes and the CLI. */
export function tierScheduler(ctx: HqContext, policy: TierPolicy = DEFAULT_TIER_POLICY): TierScheduler {
  const made = schedulers.get(ctx) ?? new TierScheduler(ctx, policy);
  schedulers.set(ctx, made);
  return made;
}
