/**
 * Keyboard-wedge scanners type what they read as key presses. Two things go
 * wrong at a French till (hardware.md §2.4): a scanner set to a US layout on
 * an AZERTY host types `&é"` for `123`, since digits need Shift there; and a
 * cashier typing looks the same as a scanner to a naive listener.
 *
 * So digits are read from `KeyboardEvent.code` (the physical key, `Digit1` or
 * `Numpad1`), which is right whatever either side believes the layout is; and
 * a scan is a burst of keys, each less than `maxGapMs` after the previous
 * one, ended by Enter. People do not type 13 keys 30 ms apart.
 */

/** The fields of a DOM KeyboardEvent (keydown) the decoder needs. */
export interface WedgeKeyEvent {
  code: string;
  key: string;
  /** Milliseconds, any origin (DOM `timeStamp` or epoch ms), as long as it is monotonic. */
  timeStamp: number;
  shiftKey?: boolean;
}

/**
 * How to read keys other than digits. `host`: trust `key` (the scanner is set
 * to the host's layout). `us`: map `code` through a US layout (the scanner's
 * factory setting, on any host layout).
 */
export type WedgeLayout = 'host' | 'us';

export interface WedgeOptions {
  /** Largest gap between two keys of one scan. */
  maxGapMs?: number;
  /** Shortest scan; our card numbers have 13 digits. */
  minLength?: number;
  /** Longest scan; a stuck key cannot grow the buffer past it. */
  maxLength?: number;
  layout?: WedgeLayout;
  /** Keys (by code) that end a scan. */
  endCodes?: readonly string[];
}

export type WedgeResult =
  | { kind: 'scan'; data: string; startedAt: number; endedAt: number }
  /** A burst ended by Enter that is not a scan; `reason` is for the diagnostics view. */
  | { kind: 'rejected'; reason: 'too_slow' | 'too_short' | 'too_long' | 'unmapped_key'; length: number };

export const DEFAULT_WEDGE_OPTIONS: Required<WedgeOptions> = {
  maxGapMs: 30,
  minLength: 6,
  maxLength: 512,
  layout: 'host',
  endCodes: ['Enter', 'NumpadEnter'],
};

const MODIFIER_CODES = new Set([
  'ShiftLeft', 'ShiftRight', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'MetaLeft', 'MetaRight', 'CapsLock', 'NumLock',
]);

/** US layout: code → [unshifted, shifted]. Letters are handled apart. */
const US_SYMBOLS: Readonly<Record<string, readonly [string, string]>> = {
  Minus: ['-', '_'],
  Equal: ['=', '+'],
  BracketLeft: ['[', '{'],
  BracketRight: [']', '}'],
  Backslash: ['\\', '|'],
  Semicolon: [';', ':'],
  Quote: ["'", '"'],
  Backquote: ['`', '~'],
  Comma: [',', '<'],
  Period: ['.', '>'],
  Slash: ['/', '?'],
  Space: [' ', ' '],
  NumpadDecimal: ['.', '.'],
  NumpadAdd: ['+', '+'],
  NumpadSubtract: ['-', '-'],
  NumpadMultiply: ['*', '*'],
  NumpadDivide: ['/', '/'],
};

const US_SHIFTED_DIGITS = ')!@#$%^&*(';

/** The character a key stands for, or null for a key that carries none. */
export function wedgeChar(event: WedgeKeyEvent, layout: WedgeLayout = 'host'): string | null {
  const digit = /^(?:Digit|Numpad)([0-9])$/.exec(event.code);
  if (digit) {
    // A US scanner never presses Shift for a digit; a US-layout host shows it as a symbol.
    if (layout === 'us' && event.shiftKey && event.code.startsWith('Digit')) return US_SHIFTED_DIGITS[Number(digit[1])]!;
    return digit[1]!;
  }
  if (layout === 'us') {
    const letter = /^Key([A-Z])$/.exec(event.code);
    if (letter) return event.shiftKey ? letter[1]! : letter[1]!.toLowerCase();
    const symbol = US_SYMBOLS[event.code];
    if (symbol) return event.shiftKey ? symbol[1] : symbol[0];
    return null;
  }
  return [...event.key].length === 1 ? event.key : null;
}

/**
 * A streaming decoder: give it every keydown, in order. It answers a scan or
 * a rejection when an end key arrives, null otherwise. A slow key starts a new
 * candidate burst, so a cashier's typing just before a scan does not spoil it.
 */
export class KeyboardWedgeDecoder {
  private readonly options: Required<WedgeOptions>;
  private chars: string[] = [];
  private startedAt = 0;
  private lastAt: number | null = null;
  private unmapped = false;
  private tooLong = false;

  constructor(options: WedgeOptions = {}) {
    this.options = { ...DEFAULT_WEDGE_OPTIONS, ...options };
  }

  push(event: WedgeKeyEvent): WedgeResult | null {
    if (MODIFIER_CODES.has(event.code)) return null;
    const gapOk = this.lastAt === null || event.timeStamp - this.lastAt <= this.options.maxGapMs;
    if (this.options.endCodes.includes(event.code)) {
      const result = this.finish(event.timeStamp, gapOk);
      this.reset();
      return result;
    }
    if (!gapOk) this.reset();
    if (this.lastAt === null) this.startedAt = event.timeStamp;
    this.lastAt = event.timeStamp;
    const char = wedgeChar(event, this.options.layout);
    if (char === null) {
      this.unmapped = true;
      return null;
    }
    if (this.chars.length >= this.options.maxLength) {
      this.tooLong = true;
      return null;
    }
    this.chars.push(char);
    return null;
  }

  /** Forgets the keys so far (the screen lost focus, a field took the keys). */
  reset(): void {
    this.chars = [];
    this.lastAt = null;
    this.unmapped = false;
    this.tooLong = false;
  }

  private finish(at: number, gapOk: boolean): WedgeResult | null {
    const length = this.chars.length;
    if (length === 0) return null; // a lone Enter: the cashier validating a form
    if (!gapOk) return { kind: 'rejected', reason: 'too_slow', length };
    if (this.tooLong) return { kind: 'rejected', reason: 'too_long', length };
    if (this.unmapped) return { kind: 'rejected', reason: 'unmapped_key', length };
    if (length < this.options.minLength) return { kind: 'rejected', reason: 'too_short', length };
    return { kind: 'scan', data: this.chars.join(''), startedAt: this.startedAt, endedAt: at };
  }
}

/** Decodes a whole recorded sequence: every result, in order. */
export function decodeWedgeSequence(events: readonly WedgeKeyEvent[], options: WedgeOptions = {}): WedgeResult[] {
  const decoder = new KeyboardWedgeDecoder(options);
  const results: WedgeResult[] = [];
  for (const event of events) {
    const result = decoder.push(event);
    if (result) results.push(result);
  }
  return results;
}
