import { hostname as machineName, networkInterfaces } from 'node:os';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HqContext } from '../context';
import { LoginLimiter, type LoginLimits } from './login-limiter';
import { sameSecret } from './operator-token';
import { forbiddenPage } from './pages';
import { allows, type Permission } from './roles';
import { findSession, type SessionPolicy, type StaffSession } from './sessions';
import { localeOf } from './text';

/**
 * What stands between a browser (or the CLI) and HQ's staff-facing routes:
 * the Host allow-list (DNS rebinding), the Origin of state-changing requests,
 * JSON-only APIs, security headers, and who is asking: a staff session
 * (cookie + CSRF token) or the operator token. The source address is never
 * evidence of anything.
 */
export interface WebSecurity {
  allowedHosts: ReadonlySet<string>;
  operatorToken: string | null;
  sessions: SessionPolicy;
  limiter: LoginLimiter;
}

export function webSecurity(
  ctx: Pick<HqContext, 'clock'>,
  o: { allowedHosts: Iterable<string>; operatorToken: string | null; sessions: SessionPolicy; loginLimits?: LoginLimits },
): WebSecurity {
  return {
    allowedHosts: new Set([...o.allowedHosts].map(normaliseHost)),
    operatorToken: o.operatorToken,
    sessions: o.sessions,
    limiter: new LoginLimiter(ctx.clock, o.loginLimits),
  };
}

function normaliseHost(name: string): string {
  const h = name.trim().toLowerCase();
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

/** The names a browser may use for HQ by default: loopback, and the address (or, on a wildcard, the machine's names) it listens on. */
export function defaultAllowedHosts(listenHost: string): string[] {
  const names = ['localhost', '127.0.0.1', '[::1]'];
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    names.push(machineName());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) names.push(a.address.split('%')[0]!);
  } else {
    names.push(listenHost);
  }
  return names.map(normaliseHost);
}

/** What terminals call: signed protocol messages, no cookie, no browser. Everything else is staff-facing. */
const TERMINAL_PATHS = new Set(['/v1/terminals/enrol', '/v1/push', '/v1/members', '/v1/members/lookup', '/v1/pull', '/v1/holds', '/v1/holds/void', '/v1/hq']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const pathOf = (request: FastifyRequest) => request.url.split('?', 1)[0]!;
const isApi = (path: string) => path.startsWith('/v1/');
export const isUnsafe = (request: FastifyRequest) => !SAFE_METHODS.has(request.method);

const refuse = (reply: FastifyReply, status: number, code: string, message: string) => reply.code(status).send({ error: { code, message } });

// manifest-src: the public card page (card-page.ts) links a web app manifest, so a phone can keep the card on its home screen.
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function installWebSecurity(app: FastifyInstance, security: WebSecurity): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = pathOf(request);
    // The terminals' update feed, files and status reports (updates/routes.ts) are terminal routes too.
    if (TERMINAL_PATHS.has(path) || path.startsWith('/v1/updates/')) return;
    if (!security.allowedHosts.has(normaliseHost(request.hostname))) {
      return refuse(reply, 421, 'bad_host', 'this host name is not one HQ answers to (set HQ_ALLOWED_HOSTS)');
    }
    if (!isUnsafe(request)) return;
    // A browser names the page that sent a request; one from another site (or a sandbox, "null") is refused outright.
    const origin = request.headers.origin ?? originOf(request.headers.referer);
    if (origin !== undefined && origin.toLowerCase() !== `${request.protocol}://${request.host}`.toLowerCase()) {
      return refuse(reply, 403, 'bad_origin', 'cross-origin requests are refused');
    }
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    const expected = isApi(path) ? 'application/json' : 'application/x-www-form-urlencoded';
    // text/plain and forms are what a page on another site can send without asking first.
    if (hasBody && request.mediaType !== expected) return refuse(reply, 415, 'unsupported_media_type', `send ${expected}`);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('content-security-policy', CSP);
    if (request.protocol === 'https') reply.header('strict-transport-security', 'max-age=31536000');
    return payload;
  });
}

function originOf(referer: string | undefined): string | undefined {
  if (referer === undefined) return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

// Over TLS the cookie takes the __Host- prefix: a browser then refuses it unless Secure, host-only and Path=/.
const cookieName = (request: FastifyRequest) => (request.protocol === 'https' ? '__Host-hq_session' : 'hq_session');

export function sessionToken(request: FastifyRequest): string | null {
  const name = cookieName(request);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string, maxAgeMs: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  reply.header('set-cookie', `${cookieName(request)}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  setSessionCookie(request, reply, '', 0);
}

export type Principal = { kind: 'operator' } | { kind: 'staff'; session: StaffSession };

const principals = new WeakMap<FastifyRequest, Principal>();

/** Who a guarded route's request is from (set by the guard). */
export function principalOf(request: FastifyRequest): Principal {
  const p = principals.get(request);
  if (!p) throw new Error('principalOf on an unguarded route');
  return p;
}

export async function currentSession(ctx: HqContext, security: WebSecurity, request: FastifyRequest): Promise<StaffSession | null> {
  const token = sessionToken(request);
  return token ? findSession(ctx, token, security.sessions) : null;
}

function csrfMatches(presented: unknown, session: StaffSession): boolean {
  return typeof presented === 'string' && sameSecret(session.csrfToken, presented);
}

export interface Guards {
  /** JSON routes: 401 without credentials, 403 for the wrong role or a missing CSRF token. */
  api(permission: Permission | null, o?: { operator?: boolean }): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  /** HTML pages: to the login page without a session, a 403 page for the wrong role; forms carry the CSRF token in `csrf`. */
  page(permission: Permission | null): (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
}

export function guards(ctx: HqContext, security: WebSecurity): Guards {
  return {
    api: (permission, o = {}) =>
      async (request, reply) => {
        reply.header('cache-control', 'no-store');
        const authorization = request.headers.authorization;
        if (authorization !== undefined) {
          // A bearer is the operator token or nothing: no falling back to a cookie sent alongside.
          const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
          if (!o.operator || !security.operatorToken || !token || !sameSecret(security.operatorToken, token)) {
            return refuse(reply, 401, 'unauthenticated', 'the operator token is not valid here');
          }
          principals.set(request, { kind: 'operator' });
          return;
        }
        const session = await currentSession(ctx, security, request);
        if (!session) return refuse(reply, 401, 'unauthenticated', 'sign in first');
        if (permission && !allows(session.role, permission)) return refuse(reply, 403, 'forbidden', `the ${session.role} role cannot do this`);
        if (isUnsafe(request) && !csrfMatches(request.headers['x-csrf-token'], session)) return refuse(reply, 403, 'csrf', 'missing or wrong x-csrf-token');
        principals.set(request, { kind: 'staff', session });
      },
    page: (permission) => async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const session = await currentSession(ctx, security, request);
      const locale = localeOf(request.query);
      if (!session) {
        const next = encodeURIComponent(request.url);
        return reply.redirect(`/login?next=${next}${locale === 'en' ? '&lang=en' : ''}`, 303);
      }
      if (permission && !allows(session.role, permission)) return reply.code(403).type('text/html; charset=utf-8').send(forbiddenPage(locale, session));
      if (isUnsafe(request) && !csrfMatches((request.body as { csrf?: unknown } | null)?.csrf, session)) {
        return refuse(reply, 403, 'csrf', 'missing or wrong CSRF token');
      }
      principals.set(request, { kind: 'staff', session });
    },
  };
}
