import type { FastifyInstance } from 'fastify';
import type { HqContext } from '../context';
import type { Guards } from '../staff/http-guard';
import { benefitSeats } from './seats';

/**
 * Benefits for the console (issue 14 item 6): each benefit of the programme
 * in force with its seats chain-wide and per store, for marketing and admins
 * (the `aggregates` permission) or the operator token. No member is named.
 * The terminals' seat requests are a protocol route (server.ts, seats.ts).
 */
export function registerBenefitRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  app.get('/v1/benefits', { onRequest: staff.api('aggregates', { operator: true }) }, async () => ({ hqTime: ctx.clock.now(), benefits: await benefitSeats(ctx) }));
}
