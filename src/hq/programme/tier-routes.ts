import type { FastifyInstance } from 'fastify';
import type { HqContext } from '../context';
import type { Guards } from '../staff/http-guard';
import { tierSummary } from './ranking';

/**
 * Tiers for the console: the last ranking's counts per tier (no one's name),
 * for marketing and admins (the `aggregates` permission) or the operator token.
 */
export function registerTierRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  app.get('/v1/tiers/summary', { onRequest: staff.api('aggregates', { operator: true }) }, async () => ({ latest: await tierSummary(ctx.sql) }));
}
