import { describe, expect, it } from 'vitest';
import {
  decodeWedgeSequence,
  detectWedgeLayout,
  KeyboardWedgeDecoder,
  WEDGE_TEST_CODE,
  wedgeChar,
  type WedgeKeyEvent,
} from '../../src/shared/domain/keyboard-wedge';
import { classifyCode } from '../../src/shared/domain/scan-code';

const CARD = '0400120000070';
/** What the unshifted top row types on a French AZERTY host. */
const AZERTY_TOP_ROW = ['à', '&', 'é', '"', "'", '(', '-', 'è', '_', 'ç'];

function keys(specs: readonly Omit<WedgeKeyEvent, 'timeStamp'>[], start: number, gapMs: number): WedgeKeyEvent[] {
  return specs.map((spec, i) => ({ ...spec, timeStamp: start + i * gapMs }));
}

const enter = { code: 'Enter', key: 'Enter' };

/** A scanner set to a US layout on an AZERTY host: digit keys without Shift, so `key` shows symbols. */
const usScannerOnAzerty = (digits: string) => [...digits].map((d) => ({ code: `Digit${d}`, key: AZERTY_TOP_ROW[Number(d)]! }));

describe('keyboard-wedge scans', () => {
  it('reads digits by KeyboardEvent.code, so a US scanner on AZERTY still gives digits', () => {
    const events = keys([...usScannerOnAzerty(CARD), enter], 1000, 4);
    expect(decodeWedgeSequence(events)).toEqual([{ kind: 'scan', data: CARD, startedAt: 1000, endedAt: 1000 + 13 * 4, layout: 'host' }]);
  });

  it('reads a French-configured scanner (Shift + digit row) and numpad codes the same way', () => {
    const shifted = [...CARD].flatMap((d) => [{ code: 'ShiftLeft', key: 'Shift' }, { code: `Digit${d}`, key: d, shiftKey: true }]);
    expect(decodeWedgeSequence(keys([...shifted, enter], 0, 3))).toMatchObject([{ kind: 'scan', data: CARD }]);
    const numpad = [...CARD].map((d) => ({ code: `Numpad${d}`, key: d }));
    expect(decodeWedgeSequence(keys([...numpad, { code: 'NumpadEnter', key: 'Enter' }], 0, 8))).toMatchObject([{ kind: 'scan', data: CARD }]);
  });

  it('does not take human typing for a scan', () => {
    const typed = keys([...[...CARD].map((d) => ({ code: `Digit${d}`, key: d })), enter], 0, 140);
    expect(decodeWedgeSequence(typed)).toEqual([{ kind: 'rejected', reason: 'too_slow', length: 1 }]);
  });

  it('keeps a scan that follows some typing, and ignores a lone Enter', () => {
    const typing = keys([{ code: 'KeyA', key: 'a' }, { code: 'KeyB', key: 'b' }], 0, 200);
    const scan = keys([...usScannerOnAzerty(CARD), enter], 2000, 5);
    expect(decodeWedgeSequence([...typing, ...scan])).toMatchObject([{ kind: 'scan', data: CARD, startedAt: 2000 }]);
    expect(decodeWedgeSequence(keys([enter], 0, 0))).toEqual([]);
  });

  it('rejects a fast burst that is too short, or ends slowly', () => {
    expect(decodeWedgeSequence(keys([...usScannerOnAzerty('123'), enter], 0, 5))).toEqual([{ kind: 'rejected', reason: 'too_short', length: 3 }]);
    const late = [...keys(usScannerOnAzerty(CARD), 0, 5), { ...enter, timeStamp: 500 }];
    expect(decodeWedgeSequence(late)).toEqual([{ kind: 'rejected', reason: 'too_slow', length: 13 }]);
  });

  it('honours its options: gap, minimum length, end keys', () => {
    const slowScanner = keys([...usScannerOnAzerty(CARD), enter], 0, 65);
    expect(decodeWedgeSequence(slowScanner)[0]!.kind).toBe('rejected');
    expect(decodeWedgeSequence(slowScanner, { maxGapMs: 70 })[0]!.kind).toBe('scan');
    expect(decodeWedgeSequence(keys([...usScannerOnAzerty('123'), enter], 0, 5), { minLength: 3 })[0]!.kind).toBe('scan');
    expect(decodeWedgeSequence(keys([...usScannerOnAzerty(CARD), { code: 'Tab', key: 'Tab' }], 0, 5), { endCodes: ['Tab'] })[0]!.kind).toBe('scan');
  });

  it('maps letters and punctuation by code through a US layout when told the scanner is US', () => {
    // FIDELE:1: typed by a US scanner on AZERTY: Shift+Semicolon is ':' for the scanner, 'M'-ish for the host.
    const payload = [
      ...'FIDELE'.split('').map((c) => ({ code: `Key${c}`, key: c === 'A' ? 'Q' : c, shiftKey: true })),
      { code: 'Semicolon', key: 'M', shiftKey: true },
      { code: 'Digit1', key: '&' },
      { code: 'Semicolon', key: 'M', shiftKey: true },
      ...usScannerOnAzerty(CARD),
      enter,
    ];
    expect(decodeWedgeSequence(keys(payload, 0, 4), { layout: 'us' })).toMatchObject([{ kind: 'scan', data: `FIDELE:1:${CARD}` }]);
    // On the host layout, the same keys give what the host printed, which is why 'us' exists.
    expect(decodeWedgeSequence(keys(payload, 0, 4))).toMatchObject([{ kind: 'scan', data: `FIDELEM1M${CARD}` }]);
  });

  it('reads letters from key on the host layout (scanner set to French)', () => {
    expect(wedgeChar({ code: 'KeyQ', key: 'a', timeStamp: 0 })).toBe('a');
    expect(wedgeChar({ code: 'KeyQ', key: 'a', timeStamp: 0 }, 'us')).toBe('q');
    expect(wedgeChar({ code: 'Digit2', key: 'é', timeStamp: 0 })).toBe('2');
    expect(wedgeChar({ code: 'F5', key: 'F5', timeStamp: 0 })).toBeNull();
  });

  it('rejects a burst with a key that carries no character, and bounds a stuck key', () => {
    const withF5 = keys([...usScannerOnAzerty('040012'), { code: 'F5', key: 'F5' }, ...usScannerOnAzerty('0000070'), enter], 0, 3);
    expect(decodeWedgeSequence(withF5)).toEqual([{ kind: 'rejected', reason: 'unmapped_key', length: 14 }]);
    const decoder = new KeyboardWedgeDecoder({ maxLength: 64 });
    for (let i = 0; i < 10_000; i++) expect(decoder.push({ code: 'Digit1', key: '&', timeStamp: i })).toBeNull();
    expect(decoder.push({ ...enter, timeStamp: 10_000 })).toEqual({ kind: 'rejected', reason: 'too_long', length: 64 });
    expect(decoder.push({ code: 'Digit1', key: '&', timeStamp: 20_000 })).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// The scanner's own layout as a setting, its detection, and the gap limit.

/** US HID keys for a string, as a US-set scanner sends them (code + Shift), and what an AZERTY host shows as `key`. */
const US_KEYS: Record<string, [code: string, shift: boolean, azertyKey: string]> = {
  ':': ['Semicolon', true, 'M'],
  '-': ['Minus', false, ')'],
  ...Object.fromEntries([...'0123456789'].map((d) => [d, [`Digit${d}`, false, AZERTY_TOP_ROW[Number(d)]!]])),
};
const AZERTY_LETTER: Record<string, string> = { A: 'Q', Q: 'A', W: 'Z', Z: 'W', M: '?' };

function usScannerTypes(text: string): Omit<WedgeKeyEvent, 'timeStamp'>[] {
  return [...text].map((c) => {
    if (/[A-Z]/.test(c)) return { code: `Key${c}`, key: AZERTY_LETTER[c] ?? c, shiftKey: true };
    const [code, shiftKey, key] = US_KEYS[c]!;
    return { code, key, shiftKey };
  });
}

/** The same text from a scanner set to French AZERTY, on a US host (key shows the US reading). */
const FR_KEYS: Record<string, [code: string, shift: boolean, usKey: string]> = {
  ':': ['Period', false, '.'],
  '-': ['Digit6', false, '6'],
  A: ['KeyQ', true, 'Q'], Q: ['KeyA', true, 'A'], W: ['KeyZ', true, 'Z'], Z: ['KeyW', true, 'W'], M: ['Semicolon', true, ':'],
  ...Object.fromEntries([...'0123456789'].map((d) => [d, [`Digit${d}`, true, ')!@#$%^&*('[Number(d)]!]])),
};
function frScannerTypes(text: string): Omit<WedgeKeyEvent, 'timeStamp'>[] {
  return [...text].map((c) => {
    const entry = FR_KEYS[c];
    if (entry) return { code: entry[0], key: entry[2], shiftKey: entry[1] };
    return { code: `Key${c}`, key: c, shiftKey: true };
  });
}

/** Recorded timings of a wedge on a slow USB poll: keys land 35 ms apart, Enter too. */
function at35ms(specs: readonly Omit<WedgeKeyEvent, 'timeStamp'>[]): WedgeKeyEvent[] {
  return keys([...specs, enter], 10_000, 35);
}

const WALLET = `FIDELE:1:${CARD}`;
const recognise = (data: string) => classifyCode(data).kind !== 'invalid';

describe('the scanner’s keyboard layout (terminal setting wedge.layout)', () => {
  it('a US-set scanner on an AZERTY till: `host` reads FIDELEM1M…, `us-qwerty` and `auto` read the wallet QR', () => {
    const events = at35ms(usScannerTypes(WALLET));
    expect(decodeWedgeSequence(events, { layout: 'host' })).toMatchObject([{ kind: 'scan', data: `FIDELEM1M${CARD}` }]);
    expect(decodeWedgeSequence(events, { layout: 'us-qwerty' })).toMatchObject([{ kind: 'scan', data: WALLET, layout: 'us-qwerty' }]);
    expect(decodeWedgeSequence(events, { layout: 'auto', recognise })).toMatchObject([{ kind: 'scan', data: WALLET, layout: 'us-qwerty' }]);
  });

  it('a French-set scanner on a US till: `fr-azerty` reads it whatever the till believes', () => {
    const events = at35ms(frScannerTypes(WALLET));
    expect(decodeWedgeSequence(events, { layout: 'host' })[0]).not.toMatchObject({ data: WALLET });
    expect(decodeWedgeSequence(events, { layout: 'fr-azerty' })).toMatchObject([{ kind: 'scan', data: WALLET }]);
    expect(decodeWedgeSequence(events, { layout: 'auto', recognise })).toMatchObject([{ kind: 'scan', data: WALLET, layout: 'fr-azerty' }]);
  });

  it('maps a German QWERTZ scanner (Y and Z swapped, Shift+7 is /)', () => {
    expect(wedgeChar({ code: 'KeyZ', key: 'w', timeStamp: 0 }, 'de-qwertz')).toBe('y');
    expect(wedgeChar({ code: 'Digit7', key: '7', shiftKey: true, timeStamp: 0 }, 'de-qwertz')).toBe('/');
    expect(wedgeChar({ code: 'Semicolon', key: 'm', shiftKey: true, timeStamp: 0 }, 'fr-azerty')).toBe('M');
    expect(wedgeChar({ code: 'KeyQ', key: 'a', timeStamp: 0 }, 'us-qwerty')).toBe('q');
  });

  it('detects the layout from the installation test code, by the keys the scanner sent', () => {
    expect(detectWedgeLayout(usScannerTypes(WEDGE_TEST_CODE))).toBe('us-qwerty');
    expect(detectWedgeLayout(frScannerTypes(WEDGE_TEST_CODE))).toBe('fr-azerty');
    // A QWERTZ scanner: Z and Y swapped, ':' is Shift+Period, '-' is Slash, digits unshifted.
    const de = [...WEDGE_TEST_CODE].map((c) => {
      if (c === 'Z') return { code: 'KeyY', key: 'Z', shiftKey: true };
      if (c === 'Y') return { code: 'KeyZ', key: 'Y', shiftKey: true };
      if (c === ':') return { code: 'Period', key: ':', shiftKey: true };
      if (c === '-') return { code: 'Slash', key: '-' };
      if (/\d/.test(c)) return { code: `Digit${c}`, key: c };
      return { code: `Key${c}`, key: c, shiftKey: true };
    });
    expect(detectWedgeLayout(de)).toBe('de-qwertz');
    // Not the test code at all.
    expect(detectWedgeLayout(usScannerTypes(WALLET))).toBeNull();
  });
});

describe('the gap limit: 50 ms by default, configurable, learnt from recognised scans', () => {
  it('accepts a scan whose keys arrive 35 ms apart (recorded timings), which the old 30 ms limit refused', () => {
    const events = at35ms(usScannerOnAzerty(CARD));
    expect(decodeWedgeSequence(events)).toMatchObject([{ kind: 'scan', data: CARD }]);
    expect(decodeWedgeSequence(events, { maxGapMs: 30, adaptive: false })).toMatchObject([{ kind: 'rejected', reason: 'too_slow' }]);
  });

  it('a poll jitter of 8 ms and 35 ms gaps mixed (USB frames) still makes one scan', () => {
    const specs = [...usScannerOnAzerty(CARD), enter];
    let t = 0;
    const events = specs.map((spec, i) => ({ ...spec, timeStamp: (t += i % 3 === 0 ? 35 : 8) }));
    expect(decodeWedgeSequence(events)).toMatchObject([{ kind: 'scan', data: CARD }]);
  });

  it('learns a slower scanner from a recognised card, and then takes its other codes too; never human typing', () => {
    const decoder = new KeyboardWedgeDecoder({ recognise });
    const feed = (events: WedgeKeyEvent[]) => events.map((e) => decoder.push(e)).filter((r) => r !== null);
    const slowKeys = (text: string, start: number, gap: number) => keys([...[...text].map((d) => ({ code: `Digit${d}`, key: d })), enter], start, gap);
    // An unknown code at 70 ms: over the 50 ms limit, nothing to learn from.
    expect(feed(slowKeys('123456789', 0, 70))).toMatchObject([{ kind: 'rejected', reason: 'too_slow' }]);
    expect(decoder.timing.limitMs).toBe(50);
    // The same scanner reads a card: recognised, so taken, and the limit learns 1.5 × 70.
    expect(feed(slowKeys(CARD, 10_000, 70))).toMatchObject([{ kind: 'scan', data: CARD }]);
    expect(decoder.timing.limitMs).toBe(100);
    expect(feed(slowKeys('123456789', 20_000, 70))).toMatchObject([{ kind: 'scan', data: '123456789' }]);
    // A cashier typing a card number at 150 ms a key is still no scan.
    expect(feed(slowKeys(CARD, 30_000, 150))).toMatchObject([{ kind: 'rejected', reason: 'too_slow' }]);
  });

  it('does not learn when adaptation is off, and a fast scanner never lowers the limit below the floor', () => {
    const fixed = new KeyboardWedgeDecoder({ recognise, adaptive: false });
    const cardAt = (start: number, gap: number) => keys([...usScannerOnAzerty(CARD), enter], start, gap);
    expect(cardAt(0, 70).map((e) => fixed.push(e)).at(-1)).toMatchObject({ kind: 'rejected', reason: 'too_slow' });
    const learning = new KeyboardWedgeDecoder({ recognise });
    for (let i = 0; i < 10; i++) cardAt(i * 10_000, 4).forEach((e) => learning.push(e));
    expect(learning.timing.limitMs).toBe(50);
    expect(cardAt(200_000, 45).map((e) => learning.push(e)).at(-1)).toMatchObject({ kind: 'scan', data: CARD });
  });
});
