import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HqError, type HqContext } from '../context';
import { checkCredentials, createStaff, disableStaff, listStaff, type StaffAccount } from './accounts';
import { clearSessionCookie, currentSession, guards, principalOf, sessionToken, setSessionCookie, type WebSecurity } from './http-guard';
import { loginPage, STYLESHEET, STYLESHEET_PATH } from './pages';
import { closeSession, openSession } from './sessions';
import { localeOf, translateStaff } from './text';

type LoginOutcome = { kind: 'ok'; account: StaffAccount; token: string; csrfToken: string; expiresAt: number } | { kind: 'bad' } | { kind: 'limited'; retryAfterMs: number };

const MAX_FIELD = 256;
const field = (body: unknown, name: string): string => {
  const v = (body as Record<string, unknown> | null)?.[name];
  return typeof v === 'string' ? v.slice(0, MAX_FIELD) : '';
};

/** A local path to go back to after login; anything else (another site, `//host`, `/\host`) goes to the fleet. */
function safeNext(next: string): string {
  return /^\/(?![/\\])[^\s]*$/.test(next) && !next.startsWith('/login') ? next : '/fleet';
}

async function attemptLogin(ctx: HqContext, security: WebSecurity, request: FastifyRequest, username: string, password: string): Promise<LoginOutcome> {
  const name = username.trim().toLowerCase();
  const address = request.ip;
  const wait = security.limiter.retryAfterMs(name, address);
  if (wait > 0) {
    ctx.logger.warn('staff login throttled', { username: name, address });
    return { kind: 'limited', retryAfterMs: wait };
  }
  const account = await checkCredentials(ctx, name, password);
  if (!account) {
    security.limiter.fail(name, address);
    ctx.logger.warn('staff login refused', { username: name, address });
    return { kind: 'bad' };
  }
  security.limiter.succeed(name);
  const { token, session } = await openSession(ctx, account.username, security.sessions);
  ctx.logger.info('staff login', { username: account.username, role: account.role, address });
  return { kind: 'ok', account, token, csrfToken: session.csrfToken, expiresAt: session.expiresAt };
}

async function logout(ctx: HqContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const token = sessionToken(request);
  if (token) await closeSession(ctx, token);
  clearSessionCookie(request, reply);
}

/** Login and logout, as pages (forms, no script) and as JSON for a console or a script. */
export function registerStaffRoutes(app: FastifyInstance, ctx: HqContext, security: WebSecurity): void {
  const guard = guards(ctx, security);

  app.get(STYLESHEET_PATH, async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(STYLESHEET));
  app.get('/', async (request, reply) => reply.redirect(localeOf(request.query) === 'en' ? '/fleet?lang=en' : '/fleet', 303));

  app.get('/login', async (request, reply) => {
    const locale = localeOf(request.query);
    const next = safeNext(field(request.query, 'next'));
    if (await currentSession(ctx, security, request)) return reply.redirect(next, 303);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(loginPage({ locale, next }));
  });

  // Forms are parsed only in this scope: the JSON APIs never accept what a cross-site form can send.
  app.register(async (forms) => {
    forms.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });

    forms.post('/login', async (request, reply) => {
      const locale = field(request.body, 'lang') === 'en' ? 'en' : 'fr';
      const next = safeNext(field(request.body, 'next'));
      const username = field(request.body, 'username');
      const outcome = await attemptLogin(ctx, security, request, username, field(request.body, 'password'));
      reply.header('cache-control', 'no-store');
      if (outcome.kind === 'ok') {
        setSessionCookie(request, reply, outcome.token, security.sessions.absoluteMs);
        const withLang = locale === 'en' && !next.includes('lang=') ? `${next}${next.includes('?') ? '&' : '?'}lang=en` : next;
        return reply.redirect(withLang, 303);
      }
      const error =
        outcome.kind === 'limited'
          ? translateStaff(locale, 'staff.login.limited', { minutes: Math.max(1, Math.ceil(outcome.retryAfterMs / 60_000)) })
          : translateStaff(locale, 'staff.login.failed');
      if (outcome.kind === 'limited') reply.header('retry-after', String(Math.ceil(outcome.retryAfterMs / 1000)));
      return reply
        .code(outcome.kind === 'limited' ? 429 : 401)
        .type('text/html; charset=utf-8')
        .send(loginPage({ locale, next, username, error }));
    });

    forms.post('/logout', { preHandler: guard.page(null) }, async (request, reply) => {
      await logout(ctx, request, reply);
      return reply.redirect(field(request.body, 'lang') === 'en' ? '/login?lang=en' : '/login', 303);
    });
  });

  app.post('/v1/staff/login', async (request, reply) => {
    const outcome = await attemptLogin(ctx, security, request, field(request.body, 'username'), field(request.body, 'password'));
    reply.header('cache-control', 'no-store');
    if (outcome.kind === 'limited') {
      reply.header('retry-after', String(Math.ceil(outcome.retryAfterMs / 1000)));
      return reply.code(429).send({ error: { code: 'rate_limited', message: 'too many failed logins; try again later', retryAfterMs: outcome.retryAfterMs } });
    }
    if (outcome.kind === 'bad') return reply.code(401).send({ error: { code: 'bad_credentials', message: 'wrong username or password' } });
    setSessionCookie(request, reply, outcome.token, security.sessions.absoluteMs);
    return { username: outcome.account.username, role: outcome.account.role, csrfToken: outcome.csrfToken, expiresAt: outcome.expiresAt };
  });

  app.post('/v1/staff/logout', { preHandler: guard.api(null) }, async (request, reply) => {
    await logout(ctx, request, reply);
    return { loggedOut: true };
  });

  app.get('/v1/staff/me', { preHandler: guard.api(null) }, async (request) => {
    const p = principalOf(request);
    return p.kind === 'staff' ? { username: p.session.username, role: p.session.role, csrfToken: p.session.csrfToken, expiresAt: p.session.expiresAt } : { operator: true };
  });

  // Accounts, for admins signed in and for the CLI (operator token) while HQ runs on PGlite.
  app.register(async (accounts) => {
    accounts.addHook('onRequest', guard.api('accounts', { operator: true }));
    accounts.get('/v1/admin/staff', async () => ({ staff: await listStaff(ctx) }));
    accounts.post('/v1/admin/staff', async (request) => {
      const body = (request.body ?? {}) as { username?: unknown; role?: unknown; password?: unknown };
      if (typeof body.username !== 'string' || typeof body.role !== 'string') throw new HqError('malformed', 400, 'username and role are required');
      if (body.password !== undefined && typeof body.password !== 'string') throw new HqError('malformed', 400, 'password is a string');
      const { account, password } = await createStaff(ctx, { username: body.username, role: body.role, password: body.password });
      ctx.logger.info('staff account created', { username: account.username, role: account.role, by: byWhom(request) });
      // The password goes back once, to be handed over; HQ keeps only its hash.
      return { username: account.username, role: account.role, password: body.password === undefined ? password : undefined };
    });
    accounts.post('/v1/admin/staff/:username/disable', async (request) => {
      const username = (request.params as { username: string }).username;
      const disabled = await disableStaff(ctx, username);
      ctx.logger.info('staff account disabled', { username, by: byWhom(request) });
      return { disabled };
    });
  });
}

function byWhom(request: FastifyRequest): string {
  const p = principalOf(request);
  return p.kind === 'staff' ? p.session.username : 'operator';
}
