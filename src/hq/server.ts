import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { cryptoRandom } from '../main/core/crypto-random';
import { privateHqDataDir } from './data-dir';
import { systemClock, type Clock, type Logger, type Random } from '../main/core/ports';
import { CardLookupRequest, EnrolRequest, HoldRequest, HoldVoid, MemberIntake, PullRequest, PushBatch, UpdateStatusRequest } from '../shared/sync/protocol';
import { registerCardPage } from './card-page';
import { registerSharePage } from './share-page';
import { registerPrivacySelfRoutes } from './privacy-self/routes';
import { sweepLinkedProvisionals } from './card-link';
import { DEFAULT_HQ_POLICY, defaultRules, HqError, type HqContext, type HqPolicy } from './context';
import { openPglite, openPostgres, type Sql } from './db';
import { createEnrolCode, enrol, revoke } from './enrolment';
import { registerConsole } from './console';
import { auditLog, fleetOverview, verifyTerminal } from './fleet';
import { registerIncidentRoutes } from './incidents-page';
import { releaseExpiredHolds, requestHold, voidHold } from './holds';
import { ingestPush, unauditedRefusal } from './ingest';
import { loadOrCreateHqKey, type SigningKey } from './keys';
import { migrate, SCHEMA_VERSION } from './migrations';
import { setStoreGoodwill } from './customer-incidents';
import { intakeMembers } from './member-intake';
import { lookupCard } from './member-lookup';
import { publishProgram } from './members';
import { runHqExpiry } from './expiry';
import { pull } from './pull';
import { pruneNonces } from './request-freshness';
import { RequestGuard, type FailureBucket } from './request-guard';
import { guards, installWebSecurity, principalOf, type Principal } from './staff/http-guard';
import { registerStaffRoutes } from './staff/routes';
import { pruneSessions } from './staff/sessions';
import { loopbackWeb, prepareWeb, type HqWeb, type HqWebOptions } from './staff/setup';
import { SERVER_FILE, serverNote } from './staff/operator-client';
import { registerValueRoutes } from './value/value-routes';
import { registerTierRoutes } from './programme/tier-routes';
import { registerProgrammeRoutes } from './programme/programme-routes';
import { adoptProgrammeInForce } from './programme/programme-store';
import { registerProductRoutes } from './products/product-routes';
import { recordOfferStats, registerOfferStatsRoutes } from './offers/offer-stats';
import { OfferStatsReport } from '../shared/sync/offer-stats';
import { registerBenefitRoutes } from './benefits/benefit-routes';
import { registerSocialRoutes } from './social/social-routes';
import { seatRequest } from './benefits/seats';
import { SeatRequest } from '../shared/programme/benefits';
import { loadTierPolicy, tierScheduler } from './programme/tier-scheduler';
import { registerDashboardRoutes } from './dashboard/dashboard-routes';
import { forfeitErasedBalances } from './privacy/erasure';
import { retentionTick } from './privacy/retention';
import { registerPrivacyRoutes } from './privacy/routes';
import { loadValueConfig, valueScheduler } from './value/value-scheduler';
import type { ValueConfig } from '../shared/value/value-config';
import { configureUpdates } from './updates/service';
import { registerUpdateRoutes } from './updates/routes';
import { receiveUpdateStatus } from './updates/status';

export const MAX_PUSH_BYTES = 2 * 1024 * 1024;
export const MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_HQ_DIR = 'data/hq';

export interface HqOptions extends HqWebOptions {
  /** Holds HQ's key pair, and the PGlite database unless databaseUrl is given. */
  dataDir?: string;
  /** A PostgreSQL server (postgres://…); the same migrations run there. */
  databaseUrl?: string;
  /** In-memory PGlite (tests): nothing but the key is written to dataDir. */
  inMemory?: boolean;
  port?: number;
  host?: string;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
  policy?: Partial<HqPolicy>;
  key?: SigningKey;
  /** How often holds are released and lots expired (ms); 0 turns the timer off. */
  maintenanceIntervalMs?: number;
  /** The built renderer holding the staff console (hq/index.html, assets/); out/renderer by default (console.ts). */
  consoleDir?: string;
  /** Customer value settings (docs/value.md); otherwise value-config.json in dataDir over the defaults. */
  valueConfig?: ValueConfig;
  /** How often the nightly value run checks whether it is due (ms); 0 turns it off. */
  valueCheckIntervalMs?: number;
  /** Fit customer value once at start (the demo), besides the nightly run. */
  valueAtStart?: boolean;
}

export interface Hq {
  url: string;
  port: number;
  ctx: HqContext;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Opens HQ's database and context without serving (the CLI, the tests). */
export async function openHq(options: HqOptions = {}): Promise<HqContext> {
  const dataDir = options.dataDir ?? DEFAULT_HQ_DIR;
  mkdirSync(dataDir, { recursive: true });
  privateHqDataDir(dataDir);
  const clock = options.clock ?? systemClock;
  const sql: Sql = options.databaseUrl
    ? await openPostgres(options.databaseUrl)
    : await openPglite(options.inMemory ? null : join(dataDir, 'pglite'));
  await migrate(sql, clock.now());
  privateHqDataDir(dataDir);
  const policy = { ...DEFAULT_HQ_POLICY, ...options.policy };
  const logger = options.logger ?? consoleLogger;
  const ctx: HqContext = {
    sql,
    guard: new RequestGuard(clock, () => ({ enrol: ctx.policy.enrolFailuresPerMinute, unauthenticated: ctx.policy.unauthenticatedFailuresPerMinute }), logger),
    key: options.key ?? loadOrCreateHqKey(dataDir),
    clock,
    random: options.random ?? cryptoRandom,
    logger,
    policy,
    rules: defaultRules(),
  };
  await adoptProgrammeInForce(ctx);
  await publishProgram(ctx, ctx.rules);
  valueScheduler(ctx, options.valueConfig ?? loadValueConfig(dataDir));
  tierScheduler(ctx, loadTierPolicy(dataDir));
  // Releases of the terminal application: the release key, the artifacts and the feed secret live in dataDir (updates/).
  configureUpdates(ctx, dataDir);
  return ctx;
}

const consoleLogger: Logger = {
  info: (m, f) => console.log(JSON.stringify({ level: 'info', msg: m, ...f })),
  warn: (m, f) => console.warn(JSON.stringify({ level: 'warn', msg: m, ...f })),
  error: (m, f) => console.error(JSON.stringify({ level: 'error', msg: m, ...f })),
};

/** Who made an enrolment code, for its audit record. */
function byWhom(principal: Principal): string {
  return principal.kind === 'staff' ? `staff:${principal.session.username}` : 'operator-token';
}

/** Refusal codes that prove nothing about who sent the request: they count against the sender's address. */
const UNAUTHENTICATED = new Set(['malformed', 'too_large', 'unknown_terminal', 'bad_signature']);

function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
    .join('; ');
}

export function buildApp(ctx: HqContext, web: HqWeb = loopbackWeb(ctx), consoleDir?: string): FastifyInstance {
  // Fastify types an HTTPS server apart; the routes are the same either way.
  const app = Fastify({ logger: false, bodyLimit: MAX_BODY_BYTES, https: web.tls ?? null, trustProxy: web.trustProxy ?? false }) as unknown as FastifyInstance;
  // Staff-facing routes (pages, fleet, operator): Host and Origin checks, JSON only, security headers (staff/http-guard.ts).
  installWebSecurity(app, web.security);
  const staff = guards(ctx, web.security);
  registerStaffRoutes(app, ctx, web.security);
  // The member's card page (public: the signed link is its key), behind the same Host check and headers.
  registerCardPage(app, ctx);
  registerSharePage(app, ctx);
  // Self-service privacy (issue 17 items 2 and 7): the terminals' signed route, export links, the public notice.
  registerPrivacySelfRoutes(app, ctx);
  /** HQ's names for its protocol routes, by path. */
  const ROUTE_ACTIONS = new Map<string, string>();

  /**
   * Refusals, counted without writing anything the sender chose
   * (request-guard.ts): the enrolment route counts every failure against the
   * sender's address, the signed routes those that proved nothing about the
   * sender (UNAUTHENTICATED). Authenticated refusals are audited where they
   * happen, under the terminal's own id.
   */
  function refused(request: FastifyRequest, action: string, code: string): void {
    const bucket: FailureBucket | null = action === 'enrol' ? 'enrol' : UNAUTHENTICATED.has(code) ? 'unauthenticated' : null;
    ctx.guard.refused(action, code, request.ip, bucket);
  }

  /** Stops an address that failed too often before any of its request is read further. */
  function guarded(action: string) {
    const bucket: FailureBucket = action === 'enrol' ? 'enrol' : 'unauthenticated';
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const wait = ctx.guard.blockedFor(request.ip, bucket);
      if (wait <= 0) return;
      ctx.guard.refused(action, 'too_many_failures', null, null);
      return reply
        .code(429)
        .header('retry-after', String(Math.max(1, Math.ceil(wait / 1000))))
        .send({ error: { code: 'too_many_failures', message: 'too many refused requests from this address: try again later' } });
    };
  }

  async function fail(request: FastifyRequest, reply: FastifyReply, action: string, error: unknown) {
    if (error instanceof HqError) {
      refused(request, action, error.code);
      return reply.code(error.status).send({ error: { code: error.code, message: error.message, ...(error.hqTime === null ? {} : { hqTime: error.hqTime }) } });
    }
    const e = error as { statusCode?: number; message?: string; code?: string };
    if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
      const code = e.statusCode === 413 ? 'too_large' : 'malformed';
      refused(request, action, code);
      return reply.code(e.statusCode).send({ error: { code, message: e.message ?? code } });
    }
    ctx.logger.error('hq request failed', { action, error: error instanceof Error ? error.stack : String(error) });
    return reply.code(500).send({ error: { code: 'internal', message: 'internal error' } });
  }

  /** A route whose body is one protocol message: validated first; refusals counted, nothing applied. */
  function route<S extends z.ZodType>(path: string, action: string, schema: S, handler: (body: z.infer<S>) => Promise<unknown>) {
    ROUTE_ACTIONS.set(path, action);
    app.post(path, { onRequest: guarded(action) }, async (request, reply) => {
      const parsed = schema.safeParse(request.body);
      if (!parsed.success) {
        refused(request, action, 'malformed');
        return reply.code(400).send({ error: { code: 'malformed', message: `invalid ${action} request: ${issuesOf(parsed.error)}` } });
      }
      try {
        const answer = await handler(parsed.data);
        return answer === undefined ? reply.code(204).send() : answer;
      } catch (error) {
        return fail(request, reply, action, error);
      }
    });
  }

  app.setErrorHandler(async (error, request, reply) => {
    // Body-parser refusals (too large, not JSON) reach here before any route code. The action is HQ's
    // name for the route, never the URL the sender wrote: counts are keyed by it.
    const path = request.url.split('?')[0]!;
    const action = path === '/v1/push' ? 'push' : (ROUTE_ACTIONS.get(path) ?? 'other');
    if (action === 'push') {
      const e = error as { statusCode?: number; message?: string };
      if (e.statusCode === 413 || e.statusCode === 400 || e.statusCode === 415) {
        const code = e.statusCode === 413 ? 'too_large' : 'malformed';
        refused(request, action, code);
        const outcome = unauditedRefusal(code, e.message ?? code);
        return reply.code(outcome.status).send(outcome.answer);
      }
    }
    return fail(request, reply, action, error);
  });

  route('/v1/terminals/enrol', 'enrol', EnrolRequest, (body) => enrol(ctx, body));
  app.post('/v1/push', { bodyLimit: MAX_PUSH_BYTES, onRequest: guarded('push') }, async (request, reply) => {
    const parsed = PushBatch.safeParse(request.body);
    const outcome = parsed.success ? await ingestPush(ctx, parsed.data) : unauditedRefusal('malformed', `invalid push batch: ${issuesOf(parsed.error)}`);
    if (!outcome.answer.ok) refused(request, 'push', outcome.answer.refusal.code);
    if (parsed.success && outcome.answer.ok) {
      // Points earned on a card HQ already linked to its customer move there now (card-link.ts);
      // the push is committed either way, and the maintenance run sweeps whatever this misses.
      await sweepLinkedProvisionals(
        ctx,
        parsed.data.entries.map((e) => e.member_id).filter((m): m is string => m !== null),
      ).catch((error: unknown) => ctx.logger.error('card link sweep after push failed', { error: String(error) }));
      // Points a sale earned for a member erased meanwhile lapse as the programme states (privacy/erasure.ts).
      await forfeitErasedBalances(
        ctx,
        parsed.data.entries.map((e) => e.member_id).filter((m): m is string => m !== null),
      ).catch((error: unknown) => ctx.logger.error('forfeit after push failed', { error: String(error) }));
    }
    return reply.code(outcome.status).send(outcome.answer);
  });
  route('/v1/members', 'members', MemberIntake, (body) => intakeMembers(ctx, body));
  route('/v1/members/lookup', 'member_lookup', CardLookupRequest, (body) => lookupCard(ctx, body));
  route('/v1/pull', 'pull', PullRequest, (body) => pull(ctx, body));
  route('/v1/offer-stats', 'offer_stats', OfferStatsReport, (body) => recordOfferStats(ctx, body));
  route('/v1/holds', 'hold', HoldRequest, (body) => requestHold(ctx, body));
  route('/v1/holds/void', 'hold_void', HoldVoid, (body) => voidHold(ctx, body));
  route('/v1/benefits/seats', 'benefit_seat', SeatRequest, (body) => seatRequest(ctx, body));
  route('/v1/updates/status', 'update_status', UpdateStatusRequest, (body) => receiveUpdateStatus(ctx, body));
  // electron-updater's feed and files for enrolled terminals, and IT's releases API (updates/routes.ts).
  registerUpdateRoutes(app, ctx, staff);

  app.get('/v1/hq', async () => ({ keyId: ctx.key.keyId, publicKey: ctx.key.publicKey, schemaVersion: SCHEMA_VERSION, hqTime: ctx.clock.now() }));
  app.get('/v1/fleet', { onRequest: staff.api('fleet', { operator: true }) }, async () => fleetOverview(ctx));
  app.get('/v1/fleet/audit', { onRequest: staff.api('fleet', { operator: true }) }, async (request) => {
    const q = request.query as { limit?: string; terminal?: string };
    const limit = Math.min(Math.max(Number(q.limit ?? 100) || 100, 1), 1000);
    return { audit: await auditLog(ctx, limit, q.terminal) };
  });
  // The staff console (React, src/renderer/hq) at /console/, its anomalies API, and /fleet's way there.
  registerConsole(app, ctx, staff, web.security, consoleDir);
  registerIncidentRoutes(app, ctx, staff);
  registerValueRoutes(app, ctx, staff, valueScheduler(ctx));
  registerTierRoutes(app, ctx, staff, tierScheduler(ctx));
  registerProgrammeRoutes(app, ctx, staff);
  registerProductRoutes(app, ctx, staff);
  registerOfferStatsRoutes(app, ctx, staff);
  registerBenefitRoutes(app, ctx, staff);
  registerSocialRoutes(app, ctx, staff);
  registerDashboardRoutes(app, ctx, staff);
  // One member's data for customer service only, every view and erasure audited (privacy/routes.ts).
  registerPrivacyRoutes(app, ctx, staff);

  // Operator actions: the CLI with HQ's operator token (PGlite is single-process), or IT staff signed in
  // (cookie + CSRF token). The source address is never the authentication.
  app.register(async (admin) => {
    admin.addHook('onRequest', staff.api('fleet', { operator: true }));
    admin.post('/v1/admin/enrol-codes', async (request) => {
      const body = (request.body ?? {}) as { storeId?: unknown; terminalId?: unknown; replace?: unknown; storeName?: unknown };
      if (typeof body.storeId !== 'string') throw new HqError('malformed', 400, 'storeId is required');
      if (typeof body.terminalId !== 'string') throw new HqError('malformed', 400, 'terminalId is required: a code enrols one terminal');
      if (body.replace !== undefined && typeof body.replace !== 'boolean') throw new HqError('malformed', 400, 'replace is true or false');
      return createEnrolCode(ctx, body.storeId, body.terminalId, {
        replace: body.replace === true,
        storeName: typeof body.storeName === 'string' ? body.storeName : undefined,
        by: byWhom(principalOf(request)),
      });
    });
    admin.post('/v1/admin/terminals/:id/revoke', async (request) => ({ revoked: await revoke(ctx, (request.params as { id: string }).id) }));
    admin.get('/v1/admin/terminals/:id/verify', async (request) => verifyTerminal(ctx, (request.params as { id: string }).id));
    // The store's goodwill budget for incident gestures: it reaches the store's terminals in their next pull.
    admin.post('/v1/admin/stores/:id/goodwill', async (request) => ({
      storeId: (request.params as { id: string }).id,
      goodwill: await setStoreGoodwill(ctx, (request.params as { id: string }).id, request.body ?? {}),
    }));
  });
  return app;
}

export { SERVER_FILE } from './staff/operator-client';

/** Starts HQ: database, migrations, key, HTTP API, maintenance timer. */
export async function startHq(options: HqOptions = {}): Promise<Hq> {
  const ctx = await openHq(options);
  const host = options.host ?? '127.0.0.1';
  const web = prepareWeb(ctx, { ...options, dataDir: options.dataDir ?? DEFAULT_HQ_DIR, host });
  const app = buildApp(ctx, web, options.consoleDir);
  await app.listen({ port: options.port ?? 0, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  const dataDir = options.dataDir ?? DEFAULT_HQ_DIR;
  const serverFile = join(dataDir, SERVER_FILE);
  if (!options.inMemory) writeFileSync(serverFile, serverNote({ port, host, cert: options.tls ? String(options.tls.cert) : null }));
  const interval = options.maintenanceIntervalMs ?? 60_000;
  let running = Promise.resolve();
  const timer =
    interval > 0
      ? setInterval(() => {
          running = running
            .then(async () => {
              await releaseExpiredHolds(ctx);
              await pruneNonces(ctx);
              await pruneSessions(ctx, web.security.sessions);
              await sweepLinkedProvisionals(ctx);
              await runHqExpiry(ctx);
              // Inactive members noticed, then anonymised after three years (privacy/retention.ts): once a day.
              await retentionTick(ctx);
            })
            .catch((error: unknown) => ctx.logger.error('hq maintenance failed', { error: String(error) }));
        }, interval)
      : null;
  timer?.unref();
  // The nightly customer-value run, on HQ's clock (value/value-scheduler.ts); a run asked at start goes first.
  const value = valueScheduler(ctx);
  if (options.valueAtStart) void value.run('startup').catch((error: unknown) => ctx.logger.error('customer value run at start failed', { error: String(error) }));
  const valueInterval = options.valueCheckIntervalMs ?? 60_000;
  const valueTimer =
    valueInterval > 0 ? setInterval(() => void value.tick().catch((error: unknown) => ctx.logger.error('nightly customer value run failed', { error: String(error) })), valueInterval) : null;
  // The nightly ranking into tiers (programme/tier-scheduler.ts), checked on the same beat.
  const tiers = tierScheduler(ctx);
  const tierTimer =
    valueInterval > 0 ? setInterval(() => void tiers.tick().catch((error: unknown) => ctx.logger.error('nightly tier ranking failed', { error: String(error) })), valueInterval) : null;
  tierTimer?.unref();
  valueTimer?.unref();
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `${options.tls ? 'https' : 'http'}://${urlHost}:${port}`,
    port,
    ctx,
    app,
    async close() {
      if (timer) clearInterval(timer);
      if (valueTimer) clearInterval(valueTimer);
      if (tierTimer) clearInterval(tierTimer);
      await running;
      await value.idle();
      await tiers.idle();
      await app.close();
      await ctx.sql.close();
      if (!options.inMemory && existsSync(serverFile)) rmSync(serverFile, { force: true });
    },
  };
}
