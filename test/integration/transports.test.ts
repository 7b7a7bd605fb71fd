import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROLES, methodsForRole, METHOD_NAMES, type Role } from '../../src/shared/contract';
import { createCore, SIMULATED_SCANNER_ID, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { ApiError, clientFrom } from '../../src/renderer/api/client';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';
import { memoryTransport } from '../fakes/memory-transport';

let core: Core;
let known: KnownMembers;

beforeEach(async () => {
  core = createCore({
    dbPath: ':memory:',
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => Date.UTC(2026, 10, 22) },
    random: seededRandom(8),
    logger: silentLogger,
    validateOutput: true,
  });
  await core.start();
  known = insertKnownMembers(core.members);
});

afterEach(async () => {
  await core.close();
});

describe('the in-memory transport, as a screen sees it', () => {
  it('carries a scan from the simulator to the cashier and the customer screens', async () => {
    const cashier = clientFrom(memoryTransport(core, 'cashier'));
    const customer = clientFrom(memoryTransport(core, 'customer'));
    const simulator = clientFrom(memoryTransport(core, 'simulator'));
    const seen: Record<string, string[]> = { cashier: [], customer: [] };
    cashier.on('scan.read', (p) => seen.cashier!.push(p.result.kind));
    customer.on('session.changed', (p) => seen.customer!.push(p.phase));
    // scan.read is not the customer's to hear.
    customer.on('scan.read', () => seen.customer!.push('scan.read'));

    expect(await simulator.call('sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: known.claire.cardNumber })).toEqual({ accepted: true });
    expect(seen).toEqual({ cashier: ['member'], customer: ['identified'] });
    expect(await customer.call('session.get', {})).toMatchObject({ greeting: { firstName: 'Claire' } });
  });

  it('throws an ApiError carrying the code for a refused call', async () => {
    const customer = clientFrom(memoryTransport(core, 'customer'));
    const refused = customer.call('member.search', { query: 'cla' });
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('gives every role exactly the methods the contract lists for it', async () => {
    for (const role of ROLES) {
      const transport = memoryTransport(core, role);
      const allowed = new Set(methodsForRole(role));
      for (const method of METHOD_NAMES) {
        const result = await transport.invoke(method, {});
        const forbidden = !result.ok && result.error.code === 'forbidden';
        expect(forbidden, `${role} → ${method}`).toBe(!allowed.has(method));
      }
    }
  });

  it('refuses an unknown role outright', async () => {
    const stranger = memoryTransport(core, 'admin' as Role);
    expect(await stranger.invoke('session.get', {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });
});
