import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WsMessage } from '../../src/shared/contract';
import { createCore, SIMULATED_SCANNER_ID, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { startWebBridge, type WebBridge } from '../../src/main/web-bridge/web-bridge';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

let core: Core;
let bridge: WebBridge;
let known: KnownMembers;
let staticDir: string;

beforeAll(async () => {
  staticDir = mkdtempSync(join(tmpdir(), 'fidele-static-'));
  mkdirSync(join(staticDir, 'cashier'));
  writeFileSync(join(staticDir, 'cashier', 'index.html'), '<!doctype html><title>caisse</title>');
  writeFileSync(join(tmpdir(), 'fidele-secret.txt'), 'secret');
  core = createCore({
    dbPath: ':memory:',
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => Date.UTC(2026, 10, 22) },
    random: seededRandom(3),
    logger: silentLogger,
    validateOutput: true,
  });
  await core.start();
  known = insertKnownMembers(core.members);
  bridge = await startWebBridge({ core, staticDir, random: seededRandom(4), logger: silentLogger });
});

afterAll(async () => {
  await bridge.close();
  await core.close();
  rmSync(staticDir, { recursive: true, force: true });
});

/** A client that collects every message, with a helper to await one. */
class Client {
  readonly messages: WsMessage[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 1;
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as WsMessage);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(token: string | undefined, headers: Record<string, string> = { origin: bridge.origin }): Promise<Client> {
    const ws = new WebSocket(`${bridge.origin.replace('http', 'ws')}/ws?token=${token ?? ''}`, { headers });
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    await client.until((m) => m.type === 'hello');
    return client;
  }
  async until(predicate: (m: WsMessage) => boolean): Promise<WsMessage> {
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), 3000);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
  async call(method: string, input: unknown): Promise<unknown> {
    const id = this.nextId++;
    this.ws.send(JSON.stringify({ id, method, input }));
    const reply = await this.until((m) => m.type === 'result' && m.id === id);
    return (reply as Extract<WsMessage, { type: 'result' }>).result;
  }
  async raw(frame: string | Buffer): Promise<unknown> {
    const before = this.messages.length;
    this.ws.send(frame);
    const reply = await this.until((m) => this.messages.indexOf(m) >= before && m.type === 'result');
    return (reply as Extract<WsMessage, { type: 'result' }>).result;
  }
  close() {
    this.ws.close();
  }
}

describe('web bridge', () => {
  it('binds to loopback only', async () => {
    await expect(startWebBridge({ core, staticDir: null, host: '0.0.0.0', random: seededRandom(1), logger: silentLogger })).rejects.toThrow(/loopback/);
    expect(bridge.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves the screens with the CSP and refuses paths outside the build', async () => {
    const page = await fetch(`${bridge.origin}/cashier/`);
    expect(page.status).toBe(200);
    // The socket this bridge serves, at its exact port: not any WebSocket on loopback.
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain(`connect-src ws://127.0.0.1:${bridge.port} ws://localhost:${bridge.port};`);
    expect(csp).not.toMatch(/:\*|'self' ws/);
    expect(csp).toContain("script-src 'self';");
    expect(await page.text()).toContain('caisse');
    // An encoded slash survives URL normalisation and would climb out of the build.
    const escape = await fetch(`${bridge.origin}/..%2Ffidele-secret.txt`);
    expect(escape.status).toBe(403);
    expect(await escape.text()).not.toContain('secret');
    expect((await fetch(`${bridge.origin}/cashier/`, { method: 'POST' })).status).toBe(405);
  });

  it('answers calls for the role of the token', async () => {
    const cashier = await Client.open(bridge.tokens.cashier);
    expect(cashier.messages[0]).toEqual({ type: 'hello', role: 'cashier' });
    expect(await cashier.call('member.identify', { code: known.claire.cardNumber, source: 'keyboard' })).toMatchObject({
      ok: true,
      value: { kind: 'member', member: { id: known.claire.id } },
    });
    cashier.close();
  });

  it('refuses a socket without a valid token, or opened by another origin', async () => {
    await expect(Client.open(undefined)).rejects.toThrow(/403/);
    await expect(Client.open('0'.repeat(32))).rejects.toThrow(/403/);
    await expect(Client.open(bridge.tokens.cashier, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
  });

  it('refuses a wrong role and bad input exactly as the IPC adapter does', async () => {
    const customer = await Client.open(bridge.tokens.customer);
    const viaSocket = await customer.call('member.search', { query: 'cla' });
    expect(viaSocket).toEqual(await core.dispatch('customer', 'member.search', { query: 'cla' }));
    expect(viaSocket).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const bad = await customer.call('enrolment.submit', { firstName: 42 });
    expect(bad).toEqual(await core.dispatch('customer', 'enrolment.submit', { firstName: 42 }));
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    customer.close();
  });

  it('answers malformed frames with bad_input and keeps the socket', async () => {
    const cashier = await Client.open(bridge.tokens.cashier);
    expect(await cashier.raw('not json')).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await cashier.raw(JSON.stringify({ id: 'x', method: 1 }))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await cashier.raw(JSON.stringify({ id: 5, method: 'session.get', input: {}, extra: true }))).toMatchObject({
      ok: false,
      error: { code: 'bad_input' },
    });
    expect(await cashier.raw(Buffer.from([1, 2, 3]))).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await cashier.call('session.get', {})).toMatchObject({ ok: true });
    cashier.close();
  });

  it('closes a socket that sends an oversized frame', async () => {
    const cashier = await Client.open(bridge.tokens.cashier);
    const closed = new Promise<number>((resolve) => cashier.ws.once('close', (code) => resolve(code)));
    cashier.ws.send('x'.repeat(70 * 1024));
    expect(await closed).toBe(1009);
  });

  it('pushes events only to the roles that receive them', async () => {
    const cashier = await Client.open(bridge.tokens.cashier);
    const customer = await Client.open(bridge.tokens.customer);
    const simulator = await Client.open(bridge.tokens.simulator);
    expect(await simulator.call('sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: known.helene.cardNumber })).toEqual({
      ok: true,
      value: { accepted: true },
    });
    await cashier.until((m) => m.type === 'event' && m.name === 'scan.read');
    await customer.until((m) => m.type === 'event' && m.name === 'session.changed');
    // Wait for the cashier's session event too, so the customer has had time to (not) get scan.read.
    await cashier.until((m) => m.type === 'event' && m.name === 'session.changed');
    expect(customer.messages.some((m) => m.type === 'event' && m.name === 'scan.read')).toBe(false);
    expect(simulator.messages.some((m) => m.type === 'event' && m.name === 'session.changed')).toBe(false);
    for (const c of [cashier, customer, simulator]) c.close();
  });
});
