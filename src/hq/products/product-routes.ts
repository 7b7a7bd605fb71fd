import type { FastifyInstance } from 'fastify';
import type { HqContext } from '../context';
import { principalOf, type Guards } from '../staff/http-guard';
import { describeProblems } from '../../shared/programme/products';
import { importCatalogue, listCatalogue } from './catalogue';

/** A 50,000-row catalogue is a few megabytes of CSV. */
const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * The catalogue for marketing and admins (`catalogue`) or the operator token
 * (the CLI). The file travels as JSON `{ "csv": "…" }`: HQ's staff APIs take
 * JSON only, which a page on another site cannot send without asking first.
 * A file with a bad row is refused with every problem and changes nothing.
 */
export function registerProductRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  app.get('/v1/products', { onRequest: staff.api('catalogue', { operator: true }) }, async () => ({ products: await listCatalogue(ctx.sql) }));
  app.post('/v1/products/import', { onRequest: staff.api('catalogue', { operator: true }), bodyLimit: IMPORT_BODY_LIMIT }, async (request, reply) => {
    const csv = (request.body as { csv?: unknown } | null)?.csv;
    if (typeof csv !== 'string') return reply.code(400).send({ error: { code: 'malformed', message: 'send { "csv": "<the file, UTF-8 text>" }' } });
    const p = principalOf(request);
    const outcome = await importCatalogue(ctx, csv, p.kind === 'staff' ? `staff:${p.session.username}` : 'operator-token');
    if (!outcome.ok) {
      const lines = describeProblems(outcome.problems);
      return reply.code(400).send({ error: { code: 'malformed', message: `catalogue refused, nothing imported: ${lines.slice(0, 20).join('; ')}`, problems: outcome.problems } });
    }
    return { import: outcome };
  });
}
