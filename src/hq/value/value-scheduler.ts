import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HqContext } from '../context';
import { DEFAULT_VALUE_CONFIG, parseValueConfig, type ValueConfig } from '../../shared/value/value-config';
import { localDay, runValueNightly, type NightlyResult, type RunTrigger } from './nightly';

export const VALUE_CONFIG_FILE = 'value-config.json';

/** `value-config.json` in HQ's data folder over the defaults; a file that does not validate stops HQ with the reason. */
export function loadValueConfig(dataDir: string): ValueConfig {
  const path = join(dataDir, VALUE_CONFIG_FILE);
  if (!existsSync(path)) return DEFAULT_VALUE_CONFIG;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = parseValueConfig(raw);
  if (!parsed.ok) throw new Error(`${path} refused: ${parsed.message}`);
  return parsed.config;
}

function localTime(at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('hour')}:${get('minute')}`;
}

/**
 * The nightly run inside HQ's process, on HQ's clock: due once the store-local
 * time passes `nightlyAt` on a day without a nightly run yet (so an HQ that was
 * down at 03:00 runs when it comes back). Runs, whoever asks, one at a time.
 */
export class ValueScheduler {
  private chain: Promise<unknown> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly ctx: HqContext,
    readonly config: ValueConfig,
  ) {}

  /** Whether the nightly run is due at `now`. */
  async due(now = this.ctx.clock.now()): Promise<boolean> {
    if (localTime(now, this.config.timeZone) < this.config.nightlyAt) return false;
    const today = localDay(now, this.config.timeZone);
    const done = await this.ctx.sql.query("SELECT 1 FROM value_run WHERE trigger = 'nightly' AND as_of = $1 LIMIT 1", [today]);
    return done.length === 0;
  }

  /** Called by the timer: runs when due and nothing else is running. */
  async tick(): Promise<NightlyResult | null> {
    if (this.busy || !(await this.due())) return null;
    return this.run('nightly');
  }

  run(trigger: RunTrigger, asOf?: string): Promise<NightlyResult> {
    const next = this.chain.then(async () => {
      this.busy = true;
      try {
        return await runValueNightly(this.ctx, this.config, trigger, asOf);
      } finally {
        this.busy = false;
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Resolves once the runs asked so far are over. */
  idle(): Promise<unknown> {
    return this.chain;
  }
}

const schedulers = new WeakMap<HqContext, ValueScheduler>();

/** HQ's one scheduler: made with `config` the first time (openHq), found again by the routes and the CLI. */
export function valueScheduler(ctx: HqContext, config: ValueConfig = DEFAULT_VALUE_CONFIG): ValueScheduler {
  let scheduler = schedulers.get(ctx);
  if (!scheduler) {
    scheduler = new ValueScheduler(ctx, config);
    schedulers.set(ctx, scheduler);
  }
  return scheduler;
}
