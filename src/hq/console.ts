import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HqError, type HqContext } from './context';
import { ANOMALY_STATUSES, listSyncAnomalies, markAnomalyHandled, type AnomalyFilter } from './sync-anomalies';
import { currentSession, principalOf, type Guards, type WebSecurity } from './staff/http-guard';
import { allows, type Permission } from './staff/roles';

/**
 * HQ's web console (src/renderer/hq, built by electron-vite into
 * out/renderer): one React application for staff, at /console/<view>. Its
 * page needs a session (else the login page, which comes back here); its
 * scripts and styles are public, content-hashed and cached for good. The
 * page may run HQ's own scripts and call HQ's own API, nothing else.
 */
export const CONSOLE_PATH = '/console/';

/** Where the build puts the renderer, from src/hq (tsx) — the same relative place as from the repository root. */
export const DEFAULT_RENDERER_DIR = resolve(import.meta.dirname, '../../out/renderer');

const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const ASSET_NAME = /^[A-Za-z0-9_-]+\.(js|css|svg|png|woff2)$/;
const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
};

/** Every permission a role can hold: the console shows each view to the roles HQ grants its permission. */
const PERMISSIONS: Record<Permission, true> = {
  fleet: true,
  releases: true,
  programme: true,
  aggregates: true,
  member: true,
  accounts: true,
  incidents: true,
  incident_timeline: true,
  catalogue: true,
};

function readIndex(rendererDir: string): string | null {
  try {
    return readFileSync(join(rendererDir, 'hq', 'index.html'), 'utf8');
  } catch {
    return null;
  }
}

/**
 * The asset files the console needs: those its page names (scripts, module
 * preloads, styles) and, transitively, the chunks its scripts import (a view
 * loaded lazily). Nothing else of the build is served. Worked out once per
 * build: the page's text is the key.
 */
let known: { html: string; files: Set<string> } | null = null;

function readAsset(rendererDir: string, file: string): string | null {
  try {
    return readFileSync(join(rendererDir, 'assets', file), 'utf8');
  } catch {
    return null;
  }
}

function assetsOf(rendererDir: string, html: string): Set<string> {
  if (known?.html === html) return known.files;
  const files = new Set([...html.matchAll(/(?:src|href)="\.\.\/assets\/([^"]+)"/g)].map((m) => m[1]!));
  const pending = [...files].filter((f) => f.endsWith('.js'));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const code = readAsset(rendererDir, file);
    if (code === null) continue;
    for (const m of code.matchAll(/["'`]\.\/([\w-]+\.(?:js|css))["'`]/g)) {
      if (files.has(m[1]!)) continue;
      files.add(m[1]!);
      if (m[1]!.endsWith('.js')) pending.push(m[1]!);
    }
  }
  known = { html, files };
  return files;
}

const withLang = (path: string, request: FastifyRequest) => ((request.query as { lang?: unknown }).lang === 'en' ? `${path}?lang=en` : path);

export function registerConsole(app: FastifyInstance, ctx: HqContext, staff: Guards, security: WebSecurity, rendererDir = DEFAULT_RENDERER_DIR): void {
  app.register(async (scope) => {
    // After the staff-wide headers (http-guard.ts): this page alone may load scripts and call the API.
    scope.addHook('onSend', async (_request, reply, payload) => {
      if (String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('content-security-policy', CONSOLE_CSP);
      return payload;
    });

    const page = async (_request: FastifyRequest, reply: FastifyReply) => {
      const html = readIndex(rendererDir);
      if (html === null) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send('The HQ console is not built: run `npm run build` (or `npm start`), then reload.\nLa console du siège n’est pas construite : lancez `npm run build`.');
      }
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
    };
    scope.get('/console', async (request, reply) => reply.redirect(withLang(CONSOLE_PATH, request), 303));
    scope.get(CONSOLE_PATH, { onRequest: staff.page(null) }, page);
    scope.get('/console/:view', { onRequest: staff.page(null) }, page);

    // Scripts and styles carry no data: served to anyone, but only those the console's page names.
    scope.get('/assets/:file', async (request, reply) => {
      const file = (request.params as { file: string }).file;
      const html = readIndex(rendererDir);
      if (!ASSET_NAME.test(file) || html === null || !assetsOf(rendererDir, html).has(file)) {
        return reply.code(404).send({ error: { code: 'not_found', message: 'no such asset' } });
      }
      const body = readFileSync(join(rendererDir, 'assets', file));
      return reply
        .type(CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1)]!)
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(body);
    });
  });

  // The fleet page became the console's fleet view; a role without the fleet lands on its own first view.
  app.get('/fleet', async (request, reply) => {
    const session = await currentSession(ctx, security, request);
    const target = session && !allows(session.role, 'fleet') ? CONSOLE_PATH : `${CONSOLE_PATH}fleet`;
    return reply.redirect(withLang(target, request), 303);
  });

  app.get('/v1/console/session', { onRequest: staff.api(null) }, async (request) => {
    const p = principalOf(request);
    if (p.kind !== 'staff') throw new HqError('forbidden', 403, 'the console is for signed-in staff');
    const { username, role, csrfToken, expiresAt } = p.session;
    return { username, role, csrfToken, expiresAt, permissions: (Object.keys(PERMISSIONS) as Permission[]).filter((x) => allows(role, x)) };
  });

  app.get('/v1/anomalies', { onRequest: staff.api('fleet', { operator: true }) }, async (request, reply) => {
    const status = (request.query as { status?: unknown }).status ?? 'open';
    if (!(ANOMALY_STATUSES as readonly unknown[]).includes(status)) return staffRefusal(reply, 400, 'malformed', `status is one of ${ANOMALY_STATUSES.join(', ')}`);
    return listSyncAnomalies(ctx, status as AnomalyFilter);
  });

  app.post('/v1/anomalies/:id/handled', { onRequest: staff.api('fleet', { operator: true }) }, async (request, reply) => {
    const p = principalOf(request);
    const by = p.kind === 'staff' ? `staff:${p.session.username}` : 'operator-token';
    try {
      return await markAnomalyHandled(ctx, (request.params as { id: string }).id, by);
    } catch (error) {
      if (!(error instanceof HqError)) throw error;
      return staffRefusal(reply, error.status, error.code, error.message);
    }
  });
}

/** A signed-in person's bad request: answered with its reason, not counted against the address as a terminal's would be. */
function staffRefusal(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send({ error: { code, message } });
}
