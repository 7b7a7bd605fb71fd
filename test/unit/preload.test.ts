import { existsSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, methods, type Role } from '../../src/shared/contract';
import { buildApi, exposeApi, type ExposedApi, type IpcRendererLike } from '../../src/preload/expose';
import type { PreloadApi } from '../../src/renderer/api/electron-transport';

type RendererListener = (event: unknown, ...args: unknown[]) => void;

class FakeIpcRenderer implements IpcRendererLike {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  readonly listeners = new Map<string, Set<RendererListener>>();
  answer: (channel: string, input: unknown) => Promise<unknown> = async (channel) => ({ ok: true, value: { channel } });

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.answer(channel, args[0]);
  }
  on(channel: string, listener: RendererListener): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: RendererListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  /** What Electron does when main calls webContents.send(channel, ...args). */
  emit(channel: string, ...args: unknown[]): void {
    const event = { sender: this, senderId: 0, ports: [] };
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args);
  }
}

const electron = vi.hoisted(() => ({
  exposed: [] as Array<{ key: string; api: unknown }>,
  ipcRenderer: null as unknown,
}));

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.push({ key, api }),
  },
  get ipcRenderer() {
    return electron.ipcRenderer;
  },
}));

/** The methods the schema table (not the role table the preload reads) gives a role. */
function schemaTableMethods(role: Role): string[] {
  return METHOD_NAMES.filter((name) => (methods[name].roles as readonly Role[]).includes(role)).sort();
}

async function loadPreload(file: 'cashier' | 'customer'): Promise<{ api: ExposedApi; ipc: FakeIpcRenderer }> {
  vi.resetModules();
  electron.exposed.length = 0;
  const ipc = new FakeIpcRenderer();
  electron.ipcRenderer = ipc;
  await import(`../../src/preload/${file}.ts`);
  expect(electron.exposed).toHaveLength(1);
  const [{ key, api }] = electron.exposed as [{ key: string; api: ExposedApi }];
  expect(key).toBe('fidele');
  return { api, ipc };
}

describe('the cashier preload', () => {
  it('exposes exactly the cashier methods, under its role', async () => {
    const { api } = await loadPreload('cashier');
    expect(api.role).toBe('cashier');
    expect(Object.keys(api.methods).sort()).toEqual(schemaTableMethods('cashier'));
    expect(api.methods).toHaveProperty('member.search');
    expect(api.methods).not.toHaveProperty('enrolment.submit');
    expect(api.methods).not.toHaveProperty('sim.scan');
  });

  it('sends each call on its own channel with the input untouched', async () => {
    const { api, ipc } = await loadPreload('cashier');
    const input = { query: 'dupont', limit: 5 };
    const result = await api.methods['member.search']!(input);
    expect(ipc.invoked).toEqual([{ channel: 'fidele:member.search', args: [input] }]);
    expect(result).toEqual({ ok: true, value: { channel: 'fidele:member.search' } });
  });
});

describe('the customer preload', () => {
  it('exposes exactly the customer methods, under its role', async () => {
    const { api } = await loadPreload('customer');
    expect(api.role).toBe('customer');
    expect(Object.keys(api.methods).sort()).toEqual(schemaTableMethods('customer'));
    expect(api.methods).toHaveProperty('enrolment.submit');
    expect(api.methods).not.toHaveProperty('member.search');
    expect(api.methods).not.toHaveProperty('member.get');
    expect(api.methods).not.toHaveProperty('sim.scan');
  });

  it('hands listeners the event name and payload only, never the IPC event', async () => {
    const { api, ipc } = await loadPreload('customer');
    const heard: unknown[][] = [];
    const off = api.on((...args) => heard.push(args));
    ipc.emit(IPC_EVENT_CHANNEL, 'session.changed', { phase: 'idle' });
    ipc.emit('fidele:something-else', 'session.changed', { phase: 'enrolling' });
    ipc.emit(IPC_EVENT_CHANNEL, { not: 'a name' }, 1);
    expect(heard).toEqual([['session.changed', { phase: 'idle' }]]);

    off();
    ipc.emit(IPC_EVENT_CHANNEL, 'session.changed', { phase: 'idle' });
    expect(heard).toHaveLength(1);
    expect(ipc.listeners.get(IPC_EVENT_CHANNEL)?.size ?? 0).toBe(0);
  });

  it('turns a failed invoke into a Result instead of a rejection', async () => {
    const { api, ipc } = await loadPreload('customer');
    ipc.answer = () => Promise.reject(new Error("No handler registered for 'fidele:session.get'"));
    expect(await api.methods['session.get']!({})).toEqual({ ok: false, error: { code: 'internal', message: expect.any(String) } });
  });
});

describe('the simulator', () => {
  beforeEach(() => {
    electron.exposed.length = 0;
  });

  it('has no preload, and none can be built for it', () => {
    expect(existsSync('src/preload/simulator.ts')).toBe(false);
    const bridge = { exposeInMainWorld: vi.fn() };
    expect(() => exposeApi('simulator' as never, bridge, new FakeIpcRenderer())).toThrow(/simulator/);
    expect(bridge.exposeInMainWorld).not.toHaveBeenCalled();
  });

  it('keeps its only method out of every window', () => {
    for (const role of ['cashier', 'customer'] as const) {
      expect(Object.keys(buildApi(role, new FakeIpcRenderer()).methods)).not.toContain('sim.scan');
    }
  });
});

describe('the exposed object', () => {
  it('is frozen and fits what the renderer expects on window.fidele', () => {
    const api: PreloadApi = buildApi('cashier', new FakeIpcRenderer());
    expect(Object.isFrozen(api)).toBe(true);
    expect(Object.isFrozen(api.methods)).toBe(true);
    expect(() => {
      (api.methods as Record<string, unknown>)['sim.scan'] = () => undefined;
    }).toThrow(TypeError);
  });
});
