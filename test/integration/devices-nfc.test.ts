import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/main/core/db/database';
import type { ScanData } from '../../src/main/core/devices/device';
import { DeviceManager } from '../../src/main/core/devices/device-manager';
import type { DeviceDiagnostic } from '../../src/main/core/devices/device-state';
import { Pn532Device, type NfcTagEvent } from '../../src/main/core/devices/nfc-pn532-device';
import { NfcPairingError, NfcTagStore } from '../../src/main/core/devices/nfc-tags';
import { encodeResponse } from '../../src/main/core/devices/protocols/pn532';
import { Pn532Simulator } from '../../src/main/core/devices/simulators/pn532-simulator';
import type { SocatPair } from '../../src/main/core/devices/simulators/socat';
import { createTransport } from '../../src/main/core/devices/transport';
import { MemberStore } from '../../src/main/core/members/member-store';
import { silentLogger } from '../../src/main/core/ports';
import { codesOf, collect, maxLoopGap, PtyLab, realDeps, until } from '../fakes/device-harness';
import { insertKnownMembers, type KnownMembers } from '../fakes/known-members';

const CLASSIC = { uid: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), sak: 0x08, atqa: [0x00, 0x04] as [number, number] };
const NTAG = { uid: Uint8Array.of(0x04, 0x33, 0x18, 0xea, 0x70, 0x32, 0x80), sak: 0x00, atqa: [0x00, 0x44] as [number, number] };
const PHONE = { uid: Uint8Array.of(0x08, 0x1a, 0x2b, 0x3c), sak: 0x20, atqa: [0x00, 0x04] as [number, number] };

describe('PN532 NFC reader over a socat pty', () => {
  let db: Db;
  let known: KnownMembers;
  let tags: NfcTagStore;
  let lab: PtyLab;
  let pair: SocatPair;
  let sim: Pn532Simulator;
  let manager: DeviceManager;
  let reader: Pn532Device;
  let scans: ScanData[];
  let tagEvents: NfcTagEvent[];
  let diagnostics: DeviceDiagnostic[];

  beforeEach(async () => {
    db = openDatabase(':memory:');
    known = insertKnownMembers(new MemberStore(db));
    tags = new NfcTagStore(db, 'test-t1');
    tags.pair('DEADBEEF', known.claire.cardNumber, 1);
    lab = new PtyLab();
    pair = lab.pair('nfc');
    await pair.start();
    sim = new Pn532Simulator(createTransport({ kind: 'serial', path: pair.devicePath, baudRate: 115200 }));
    await sim.open();
    manager = new DeviceManager(silentLogger);
    reader = new Pn532Device('nfc-1', 'Lecteur NFC', createTransport({ kind: 'serial', path: pair.appPath, baudRate: 115200 }), realDeps(), tags, {
      pollMs: 30,
      replyTimeoutMs: 150,
    });
    manager.add(reader);
    scans = collect((l) => manager.onScan(l));
    tagEvents = collect((l) => reader.onTag(l));
    diagnostics = collect((l) => manager.onDiagnostic(l));
    await manager.enableAll();
  });

  afterEach(async () => {
    await manager.closeAll();
    await sim.close();
    await lab.cleanup();
    db.close();
  });

  it('wakes the chip, configures it and polls; a paired card is read once per presentation as its card number', async () => {
    expect(reader.status()).toMatchObject({ state: 'enabled', condition: 'ok' });
    // Woken with SAMConfiguration, firmware checked, retries capped.
    expect(sim.commands.slice(0, 3)).toEqual([0x14, 0x02, 0x32]);
    expect(reader.firmware).toEqual({ ic: 0x32, version: 1, revision: 6, support: 7 });
    sim.presentTag(CLASSIC);
    await until(() => scans.length === 1, 'the card read');
    expect(scans[0]).toMatchObject({ deviceId: 'nfc-1', data: known.claire.cardNumber });
    // Left on the reader through many polls: still one read.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(scans).toHaveLength(1);
    sim.removeTag();
    await new Promise((resolve) => setTimeout(resolve, 100));
    sim.presentTag(CLASSIC);
    await until(() => scans.length === 2, 'the second tap');
  });

  it('reports an unpaired 7-byte tag for pairing, and reads it as the card once paired', async () => {
    sim.presentTag(NTAG);
    await until(() => tagEvents.length === 1, 'the tag event');
    expect(tagEvents[0]).toMatchObject({ uid: '043318EA703280', kind: 'nfc_card', cardNumber: null });
    expect(scans).toHaveLength(0);
    expect(codesOf(diagnostics)).toContain('unpaired_tag');
    tags.pair('043318EA703280', known.helene.cardNumber, 2);
    sim.removeTag();
    await new Promise((resolve) => setTimeout(resolve, 100));
    sim.presentTag(NTAG);
    await until(() => scans.length === 1, 'the paired tag read');
    expect(scans[0]!.data).toBe(known.helene.cardNumber);
  });

  it('never takes a phone’s random UID for a card, and refuses to pair one', async () => {
    sim.presentTag(PHONE);
    await until(() => tagEvents.length === 1, 'the phone tap');
    expect(tagEvents[0]).toMatchObject({ uid: '081A2B3C', kind: 'nfc_random', cardNumber: null });
    expect(() => tags.pair('081A2B3C', known.zoe.cardNumber, 3)).toThrow(NfcPairingError);
    expect(tags.cardFor('081A2B3C')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(scans).toHaveLength(0);
    expect(codesOf(diagnostics)).toContain('random_uid');
  });

  it('garbage, truncated frames, bad checksums, NACK and error frames: diagnostics, no crash, then a good read', async () => {
    const { maxGapMs } = await maxLoopGap(async () => {
      await sim.raw(Uint8Array.of(0x13, 0x37, 0xff, 0x42));
      const good = encodeResponse(0x4a, [0x00]);
      const badChecksum = Uint8Array.from(good);
      badChecksum[badChecksum.length - 2] = badChecksum.at(-2)! ^ 0xff;
      await sim.raw(badChecksum);
      await sim.raw(good.subarray(0, 6));
      await new Promise((resolve) => setTimeout(resolve, 400));
      sim.mode = 'nack_once';
      await new Promise((resolve) => setTimeout(resolve, 100));
      sim.mode = 'error_frame';
      await new Promise((resolve) => setTimeout(resolve, 100));
      sim.mode = 'normal';
      sim.presentTag(CLASSIC);
      await until(() => scans.length === 1, 'the read after the noise');
    });
    expect(maxGapMs).toBeLessThan(200);
    expect(codesOf(diagnostics)).toEqual(expect.arrayContaining(['garbage', 'bad_checksum', 'error_frame']));
    expect(reader.status().state).toBe('enabled');
  });

  it('a chip that is not a PN532 (a PN533 answers IC 33) is a device error naming it, and never polled', async () => {
    await manager.closeAll();
    sim.chip.firmware = { ic: 0x33, version: 2, revision: 7, support: 7 };
    const other = new Pn532Device('nfc-2', 'Lecteur NFC', createTransport({ kind: 'serial', path: pair.appPath, baudRate: 115200 }), realDeps(), tags, {
      pollMs: 30,
      replyTimeoutMs: 150,
    });
    const otherDiagnostics = collect<DeviceDiagnostic>((l) => other.onDiagnostic(l));
    try {
      await other.enable();
      expect(other.status()).toMatchObject({ state: 'error', condition: 'wrong_device' });
      expect(otherDiagnostics.find((d) => d.code === 'wrong_device')?.detail).toMatch(/not a PN532.*IC 0x33/);
      expect(other.firmware).toBeNull();
      // Asked who it is, then left alone: no configuration, no polling.
      expect(sim.commands.slice(sim.commands.lastIndexOf(0x02) + 1)).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('a reader that stops answering is reported, then woken again when it is back', async () => {
    sim.mode = 'silent';
    await until(() => reader.status().condition === 'not_responding', 'not responding');
    sim.mode = 'normal';
    await until(() => reader.status().condition === 'ok', 'the reader back');
    sim.presentTag(CLASSIC);
    await until(() => scans.length === 1, 'the read');
  });

  it('unplugged and plugged back: woken again within 2 s and the next tap arrives', async () => {
    await sim.close();
    await pair.stop('SIGKILL');
    await until(() => reader.status().state === 'error', 'the unplug');
    await pair.start();
    await sim.open();
    const at = Date.now();
    await until(() => reader.status().state === 'enabled', 'the reconnect', 2_000);
    expect(Date.now() - at).toBeLessThan(2_000);
    sim.presentTag(CLASSIC);
    await until(() => scans.length === 1, 'the tap after the replug');
  });
});
