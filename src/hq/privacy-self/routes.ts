import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PRIVACY_EXPORT_PATH, PRIVACY_NOTICE_PATH, PrivacySelfRequest, type PrivacySelfOp } from '../../shared/contract/privacy-self';
import { signingPayload } from '../../shared/sync/protocol';
import { authenticateTerminal, type TerminalRow } from '../auth';
import { HqError, type HqContext } from '../context';
import { recordPrivacyAudit } from '../privacy/audit';
import { localeOf } from '../staff/text';
import { PrivacySelfError, requestIdOf, selfActor, sessionMember, startChallenge, verifyChallenge } from './challenge';
import { eraseSelf } from './erase';
import { createExportLink, openExport } from './export';
import { memberData } from './member-data';
import { noticeHtml, refusedExportHtml } from './notice-page';
import { rectifyMember } from './rectify';

export const PRIVACY_SELF_ACTION = 'privacy_self';
const PAGE_HEADERS = { 'cache-control': 'no-store', 'x-robots-tag': 'noindex, nofollow', 'referrer-policy': 'no-referrer' };

/** A member a store's terminal may ask a code for: one HQ links to that store (its own enrolments, its lookups). */
async function linkedToStore(ctx: HqContext, customerId: string, storeId: string): Promise<boolean> {
  const rows = await ctx.sql.query('SELECT 1 FROM member_store WHERE customer_id = $1 AND store_id = $2', [customerId, storeId]);
  return rows.length > 0;
}

async function answer(ctx: HqContext, terminal: TerminalRow, op: PrivacySelfOp): Promise<unknown> {
  switch (op.op) {
    case 'challenge': {
      if (!(await linkedToStore(ctx, op.memberId, terminal.store_id))) {
        throw new PrivacySelfError('unknown_member', 404, 'this store holds no such member');
      }
      return startChallenge(ctx, terminal.terminal_id, op.memberId, op.channel);
    }
    case 'verify': {
      const { session, expiresAt } = await verifyChallenge(ctx, terminal.terminal_id, op.challengeId, op.code);
      return { session, expiresAt };
    }
    case 'view': {
      const customerId = await sessionMember(ctx, terminal.terminal_id, op.session);
      const data = await memberData(ctx, customerId);
      await recordPrivacyAudit(ctx, ctx.sql, { customerId, ...selfActor(terminal.terminal_id), action: 'view', requestId: requestIdOf(op.session), detail: { what: 'self-service' } });
      return data;
    }
    case 'rectify': {
      const customerId = await sessionMember(ctx, terminal.terminal_id, op.session);
      await rectifyMember(ctx, terminal.terminal_id, customerId, op, requestIdOf(op.session));
      return { ok: true };
    }
    case 'export': {
      const customerId = await sessionMember(ctx, terminal.terminal_id, op.session);
      return createExportLink(ctx, terminal.terminal_id, customerId, requestIdOf(op.session));
    }
    case 'erase': {
      const customerId = await sessionMember(ctx, terminal.terminal_id, op.session);
      const { cardNumber, confirmedForfeit } = op;
      return eraseSelf(ctx, { customerId, terminalId: terminal.terminal_id, requestId: requestIdOf(op.session), cardNumber, confirmedForfeit });
    }
  }
}

function refusal(reply: FastifyReply, error: PrivacySelfError | HqError): FastifyReply {
  const detail = error instanceof PrivacySelfError ? error.detail : {};
  return reply.code(error.status).send({ error: { code: error.code, message: error.message, ...detail } });
}

/**
 * Self-service privacy at HQ (issue 17 items 2 and 7):
 *   POST /v1/privacy/self         PrivacySelfRequest (signed by an enrolled terminal) → the op's answer
 *   GET  /privacy/export/<token>  the member's archive, once, for a short time (public: the token is the key)
 *   GET  /privacy                 the full privacy notice (public)
 */
export function registerPrivacySelfRoutes(app: FastifyInstance, ctx: HqContext): void {
  app.post('/v1/privacy/self', async (request: FastifyRequest, reply: FastifyReply) => {
    const wait = ctx.guard.blockedFor(request.ip, 'unauthenticated');
    if (wait > 0) return reply.code(429).header('retry-after', String(Math.ceil(wait / 1000))).send({ error: { code: 'too_many_failures', message: 'try again later' } });
    const parsed = PrivacySelfRequest.safeParse(request.body);
    if (!parsed.success) {
      ctx.guard.refused(PRIVACY_SELF_ACTION, 'malformed', request.ip, 'unauthenticated');
      return reply.code(400).send({ error: { code: 'malformed', message: `invalid privacy request: ${parsed.error.issues[0]?.message ?? ''}` } });
    }
    try {
      const terminal = await authenticateTerminal(ctx, PRIVACY_SELF_ACTION, parsed.data, signingPayload(parsed.data));
      return await answer(ctx, terminal, parsed.data.request);
    } catch (error) {
      if (error instanceof HqError) {
        if (error.status === 401) ctx.guard.refused(PRIVACY_SELF_ACTION, error.code, request.ip, 'unauthenticated');
        return error.hqTime === null ? refusal(reply, error) : reply.code(error.status).send({ error: { code: error.code, message: error.message, hqTime: error.hqTime } });
      }
      if (error instanceof PrivacySelfError) return refusal(reply, error);
      throw error;
    }
  });

  app.get(`${PRIVACY_EXPORT_PATH}:token`, async (request, reply) => {
    const locale = localeOf(request.query);
    if (ctx.guard.blockedFor(request.ip, 'unauthenticated') > 0) {
      return reply.code(429).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(refusedExportHtml(locale, 'too_many'));
    }
    try {
      const { fileName, archive } = await openExport(ctx, (request.params as { token: string }).token);
      return reply
        .headers(PAGE_HEADERS)
        .header('content-disposition', `attachment; filename="${fileName}"`)
        .type('application/zip')
        .send(archive);
    } catch (error) {
      if (!(error instanceof PrivacySelfError)) throw error;
      // A forged token proves nothing about who sent it: it counts against the address like a bad signature.
      if (error.code === 'unknown_link') ctx.guard.refused('privacy_export', error.code, request.ip, 'unauthenticated');
      return reply.code(error.status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(refusedExportHtml(locale, error.code === 'unknown_link' ? 'unknown' : 'expired'));
    }
  });

  app.get(PRIVACY_NOTICE_PATH, async (request, reply) =>
    reply.header('cache-control', 'public, max-age=600').type('text/html; charset=utf-8').send(noticeHtml(localeOf(request.query))),
  );
}
