import { z } from 'zod';
import {
  AppFailure,
  IncidentOutcomeView,
  IncidentRecordInput,
  IncidentResolveInput,
  IncidentUpdateInput,
  MemberId,
  RelationshipView,
} from '../../shared/contract';
import { route, WRITE_ERRORS, type Route, type TillCore } from './routes';

export const RelationshipParams = z.strictObject({ memberId: MemberId });

/**
 * Customers' incidents through the till API (docs/relationship.md): the same
 * core methods as the cashier screen, idempotent by the Idempotency-Key every
 * write carries (the stored answer commits with the incident).
 */
export function incidentRoutes(core: Pick<TillCore, 'ledger'>): Route[] {
  return [
    route({
      method: 'POST',
      path: '/v1/incidents',
      operationId: 'recordIncident',
      summary: "Record a customer's incident: a member (or none, with the receipt), a kind, a severity 1–5, an optional short note kept off the journal.",
      auth: true,
      body: IncidentRecordInput,
      response: IncidentOutcomeView,
      errors: [...WRITE_ERRORS, 404, 503],
      atomic: true,
      run: ({ raw, tillId }) => {
        const body = raw as Record<string, unknown>;
        // The receipt it concerns is this till's, unless it says which (and then it must be this one).
        if (body.tillId != null && body.tillId !== tillId) throw new AppFailure('forbidden', "this is another till's receipt", [{ path: 'tillId', message: 'till.other_till' }]);
        return core.ledger.incidents.record({ channel: 'till_api', ...body, tillId: body.receipt == null ? null : tillId });
      },
    }),
    route({
      method: 'POST',
      path: '/v1/incidents/update',
      operationId: 'updateIncident',
      summary: 'Re-qualify an open incident (kind, severity) or add a note.',
      auth: true,
      body: IncidentUpdateInput,
      response: IncidentOutcomeView,
      errors: [...WRITE_ERRORS, 404, 503],
      atomic: true,
      run: ({ raw }) => core.ledger.incidents.update(raw),
    }),
    route({
      method: 'POST',
      path: '/v1/incidents/resolve',
      operationId: 'resolveIncident',
      summary:
        "Resolve an incident with its outcome and gesture (points credited at once, a voucher, a refund reference, an apology). Above the cashier's limit a manager's PIN; never past the store's goodwill budget.",
      auth: true,
      body: IncidentResolveInput,
      response: IncidentOutcomeView,
      errors: [...WRITE_ERRORS, 404, 422, 503],
      atomic: true,
      run: ({ raw }) => core.ledger.incidents.resolve(raw),
    }),
    route({
      method: 'GET',
      path: '/v1/members/{memberId}/relationship',
      operationId: 'memberRelationship',
      summary: "A member's relationship health (state, one-line reason, suggested gesture), open incidents from every store, and the goodwill budget left.",
      auth: true,
      params: RelationshipParams,
      response: RelationshipView,
      errors: [400, 401, 404, 500],
      atomic: false,
      run: ({ params }) => core.ledger.incidents.relationship(params.memberId!),
    }),
  ];
}
