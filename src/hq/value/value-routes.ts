import type { FastifyInstance, FastifyReply } from 'fastify';
import { HqError, type HqContext } from '../context';
import type { Guards } from '../staff/http-guard';
import { SEGMENTS, type Segment } from '../../shared/value/value-config';
import { memberScore, memberScores, valueOverview, valueRuns } from './member-scores';
import type { ValueScheduler } from './value-scheduler';

const STORE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

function intParam(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new HqError('malformed', 400, `${name} must be a whole number from 0 to ${max}`);
  return n;
}

/** A signed-in person's bad query: answered with its message, not counted against the address. */
function staffRefusal(reply: FastifyReply, error: unknown) {
  if (!(error instanceof HqError)) throw error;
  return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
}

/**
 * Customer value over HTTP (docs/value.md, « API »): aggregates for marketing,
 * per-member scores for customer service (personal data), and the on-demand
 * run for marketing or the operator token (POST: CSRF token for staff).
 */
export function registerValueRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards, scheduler: ValueScheduler): void {
  const sql = () => ctx.sql;
  app.get('/v1/value/overview', { onRequest: staff.api('aggregates', { operator: true }) }, async () => valueOverview(sql()));
  app.get('/v1/value/runs', { onRequest: staff.api('aggregates', { operator: true }) }, async (request, reply) => {
    try {
      return { runs: await valueRuns(sql(), intParam((request.query as Record<string, unknown>).limit, 'limit', 30, 500)) };
    } catch (error) {
      return staffRefusal(reply, error);
    }
  });
  app.get('/v1/value/members', { onRequest: staff.api('member', { operator: true }) }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    try {
      if (q.segment !== undefined && !(SEGMENTS as readonly unknown[]).includes(q.segment)) throw new HqError('malformed', 400, `segment must be one of ${SEGMENTS.join(', ')}`);
      if (q.store !== undefined && (typeof q.store !== 'string' || !STORE_ID.test(q.store))) throw new HqError('malformed', 400, 'store is a store id');
      return await memberScores(sql(), {
        segment: q.segment as Segment | undefined,
        storeId: q.store as string | undefined,
        limit: intParam(q.limit, 'limit', 100, 1000),
        offset: intParam(q.offset, 'offset', 0, 10_000_000),
      });
    } catch (error) {
      return staffRefusal(reply, error);
    }
  });
  app.get('/v1/value/members/:id', { onRequest: staff.api('member', { operator: true }) }, async (request, reply) => {
    const score = await memberScore(sql(), (request.params as { id: string }).id);
    if (!score) return reply.code(404).send({ error: { code: 'not_found', message: 'no score for this member (no run yet, no visit, or no profiling consent)' } });
    return score;
  });
  app.post('/v1/admin/value/nightly', { onRequest: staff.api('programme', { operator: true }) }, async () => ({ run: await scheduler.run('manual') }));
}
