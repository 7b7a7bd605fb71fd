/**
 * The on-screen keyboards of the customer touchscreen, as data, and the text
 * editing their keys do. Kept free of React and the DOM so both can be
 * tested as plain functions.
 *
 * The text layout is French AZERTY with every accented letter a French name
 * or address needs on its own key: a customer should never have to know a
 * dead-key trick to type « Éloïse » or « Le Bœuf ».
 */

export type AccentMark = 'acute' | 'grave' | 'circumflex' | 'diaeresis' | 'cedilla' | 'ligature';

export type KeyAction =
  /** Types `char` (upper-cased while shift is on, if it is a letter). */
  | { kind: 'char'; char: string }
  | { kind: 'shift' }
  | { kind: 'backspace' }
  | { kind: 'space' }
  | { kind: 'enter' };

export interface KeySpec {
  /** Stable and unique within a layout, for React keys. */
  id: string;
  action: KeyAction;
  /** Grid columns the key spans. */
  span: number;
  /**
   * The message key of the spoken name, for keys whose face says little to a
   * screen reader (accents, punctuation, the function keys); `{letter}` is
   * filled with the key's letters as currently typed.
   */
  labelKey?: string;
  /** The letters the label names, e.g. "e" for é, "o e" for œ. */
  labelLetter?: string;
}

export interface KeyBlock {
  id: string;
  columns: number;
  rows: KeySpec[][];
}

export interface KeyboardLayout {
  id: 'text' | 'phone';
  /** Key of the keyboard's accessible name. */
  labelKey: string;
  blocks: KeyBlock[];
}

/** Accented letters, each with the mark and base letters that name it aloud. */
export const ACCENTS: ReadonlyArray<{ char: string; mark: AccentMark; base: string }> = [
  { char: 'é', mark: 'acute', base: 'e' },
  { char: 'è', mark: 'grave', base: 'e' },
  { char: 'ê', mark: 'circumflex', base: 'e' },
  { char: 'ë', mark: 'diaeresis', base: 'e' },
  { char: 'à', mark: 'grave', base: 'a' },
  { char: 'â', mark: 'circumflex', base: 'a' },
  { char: 'ä', mark: 'diaeresis', base: 'a' },
  { char: 'ç', mark: 'cedilla', base: 'c' },
  { char: 'ù', mark: 'grave', base: 'u' },
  { char: 'û', mark: 'circumflex', base: 'u' },
  { char: 'ü', mark: 'diaeresis', base: 'u' },
  { char: 'î', mark: 'circumflex', base: 'i' },
  { char: 'ï', mark: 'diaeresis', base: 'i' },
  { char: 'ô', mark: 'circumflex', base: 'o' },
  { char: 'ö', mark: 'diaeresis', base: 'o' },
  { char: 'œ', mark: 'ligature', base: 'o e' },
  { char: 'æ', mark: 'ligature', base: 'a e' },
];

const PUNCTUATION_LABELS: Readonly<Record<string, string>> = {
  "'": 'customer.key.apostrophe',
  '-': 'customer.key.hyphen',
  '@': 'customer.key.at',
  '.': 'customer.key.dot',
  _: 'customer.key.underscore',
  '+': 'customer.key.plus',
};

function charKey(char: string, span = 1): KeySpec {
  const accent = ACCENTS.find((a) => a.char === char);
  if (accent) return { id: `char-${char}`, action: { kind: 'char', char }, span, labelKey: `customer.key.${accent.mark}`, labelLetter: accent.base };
  const labelKey = PUNCTUATION_LABELS[char];
  return labelKey ? { id: `char-${char}`, action: { kind: 'char', char }, span, labelKey } : { id: `char-${char}`, action: { kind: 'char', char }, span };
}

const chars = (text: string): KeySpec[] => [...text].map((c) => charKey(c));

const SHIFT: KeySpec = { id: 'shift', action: { kind: 'shift' }, span: 2, labelKey: 'customer.key.shift' };
const BACKSPACE: KeySpec = { id: 'backspace', action: { kind: 'backspace' }, span: 2, labelKey: 'customer.key.backspace' };
const SPACE: KeySpec = { id: 'space', action: { kind: 'space' }, span: 5, labelKey: 'customer.key.space' };
const ENTER: KeySpec = { id: 'enter', action: { kind: 'enter' }, span: 2 };

export const TEXT_LAYOUT: KeyboardLayout = {
  id: 'text',
  labelKey: 'customer.keyboard.label',
  blocks: [
    {
      id: 'main',
      columns: 10,
      rows: [
        chars('1234567890'),
        chars('azertyuiop'),
        chars('qsdfghjklm'),
        [SHIFT, ...chars('wxcvbn'), BACKSPACE],
        [...chars('@._'), SPACE, ENTER],
      ],
    },
    {
      id: 'accents',
      columns: 4,
      rows: [chars('éèêë'), chars('àâäç'), chars('ùûüî'), chars('ïôöœ'), chars("æ'-")],
    },
  ],
};

/** Phone numbers only need digits; big keys, like a phone's own keypad. */
export const PHONE_LAYOUT: KeyboardLayout = {
  id: 'phone',
  labelKey: 'customer.keypad.label',
  blocks: [
    {
      id: 'keypad',
      columns: 3,
      rows: [chars('123'), chars('456'), chars('789'), [charKey('+'), charKey('0'), { ...BACKSPACE, span: 1 }], [{ ...ENTER, span: 3 }]],
    },
  ],
};

/** Off, on for the next letter only, or locked on (a second press), as on a phone. */
export type ShiftState = 'off' | 'once' | 'locked';

export function nextShift(state: ShiftState): ShiftState {
  return state === 'off' ? 'once' : state === 'once' ? 'locked' : 'off';
}

/** What a character key types under the current shift. */
export function typedChar(char: string, shift: ShiftState): string {
  return shift === 'off' ? char : char.toLocaleUpperCase('fr');
}

/** Shift once lasts one letter; a digit or a punctuation mark does not use it up. */
export function shiftAfter(char: string, shift: ShiftState): ShiftState {
  return shift === 'once' && /\p{L}/u.test(char) ? 'off' : shift;
}

export interface TextState {
  value: string;
  /** The selection (caret when equal), in UTF-16 code units like the DOM's. */
  start: number;
  end: number;
}

export type TextEdit = { kind: 'insert'; text: string } | { kind: 'backspace' };

function lastGraphemeStart(text: string): number {
  if (text.length === 0) return 0;
  if (typeof Intl.Segmenter === 'function') {
    let start = 0;
    for (const segment of new Intl.Segmenter('fr', { granularity: 'grapheme' }).segment(text)) start = segment.index;
    return start;
  }
  // Without a segmenter, at least never split a surrogate pair.
  const last = text.codePointAt(text.length - 2);
  return last !== undefined && last > 0xffff ? text.length - 2 : text.length - 1;
}

/**
 * Applies a key to a field: typing replaces the selection, backspace deletes
 * the selection or else the whole character before the caret (an emoji or an
 * e with its combining accent goes in one press).
 */
export function applyEdit(state: TextState, edit: TextEdit): TextState {
  const start = Math.max(0, Math.min(state.start, state.end, state.value.length));
  const end = Math.min(state.value.length, Math.max(state.start, state.end));
  if (edit.kind === 'insert') {
    const value = state.value.slice(0, start) + edit.text + state.value.slice(end);
    const caret = start + edit.text.length;
    return { value, start: caret, end: caret };
  }
  if (start !== end) {
    return { value: state.value.slice(0, start) + state.value.slice(end), start, end: start };
  }
  if (start === 0) return { value: state.value, start: 0, end: 0 };
  const before = state.value.slice(0, start);
  const from = lastGraphemeStart(before);
  return { value: state.value.slice(0, from) + state.value.slice(start), start: from, end: from };
}

/** Every key of a layout, in reading order. */
export function layoutKeys(layout: KeyboardLayout): KeySpec[] {
  return layout.blocks.flatMap((block) => block.rows.flat());
}
