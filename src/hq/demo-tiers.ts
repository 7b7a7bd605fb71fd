import type { HqContext } from './context';
import { tierScheduler } from './programme/tier-scheduler';

/**
 * The demo HQ's tiers (`npm start`, issue 14 item 9): a real HQ ranks once a
 * night; the demo ranks as soon as there is something to rank — the chain's
 * archive when it is seeded, then the kiosk's demo store once its two years of
 * sales have come up with its pushes — so a newcomer sees gold, basic and
 * occasionnel members on the first start, not the next morning. It ranks when
 * the members or the `earn` entries grew by a twentieth since the last run,
 * then twice more, a look apart, once they stop growing: members HQ has just
 * met start in the entry tier and leave it after two runs below it
 * (hysteresis), so the shares settle at 20 / 60 / 20. A sale or two at the
 * kiosk ranks nothing: the nightly run sees them. Through HQ's one tier
 * scheduler, so never over the nightly run. The terminals get the tiers with
 * their next pull.
 */
export interface DemoTiers {
  /** One look: ranks if the chain grew, or to settle after it did; resolves with whether it ranked. */
  check(): Promise<boolean>;
  stop(): void;
}

/** Runs after the growth stops that let members new to HQ leave the entry tier (the policy's runs to drop). */
const SETTLING_RUNS = 2;
const GROWTH = 1.05;

export function startDemoTiers(ctx: HqContext, everyMs = 15_000): DemoTiers {
  let last = { members: 0, earns: 0 };
  let settling = 0;
  let stopped = false;
  const check = async (): Promise<boolean> => {
    const rows = await ctx.sql.query<{ members: string | number; earns: string | number }>(
      "SELECT (SELECT count(*) FROM member) AS members, (SELECT count(*) FROM journal_entry WHERE kind = 'earn') AS earns",
    );
    const now = { members: Number(rows[0]!.members), earns: Number(rows[0]!.earns) };
    const grew = now.members > 0 && (now.members >= last.members * GROWTH || now.earns >= last.earns * GROWTH) && (now.members !== last.members || now.earns !== last.earns);
    if (stopped || !(grew || settling > 0)) return false;
    settling = grew ? SETTLING_RUNS : settling - 1;
    if (grew) last = now;
    const run = await tierScheduler(ctx).run('manual');
    ctx.logger.info('demo tiers ranked', { members: run.members, counts: run.counts.map((c) => `${c.tier} ${c.members}`).join(', '), ms: run.ms });
    return true;
  };
  const timer =
    everyMs > 0
      ? setInterval(() => {
          void check().catch((error: unknown) => {
            if (!stopped) ctx.logger.warn('demo tier ranking failed', { error: String(error) });
          });
        }, everyMs)
      : null;
  timer?.unref();
  return {
    check,
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
