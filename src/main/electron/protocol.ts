import { readFile, realpath } from 'node:fs/promises';
import { protocol } from 'electron';
import type { Logger } from '../core/ports';
import { ELECTRON_CSP } from '../core/security/csp';
import { isInside, resolveAppFile } from './app-files';
import { APP_SCHEME } from './app-url';

/**
 * Must run before the app is ready: `standard` gives app:// real origins and
 * relative URLs, `secure` makes it a secure context, and fetch is allowed.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

function refusal(status: number): Response {
  return new Response(null, { status, headers: { 'content-security-policy': ELECTRON_CSP } });
}

/** Serves the renderer build, and nothing else, with our CSP on every response. */
export function serveAppScheme(rendererDir: string, logger: Logger, hiddenDirs: readonly string[]): void {
  protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
    const file = resolveAppFile(rendererDir, request.url, hiddenDirs);
    if (file.kind === 'refused') {
      logger.warn('refused an app:// request', { url: request.url.slice(0, 200), reason: file.reason });
      return refusal(file.status);
    }
    try {
      // A symlink in the build must not lead out of it either.
      const [realRoot, realFile] = await Promise.all([realpath(rendererDir), realpath(file.path)]);
      if (!isInside(realRoot, realFile)) return refusal(403);
      const body = await readFile(realFile);
      return new Response(request.method === 'HEAD' ? null : body, {
        status: 200,
        headers: {
          'content-type': file.contentType,
          'content-security-policy': ELECTRON_CSP,
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        },
      });
    } catch {
      return refusal(404);
    }
  });
}
