import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HqContext } from '../context';
import { principalOf, type Guards } from '../staff/http-guard';
import type { DiffAnswer, ProgrammeOverview, PublishAnswer, ValidateAnswer } from '../../shared/programme/api';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../shared/programme/default-programme';
import { diffProgrammes } from '../../shared/programme/diff';
import { validateProgramme, type Problem } from '../../shared/programme/validate';
import { previewBasket, previewMember, PreviewRequest } from './preview';
import { documentInForce, programmeHistory, programmeVersion, publishProgramme } from './programme-store';

/**
 * The programme's HTTP API for the console's editor and the CLI
 * (docs/hq-api.md, « Programme »). Reading: marketing and admins (the
 * `aggregates` permission) or the operator token; validating and publishing:
 * marketing (`programme`) or the operator token. Every refusal lists every
 * problem, and a refused publication writes nothing.
 */
const refuse = (reply: FastifyReply, status: number, code: string, message: string, problems?: Problem[]) =>
  reply.code(status).send({ error: { code, message, ...(problems ? { problems } : {}) } });

const who = (request: FastifyRequest): string => {
  const p = principalOf(request);
  return p.kind === 'staff' ? `staff:${p.session.username}` : 'operator-token';
};

const bodyOf = (request: FastifyRequest): Record<string, unknown> =>
  typeof request.body === 'object' && request.body !== null && !Array.isArray(request.body) ? (request.body as Record<string, unknown>) : {};

const withoutDocument = <T extends { document: unknown; signature: string }>({ document: _d, signature: _s, ...summary }: T) => summary;

export function registerProgrammeRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  const read = { onRequest: staff.api('aggregates', { operator: true }) };
  const write = { onRequest: staff.api('programme', { operator: true }) };

  app.get('/v1/programme', read, async (): Promise<ProgrammeOverview> => {
    const now = ctx.clock.now();
    const history = await programmeHistory(ctx.sql, now);
    const current = history.find((v) => v.status === 'current') ?? null;
    return {
      hqTime: now,
      current: current === null ? null : withoutDocument(current),
      // The document in force, or the built-in default before the first publication: where the editor starts.
      document: current?.document ?? DEFAULT_PROGRAMME_DOCUMENT,
      future: history.filter((v) => v.status === 'future').reverse(),
      history: history.map(withoutDocument),
    };
  });

  app.get('/v1/programme/versions/:version', read, async (request, reply) => {
    const { version } = request.params as { version: string };
    const found = await programmeVersion(ctx.sql, version);
    return found ?? refuse(reply, 404, 'not_found', `no programme version « ${version} »`);
  });

  app.get('/v1/programme/diff', read, async (request, reply) => {
    const q = request.query as { from?: string; to?: string };
    if (typeof q.from !== 'string' || q.from === '') return refuse(reply, 400, 'malformed', 'from= a version id (or « default ») is required');
    const side = async (id: string | undefined) => {
      if (id === undefined || id === '') return documentInForce(ctx.sql, ctx.clock.now());
      if (id === 'default') return DEFAULT_PROGRAMME_DOCUMENT;
      return (await programmeVersion(ctx.sql, id))?.document ?? null;
    };
    const [before, after] = [await side(q.from), await side(q.to)];
    if (before === null || after === null) return refuse(reply, 404, 'not_found', `no programme version « ${before === null ? q.from : q.to} »`);
    const answer: DiffAnswer = { from: before.version, to: after.version, lines: diffProgrammes(before, after) };
    return answer;
  });

  app.post('/v1/programme/validate', write, async (request, reply) => {
    const body = bodyOf(request);
    if (body.document === undefined) return refuse(reply, 400, 'malformed', 'send { document, preview? }');
    const preview = PreviewRequest.safeParse(body.preview ?? {});
    if (!preview.success) return refuse(reply, 400, 'malformed', `preview: ${preview.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const check = validateProgramme(body.document);
    const inForce = await documentInForce(ctx.sql, ctx.clock.now());
    const doc = check.document;
    const answer: ValidateAnswer = {
      ok: check.ok,
      problems: check.problems,
      // Only a valid draft previews: an invalid one has no rules to compute with.
      preview:
        doc === null
          ? null
          : {
              basket: preview.data.basket ? previewBasket(doc, preview.data.basket) : null,
              member: preview.data.memberId ? await previewMember(ctx.sql, doc, preview.data.memberId) : null,
              diff: diffProgrammes(inForce, doc),
            },
    };
    return answer;
  });

  app.post('/v1/programme/publish', write, async (request, reply) => {
    const body = bodyOf(request);
    if (body.document === undefined) return refuse(reply, 400, 'malformed', 'send { document }');
    const outcome = await publishProgramme(ctx, body.document, who(request));
    if (!outcome.ok) {
      const errors = outcome.problems.filter((p) => p.severity === 'error');
      return refuse(reply, 422, 'programme_invalid', `programme refused, nothing published: ${errors.map((p) => `${p.path || '(document)'}: ${p.en}`).join('; ')}`, outcome.problems);
    }
    ctx.logger.info('programme published', { version: outcome.version.version, effectiveFrom: outcome.version.effectiveFrom, by: outcome.version.publishedBy });
    const answer: PublishAnswer = { version: withoutDocument(outcome.version), problems: outcome.problems };
    return answer;
  });
}
