import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pn532Simulator } from '../../src/main/core/devices/simulators/pn532-simulator';
import type { SocatPair } from '../../src/main/core/devices/simulators/socat';
import { createTransport } from '../../src/main/core/devices/transport';
import { PtyLab } from '../fakes/device-harness';

/**
 * libnfc's own tool against our simulator: the independent check that the
 * simulator speaks the PN532 a standard host expects, not only what our driver
 * sends. `.ci/run` installs libnfc-bin, so this never skips.
 */
const NFC_LIST = '/usr/bin/nfc-list';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function nfcList(connstring: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      NFC_LIST,
      [],
      {
        timeout: 20_000,
        // Only the device we name: no USB or serial scan of the machine, no config file of its own.
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LIBNFC_DEVICE: connstring, LIBNFC_AUTO_SCAN: 'false', LIBNFC_INTRUSIVE_SCAN: 'false', LIBNFC_LOG_LEVEL: process.env.LIBNFC_LOG_LEVEL ?? '1' },
      },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

describe('libnfc nfc-list against the PN532 simulator over a socat pty', () => {
  let lab: PtyLab;
  let pair: SocatPair;
  let sim: Pn532Simulator;
  let connstring: string;

  beforeEach(async () => {
    lab = new PtyLab();
    pair = lab.pair('libnfc');
    await pair.start();
    sim = new Pn532Simulator(createTransport({ kind: 'serial', path: pair.devicePath, baudRate: 115200 }));
    await sim.open();
    connstring = `pn532_uart:${realpathSync(pair.appPath)}`;
  });

  afterEach(async () => {
    await sim.close();
    await lab.cleanup();
  });

  it('finds the reader and reads the UID and SAK of a MIFARE Classic card', async () => {
    sim.presentTag({ uid: Uint8Array.of(0xde, 0xad, 0xbe, 0xef), sak: 0x08, atqa: [0x00, 0x04] });
    const run = await nfcList(connstring);
    expect(run.code, `nfc-list said:\n${run.stdout}${run.stderr}`).toBe(0);
    expect(run.stdout).toContain('NFC device: user defined device opened');
    expect(run.stdout).toContain('1 ISO14443A passive target(s) found:');
    expect(run.stdout).toMatch(/UID \(NFCID1\): de {2}ad {2}be {2}ef/);
    expect(run.stdout).toMatch(/SAK \(SEL_RES\): 08/);
    expect(run.stdout).toMatch(/ATQA \(SENS_RES\): 00 {2}04/);
    // libnfc began with the communication test and left the chip powered down.
    expect(sim.commands).toContain(0x00);
    expect(sim.commands.at(-1)).toBe(0x16);
  }, 30_000);

  it('reads a 7-byte NTAG UID, and finds no target on an empty antenna', async () => {
    sim.presentTag({ uid: Uint8Array.of(0x04, 0x33, 0x18, 0xea, 0x70, 0x32, 0x80), sak: 0x00, atqa: [0x00, 0x44] });
    const withTag = await nfcList(connstring);
    expect(withTag.stdout).toMatch(/UID \(NFCID1\): 04 {2}33 {2}18 {2}ea {2}70 {2}32 {2}80/);
    sim.removeTag();
    // A second run on the same simulator: libnfc wakes it from PowerDown.
    const empty = await nfcList(connstring);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('opened');
    expect(empty.stdout).not.toContain('passive target(s) found');
  }, 30_000);
});
