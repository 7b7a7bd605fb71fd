import { extname, isAbsolute, join, relative, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-url';

export type AppFile = { kind: 'file'; path: string; contentType: string } | { kind: 'refused'; status: 403 | 404; reason: string };

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

/** Whether `candidate` is `root` itself or below it (both absolute, already resolved). */
export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!isAbsolute(rel) && !rel.split(sep).includes('..'));
}

/**
 * Maps an app:// URL to a file under the renderer build, or refuses it. Dot
 * segments that survive URL parsing (they came percent-encoded, e.g.
 * `..%2f`) are refused outright rather than resolved. `hiddenDirs` keeps pages
 * that have no window in this shell (the simulator) from being served at all.
 */
export function resolveAppFile(rootDir: string, requestUrl: string, hiddenDirs: readonly string[] = []): AppFile {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return { kind: 'refused', status: 404, reason: 'not a URL' };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return { kind: 'refused', status: 404, reason: 'not our host' };

  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return { kind: 'refused', status: 404, reason: 'bad percent-encoding' };
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return { kind: 'refused', status: 403, reason: 'forbidden character' };

  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return { kind: 'refused', status: 403, reason: 'path traversal' };
  if (pathname.endsWith('/') || segments.length === 0) segments.push('index.html');
  if (segments.length > 0 && hiddenDirs.includes(segments[0]!)) return { kind: 'refused', status: 404, reason: 'not served in this shell' };

  const path = join(rootDir, ...segments);
  if (!isInside(rootDir, path)) return { kind: 'refused', status: 403, reason: 'outside the renderer build' };

  return { kind: 'file', path, contentType: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream' };
}
