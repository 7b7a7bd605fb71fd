import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../src/main/core/core';
import { parseConfig } from '../../src/main/core/config/terminal-config';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { WEDGE_TEST_CODE } from '../../src/shared/domain/keyboard-wedge';
import { testConfig } from '../fakes/known-members';

/** What a scanner set to French AZERTY sends for a text: the physical keys, Shift where AZERTY needs it. */
function azertyScannerKeys(text: string) {
  const special: Record<string, [string, boolean]> = { ':': ['Period', false], '-': ['Digit6', false], A: ['KeyQ', true], Q: ['KeyA', true], W: ['KeyZ', true], Z: ['KeyW', true], M: ['Semicolon', true] };
  return [...text].map((c) => {
    const [code, shiftKey] = special[c] ?? (/\d/.test(c) ? [`Digit${c}`, true] : [`Key${c}`, true]);
    return { code, key: c, shiftKey };
  });
}

describe('the wedge scanner settings of a terminal', () => {
  let core: Core | null = null;
  afterEach(async () => {
    await core?.close();
    core = null;
  });

  const open = (wedge?: object) =>
    createCore({ dbPath: ':memory:', config: { ...testConfig(), ...(wedge ? { wedge } : {}) }, shell: 'browser', clock: { now: () => 1_700_000_000_000 }, random: seededRandom(3), logger: silentLogger, validateOutput: true });

  it('defaults to auto layout and a 50 ms adaptive limit; the configuration can pin both', async () => {
    core = open();
    await core.start();
    expect(await core.dispatch('cashier', 'terminal.info', {})).toMatchObject({ ok: true, value: { wedge: { layout: 'auto', maxGapMs: 50, adaptive: true } } });
    await core.close();
    core = open({ layout: 'us-qwerty', maxGapMs: 40, adaptive: false });
    await core.start();
    expect(await core.dispatch('cashier', 'terminal.info', {})).toMatchObject({ ok: true, value: { wedge: { layout: 'us-qwerty', maxGapMs: 40, adaptive: false } } });
  });

  it('refuses a layout it does not know or a limit past 100 ms in the configuration file', () => {
    const base = { ...testConfig() };
    expect(() => parseConfig({ ...base, wedge: { layout: 'dvorak' } }, 'test')).toThrow(/wedge\.layout/);
    expect(() => parseConfig({ ...base, wedge: { maxGapMs: 500 } }, 'test')).toThrow(/wedge\.maxGapMs/);
    expect(parseConfig({ ...base, wedge: { layout: 'fr-azerty' } }, 'test').wedge).toEqual({ layout: 'fr-azerty' });
  });

  it('device.wedgeDetect names the layout from the test code and applies it; anything else changes nothing', async () => {
    core = open();
    await core.start();
    const miss = await core.dispatch('cashier', 'device.wedgeDetect', { keys: azertyScannerKeys('0400120000070') });
    expect(miss).toMatchObject({ ok: true, value: { layout: null, wedge: { layout: 'auto' } } });
    const hit = await core.dispatch('cashier', 'device.wedgeDetect', { keys: azertyScannerKeys(WEDGE_TEST_CODE) });
    expect(hit).toMatchObject({ ok: true, value: { layout: 'fr-azerty', wedge: { layout: 'fr-azerty' } } });
    expect(await core.dispatch('cashier', 'terminal.info', {})).toMatchObject({ value: { wedge: { layout: 'fr-azerty' } } });
    // Only the cashier screen may set it, and only with well-formed keys.
    expect(await core.dispatch('customer', 'device.wedgeDetect', { keys: azertyScannerKeys(WEDGE_TEST_CODE) })).toMatchObject({ ok: false });
    expect(await core.dispatch('cashier', 'device.wedgeDetect', { keys: [] })).toMatchObject({ ok: false });
  });
});
