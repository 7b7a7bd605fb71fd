import type { FastifyInstance } from 'fastify';
import type { HqContext } from '../context';
import type { Guards } from '../staff/http-guard';
import { validateTierPolicy } from '../../shared/programme/tiers';
import { tierSummary } from './ranking';
import type { TierScheduler } from './tier-scheduler';

/**
 * Tiers for the console: the last ranking's counts per tier (no one's name),
 * for marketing and admins (the `aggregates` permission) or the operator token;
 * a ranking now for marketing (`programme`) or the operator token (the CLI),
 * with HQ's policy or one given in the body, refused with every problem.
 */
export function registerTierRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards, scheduler: TierScheduler): void {
  app.get('/v1/tiers/summary', { onRequest: staff.api('aggregates', { operator: true }) }, async () => ({ latest: await tierSummary(ctx.sql) }));
  app.post('/v1/admin/tiers/rank', { onRequest: staff.api('programme', { operator: true }) }, async (request, reply) => {
    const body = request.body as { policy?: unknown } | undefined;
    if (body?.policy === undefined) return { run: await scheduler.run('manual') };
    const check = validateTierPolicy(body.policy);
    if (!check.ok) return reply.code(400).send({ error: { code: 'malformed', message: `tier policy refused: ${check.problems.join('; ')}`, problems: check.problems } });
    return { run: await scheduler.run('manual', check.policy) };
  });
}
