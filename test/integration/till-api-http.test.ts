import { connect } from 'node:net';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RefundInput, SaleInput } from '../../src/shared/contract';
import { parseConfig, TillApiConfig } from '../../src/main/core/config/terminal-config';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { startTillApi } from '../../src/main/till-api/till-api';
import { DEMO_TOKEN_SHA256, sha256Hex } from '../../src/main/till-api/tokens';
import { testConfig } from '../fakes/known-members';
import { basket, openTillHarness, tillApiConfig, TOKENS, type TillHarness } from './till-api-harness';

let h: TillHarness;

beforeEach(async () => {
  h = await openTillHarness({ timeouts: { requestMs: 800, headersMs: 500, idleMs: 2_000 } });
});

afterEach(async () => {
  await h.close();
});

/** Raw bytes on a socket, and whatever comes back until the server closes or `ms` pass. */
function rawExchange(origin: string, bytes: string, ms = 3_000): Promise<{ text: string; closedByServer: boolean; elapsedMs: number }> {
  const { hostname, port } = new URL(origin);
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closedByServer: false, elapsedMs: performance.now() - started });
    }, ms);
    socket.on('data', (d) => (text += d.toString('latin1')));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closedByServer: true, elapsedMs: performance.now() - started });
    });
    socket.on('error', () => undefined);
    socket.write(bytes);
  });
}

describe('who may call', () => {
  it('refuses a request with no token, a malformed one or an unknown one (401), and writes nothing', async () => {
    const before = h.snapshot();
    const body = basket(h.known.claire.id, 'T-1');
    for (const options of [{ till: null }, { token: 'not-a-till-token' }, { headers: { authorization: `Basic ${TOKENS['caisse-1']}` }, till: null }] as const) {
      const r = await h.call('POST', '/v1/sales', { ...options, body });
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('forbidden');
      expect(r.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await h.call('GET', '/v1/z-report', { till: null })).status).toBe(401);
    expect(h.snapshot()).toBe(before);
  });

  it("refuses a body naming another till than the token's (403), for every write, writing nothing", async () => {
    await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-1') });
    const before = h.snapshot();
    const claims = [
      ['/v1/sales', basket(h.known.claire.id, 'T-2')],
      ['/v1/sales/preview', { ...basket(h.known.claire.id, 'T-2'), payments: null }],
      ['/v1/sales/hold', { tillId: 'caisse-1', receipt: 'T-2', memberId: h.known.claire.id, redeemPoints: 0 }],
      ['/v1/sales/void', { tillId: 'caisse-1', receipt: 'T-2' }],
      ['/v1/refunds', { refundId: 'R-1', sale: { tillId: 'caisse-1', receipt: 'T-1' }, lines: 'all' }],
    ] as const;
    for (const [path, body] of claims) {
      const r = await h.call('POST', path, { till: 'caisse-2', body });
      expect(r.status, path).toBe(403);
      expect(r.json.error).toMatchObject({ code: 'forbidden', issues: [{ path: path === '/v1/refunds' ? 'sale.tillId' : 'tillId', message: 'till.other_till' }] });
    }
    expect(h.snapshot()).toBe(before);
  });

  it('serves the health check and the document without a token', async () => {
    const health = await h.call('GET', '/v1/health', { till: null });
    expect(health.status).toBe(200);
    expect(health.json).toEqual({ ok: true, terminalId: 'test-t1', chainHead: h.core.ledger.head(), ledger: h.core.ledger.integrity().state });
    expect((await h.call('GET', '/openapi.json', { till: null })).status).toBe(200);
  });

  it('says the terminal serves no loyalty write once its journal failed the check at start', async () => {
    await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-1') });
    h.core.db.prepare("UPDATE ledger_balance SET balance = balance + 5000 WHERE account LIKE 'member:%:points'").run();
    expect((await h.core.ledger.start()).ok).toBe(false);
    const health = await h.call('GET', '/v1/health', { till: null });
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({ ok: false, ledger: 'damaged' });
    const sale = await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-2') });
    expect(sale.status).toBe(503);
    expect(sale.json.error.code).toBe('ledger_damaged');
  });

  it('each till token maps to its till, compared on hashes only', () => {
    const parsed = TillApiConfig.parse(tillApiConfig());
    expect(parsed.tills.map((t) => t.id)).toEqual(['caisse-1', 'caisse-2']);
    expect(parsed.tills[0]!.tokenSha256).toBe(sha256Hex(TOKENS['caisse-1']));
    expect(() => TillApiConfig.parse(tillApiConfig({ tills: [{ id: 'caisse-1', tokenSha256: 'abc' }] }))).toThrow();
    expect(() => TillApiConfig.parse(tillApiConfig({ tills: [{ id: 'manual', tokenSha256: sha256Hex('x') }] }))).toThrow();
    const twice = { id: 'caisse-1', tokenSha256: sha256Hex('x') };
    expect(() => TillApiConfig.parse(tillApiConfig({ tills: [twice, { ...twice, id: 'caisse-2' }] }))).toThrow(/share a token/);
  });
});

describe('HTTP hygiene', () => {
  it('unknown paths are 404, wrong methods 405 with the allowed ones', async () => {
    const unknown = await h.call('GET', '/v1/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe('not_found');
    expect((await h.call('GET', '/v1/sales/')).status).toBe(404);
    const wrong = await h.call('GET', '/v1/sales');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect((await h.call('DELETE', '/v1/health')).status).toBe(405);
  });

  it('refuses bodies over 256 KB (413), declared or streamed, and keeps serving', async () => {
    const huge = JSON.stringify({ ...basket(h.known.claire.id, 'T-1'), padding: 'x'.repeat(300 * 1024) });
    const declared = await h.call('POST', '/v1/sales', { rawBody: huge });
    expect(declared.status).toBe(413);
    // Chunked, with no Content-Length: the size is found out while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      const url = new URL('/v1/sales', h.api.origin);
      const req = request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS['caisse-1']}`, 'content-type': 'application/json', 'idempotency-key': 'chunked-1' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 30; i++) req.write('x'.repeat(10 * 1024));
      req.end();
    });
    expect(streamed).toBe(413);
    expect((await h.call('GET', '/v1/health')).status).toBe(200);
    expect(h.count('till_request')).toBe(0);
  });

  it('refuses what is not JSON: another content type (415), broken JSON, bad UTF-8, or a JSON that is not the object', async () => {
    const body = JSON.stringify(basket(h.known.claire.id, 'T-1'));
    expect((await h.call('POST', '/v1/sales', { rawBody: body, contentType: 'text/plain' })).status).toBe(415);
    expect((await h.call('POST', '/v1/sales', { rawBody: body, contentType: null })).status).toBe(415);
    expect((await h.call('POST', '/v1/sales', { rawBody: body, contentType: 'application/json; charset=latin1' })).status).toBe(415);
    expect((await h.call('POST', '/v1/sales', { rawBody: body, contentType: 'application/json; charset=UTF-8' })).status).toBe(200);
    for (const rawBody of ['{"tillId":', '', 'null', '[1,2,3]', '"sale"', '9e999', '['.repeat(100_000) + ']'.repeat(100_000), new Uint8Array(new ArrayBuffer(4)).map((_, i) => [0x7b, 0xff, 0xfe, 0x7d][i]!)]) {
      const r = await h.call('POST', '/v1/sales', { rawBody });
      expect(r.status, String(rawBody).slice(0, 20)).toBe(400);
      expect(r.json.error.code).toBe('bad_input');
    }
    expect(h.count('ledger_sale')).toBe(1);
  });

  it('never crashes on garbage and never hangs on a stalled request', async () => {
    const garbage = await rawExchange(h.api.origin, '\x00\x01GARBAGE / HTTP/9\r\n\r\n');
    expect(garbage.text).toMatch(/^HTTP\/1\.1 400/);
    // Headers that never end: the server gives up well before the client would.
    const stalled = await rawExchange(h.api.origin, 'POST /v1/sales HTTP/1.1\r\nHost: x\r\n', 5_000);
    expect(stalled.closedByServer).toBe(true);
    expect(stalled.elapsedMs).toBeLessThan(4_000);
    // A body announced and never sent.
    const unfinished = await rawExchange(
      h.api.origin,
      `POST /v1/sales HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKENS['caisse-1']}\r\nIdempotency-Key: k1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
      5_000,
    );
    expect(unfinished.closedByServer).toBe(true);
    expect(unfinished.elapsedMs).toBeLessThan(4_000);
    expect((await h.call('GET', '/v1/health')).status).toBe(200);
    expect(h.count('till_request')).toBe(0);
  });
});

describe('where it listens', () => {
  it('binds to loopback by default, and is not reachable on the machine’s other addresses', async () => {
    expect(new URL(h.api.origin).hostname).toBe('127.0.0.1');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect(h.api.port, external.address);
        socket.on('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.on('error', () => resolve(true));
      });
      expect(refused).toBe(true);
    }
  });

  it('refuses a non-loopback host unless the config says lan: true, and never with the published demo token', async () => {
    expect(() => parseConfig({ ...testConfig(), tillApi: tillApiConfig({ host: '0.0.0.0' }) }, 'test')).toThrow(/lan/);
    const start = (tillApi: ReturnType<typeof tillApiConfig>) =>
      startTillApi({ core: h.core, config: { locale: 'fr', tillApi }, clock: { now: () => 0 }, random: seededRandom(1), logger: silentLogger });
    await expect(start(tillApiConfig({ host: '0.0.0.0' }))).rejects.toThrow(/loopback/);
    await expect(start(tillApiConfig({ host: '0.0.0.0', lan: true, tills: [{ id: 'caisse-1', tokenSha256: DEMO_TOKEN_SHA256 }] }))).rejects.toThrow(/demo/);
    const lan = await start(tillApiConfig({ host: '0.0.0.0', lan: true }));
    try {
      const r = await fetch(`http://127.0.0.1:${lan.port}/v1/health`);
      expect(r.status).toBe(200);
    } finally {
      await lan.close();
    }
  });

  it('the shipped default config serves the demo till on loopback, port 5171', async () => {
    const { loadConfig } = await import('../../src/main/core/config/terminal-config');
    const config = loadConfig('resources/terminal.default.json');
    expect(config.tillApi).toMatchObject({ enabled: true, host: '127.0.0.1', port: 5171, lan: false, tills: [{ id: 'caisse-1', tokenSha256: DEMO_TOKEN_SHA256 }] });
  });
});

describe('the OpenAPI document', () => {
  it('lists every route the server answers, and the server answers every operation it lists', async () => {
    const doc = (await h.call('GET', '/openapi.json', { till: null })).json;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: h.api.origin }]);
    expect(doc.components.securitySchemes.tillToken).toEqual(expect.objectContaining({ type: 'http', scheme: 'bearer' }));

    // A sale to address on the path with parameters.
    await h.call('POST', '/v1/sales', { body: basket(h.known.claire.id, 'T-1') });
    const operations: Array<[string, string]> = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => [m.toUpperCase(), path] as [string, string]),
    );
    expect(operations.map(([m, p]) => `${m} ${p}`).sort()).toEqual([
      'GET /openapi.json',
      'GET /v1/health',
      'GET /v1/members/{memberId}/relationship',
      'GET /v1/sales/{tillId}/{receipt}/receipt-lines',
      'GET /v1/z-report',
      'POST /v1/identify',
      'POST /v1/incidents',
      'POST /v1/incidents/resolve',
      'POST /v1/incidents/update',
      'POST /v1/refunds',
      'POST /v1/sales',
      'POST /v1/sales/hold',
      'POST /v1/sales/preview',
      'POST /v1/sales/void',
    ]);
    const documented = new Set(operations.map(([m, p]) => `${m} ${p}`));
    for (const [method, template] of operations) {
      const path = template.replace('{tillId}', 'caisse-1').replace('{receipt}', 'T-1').replace('{memberId}', h.known.claire.id);
      const r = await h.call(method, path, method === 'POST' ? { body: {} } : {});
      // Answered by the route itself: anything but "no such endpoint" and "wrong method".
      expect(r.status, `${method} ${path}`).not.toBe(405);
      expect(r.json?.error?.message ?? '', `${method} ${path}`).not.toMatch(/^no endpoint/);
      // Every other method on a documented path is refused as such.
      for (const other of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
        if (documented.has(`${other} ${template}`)) continue;
        expect((await h.call(other, path)).status, `${other} ${path}`).toBe(405);
      }
    }
  });

  it('documents the bodies with the contract schemas, the bearer token on private routes and the Idempotency-Key on every write', async () => {
    const doc = (await h.call('GET', '/openapi.json', { till: null })).json;
    const strip = (schema: z.ZodType) => {
      const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
      return rest;
    };
    expect(doc.paths['/v1/sales'].post.requestBody.content['application/json'].schema).toEqual(strip(SaleInput));
    expect(doc.paths['/v1/refunds'].post.requestBody.content['application/json'].schema).toEqual(strip(RefundInput));
    expect(doc.security).toEqual([{ tillToken: [] }]);
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, Record<string, unknown>>>)) {
      for (const [method, op] of Object.entries(ops)) {
        const publicRoute = path === '/v1/health' || path === '/openapi.json';
        expect(op.security, `${method} ${path}`).toEqual(publicRoute ? [] : undefined);
        const params = (op.parameters ?? []) as Array<Record<string, unknown>>;
        expect(params.some((p) => p.$ref === '#/components/parameters/IdempotencyKey'), `${method} ${path}`).toBe(method === 'post');
        expect((op.responses as Record<string, unknown>)['200']).toBeDefined();
        if (!publicRoute) expect((op.responses as Record<string, unknown>)['401']).toBeDefined();
      }
    }
    expect(doc.components.parameters.IdempotencyKey).toMatchObject({ in: 'header', name: 'Idempotency-Key', required: true });
    expect(doc.paths['/v1/z-report'].get.parameters).toEqual([expect.objectContaining({ name: 'day', in: 'query', required: false })]);
  });
});
