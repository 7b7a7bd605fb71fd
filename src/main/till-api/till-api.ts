import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppFailure, type FieldIssue } from '../../shared/contract';
import { DEFAULT_TILL_RATE_LIMITS, isLoopbackHost, type TerminalConfig, type TillApiConfig } from '../core/config/terminal-config';
import { asStorageFailure } from '../core/db/storage-errors';
import { issuesOf } from '../core/rpc/dispatch';
import type { Clock, Logger, Random } from '../core/ports';
import { discardRest, errorBody, HttpFailure, isJsonContentType, parseJson, readBody, sendJson, STATUS_OF } from './http-io';
import { IDEMPOTENCY_KEY, IDEMPOTENCY_RETENTION_MS, IdempotencyStore, requestHash } from './idempotency';
import { buildOpenApi } from './openapi';
import { TokenBuckets } from './rate-limit';
import { tillRoutes, type Route, type TillCore } from './routes';
import { DEMO_TOKEN_SHA256, TillTokens } from './tokens';

export const TILL_API_VERSION = '1.0.0';

export interface TillApiOptions {
  core: TillCore;
  config: Pick<TerminalConfig, 'locale'> & { tillApi?: TillApiConfig | undefined };
  clock: Clock;
  random: Random;
  logger: Logger;
  /** Tests shorten these; a request must arrive whole within `requestMs`. */
  timeouts?: { requestMs?: number; headersMs?: number; idleMs?: number };
}

export interface TillApi {
  readonly origin: string;
  readonly port: number;
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 3_600_000;

interface Matched {
  route: Route;
  params: Record<string, string>;
}

/** Path segments against a template; `{name}` takes one URL-decoded segment. */
function matchPath(template: readonly string[], segments: readonly string[]): Record<string, string> | null {
  if (template.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const s = segments[i]!;
    if (t.startsWith('{')) {
      if (s === '') return null;
      try {
        params[t.slice(1, -1)] = decodeURIComponent(s);
      } catch {
        return null;
      }
    } else if (t !== s) return null;
  }
  return params;
}

/**
 * The body as its stored hash covers it: without a manager's PIN, which is
 * checked and never kept (a 4-digit PIN inside a hash of a known body is
 * found in ten thousand tries). The body already passed its schema.
 */
function withoutPin(raw: unknown): unknown {
  const manager = (raw as { manager?: unknown }).manager;
  if (typeof manager !== 'object' || manager === null) return raw;
  return { ...(raw as object), manager: { id: (manager as { id: unknown }).id } };
}

function badInput(message: string, issues: FieldIssue[]): AppFailure {
  return new AppFailure('bad_input', message, issues);
}

/**
 * The till integration API: the cash-register software identifies the
 * customer, previews, commits, refunds and voids sales, and gets the lines to
 * print, over local HTTP with a per-till token. Every POST carries an
 * Idempotency-Key whose response is stored: a till that lost an answer can
 * retry and gets the same bytes. A sale or refund and its stored response
 * commit in one transaction; should they ever come apart, the ledger is
 * idempotent by receipt and refund id, so the retry still gets the same sale.
 */
export async function startTillApi(options: TillApiOptions): Promise<TillApi> {
  const { core, clock, random, logger } = options;
  const settings = options.config.tillApi;
  if (!settings) throw new Error('the terminal config has no tillApi section');
  if (!isLoopbackHost(settings.host)) {
    if (!settings.lan) throw new Error(`the till API binds to loopback unless "lan": true is configured, not ${settings.host}`);
    if (settings.tills.some((t) => t.tokenSha256 === DEMO_TOKEN_SHA256)) {
      throw new Error('the demo till token is published in the README: issue real tokens before serving the store network');
    }
  }
  const tokens = new TillTokens(settings.tills);
  const limits = settings.rateLimits ?? DEFAULT_TILL_RATE_LIMITS;
  const buckets = { identify: new TokenBuckets(limits.identify, clock) };
  // One warning a minute per till: a sweep refused thousands of times must not fill the log instead.
  const warnedAt = new Map<string, number>();
  const idempotency = new IdempotencyStore(core.db);
  const inFlight = new Set<string>();
  // Built once the port is known (the document names the server); no request is served before.
  let document: Record<string, unknown> = {};
  const routes = tillRoutes(core, options.config.locale, () => document);
  const compiled = routes.map((route) => ({ route, template: route.path.split('/') }));

  function find(pathname: string, method: string): Matched {
    const segments = pathname.split('/');
    const hits = compiled.flatMap(({ route, template }) => {
      const params = matchPath(template, segments);
      return params ? [{ route, params }] : [];
    });
    if (hits.length === 0) throw new HttpFailure(404, 'not_found', `no endpoint ${pathname.slice(0, 200)}`);
    const hit = hits.find((h) => h.route.method === method);
    if (!hit) {
      const allow = hits.map((h) => h.route.method).join(', ');
      throw new HttpFailure(405, 'bad_input', `${method} is not allowed here (${allow})`, undefined, { allow });
    }
    return hit;
  }

  /** The response text, exactly as the route's output schema has it (nothing undocumented leaves). */
  function render(route: Route, value: unknown): string {
    const checked = route.response.safeParse(value);
    if (!checked.success) {
      logger.error('till API response outside its schema', { route: route.operationId, issues: issuesOf(checked.error) });
      throw new Error('response outside its schema');
    }
    return JSON.stringify(checked.data);
  }

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://till-api');
    const method = req.method ?? 'GET';
    const { route, params: rawParams } = find(url.pathname, method);

    let tillId: string | null = null;
    if (route.auth) {
      tillId = tokens.authenticate(req.headers.authorization);
      if (tillId === null) {
        logger.warn('till API refused a request without a valid token', { path: url.pathname, requestId });
        throw new HttpFailure(401, 'forbidden', 'a till token is required (Authorization: Bearer <token>)', undefined, { 'www-authenticate': 'Bearer' });
      }
    }

    if (route.rateLimit) {
      const verdict = buckets[route.rateLimit].take(tillId!);
      if (!verdict.allowed) {
        const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
        const limit = limits[route.rateLimit];
        if (clock.now() - (warnedAt.get(tillId!) ?? -Infinity) >= 60_000) {
          warnedAt.set(tillId!, clock.now());
          logger.warn('till API rate limit reached', { till: tillId, operation: route.operationId, ...limit });
        }
        throw new HttpFailure(
          429,
          'rate_limited',
          `too many ${route.operationId} requests from till ${tillId}: ${limit.perMinute} a minute after a burst of ${limit.burst}; retry in ${seconds} s`,
          [{ path: route.rateLimit, message: 'till.rate_limited' }],
          { 'retry-after': String(seconds) },
        );
      }
    }

    let params: Record<string, string> = {};
    if (route.params) {
      const parsed = route.params.safeParse(rawParams);
      if (!parsed.success) throw badInput('invalid path parameters', issuesOf(parsed.error));
      params = parsed.data as Record<string, string>;
    }
    let query: Record<string, string> = {};
    if (route.query) {
      const parsed = route.query.safeParse(Object.fromEntries(url.searchParams));
      if (!parsed.success) throw badInput('invalid query parameters', issuesOf(parsed.error));
      query = parsed.data as Record<string, string>;
    }

    if (route.method === 'GET') {
      if (route.tillOf && route.tillOf(undefined, params) !== tillId) throw new AppFailure('forbidden', "this is another till's sale");
      sendJson(res, 200, render(route, await route.run({ tillId, params, query, body: undefined, raw: undefined })), { 'x-request-id': requestId });
      return;
    }

    const key = req.headers['idempotency-key'];
    if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
      throw badInput('every write needs an Idempotency-Key header: 1 to 64 of A-Z a-z 0-9 . _ : -', [{ path: 'Idempotency-Key', message: 'till.idempotency_key' }]);
    }
    if (!isJsonContentType(req.headers['content-type'])) throw new HttpFailure(415, 'bad_input', 'the body must be application/json');
    const raw = parseJson(await readBody(req));
    const parsed = route.body!.safeParse(raw);
    if (!parsed.success) throw badInput('invalid request body', issuesOf(parsed.error));
    const body = parsed.data;
    // The till check comes before the stored responses: another till's key space is none of its business.
    if (route.tillOf && route.tillOf(body, params) !== tillId) {
      throw new AppFailure('forbidden', `this token belongs to till ${tillId}, not to the till named in the body`, [{ path: route.tillPath ?? 'tillId', message: 'till.other_till' }]);
    }
    const owner = tillId!;
    const hash = requestHash(method, url.pathname, withoutPin(raw));
    const slot = `${owner}\n${key}`;
    if (inFlight.has(slot)) throw new AppFailure('busy', 'a request with this Idempotency-Key is still running');
    const stored = idempotency.find(owner, key);
    if (stored) {
      if (stored.requestHash !== hash) {
        throw new AppFailure('conflict', 'this Idempotency-Key was used for another request', [{ path: 'Idempotency-Key', message: 'till.idempotency_reused' }]);
      }
      sendJson(res, stored.status, stored.response, { 'idempotent-replayed': 'true', 'x-request-id': requestId });
      return;
    }

    inFlight.add(slot);
    let text: string;
    try {
      const remember = (value: unknown): string => {
        const rendered = render(route, value);
        idempotency.remember(owner, key, { requestHash: hash, status: 200, response: rendered }, clock.now());
        return rendered;
      };
      const request = { tillId, params, query, body, raw };
      const prepared = route.prepare ? await route.prepare(request) : undefined;
      let result: unknown;
      try {
        const ready = { ...request, prepared };
        text = route.atomic ? core.db.transaction(() => remember((result = route.run(ready)))).immediate() : remember((result = await route.run(ready)));
      } catch (error) {
        if (route.abandon) await route.abandon(prepared);
        throw error;
      }
      if (route.settle) await route.settle(prepared, result);
    } finally {
      inFlight.delete(slot);
    }
    sendJson(res, 200, text, { 'x-request-id': requestId });
  }

  const timeouts = { requestMs: 10_000, headersMs: 5_000, idleMs: 15_000, ...options.timeouts };
  const server = createServer(
    {
      requestTimeout: timeouts.requestMs,
      headersTimeout: Math.min(timeouts.headersMs, timeouts.requestMs),
      keepAliveTimeout: 5_000,
      // How often Node checks the two timeouts above; its default (30 s) would let a stalled request hang that long.
      connectionsCheckingInterval: Math.min(1_000, timeouts.requestMs),
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      const requestId = Buffer.from(random.bytes(8)).toString('hex');
      handle(req, res, requestId).catch((caught: unknown) => {
        // SQLite failing the till API's own transaction around a sale (its COMMIT, its lock) is a disk fault, not a bug.
        const error = asStorageFailure(caught);
        let status: number;
        let headers: Record<string, string> = { 'x-request-id': requestId };
        let text: string;
        if (error instanceof AppFailure) {
          status = error instanceof HttpFailure ? error.status : STATUS_OF[error.code];
          if (error instanceof HttpFailure) headers = { ...headers, ...error.headers };
          text = errorBody(error.toJSON());
        } else {
          logger.error('till API request failed', { requestId, path: req.url?.slice(0, 200), error: error instanceof Error ? error.stack : String(error) });
          status = 500;
          text = errorBody({ code: 'internal', message: `internal error (request ${requestId})` });
        }
        if (!req.readableEnded) {
          // Refused before the body was read: drop the rest and end this connection after the answer.
          headers.connection = 'close';
          discardRest(req);
        }
        sendJson(res, status, text, headers);
      });
    },
  );
  server.setTimeout(timeouts.idleMs, (socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => logger.error('till API server error', { error: String(error) }));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${settings.host.includes(':') ? `[${settings.host}]` : settings.host}:${port}`;
  document = buildOpenApi(routes, { version: TILL_API_VERSION, serverUrl: origin });

  const prune = () => {
    try {
      const forgotten = idempotency.prune(clock.now() - IDEMPOTENCY_RETENTION_MS);
      if (forgotten > 0) logger.info('till API forgot old idempotency keys', { forgotten });
    } catch (error) {
      logger.error('pruning idempotency keys failed', { error: String(error) });
    }
  };
  prune();
  const pruneTimer = setInterval(prune, PRUNE_EVERY_MS);
  pruneTimer.unref();
  logger.info('till API listening', { origin, tills: settings.tills.map((t) => t.id), lan: settings.lan });

  return {
    origin,
    port,
    async close() {
      clearInterval(pruneTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/**
 * Starts the till API if the terminal's configuration enables it. The screens
 * and the manual mode keep working when it cannot start (its port taken, say),
 * so a failure is logged, not thrown.
 */
export async function startConfiguredTillApi(options: TillApiOptions): Promise<TillApi | null> {
  if (!options.config.tillApi?.enabled) return null;
  return startTillApi(options).catch((error: unknown) => {
    options.logger.error('the till API did not start', { error: error instanceof Error ? error.message : String(error) });
    return null;
  });
}
