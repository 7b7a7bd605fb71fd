import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

/** Text worth compressing; images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

/** Vite names every built asset `assets/<name>-<8 character hash>.<ext>`: its content never changes under that name. */
const HASHED_ASSET = /^\/assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$/;

/**
 * The build holds a few dozen files, but a rebuild under a running bridge adds
 * new hashed names: the cache forgets its oldest entries past this many, and
 * files larger than MAX_CACHED_BYTES are streamed from disk instead.
 */
const MAX_ENTRIES = 64;
const MAX_CACHED_BYTES = 4 * 1024 * 1024;

type Encoding = 'br' | 'gzip' | 'identity';

interface Entry {
  mtimeMs: number;
  size: number;
  etag: string;
  body: Buffer;
  /** Compressed once on first demand, in zlib's thread pool, then kept. */
  encoded: Partial<Record<'br' | 'gzip', Promise<Buffer>>>;
}

export interface StaticFiles {
  serve(req: IncomingMessage, res: ServerResponse, csp: string): Promise<void>;
  /** Files held in memory, for tests of the bound. */
  readonly cachedFiles: number;
}

/** The encoding to answer with, by the client's Accept-Encoding (brotli first). Exported for tests. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    accepted.set(name, q ? Number(q.slice(2)) || 0 : 1);
  }
  const ok = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return 'identity';
}

/**
 * The built renderer over HTTP: hashed assets compressed and cacheable for a
 * year, pages compressed and revalidated on every load (their names do not
 * change when the build does), everything with the bridge's CSP.
 */
export function staticFiles(root: string): StaticFiles {
  const cache = new Map<string, Entry>();
  const rootPrefix = normalize(root) + sep;

  async function load(file: string): Promise<Entry | 'missing' | 'too large'> {
    let info;
    try {
      info = await stat(file);
    } catch {
      return 'missing';
    }
    if (!info.isFile()) return 'missing';
    if (info.size > MAX_CACHED_BYTES) return 'too large';
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) return cached;
    const body = await readFile(file);
    const entry: Entry = { mtimeMs: info.mtimeMs, size: body.length, etag: `"${body.length.toString(36)}-${Math.trunc(info.mtimeMs).toString(36)}"`, body, encoded: {} };
    cache.delete(file);
    cache.set(file, entry);
    while (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
    return entry;
  }

  function encode(entry: Entry, encoding: 'br' | 'gzip'): Promise<Buffer> {
    entry.encoded[encoding] ??=
      encoding === 'br'
        ? brotli(entry.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: entry.body.length } })
        : gzipAsync(entry.body, { level: 9 });
    return entry.encoded[encoding];
  }

  return {
    get cachedFiles() {
      return cache.size;
    },
    async serve(req, res, csp) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405).end();
        return;
      }
      let pathname: string;
      try {
        pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (pathname.endsWith('/')) pathname += 'index.html';
      const file = normalize(join(root, pathname));
      if (!file.startsWith(rootPrefix)) {
        res.writeHead(403).end();
        return;
      }
      const entry = await load(file);
      if (entry === 'missing' || entry === 'too large') {
        // Nothing the build produces is that large: refuse rather than hold it in memory.
        res.writeHead(entry === 'missing' ? 404 : 413, { 'content-type': 'text/plain; charset=utf-8' }).end(entry === 'missing' ? 'not found' : 'too large');
        return;
      }
      const ext = extname(file);
      const headers: Record<string, string | number> = {
        'content-type': MIME[ext] ?? 'application/octet-stream',
        'content-security-policy': csp,
        'x-content-type-options': 'nosniff',
        // A page names the hashed assets of its build, so it is checked at every load; the assets never change.
        'cache-control': HASHED_ASSET.test(pathname) ? 'public, max-age=31536000, immutable' : 'no-cache',
      };
      const encoding = COMPRESSIBLE.has(ext) ? chooseEncoding(req.headers['accept-encoding']) : 'identity';
      if (COMPRESSIBLE.has(ext)) headers.vary = 'Accept-Encoding';
      // One tag per representation: a gzip body and a brotli body of the same file are different bytes.
      headers.etag = encoding === 'identity' ? entry.etag : entry.etag.replace(/"$/, `-${encoding}"`);
      if (req.headers['if-none-match'] === headers.etag) {
        res.writeHead(304, headers).end();
        return;
      }
      let body = entry.body;
      if (encoding !== 'identity') {
        body = await encode(entry, encoding);
        headers['content-encoding'] = encoding;
      }
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    },
  };
}
