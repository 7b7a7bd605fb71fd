import { describe, expect, it } from 'vitest';
import { decodeWedgeSequence, KeyboardWedgeDecoder, wedgeChar, type WedgeKeyEvent } from '../../src/shared/domain/keyboard-wedge';

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
    expect(decodeWedgeSequence(events)).toEqual([{ kind: 'scan', data: CARD, startedAt: 1000, endedAt: 1000 + 13 * 4 }]);
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
    const slowScanner = keys([...usScannerOnAzerty(CARD), enter], 0, 45);
    expect(decodeWedgeSequence(slowScanner)[0]!.kind).toBe('rejected');
    expect(decodeWedgeSequence(slowScanner, { maxGapMs: 60 })[0]!.kind).toBe('scan');
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
    expect(decodeWedgeSequence(withF5)).toEqual([{ kind: 'rejected', reason: 'unmapped_key', length: 13 }]);
    const decoder = new KeyboardWedgeDecoder({ maxLength: 64 });
    for (let i = 0; i < 10_000; i++) expect(decoder.push({ code: 'Digit1', key: '&', timeStamp: i })).toBeNull();
    expect(decoder.push({ ...enter, timeStamp: 10_000 })).toEqual({ kind: 'rejected', reason: 'too_long', length: 64 });
    expect(decoder.push({ code: 'Digit1', key: '&', timeStamp: 20_000 })).toBeNull();
  });
});
