import { describe, expect, it } from 'vitest';
import {
  ACCENTS,
  applyEdit,
  layoutKeys,
  nextShift,
  PHONE_LAYOUT,
  shiftAfter,
  TEXT_LAYOUT,
  typedChar,
  type KeyboardLayout,
  type TextState,
} from '../../src/renderer/common/keyboard-layout';
import { catalogs } from '../../src/shared/i18n/messages';

const typedBy = (layout: KeyboardLayout) =>
  layoutKeys(layout).flatMap((k) => (k.action.kind === 'char' ? [k.action.char] : k.action.kind === 'space' ? [' '] : []));

describe('text layout', () => {
  it('is AZERTY, with a digits row above the letters', () => {
    const main = TEXT_LAYOUT.blocks.find((b) => b.id === 'main')!;
    const faces = main.rows.map((row) => row.map((k) => (k.action.kind === 'char' ? k.action.char : k.action.kind)).join(' '));
    expect(faces[0]).toBe('1 2 3 4 5 6 7 8 9 0');
    expect(faces[1]).toBe('a z e r t y u i o p');
    expect(faces[2]).toBe('q s d f g h j k l m');
    expect(faces[3]).toBe('shift w x c v b n backspace');
    expect(faces[4]).toBe('@ . _ space enter');
  });

  it('types every letter, accent and symbol a French name or email needs', () => {
    const typed = new Set(typedBy(TEXT_LAYOUT));
    for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789éèêëàâäçùûüîïôöœæ\'-@._ ') expect(typed, c).toContain(c);
  });

  it('has function keys shift, backspace and enter, and no key twice', () => {
    const keys = layoutKeys(TEXT_LAYOUT);
    const kinds = keys.map((k) => k.action.kind);
    for (const kind of ['shift', 'backspace', 'space', 'enter'] as const) expect(kinds.filter((k) => k === kind)).toHaveLength(1);
    const ids = keys.map((k) => k.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([TEXT_LAYOUT, PHONE_LAYOUT])('$id layout: full rows fill the grid, only the last may be short', (layout) => {
    for (const block of layout.blocks) {
      const widths = block.rows.map((row) => row.reduce((sum, k) => sum + k.span, 0));
      widths.slice(0, -1).forEach((w) => expect(w).toBe(block.columns));
      expect(widths.at(-1)).toBeLessThanOrEqual(block.columns);
    }
  });

  it('gives every accented key a spoken name naming its letter and mark', () => {
    const keys = layoutKeys(TEXT_LAYOUT);
    for (const accent of ACCENTS) {
      const key = keys.find((k) => k.action.kind === 'char' && k.action.char === accent.char);
      expect(key?.labelKey, accent.char).toBe(`customer.key.${accent.mark}`);
      expect(key?.labelLetter).toBe(accent.base);
    }
    expect(ACCENTS.map((a) => a.char).join('')).toBe('éèêëàâäçùûüîïôöœæ');
  });

  it.each([TEXT_LAYOUT, PHONE_LAYOUT])('$id layout: every spoken name exists in French and English', (layout) => {
    const keys = [layout.labelKey, 'customer.key.enter', 'customer.key.enter_sub', 'customer.key.caps_locked'];
    for (const k of layoutKeys(layout)) if (k.labelKey) keys.push(k.labelKey);
    for (const key of keys) {
      expect(catalogs.fr[key], `fr ${key}`).toBeTruthy();
      expect(catalogs.en[key], `en ${key}`).toBeTruthy();
    }
    // A key without a spoken name is read by its face: that must be a single visible character.
    for (const k of layoutKeys(layout)) {
      if (!k.labelKey && k.action.kind === 'char') expect(k.action.char).toMatch(/^[a-z0-9]$/);
    }
  });
});

describe('phone keypad', () => {
  it('has the ten digits, plus, backspace and enter, and no letters', () => {
    const typed = typedBy(PHONE_LAYOUT);
    expect([...typed].sort().join('')).toBe('+0123456789');
    const kinds = layoutKeys(PHONE_LAYOUT).map((k) => k.action.kind);
    expect(kinds).toContain('backspace');
    expect(kinds).toContain('enter');
  });
});

describe('shift', () => {
  it('cycles off → once → locked → off', () => {
    expect(nextShift('off')).toBe('once');
    expect(nextShift('once')).toBe('locked');
    expect(nextShift('locked')).toBe('off');
  });

  it('upper-cases letters, accents and ligatures, and leaves the rest', () => {
    expect(typedChar('é', 'once')).toBe('É');
    expect(typedChar('œ', 'locked')).toBe('Œ');
    expect(typedChar('ç', 'once')).toBe('Ç');
    expect(typedChar('a', 'off')).toBe('a');
    expect(typedChar('7', 'once')).toBe('7');
    expect(typedChar('-', 'locked')).toBe('-');
  });

  it('lasts one letter when pressed once, and stays when locked', () => {
    expect(shiftAfter('é', 'once')).toBe('off');
    expect(shiftAfter('-', 'once')).toBe('once');
    expect(shiftAfter('a', 'locked')).toBe('locked');
    expect(shiftAfter('a', 'off')).toBe('off');
  });
});

describe('applyEdit', () => {
  const at = (value: string, start = value.length, end = start): TextState => ({ value, start, end });

  it('types at the caret, not only at the end', () => {
    expect(applyEdit(at('Eloise', 0), { kind: 'insert', text: 'É' })).toEqual(at('ÉEloise', 1));
    expect(applyEdit(at('Le Buf', 4), { kind: 'insert', text: 'œ' })).toEqual(at('Le Bœuf', 5));
  });

  it('replaces a selection when typing', () => {
    expect(applyEdit(at('Dupond', 4, 6), { kind: 'insert', text: 'nt' })).toEqual(at('Dupont', 6));
  });

  it('deletes the character before the caret, or the selection', () => {
    expect(applyEdit(at('Zoë'), { kind: 'backspace' })).toEqual(at('Zo'));
    expect(applyEdit(at('Zoë', 1), { kind: 'backspace' })).toEqual(at('oë', 0));
    expect(applyEdit(at('Dupont', 1, 3), { kind: 'backspace' })).toEqual(at('Dont', 1));
    expect(applyEdit(at('', 0), { kind: 'backspace' })).toEqual(at('', 0));
  });

  it('deletes a whole emoji or decomposed letter in one press', () => {
    expect(applyEdit(at('Lina 👩🏽‍🚀'), { kind: 'backspace' })).toEqual(at('Lina '));
    expect(applyEdit(at('Zoe\u0308'), { kind: 'backspace' })).toEqual(at('Zo'));
  });

  it('keeps a caret beyond the end inside the text', () => {
    expect(applyEdit({ value: 'ab', start: 9, end: 9 }, { kind: 'insert', text: 'c' })).toEqual(at('abc'));
  });
});
