import type { HqContext } from '../context';
import { defaultAllowedHosts, webSecurity, type WebSecurity } from './http-guard';
import type { LoginLimits } from './login-limiter';
import { loadOrCreateOperatorToken } from './operator-token';
import { DEFAULT_SESSION_POLICY, type SessionPolicy } from './sessions';

/** How HQ faces browsers and the CLI (server.ts's HqOptions carries these). */
export interface HqWebOptions {
  /** Host names browsers may use besides loopback and the listen address (HQ_ALLOWED_HOSTS): the production names. */
  allowedHosts?: string[];
  /** Serve HTTPS with this PEM certificate and key. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** The reverse proxy's address (or CIDR): X-Forwarded-For, -Proto and -Host are believed from it only. */
  trustProxy?: string;
  sessions?: SessionPolicy;
  loginLimits?: LoginLimits;
}

/** What buildApp needs besides the context: the security settings and Fastify's own TLS and proxy options. */
export interface HqWeb {
  security: WebSecurity;
  tls?: HqWebOptions['tls'];
  trustProxy?: string;
}

/** HQ's web settings at start: the operator token is created in the data folder if absent. */
export function prepareWeb(ctx: HqContext, o: HqWebOptions & { dataDir: string; host: string }): HqWeb {
  return {
    security: webSecurity(ctx, {
      allowedHosts: [...defaultAllowedHosts(o.host), ...(o.allowedHosts ?? [])],
      operatorToken: loadOrCreateOperatorToken(o.dataDir, ctx.random),
      sessions: o.sessions ?? DEFAULT_SESSION_POLICY,
      loginLimits: o.loginLimits,
    }),
    tls: o.tls,
    trustProxy: o.trustProxy,
  };
}

/** Without settings (a test, a child process building the app itself): loopback names only, no operator token. */
export function loopbackWeb(ctx: HqContext): HqWeb {
  return { security: webSecurity(ctx, { allowedHosts: defaultAllowedHosts('127.0.0.1'), operatorToken: null, sessions: DEFAULT_SESSION_POLICY }) };
}
