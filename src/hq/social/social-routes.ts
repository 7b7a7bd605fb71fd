import type { FastifyInstance } from 'fastify';
import type { HqContext } from '../context';
import type { Guards } from '../staff/http-guard';
import { listCauses, saveCause } from './causes';
import { referralSummary } from './referrals';

/**
 * Causes and referrals for the console (issue 16 items 1 and 4): the causes
 * with their chain-wide totals and the referrals by status, for marketing
 * and admins (`aggregates`) or the operator token; a cause created, edited,
 * opened or closed by marketing (`programme`). No member is named.
 */
export function registerSocialRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  app.get('/v1/social', { onRequest: staff.api('aggregates', { operator: true }) }, async () => ({
    hqTime: ctx.clock.now(),
    causes: await listCauses(ctx),
    referrals: await referralSummary(ctx.sql),
  }));
  app.post('/v1/admin/causes', { onRequest: staff.api('programme', { operator: true }) }, async (request, reply) => {
    const saved = await saveCause(ctx, request.body);
    if (!saved.ok) return reply.code(400).send({ error: { code: 'malformed', message: `cause refused: ${saved.problems.join('; ')}`, problems: saved.problems } });
    return { cause: saved.cause };
  });
}
