import type { FastifyInstance, FastifyReply } from 'fastify';
import { HqError, type HqContext } from '../context';
import type { Guards } from '../staff/http-guard';
import { localDay } from '../value/nightly';
import { valueScheduler } from '../value/value-scheduler';
import { CHARTS, chartCsv, dashboardStores, type ChartQuery } from './dashboard-charts';

/**
 * The dashboard's JSON API (docs/hq-api.md, « Dashboard »): GET
 * /v1/dashboard/<chart>?from=&to=&store= answers the chart's table as JSON,
 * /v1/dashboard/<chart>.csv the same table as a CSV download. Aggregates
 * only, for the roles holding `aggregates` (marketing) or the operator token.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const STORE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** Five years of months and weeks: enough for the chain's history, bounded for the server. */
const MAX_RANGE_DAYS = 5 * 366;
const DAY_MS = 86_400_000;

function dateParam(raw: unknown, name: string, fallback: string): string {
  if (raw === undefined || raw === '') return fallback;
  const m = typeof raw === 'string' ? DATE.exec(raw) : null;
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || new Date(ms).toISOString().slice(0, 10) !== raw) throw new HqError('malformed', 400, `${name} must be a calendar date YYYY-MM-DD`);
  return raw as string;
}

/** The query string of a chart, validated: a wrong one is refused with its reason. */
export function chartQuery(raw: Record<string, unknown>, today: string, timeZone: string): ChartQuery {
  const to = dateParam(raw.to, 'to', today);
  const yearBefore = new Date(Date.parse(`${to}T00:00:00Z`) - 364 * DAY_MS).toISOString().slice(0, 10);
  const from = dateParam(raw.from, 'from', yearBefore);
  if (from > to) throw new HqError('malformed', 400, `from (${from}) is after to (${to})`);
  if ((Date.parse(to) - Date.parse(from)) / DAY_MS > MAX_RANGE_DAYS) throw new HqError('malformed', 400, `the range is longer than ${MAX_RANGE_DAYS} days`);
  if (raw.store !== undefined && raw.store !== '' && (typeof raw.store !== 'string' || !STORE_ID.test(raw.store))) throw new HqError('malformed', 400, 'store is a store id (lowercase letters, digits, dashes)');
  const store = typeof raw.store === 'string' && raw.store !== '' ? raw.store : null;
  const calibrationEnd = raw.calibrationEnd === undefined || raw.calibrationEnd === '' ? null : dateParam(raw.calibrationEnd, 'calibrationEnd', '');
  return { from, to, store, calibrationEnd, timeZone };
}

function refusal(reply: FastifyReply, error: unknown) {
  if (!(error instanceof HqError)) throw error;
  return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
}

export function registerDashboardRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  const guard = { onRequest: staff.api('aggregates', { operator: true }) };
  app.get('/v1/dashboard/stores', guard, async () => dashboardStores(ctx.sql));
  for (const [chart, load] of Object.entries(CHARTS)) {
    const answer = async (query: unknown) => {
      const { timeZone } = valueScheduler(ctx).config;
      return load(ctx.sql, chartQuery((query ?? {}) as Record<string, unknown>, localDay(ctx.clock.now(), timeZone), timeZone));
    };
    app.get(`/v1/dashboard/${chart}`, guard, async (request, reply) => {
      try {
        return await answer(request.query);
      } catch (error) {
        return refusal(reply, error);
      }
    });
    app.get(`/v1/dashboard/${chart}.csv`, guard, async (request, reply) => {
      try {
        const data = await answer(request.query);
        const name = `fidele-${chart}-${data.from}-${data.to}${data.store ? `-${data.store}` : ''}.csv`;
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(chartCsv(data));
      } catch (error) {
        return refusal(reply, error);
      }
    });
  }
}
