import { z } from 'zod';
import type { Route } from './routes';
import { ErrorBody } from './schemas';
import { TILL_ANSWER_BOUND_MS } from '../core/sync/budget';

const REASONS: Record<number, string> = {
  200: 'Done.',
  400: 'bad_input: the body, a parameter or the Idempotency-Key is malformed; `issues` says which field.',
  401: 'forbidden: no token, or not a till of this terminal.',
  403: "forbidden: the request names another till than the token's.",
  404: 'not_found: no such member or sale.',
  409: 'conflict or busy: the Idempotency-Key was used for another request, the receipt was committed with another basket, the points are not available, or a customer is enrolling.',
  413: 'bad_input: the body is larger than 256 KB.',
  415: 'bad_input: the body is not application/json.',
  422: "over_limit: past one of the programme's ceilings (ticket, line or points of a sale); `issues` names it. Send `manager` with a manager's PIN to approve.",
  429: 'rate_limited: too many identify requests from this till; Retry-After says how many seconds to wait.',
  500: 'internal: a fault on the terminal; retry with the same Idempotency-Key.',
  503: 'unavailable: an offline limit refuses the redemption.',
};

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io, target: 'draft-2020-12' }) as Record<string, unknown>;
  return json;
}

/**
 * The OpenAPI 3.1 document of the till API, generated from the route table
 * and the zod schemas the server parses with: request bodies as the schemas'
 * input side (defaults are optional), responses as their output side.
 */
export function buildOpenApi(routes: readonly Route[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters: unknown[] = [];
    for (const [name, schema] of Object.entries(route.params?.shape ?? {})) {
      parameters.push({ name, in: 'path', required: true, schema: schemaOf(schema as z.ZodType, 'input') });
    }
    for (const [name, schema] of Object.entries(route.query?.shape ?? {})) {
      const s = schema as z.ZodType;
      parameters.push({ name, in: 'query', required: !s.safeParse(undefined).success, schema: schemaOf(s, 'input') });
    }
    if (route.method === 'POST') parameters.push({ $ref: '#/components/parameters/IdempotencyKey' });
    const responses: Record<string, unknown> = {
      200: { description: REASONS[200], content: { 'application/json': { schema: schemaOf(route.response, 'output') } } },
    };
    for (const status of [...new Set(route.errors)].sort()) {
      responses[status] = { description: REASONS[status] ?? 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.auth ? {} : { security: [] }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body, 'input') } } } } : {}),
      responses,
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fidèle till integration API',
      version: info.version,
      description:
        'The loyalty terminal as the cash register sees it. JSON only. Every POST needs an Idempotency-Key: a retry with the same key and body gets the first response again, byte for byte; the same key with another body is a 409. ' +
        `Every request is answered within ${TILL_ANSWER_BOUND_MS / 1000} s whatever headquarters does: past its budget for HQ, a redemption falls back to the offline allowance or is refused (503).`,
    },
    servers: [{ url: info.serverUrl }],
    security: [{ tillToken: [] }],
    paths,
    components: {
      securitySchemes: {
        tillToken: { type: 'http', scheme: 'bearer', description: 'The till token issued with `npm run till:token -- <tillId>`.' },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: true,
          description: 'Unique per write of a till (a UUID fits); reuse it only to retry the same request.',
          schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$' },
        },
      },
      schemas: { Error: schemaOf(ErrorBody, 'output') },
    },
  };
}
