import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Accounts } from '../../main/core/ledger/accounts';
import { HqError, type HqContext } from '../context';
import { principalOf, type Guards } from '../staff/http-guard';
import { PRIVACY_ACTIONS, readPrivacyAudit, recordPrivacyAudit } from './audit';
import { eraseMember, erasurePreview, erasureReceipt, isErased } from './erasure';

/**
 * HQ access to one member's data (issue 17 item 6): customer service only
 * (the `member` permission, held by the `service` role alone; the operator
 * token opens none of it), and every view and erasure written to the privacy
 * audit log with who did it, under the member's request id when the caller
 * gives one (`?request=` on a read, `requestId` in a body), so the customer's
 * request can be traced from the first look to the receipt.
 *
 *   GET  /v1/privacy/cards/:card               the card's holder (an id), audited as a view
 *   GET  /v1/privacy/members/:id               identity, contact, cards, consents, points
 *   GET  /v1/privacy/members/:id/erasure       what erasing would forfeit, before confirming
 *   POST /v1/privacy/members/:id/erase         { cardNumber, confirmedForfeit, requestId? }
 *   GET  /v1/privacy/receipts/:id              an erasure's receipt (no personal data)
 *   GET  /v1/privacy/audit?member=&request=&action=&limit=
 */
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const CARD = /^\d{6,32}$/;

function actorOf(request: FastifyRequest): { actor: string; role: string } {
  const p = principalOf(request);
  return p.kind === 'staff' ? { actor: p.session.username, role: p.session.role } : { actor: 'operator', role: 'operator' };
}

function requestIdOf(raw: unknown): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (typeof raw !== 'string' || !REQUEST_ID.test(raw)) throw new HqError('malformed', 400, 'a request id is 1 to 64 letters, digits or . _ : -');
  return raw;
}

function refusal(reply: FastifyReply, error: unknown) {
  if (!(error instanceof HqError)) throw error;
  return reply.code(error.status).send({ error: { code: error.code, message: error.message } });
}

/** One member as customer service sees them, or null. */
async function memberFile(ctx: HqContext, memberId: string) {
  const rows = await ctx.sql.query<{ record: Record<string, unknown> | null }>('SELECT record FROM member WHERE customer_id = $1', [memberId]);
  if (!rows[0]) return null;
  const consents = await ctx.sql.query<{ purpose: string; granted: boolean; wording_version: string; recorded_at: number; source: string; terminal_id: string }>(
    'SELECT purpose, granted, wording_version, recorded_at, source, terminal_id FROM member_consent WHERE customer_id = $1 ORDER BY recorded_at, purpose',
    [memberId],
  );
  const points = await ctx.sql.query<{ balance: number }>('SELECT balance FROM account_balance WHERE customer_id = $1 AND account = $2', [memberId, Accounts.points(memberId)]);
  const erasure = await ctx.sql.query<{ receipt_id: string; erased_at: number; cause: string }>('SELECT receipt_id, erased_at, cause FROM member_erasure WHERE customer_id = $1', [
    memberId,
  ]);
  return {
    memberId,
    record: rows[0].record,
    consents: consents.map((c) => ({ purpose: c.purpose, granted: c.granted, wordingVersion: c.wording_version, recordedAt: Number(c.recorded_at), source: c.source, terminalId: c.terminal_id })),
    points: Number(points[0]?.balance ?? 0),
    erased: erasure[0] ? { receiptId: erasure[0].receipt_id, erasedAt: Number(erasure[0].erased_at), cause: erasure[0].cause } : null,
  };
}

export function registerPrivacyRoutes(app: FastifyInstance, ctx: HqContext, staff: Guards): void {
  const service = { onRequest: staff.api('member') };

  app.get('/v1/privacy/cards/:card', service, async (request, reply) => {
    try {
      const card = (request.params as { card: string }).card;
      if (!CARD.test(card)) throw new HqError('malformed', 400, 'a card number is digits');
      const requestId = requestIdOf((request.query as Record<string, unknown>).request);
      const rows = await ctx.sql.query<{ customer_id: string }>('SELECT customer_id FROM member_card WHERE card_number = $1', [card]);
      if (!rows[0]) throw new HqError('not_found', 404, 'no customer holds this card');
      await recordPrivacyAudit(ctx, ctx.sql, { customerId: rows[0].customer_id, ...actorPair(request), action: 'view', requestId, detail: { what: 'card' } });
      return { memberId: rows[0].customer_id };
    } catch (error) {
      return refusal(reply, error);
    }
  });

  app.get('/v1/privacy/members/:id', service, async (request, reply) => {
    try {
      const memberId = (request.params as { id: string }).id;
      const requestId = requestIdOf((request.query as Record<string, unknown>).request);
      const file = await memberFile(ctx, memberId);
      if (!file) throw new HqError('not_found', 404, 'no member with this id');
      await recordPrivacyAudit(ctx, ctx.sql, { customerId: memberId, ...actorPair(request), action: 'view', requestId, detail: { what: 'member' } });
      return file;
    } catch (error) {
      return refusal(reply, error);
    }
  });

  app.get('/v1/privacy/members/:id/erasure', service, async (request, reply) => {
    try {
      const memberId = (request.params as { id: string }).id;
      const requestId = requestIdOf((request.query as Record<string, unknown>).request);
      const preview = await erasurePreview(ctx, memberId);
      await recordPrivacyAudit(ctx, ctx.sql, { customerId: memberId, ...actorPair(request), action: 'view', requestId, detail: { what: 'erasure_preview', points: preview.pointsForfeited } });
      return preview;
    } catch (error) {
      return refusal(reply, error);
    }
  });

  app.post('/v1/privacy/members/:id/erase', service, async (request, reply) => {
    try {
      const memberId = (request.params as { id: string }).id;
      const body = (request.body ?? {}) as { cardNumber?: unknown; confirmedForfeit?: unknown; requestId?: unknown };
      if (typeof body.cardNumber !== 'string' || !CARD.test(body.cardNumber)) throw new HqError('malformed', 400, 'cardNumber: the card the customer showed is required');
      if (typeof body.confirmedForfeit !== 'number') throw new HqError('malformed', 400, 'confirmedForfeit: the points the customer was shown are required');
      const by = actorOf(request);
      return await eraseMember(ctx, {
        memberId,
        cardNumber: body.cardNumber,
        confirmedForfeit: body.confirmedForfeit,
        cause: 'request',
        channel: 'customer-service',
        by,
        requestId: requestIdOf(body.requestId),
      });
    } catch (error) {
      return refusal(reply, error);
    }
  });

  app.get('/v1/privacy/receipts/:id', service, async (request, reply) => {
    const receipt = await erasureReceipt(ctx, (request.params as { id: string }).id);
    if (!receipt) return reply.code(404).send({ error: { code: 'not_found', message: 'no erasure receipt with this id' } });
    return receipt;
  });

  app.get('/v1/privacy/audit', service, async (request, reply) => {
    try {
      const q = request.query as Record<string, unknown>;
      const member = typeof q.member === 'string' && q.member !== '' ? q.member : null;
      if (q.action !== undefined && q.action !== '' && !(PRIVACY_ACTIONS as readonly unknown[]).includes(q.action)) {
        throw new HqError('malformed', 400, `action is one of ${PRIVACY_ACTIONS.join(', ')}`);
      }
      const limit = q.limit === undefined ? 200 : Number(q.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new HqError('malformed', 400, 'limit is 1 to 1000');
      return {
        entries: await readPrivacyAudit(ctx, { customerId: member, requestId: requestIdOf(q.request), action: (q.action as string | undefined) || null, limit }),
        erased: member === null ? null : await isErased(ctx.sql, member),
      };
    } catch (error) {
      return refusal(reply, error);
    }
  });
}

function actorPair(request: FastifyRequest): { actor: string; actorRole: string } {
  const { actor, role } = actorOf(request);
  return { actor, actorRole: role };
}
