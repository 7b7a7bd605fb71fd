import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IT_SESSION_IDLE_MS, METHOD_NAMES, type MethodName, type Result } from '../../src/shared/contract';
import { formatCardNumber } from '../../src/shared/domain/card-number';
import { createCore, SIMULATED_SCANNER_ID, type Core, type CoreOptions } from '../../src/main/core/core';
import { fileItAccessStore, setItPin } from '../../src/main/core/it/it-gate';
import { LogRing } from '../../src/main/core/it/log-ring';
import { hashManagerPin } from '../../src/main/core/ledger/manager-pin';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { insertKnownMembers, KNOWN_PEOPLE, testConfig, type KnownMembers } from '../fakes/known-members';

const CHEAP = { N: 1024, r: 8, p: 1 };
const IT_PIN = '739150';
const MANAGER_PIN = '4821';
const IT_METHODS = METHOD_NAMES.filter((m) => m.startsWith('it.') && m !== 'it.unlock');

let dir: string;
let core: Core;
let known: KnownMembers;
let now: number;
let ring: LogRing;
let restarts: number;

function start(extra: Partial<CoreOptions> = {}): Core {
  return createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config: testConfig({ managerPinHash: hashManagerPin(MANAGER_PIN, seededRandom(8), CHEAP) }),
    shell: 'browser',
    clock: { now: () => now },
    random: seededRandom(1),
    logger: silentLogger,
    validateOutput: true,
    logRing: ring,
    ...extra,
  });
}

async function call(method: MethodName, input: unknown = {}, role: 'cashier' | 'customer' | 'simulator' = 'cashier'): Promise<Result<unknown>> {
  return core.dispatch(role, method, input);
}

async function ok<T>(method: MethodName, input: unknown = {}): Promise<T> {
  const result = await call(method, input);
  if (!result.ok) throw new Error(`${method}: ${JSON.stringify(result.error)}`);
  return result.value as T;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-it-'));
  now = Date.UTC(2026, 11, 7, 9);
  ring = new LogRing();
  restarts = 0;
  setItPin(fileItAccessStore(dir), IT_PIN, seededRandom(2), CHEAP);
  core = start({
    restart: () => {
      restarts += 1;
      return { restarting: true, reason: null };
    },
  });
  await core.start();
  known = insertKnownMembers(core.members);
});
afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the it.* methods', () => {
  it('refuse every call without an IT session, with it_locked, and run none of it', async () => {
    expect(IT_METHODS.length).toBeGreaterThanOrEqual(6);
    for (const method of IT_METHODS) {
      if (method === 'it.lock') continue;
      const result = await call(method, method === 'it.testScan' ? { timeoutMs: 1_000 } : {});
      expect(result.ok ? 'ran' : result.error.code, method).toBe('it_locked');
    }
    expect(restarts).toBe(0);
  });

  it('are the cashier window\'s alone: the customer screen is forbidden even with a session open', async () => {
    await ok('it.unlock', { pin: IT_PIN });
    for (const method of [...IT_METHODS, 'it.unlock' as const]) {
      for (const role of ['customer', 'simulator'] as const) {
        const result = await call(method, method === 'it.unlock' ? { pin: IT_PIN } : {}, role);
        expect(result.ok ? 'ran' : result.error.code, `${role} ${method}`).toBe('forbidden');
      }
    }
  });

  it('open with the IT PIN, not with the manager PIN, and refuse a malformed PIN at the edge', async () => {
    const manager = await call('it.unlock', { pin: MANAGER_PIN });
    expect(manager.ok ? 'opened' : manager.error.code).toBe('forbidden');
    const malformed = await call('it.unlock', { pin: '12ab' });
    expect(malformed.ok ? 'opened' : malformed.error.code).toBe('bad_input');
    const session = await ok<{ expiresAt: number }>('it.unlock', { pin: IT_PIN });
    expect(session.expiresAt).toBe(now + IT_SESSION_IDLE_MS);
    const overview = await ok<{ terminal: { terminalId: string } }>('it.overview');
    expect(overview.terminal.terminalId).toBe('test-t1');
  });

  it('lapse after minutes without a call, and on it.lock', async () => {
    await ok('it.unlock', { pin: IT_PIN });
    now += IT_SESSION_IDLE_MS;
    const lapsed = await call('it.overview');
    expect(lapsed.ok ? 'ran' : lapsed.error.code).toBe('it_locked');
    await ok('it.unlock', { pin: IT_PIN });
    await ok('it.lock');
    const locked = await call('it.overview');
    expect(locked.ok ? 'ran' : locked.error.code).toBe('it_locked');
  });

  it('show the terminal as IT needs it: ids, data folder, HQ, devices, log lines', async () => {
    await ok('it.unlock', { pin: IT_PIN });
    const view = await ok<{
      app: { version: string };
      updates: unknown;
      hq: { url: string | null; sync: { state: string } };
      terminal: { terminalId: string; terminalCode: number; storeName: string };
      devices: Array<{ id: string }>;
      dataDir: string | null;
      logLines: string[];
    }>('it.overview');
    expect(view.app.version).toMatch(/^\d+\.\d+\.\d+/);
    // The update policy's own view: its state and history, as the Diagnostic dialog shows them.
    expect(view.updates).toMatchObject({ state: 'idle', currentVersion: view.app.version, history: expect.any(Array) });
    expect(view.terminal).toMatchObject({ terminalId: 'test-t1', terminalCode: 42, storeName: 'Magasin de test' });
    expect(view.dataDir).toBe(dir);
    expect(view.hq).toMatchObject({ url: null, sync: { state: 'unconfigured' } });
    expect(view.devices.map((d) => d.id)).toEqual([SIMULATED_SCANNER_ID]);
  });

  it('take a test scan without identifying anyone, and show only the code\'s last four characters', async () => {
    await ok('it.unlock', { pin: IT_PIN });
    const pending = ok<{ outcome: string; kind: string; masked: string }>('it.testScan', { timeoutMs: 5_000 });
    const scanned = await core.dispatch('simulator', 'sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: known.claire.cardNumber });
    expect(scanned.ok).toBe(true);
    const view = await pending;
    expect(view).toEqual({ outcome: 'scanned', deviceId: SIMULATED_SCANNER_ID, kind: 'card', length: 13, masked: `…${known.claire.cardNumber.slice(-4)}` });
    expect(core.session.current().phase).toBe('idle');
    // The next scan is a customer's again.
    await core.dispatch('simulator', 'sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: known.claire.cardNumber });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(core.session.current().phase).toBe('identified');
  });

  it('say there is no printer to test on a terminal without one', async () => {
    await ok('it.unlock', { pin: IT_PIN });
    const result = await call('it.testPrint');
    expect(result.ok ? 'printed' : result.error.code).toBe('unavailable');
  });

  it('export a 0600 bundle with versions, config and logs, and no member\'s name, email, phone or card', async () => {
    const claire = core.members.detail(known.claire.id)!;
    // What a careless writer could log: the ring redacts as lines arrive, the bundle again on the way out.
    const typed = KNOWN_PEOPLE.claire;
    ring.record(JSON.stringify({ level: 'info', message: `identified ${typed.email} ${typed.phone} (${claire.email})`, firstName: claire.firstName, lastName: claire.lastName, card: claire.cardNumber }));
    ring.record(`plain line about ${formatCardNumber(claire.cardNumber)} and +33 6 12 34 56 78`);
    await ok('it.unlock', { pin: IT_PIN });
    const bundle = await ok<{ fileName: string; path: string; bytes: number; content: string }>('it.diagnosticsBundle');
    const onDisk = readFileSync(bundle.path, 'utf8');
    expect(onDisk).toBe(bundle.content);
    expect(bundle.path.startsWith(join(dir, 'diagnostics'))).toBe(true);
    expect(statSync(bundle.path).mode & 0o777).toBe(0o600);
    const parsed = JSON.parse(onDisk) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(expect.arrayContaining(['format', 'app', 'terminal', 'config', 'devices', 'hq', 'updates', 'logs']));
    expect((parsed.logs as string[]).length).toBeGreaterThanOrEqual(2);
    for (const [key, member] of Object.entries(known) as Array<[keyof typeof KNOWN_PEOPLE, (typeof known)[keyof typeof KNOWN_PEOPLE]]>) {
      const detail = core.members.detail(member.id)!;
      const { email, phone } = KNOWN_PEOPLE[key];
      // The masks the terminal shows (« c***@example.com ») go no further than the real contacts.
      const personal = [detail.firstName, detail.lastName, email, phone, phone?.slice(-8), detail.email, detail.cardNumber, formatCardNumber(detail.cardNumber)];
      for (const value of personal) if (value) expect(onDisk, value).not.toContain(value);
    }
    // The manager PIN's hash is a secret too.
    expect(onDisk).not.toContain('scrypt$');
  });

  it('ask the shell to restart, then lock; a shell that cannot says so', async () => {
    await ok('it.unlock', { pin: IT_PIN });
    expect(await ok('it.restart')).toEqual({ restarting: true, reason: null });
    expect(restarts).toBe(1);
    const after = await call('it.overview');
    expect(after.ok ? 'ran' : after.error.code).toBe('it_locked');

    await core.close();
    core = start();
    await core.start();
    await ok('it.unlock', { pin: IT_PIN });
    expect(await ok('it.restart')).toEqual({ restarting: false, reason: expect.any(String) });
  });
});
