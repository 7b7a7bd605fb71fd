import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding, staticFiles, type StaticFiles } from '../../src/main/web-bridge/static-files';

let dir: string;
let server: Server;
let files: StaticFiles;
let origin: string;
const script = `console.log(${JSON.stringify('fidèle '.repeat(500))});\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-static-files-'));
  mkdirSync(join(dir, 'cashier'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'cashier', 'index.html'), '<!doctype html><title>Caisse</title><script src="../assets/cashier-Bz_xwz-4.js"></script>');
  writeFileSync(join(dir, 'assets', 'cashier-Bz_xwz-4.js'), script);
  writeFileSync(join(dir, 'assets', 'logo-AbCdEf12.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  files = staticFiles(dir);
  server = createServer((req, res) => void files.serve(req, res, "default-src 'self'"));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** A raw GET: no client-side decompression, so the test sees the bytes on the wire. */
function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request(`${origin}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

describe('the browser mode serves the build compressed and cacheable', () => {
  it('answers a hashed asset in brotli, else gzip, else as is, cacheable for a year', async () => {
    const br = await get('/assets/cashier-Bz_xwz-4.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(br.headers['content-security-policy']).toBe("default-src 'self'");
    expect(br.body.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(br.body).toString()).toBe(script);

    const gz = await get('/assets/cashier-Bz_xwz-4.js', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);

    const plain = await get('/assets/cashier-Bz_xwz-4.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
    expect(Number(plain.headers['content-length'])).toBe(Buffer.byteLength(script));
  });

  it('leaves images as they are', async () => {
    const png = await get('/assets/logo-AbCdEf12.png', { 'accept-encoding': 'br, gzip' });
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('has pages revalidated at every load, 304 while unchanged, the new page after a rebuild', async () => {
    const page = await get('/cashier/', { 'accept-encoding': 'gzip' });
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(gunzipSync(page.body).toString()).toContain('Caisse');
    const etag = String(page.headers['etag']);
    expect((await get('/cashier/', { 'accept-encoding': 'gzip', 'if-none-match': etag })).status).toBe(304);
    // The same tag is not valid for another encoding of the page.
    expect((await get('/cashier/', { 'if-none-match': etag })).status).toBe(200);

    writeFileSync(join(dir, 'cashier', 'index.html'), '<!doctype html><title>Caisse v2</title>');
    utimesSync(join(dir, 'cashier', 'index.html'), new Date(), new Date(Date.now() + 5000));
    const rebuilt = await get('/cashier/', { 'accept-encoding': 'gzip', 'if-none-match': etag });
    expect(rebuilt.status).toBe(200);
    expect(gunzipSync(rebuilt.body).toString()).toContain('Caisse v2');
  });

  it('holds a bounded number of files in memory however many are asked for', async () => {
    for (let i = 0; i < 100; i += 1) writeFileSync(join(dir, 'assets', `chunk${i}-AAAAAAAA.js`), `export const n = ${i};`);
    for (let i = 0; i < 100; i += 1) expect((await get(`/assets/chunk${i}-AAAAAAAA.js`, { 'accept-encoding': 'br' })).status).toBe(200);
    expect(files.cachedFiles).toBeLessThanOrEqual(64);
    // Missing files are never cached.
    for (let i = 0; i < 20; i += 1) expect((await get(`/assets/nope${i}.js`)).status).toBe(404);
    expect(files.cachedFiles).toBeLessThanOrEqual(64);
  });

  it('picks the encoding by the client’s preferences, q=0 refusing one', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('*;q=0')).toBe('identity');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('identity')).toBe('identity');
  });
});
