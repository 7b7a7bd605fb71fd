import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IPC_EVENT_CHANNEL, METHOD_NAMES, ipcChannel, type MethodName, type Result, type SessionState } from '../../src/shared/contract';
import { createCore, SIMULATED_SCANNER_ID, type Core } from '../../src/main/core/core';
import { SimulatedScanner } from '../../src/main/core/devices/simulated-scanner';
import { seededRandom, silentLogger, type Logger } from '../../src/main/core/ports';
import { pageUrl, type WindowRole } from '../../src/main/electron/app-url';
import { bindIpc, type InvokeEventLike, type IpcMainLike } from '../../src/main/electron/ipc-adapter';
import { WindowRegistry, type FrameLike, type WebContentsLike } from '../../src/main/electron/window-registry';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

type Listener = (event: InvokeEventLike, ...args: unknown[]) => unknown;

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, listener: Listener): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  async invoke(event: InvokeEventLike, method: MethodName | string, input?: unknown): Promise<Result<unknown>> {
    const listener = this.handlers.get(ipcChannel(method as MethodName));
    if (!listener) throw new Error(`No handler registered for '${method}'`);
    return (await listener(event, input)) as Result<unknown>;
  }
}

class FakeContents implements WebContentsLike {
  readonly mainFrame: FrameLike;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  destroyed = false;
  failOnSend = false;
  constructor(
    readonly id: number,
    url: string,
  ) {
    this.mainFrame = { url, processId: 100 + id, routingId: 1, parent: null };
  }
  send(channel: string, ...args: unknown[]): void {
    if (this.failOnSend) throw new Error('Render frame was disposed before WebFrameMain could be accessed');
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The names of the events this window was sent, in order. */
  eventNames(): string[] {
    return this.sent.filter((s) => s.channel === IPC_EVENT_CHANNEL).map((s) => s.args[0] as string);
  }
}

/** An event from the main frame of `contents`, the way Electron builds one. */
const fromMainFrame = (contents: FakeContents): InvokeEventLike => ({ sender: contents, senderFrame: contents.mainFrame });

let core: Core;
let ipc: FakeIpcMain;
let registry: WindowRegistry;
let cashier: FakeContents;
let customer: FakeContents;
let known: KnownMembers;
let warnings: string[];
let unbind: () => void;

function snapshot(): string {
  const tables = ['member', 'member_card', 'member_consent', 'card_serial'];
  return JSON.stringify([core.session.current(), ...tables.map((t) => core.db.prepare(`SELECT * FROM ${t} ORDER BY 1`).all())]);
}

function open(role: WindowRole, id: number): FakeContents {
  const contents = new FakeContents(id, pageUrl(role));
  registry.register(contents, role);
  return contents;
}

beforeEach(async () => {
  let now = Date.UTC(2026, 10, 22, 9);
  core = createCore({
    dbPath: ':memory:',
    config: testConfig(),
    shell: 'electron',
    clock: { now: () => (now += 1_000) },
    random: seededRandom(7),
    logger: silentLogger,
    validateOutput: true,
  });
  await core.start();
  known = insertKnownMembers(core.members);
  ipc = new FakeIpcMain();
  registry = new WindowRegistry();
  warnings = [];
  const logger: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
  unbind = bindIpc(ipc, { dispatch: core.dispatch, bus: core.bus, registry, logger });
  cashier = open('cashier', 1);
  customer = open('customer', 2);
});

afterEach(async () => {
  unbind();
  await core.close();
});

describe('binding', () => {
  it('registers one channel per contract method and nothing else', () => {
    expect([...ipc.handlers.keys()].sort()).toEqual(METHOD_NAMES.map(ipcChannel).sort());
  });

  it('removes every handler when unbound', () => {
    unbind();
    expect(ipc.handlers.size).toBe(0);
    unbind = () => undefined;
  });
});

describe('a legitimate window', () => {
  it('reaches the core with the role of its registration', async () => {
    const info = await ipc.invoke(fromMainFrame(cashier), 'terminal.info', {});
    expect(info).toMatchObject({ ok: true, value: { terminalId: 'test-t1', shell: 'electron' } });

    const search = await ipc.invoke(fromMainFrame(cashier), 'member.search', { query: 'dupont' });
    expect(search.ok).toBe(true);
    expect((search as { value: { hits: Array<{ id: string }> } }).value.hits.map((h) => h.id)).toContain(known.claire.id);
  });

  it('accepts the main frame when Electron hands out a second wrapper for it', async () => {
    const wrapper: FrameLike = { ...cashier.mainFrame };
    const result = await ipc.invoke({ sender: cashier, senderFrame: wrapper }, 'session.get', {});
    expect(result).toEqual({ ok: true, value: { phase: 'idle' } });
  });

  it('accepts its own page with a query or fragment', async () => {
    const frame: FrameLike = { ...cashier.mainFrame, url: `${pageUrl('cashier')}?lang=en#top` };
    expect((await ipc.invoke({ sender: cashier, senderFrame: frame }, 'session.get', {})).ok).toBe(true);
  });
});

describe('a forged sender', () => {
  const forbidden = { ok: false, error: { code: 'forbidden', message: expect.any(String) } };

  it('is refused when its webContents was never registered', async () => {
    const stranger = new FakeContents(99, pageUrl('cashier'));
    const before = snapshot();
    expect(await ipc.invoke(fromMainFrame(stranger), 'enrolment.start', {})).toEqual(forbidden);
    expect(snapshot()).toBe(before);
    expect(warnings).toEqual(['refused an IPC call']);
  });

  it('is refused once its window is unregistered', async () => {
    const contents = new FakeContents(7, pageUrl('cashier'));
    const unregister = registry.register(contents, 'cashier');
    expect((await ipc.invoke(fromMainFrame(contents), 'session.get', {})).ok).toBe(true);
    unregister();
    expect(await ipc.invoke(fromMainFrame(contents), 'session.get', {})).toEqual(forbidden);
  });

  it.each([
    ['another origin', 'https://evil.example/cashier/index.html'],
    ['a file URL', 'file:///opt/fidele/out/renderer/cashier/index.html'],
    ['another app:// host', 'app://evil/cashier/index.html'],
    ['our host with credentials', 'app://user:pw@fidele/cashier/index.html'],
    ['the loopback web bridge', 'http://127.0.0.1:5170/cashier/?token=x'],
    ['a data URL', 'data:text/html,<script>1</script>'],
    ['another page of ours', pageUrl('customer')],
    ['the simulator page', 'app://fidele/simulator/index.html'],
    ['not a URL', 'cashier'],
  ])('is refused from %s', async (_label, url) => {
    const contents = new FakeContents(11, url);
    registry.register(contents, 'cashier');
    const before = snapshot();
    expect(await ipc.invoke(fromMainFrame(contents), 'member.select', { memberId: known.claire.id })).toEqual(forbidden);
    expect(snapshot()).toBe(before);
  });

  it('is refused from a subframe of a registered window', async () => {
    const iframe: FrameLike = { url: pageUrl('cashier'), processId: cashier.mainFrame.processId, routingId: 2, parent: cashier.mainFrame };
    const before = snapshot();
    expect(await ipc.invoke({ sender: cashier, senderFrame: iframe }, 'member.select', { memberId: known.claire.id })).toEqual(forbidden);
    expect(snapshot()).toBe(before);
  });

  it('is refused from a frame that claims the main frame ids but has a parent', async () => {
    const frame: FrameLike = { ...cashier.mainFrame, parent: { url: 'https://evil.example/' } };
    expect(await ipc.invoke({ sender: cashier, senderFrame: frame }, 'session.get', {})).toEqual(forbidden);
  });

  it('is refused when the frame is gone', async () => {
    expect(await ipc.invoke({ sender: cashier, senderFrame: null }, 'session.get', {})).toEqual(forbidden);
  });
});

describe('role and input, checked by the core after the sender', () => {
  it('refuses the customer screen a cashier method', async () => {
    const result = await ipc.invoke(fromMainFrame(customer), 'member.search', { query: 'dupont' });
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('refuses both windows the simulator-only method', async () => {
    for (const contents of [cashier, customer]) {
      const result = await ipc.invoke(fromMainFrame(contents), 'sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: known.claire.cardNumber });
      expect(result).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(core.session.current().phase).toBe('idle');
  });

  it('answers bad input with bad_input and changes nothing', async () => {
    const before = snapshot();
    const result = await ipc.invoke(fromMainFrame(cashier), 'member.select', { memberId: 'not-an-id' });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(snapshot()).toBe(before);
  });

  it('keeps a bad enrolment form out of the store', async () => {
    expect((await ipc.invoke(fromMainFrame(customer), 'enrolment.start', {})).ok).toBe(true);
    const before = snapshot();
    const members = core.members.count();
    const result = await ipc.invoke(fromMainFrame(customer), 'enrolment.submit', {
      firstName: 'Zoé',
      lastName: '',
      email: 'not-an-email',
      phone: '',
      consents: { marketing: false, personalisedOffers: false, profiling: false },
      consentWordingVersion: '2026-11.fr-1',
      locale: 'fr',
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(core.members.count()).toBe(members);
    expect(snapshot()).toBe(before);
  });

  it('ignores extra arguments beyond the input', async () => {
    const listener = ipc.handlers.get(ipcChannel('session.get'))!;
    expect(await listener(fromMainFrame(customer), {}, 'role=cashier')).toEqual({ ok: true, value: { phase: 'idle' } });
  });
});

describe('events', () => {
  function scan(data: string): void {
    const scanner = core.devices.get(SIMULATED_SCANNER_ID);
    if (!(scanner instanceof SimulatedScanner)) throw new Error('no simulated scanner');
    expect(scanner.inject(data)).toBe(true);
  }

  it('go to each window only if its role receives them', () => {
    scan(known.helene.cardNumber);
    expect(cashier.eventNames()).toEqual(['session.changed', 'scan.read']);
    expect(customer.eventNames()).toEqual(['session.changed']);
    const [name, payload] = customer.sent[0]!.args as [string, SessionState];
    expect(name).toBe('session.changed');
    expect(payload).toMatchObject({ phase: 'identified', memberId: known.helene.id, greeting: { firstName: 'Hélène' } });
  });

  it('skip a destroyed window and survive one whose renderer just died', () => {
    const third = open('customer', 3);
    customer.destroyed = true;
    cashier.failOnSend = true;
    scan(known.zoe.cardNumber);
    expect(customer.sent).toEqual([]);
    expect(third.eventNames()).toEqual(['session.changed']);
    expect(warnings).toContain('could not deliver an event');
  });

  it('stop when unbound', () => {
    unbind();
    unbind = () => undefined;
    scan(known.claire.cardNumber);
    expect(cashier.sent).toEqual([]);
    expect(customer.sent).toEqual([]);
  });
});
