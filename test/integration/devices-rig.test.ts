import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload, Result } from '../../src/shared/contract';
import { createCore, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger, systemClock } from '../../src/main/core/ports';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';
import { until } from '../fakes/device-harness';

/** Every event the core pushed, in order. */
function record(core: Core): Array<{ name: EventName; payload: unknown }> {
  const seen: Array<{ name: EventName; payload: unknown }> = [];
  core.bus.subscribe((name, payload) => seen.push({ name, payload }));
  return seen;
}

function ofType<E extends EventName>(events: Array<{ name: EventName; payload: unknown }>, name: E): EventPayload<E>[] {
  return events.filter((e) => e.name === name).map((e) => e.payload as EventPayload<E>);
}

async function ok<T>(result: Promise<Result<unknown>>): Promise<T> {
  const r = await result;
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as T;
}

const CARD_UID = '04A1B2C3D4E5F6';
const PHONE_UID = '08C0FFEE';

describe("the kiosk in 'rig' mode: real drivers, protocol simulators over socat", () => {
  let core: Core;
  let known: KnownMembers;
  let events: Array<{ name: EventName; payload: unknown }>;

  beforeEach(async () => {
    core = createCore({
      dbPath: ':memory:',
      config: testConfig({ devices: 'rig' }),
      shell: 'browser',
      clock: systemClock,
      random: seededRandom(5),
      logger: silentLogger,
      validateOutput: true,
    });
    known = insertKnownMembers(core.members);
    events = record(core);
    await core.start();
    await until(() => core.devices.list().every((d) => d.state === 'enabled'), 'every rig device enabled', 5_000);
  });

  afterEach(async () => {
    await core.close();
  });

  it('lists the three drivers as simulated hardware, ready, with their condition', async () => {
    const { devices } = await ok<{ devices: Array<{ id: string; kind: string; simulated: boolean; condition: string | null; pendingJobs: number | null }> }>(
      core.dispatch('simulator', 'sim.devices', {}),
    );
    expect(devices.map((d) => d.kind).sort()).toEqual(['nfc', 'printer', 'scanner']);
    expect(devices.every((d) => d.simulated && d.condition === 'ok')).toBe(true);
    expect(devices.find((d) => d.kind === 'printer')!.pendingJobs).toBe(0);
  });

  it("a code written on the serial scanner's pty identifies Claire", async () => {
    const scanner = core.devices.list().find((d) => d.kind === 'scanner')!;
    expect(await ok(core.dispatch('simulator', 'sim.scan', { deviceId: scanner.id, data: known.claire.cardNumber }))).toEqual({ accepted: true });
    await until(() => ofType(events, 'scan.read').length > 0, 'the scan event');
    expect(ofType(events, 'scan.read')[0]).toMatchObject({ deviceId: scanner.id, result: { kind: 'member', member: { id: known.claire.id } } });
    expect(core.session.current()).toMatchObject({ phase: 'identified', memberId: known.claire.id });
  });

  it('pairs a physical NFC card with Claire, after which a tap identifies her; a phone is refused', async () => {
    await ok(core.dispatch('cashier', 'nfc.pair', { memberId: known.claire.id }));
    await ok(core.dispatch('simulator', 'sim.tapNfc', { uid: PHONE_UID, kind: 'phone' }));
    await until(() => ofType(events, 'nfc.pairing').length === 1, 'the refusal');
    expect(ofType(events, 'nfc.pairing')[0]).toMatchObject({ memberId: known.claire.id, uid: PHONE_UID, outcome: 'random_uid' });
    expect(core.hardware!.tags.cardFor(PHONE_UID)).toBeNull();

    await ok(core.dispatch('cashier', 'nfc.pair', { memberId: known.claire.id }));
    await ok(core.dispatch('simulator', 'sim.tapNfc', { uid: CARD_UID, kind: 'card' }));
    await until(() => ofType(events, 'nfc.pairing').length === 2, 'the pairing');
    expect(ofType(events, 'nfc.pairing')[1]).toMatchObject({ uid: CARD_UID, outcome: 'paired' });
    // The pairing tap is not also a scan.
    expect(ofType(events, 'scan.read')).toHaveLength(0);

    // Someone else cannot take that card.
    await ok(core.dispatch('cashier', 'nfc.pair', { memberId: known.helene.id }));
    await ok(core.dispatch('simulator', 'sim.tapNfc', { uid: CARD_UID, kind: 'card' }));
    await until(() => ofType(events, 'nfc.pairing').length === 3, 'the refusal for another member');
    expect(ofType(events, 'nfc.pairing')[2]).toMatchObject({ memberId: known.helene.id, outcome: 'already_paired' });
    expect(core.hardware!.tags.cardFor(CARD_UID)).toBe(known.claire.cardNumber);

    await ok(core.dispatch('simulator', 'sim.tapNfc', { uid: CARD_UID, kind: 'card' }));
    await until(() => ofType(events, 'scan.read').length === 1, 'the tap read as her card');
    expect(ofType(events, 'scan.read')[0]).toMatchObject({ deviceId: 'nfc', result: { kind: 'member', member: { id: known.claire.id } } });
  });

  it('prints the loyalty receipt of a sale on the simulated printer, never holding the sale up', async () => {
    const sale = await ok<{ receipt: string; pointsEarned: number }>(
      core.dispatch('cashier', 'ledger.manualCommit', { memberId: known.claire.id, lines: [{ category: 'grocery', amountCents: 4_250, taxRateBp: 550 }] }),
    );
    const printed = async () => ok<{ pages: Array<{ text: string; codes: string[] }>; lastReceiptSvg: string | null }>(core.dispatch('simulator', 'sim.printed', {}));
    let pages = (await printed()).pages;
    for (const deadline = Date.now() + 5_000; pages.length === 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      pages = (await printed()).pages;
    }
    expect(pages).toHaveLength(1);
    const page = pages[0]!;
    expect(page.text).toContain('Points gagnés');
    expect(page.text).toContain('Claire');
    expect(page.text).toContain('42,50 €');
    expect(page.text).toContain(sale.receipt);
    expect(page.codes).toContain(known.claire.cardNumber);
    const svg = (await printed()).lastReceiptSvg!;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Claire');
  });

  it('paper out mid-receipt shows as paper_out on device.changed; paper back, the receipt prints exactly once', async () => {
    core.rig!.printer.engine.paperOutAfter(120);
    await ok(core.dispatch('cashier', 'ledger.manualCommit', { memberId: known.claire.id, lines: [{ category: 'grocery', amountCents: 1_990, taxRateBp: 550 }] }));
    await until(() => ofType(events, 'device.changed').some((d) => d.kind === 'printer' && d.condition === 'paper_out'), 'paper out on device.changed', 5_000);
    const during = ofType(events, 'device.changed').filter((d) => d.kind === 'printer').at(-1)!;
    expect(during.pendingJobs).toBe(1);
    expect(core.rig!.printer.engine.printed).toHaveLength(0);

    await ok(core.dispatch('simulator', 'sim.printerFault', { fault: 'paper_in' }));
    await until(() => core.rig!.printer.engine.printed.length === 1, 'the receipt printed', 5_000);
    await until(() => ofType(events, 'device.changed').at(-1)?.pendingJobs === 0, 'no job left', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(core.rig!.printer.engine.printed).toHaveLength(1);
    expect(core.rig!.printer.engine.printed[0]!.text).toContain('Points gagnés');
    expect(ofType(events, 'device.changed').filter((d) => d.kind === 'printer').at(-1)).toMatchObject({ condition: 'ok', pendingJobs: 0 });
  });

  it('answers the IT view with each device, its endpoint and the latest diagnostics', async () => {
    await ok(core.dispatch('cashier', 'nfc.pair', { memberId: known.claire.id }));
    await ok(core.dispatch('simulator', 'sim.tapNfc', { uid: PHONE_UID, kind: 'phone' }));
    await until(() => core.devices.diagnostics().some((d) => d.code === 'random_uid'), 'the random UID diagnostic');
    const view = await ok<{ devices: Array<{ id: string; endpoint: string | null }>; diagnostics: Array<{ deviceId: string; code: string }> }>(
      core.dispatch('cashier', 'device.diagnostics', {}),
    );
    expect(view.devices.every((d) => d.endpoint !== null && d.endpoint.length > 0)).toBe(true);
    expect(view.diagnostics[0]).toMatchObject({ deviceId: 'nfc', code: 'random_uid' });
  });
});

describe("the kiosk in 'simulated' mode", () => {
  it('answers the rig-only simulator methods with unavailable', async () => {
    const core = createCore({ dbPath: ':memory:', config: testConfig(), shell: 'browser', clock: systemClock, random: seededRandom(5), logger: silentLogger });
    await core.start();
    try {
      for (const [method, input] of [
        ['sim.tapNfc', { uid: CARD_UID, kind: 'card' }],
        ['sim.printerFault', { fault: 'paper_out' }],
        ['sim.printed', {}],
      ] as const) {
        expect(await core.dispatch('simulator', method, input)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      }
      expect(await core.dispatch('cashier', 'nfc.pair', { memberId: '0190a0b0-0000-7000-8000-000000000001' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
      const { devices } = await ok<{ devices: Array<{ condition: string | null; pendingJobs: number | null }> }>(core.dispatch('simulator', 'sim.devices', {}));
      expect(devices).toEqual([expect.objectContaining({ condition: null, pendingJobs: null })]);
    } finally {
      await core.close();
    }
  });
});
