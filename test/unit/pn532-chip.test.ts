import { describe, expect, it } from 'vitest';
import {
  ACK_FRAME,
  NACK_FRAME,
  Pn532FrameParser,
  encodeCommand,
  wakeUpSequence,
  type Pn532Event,
} from '../../src/main/core/devices/protocols/pn532';
import { Pn532Chip, type SimulatedTag } from '../../src/main/core/devices/simulators/pn532-chip';
import { Pn532Simulator } from '../../src/main/core/devices/simulators/pn532-simulator';
import { memoryLink, until } from '../fakes/device-harness';

const CLASSIC: SimulatedTag = { uid: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), sak: 0x08, atqa: [0x00, 0x04] };
const PHONE: SimulatedTag = { uid: Uint8Array.of(0x08, 0x1a, 0x2b, 0x3c), sak: 0x20, atqa: [0x00, 0x04], ats: Uint8Array.of(0x78, 0x80, 0x70, 0x02) };
const bytes = (...b: number[]) => Uint8Array.from(b);

function answer(chip: Pn532Chip, code: number, ...params: number[]) {
  return chip.answer(code, Uint8Array.from(params));
}

describe('PN532 chip model (UM0701-02 §7, as libnfc and other hosts use it)', () => {
  it('Diagnose 00 echoes the communication-line test data, as libnfc checks on open', () => {
    const chip = new Pn532Chip();
    const libnfc = [0x00, ...Buffer.from('libnfc')];
    expect(answer(chip, 0x00, ...libnfc)).toEqual({ kind: 'response', params: libnfc });
    expect(answer(chip, 0x00, 0x07)).toEqual({ kind: 'response', params: [0x00] });
    expect(answer(chip, 0x00)).toEqual({ kind: 'error_frame' });
  });

  it('GetFirmwareVersion says IC 32, version 1, revision 6, support 7', () => {
    expect(answer(new Pn532Chip(), 0x02)).toEqual({ kind: 'response', params: [0x32, 0x01, 0x06, 0x07] });
  });

  it('keeps a register file: CIU registers read back what was written, several per command', () => {
    const chip = new Pn532Chip();
    expect(answer(chip, 0x06, 0x63, 0x02, 0x63, 0x03)).toEqual({ kind: 'response', params: [0x80, 0x80] });
    expect(answer(chip, 0x08, 0x63, 0x02, 0x00, 0x63, 0x05, 0x40, 0x63, 0x3d, 0x07)).toEqual({ kind: 'response', params: [] });
    expect(answer(chip, 0x06, 0x63, 0x02, 0x63, 0x05, 0x63, 0x3d, 0x63, 0x3c)).toEqual({ kind: 'response', params: [0x00, 0x40, 0x07, 0x10] });
    // An odd address list or a partial triplet is a syntax error.
    expect(answer(chip, 0x06, 0x63)).toEqual({ kind: 'error_frame' });
    expect(answer(chip, 0x08, 0x63, 0x02)).toEqual({ kind: 'error_frame' });
  });

  it('SetParameters, SAMConfiguration, RFConfiguration and PowerDown answer, and refuse bad lengths', () => {
    const chip = new Pn532Chip();
    expect(answer(chip, 0x12, 0x14)).toEqual({ kind: 'response', params: [] });
    expect(answer(chip, 0x14, 0x01)).toEqual({ kind: 'response', params: [] });
    expect(answer(chip, 0x14, 0x01, 0x14, 0x01)).toEqual({ kind: 'response', params: [] });
    expect(answer(chip, 0x14, 0x09)).toEqual({ kind: 'error_frame' });
    expect(answer(chip, 0x32, 0x01, 0x01)).toEqual({ kind: 'response', params: [] });
    expect(chip.rfField).toBe(true);
    expect(answer(chip, 0x32, 0x05, 0xff, 0x01, 0x02)).toEqual({ kind: 'response', params: [] });
    expect(answer(chip, 0x32, 0x05, 0xff)).toEqual({ kind: 'error_frame' });
    expect(answer(chip, 0x16, 0xf0)).toEqual({ kind: 'response', params: [0x00] });
  });

  it('InListPassiveTarget 106 kbps type A: Tg, SENS_RES, SEL_RES, NFCID length and UID; none on an empty antenna', () => {
    const chip = new Pn532Chip();
    expect(answer(chip, 0x4a, 0x01, 0x00)).toEqual({ kind: 'response', params: [0x00] });
    chip.presentTag(CLASSIC);
    expect(answer(chip, 0x4a, 0x01, 0x00)).toEqual({ kind: 'response', params: [0x01, 0x01, 0x00, 0x04, 0x08, 0x04, 0xde, 0xad, 0xbe, 0xef] });
    // FeliCa (01) and type B (03) find nothing: the card is type A.
    expect(answer(chip, 0x4a, 0x01, 0x01, 0x00, 0xff, 0xff, 0x01, 0x00)).toEqual({ kind: 'response', params: [0x00] });
    expect(answer(chip, 0x4a, 0x01, 0x03, 0x00)).toEqual({ kind: 'response', params: [0x00] });
    // With a UID as initiator data, only that card is selected.
    expect(answer(chip, 0x4a, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04)).toEqual({ kind: 'response', params: [0x00] });
    expect(answer(chip, 0x4a, 0x03, 0x00)).toEqual({ kind: 'error_frame' });
  });

  it('adds the ATS of an ISO 14443-4 card once automatic RATS is set', () => {
    const chip = new Pn532Chip();
    chip.presentTag(PHONE);
    expect(answer(chip, 0x4a, 0x01, 0x00)).toMatchObject({ params: [0x01, 0x01, 0x00, 0x04, 0x20, 0x04, 0x08, 0x1a, 0x2b, 0x3c] });
    answer(chip, 0x12, 0x10);
    expect(answer(chip, 0x4a, 0x01, 0x00)).toMatchObject({ params: [0x01, 0x01, 0x00, 0x04, 0x20, 0x04, 0x08, 0x1a, 0x2b, 0x3c, 0x05, 0x78, 0x80, 0x70, 0x02] });
  });

  it('InAutoPoll reports the card under the first type asked for that fits it', () => {
    const chip = new Pn532Chip();
    expect(answer(chip, 0x60, 0x01, 0x01, 0x10)).toEqual({ kind: 'response', params: [0x00] });
    chip.presentTag(CLASSIC);
    expect(answer(chip, 0x60, 0x0f, 0x01, 0x20, 0x10)).toEqual({
      kind: 'response',
      params: [0x01, 0x10, 0x09, 0x01, 0x00, 0x04, 0x08, 0x04, 0xde, 0xad, 0xbe, 0xef],
    });
    expect(answer(chip, 0x60, 0x0f, 0x01, 0x20)).toEqual({ kind: 'response', params: [0x00] });
  });

  it('GetGeneralStatus, InDeselect and InRelease follow the selected target', () => {
    const chip = new Pn532Chip();
    chip.presentTag(CLASSIC);
    expect(answer(chip, 0x04)).toEqual({ kind: 'response', params: [0x00, 0x00, 0x00, 0x00] });
    answer(chip, 0x4a, 0x01, 0x00);
    expect(answer(chip, 0x04)).toEqual({ kind: 'response', params: [0x00, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00] });
    expect(answer(chip, 0x44, 0x02)).toEqual({ kind: 'response', params: [0x27] });
    expect(answer(chip, 0x44, 0x00)).toEqual({ kind: 'response', params: [0x00] });
    expect(answer(chip, 0x52, 0x00)).toEqual({ kind: 'response', params: [0x00] });
    expect(answer(chip, 0x04)).toMatchObject({ params: [0x00, 0x01, 0x00, 0x00] });
  });

  it('InDataExchange reads a type 2 card selected before; InCommunicateThru with no card times out (status 01)', () => {
    const chip = new Pn532Chip();
    const pages = Uint8Array.from({ length: 64 }, (_, i) => i);
    chip.presentTag({ ...CLASSIC, sak: 0x00, atqa: [0x00, 0x44], pages });
    expect(answer(chip, 0x40, 0x01, 0x30, 0x04)).toEqual({ kind: 'response', params: [0x27] });
    answer(chip, 0x4a, 0x01, 0x00);
    expect(answer(chip, 0x40, 0x01, 0x30, 0x04)).toEqual({ kind: 'response', params: [0x00, ...pages.subarray(16, 32)] });
    chip.removeTag();
    expect(answer(chip, 0x42, 0x26)).toEqual({ kind: 'response', params: [0x01] });
  });

  it('answers the application error frame only to unknown commands', () => {
    const chip = new Pn532Chip();
    for (const code of [0x00, 0x02, 0x04, 0x06, 0x08, 0x12, 0x14, 0x16, 0x32, 0x44, 0x4a, 0x52, 0x60]) {
      const params = { 0x00: [0x00, 0x01], 0x06: [0x63, 0x02], 0x08: [0x63, 0x02, 0x00], 0x12: [0x00], 0x14: [0x01], 0x16: [0xf0], 0x32: [0x01, 0x00], 0x44: [0x00], 0x4a: [0x01, 0x00], 0x52: [0x00], 0x60: [0x01, 0x01, 0x10] }[code] ?? [];
      expect(answer(chip, code, ...params).kind, `command 0x${code.toString(16)}`).toBe('response');
    }
    expect(answer(chip, 0x8c)).toEqual({ kind: 'error_frame' });
  });
});

describe('PN532 simulator link layer', () => {
  async function rig() {
    const [host, device] = memoryLink();
    await host.open();
    const sim = new Pn532Simulator(device);
    await sim.open();
    const parser = new Pn532FrameParser();
    const events: Pn532Event[] = [];
    host.onData((chunk) => events.push(...parser.push(chunk)));
    return { host, sim, events };
  }

  it('sleeps until the 55 55 wake-up, ACKs every frame, and goes back to sleep after PowerDown', async () => {
    const { host, sim, events } = await rig();
    await host.write(encodeCommand(0x02));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toEqual([]);
    await host.write(Buffer.concat([wakeUpSequence(), encodeCommand(0x02)]));
    await until(() => events.length === 2, 'ACK and firmware');
    expect(events[0]).toEqual({ type: 'ack' });
    expect(events[1]).toMatchObject({ type: 'frame', code: 0x03, params: bytes(0x32, 0x01, 0x06, 0x07) });
    await host.write(encodeCommand(0x16, [0xf0]));
    await until(() => events.length === 4, 'PowerDown answered');
    await host.write(encodeCommand(0x02));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toHaveLength(4);
    expect(sim.commands).toEqual([0x02, 0x16]);
  });

  it('a host NACK gets the last response again; a host ACK aborts the command in progress', async () => {
    const { host, events } = await rig();
    await host.write(Buffer.concat([wakeUpSequence(), encodeCommand(0x02)]));
    await until(() => events.length === 2, 'firmware');
    await host.write(NACK_FRAME);
    await until(() => events.length === 3, 'the repeat');
    expect(events[2]).toEqual(events[1]);
    await host.write(Buffer.concat([encodeCommand(0x02), ACK_FRAME]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.slice(3)).toEqual([{ type: 'ack' }]);
  });

  it('an unknown command is acknowledged, then answered by the error frame', async () => {
    const { host, events } = await rig();
    await host.write(Buffer.concat([wakeUpSequence(), encodeCommand(0x8c)]));
    await until(() => events.length === 2, 'ACK and error');
    expect(events).toEqual([{ type: 'ack' }, { type: 'error_frame' }]);
  });
});
