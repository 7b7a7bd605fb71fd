import { readFileSync } from 'node:fs';
import type { HqContext } from '../context';
import { viaServer, type RunningServer } from '../staff/operator-client';
import { tierSummary, type TierRunResult } from './ranking';
import { parseTierPolicy, tierScheduler } from './tier-scheduler';

type Direct = <T>(fn: (ctx: HqContext) => Promise<T>) => Promise<T>;
type Option = (args: string[], name: string) => string | undefined;

export const TIERS_USAGE = 'usage: hq tiers rank [--policy FILE] | tiers summary   (tiers by rank, src/hq/programme)';

/**
 *   npm run hq -- tiers rank [--policy FILE]   the nightly ranking now (HQ's tier-policy.json, or FILE, validated first)
 *   npm run hq -- tiers summary                the last ranking's members per tier
 * Through the running HQ when there is one, else on its database. Null: not a tiers command.
 */
export async function runTiersCommand(args: string[], option: Option, server: RunningServer | null, direct: Direct): Promise<number | null> {
  const sub = args[0];
  if (sub === 'rank') {
    const file = option(args, 'policy');
    // A bad file is refused here with every problem, before HQ is reached.
    const policy = file === undefined ? undefined : parseTierPolicy(readFileSync(file, 'utf8'), file);
    const run = (server
      ? ((await viaServer(server, 'POST', '/v1/admin/tiers/rank', policy === undefined ? {} : { policy })) as { run: unknown }).run
      : await direct((ctx) => tierScheduler(ctx).run('manual', policy))) as TierRunResult;
    const counts = run.counts.map((c) => `${c.tier} ${c.members}${c.heldByMargin ? ` (dont ${c.heldByMargin} maintenus par la marge)` : ''}`).join(', ');
    console.log(`paliers au ${run.asOf} : ${run.members} membres classés${run.firstRun ? ' (premier classement)' : ''} — ${counts}, en ${run.ms} ms`);
    console.log(JSON.stringify(run));
    return 0;
  }
  if (sub === 'summary') {
    const latest = server
      ? ((await viaServer(server, 'GET', '/v1/tiers/summary')) as { latest: Awaited<ReturnType<typeof tierSummary>> }).latest
      : await direct((ctx) => tierSummary(ctx.sql));
    if (!latest) {
      console.log('aucun classement encore : `npm run hq -- tiers rank`');
      return 0;
    }
    console.log(`classement n° ${latest.runNo} au ${latest.asOf} : ${latest.members} membres`);
    for (const t of latest.tiers) console.log(`${t.tier}\t${t.members}\t${(t.share * 100).toFixed(1)} %\tmaintenus ${t.heldByMargin}\tarrivés ${t.movedIn}`);
    return 0;
  }
  return null;
}
