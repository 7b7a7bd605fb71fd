/**
 * Keyboard-wedge scanners type what they read as key presses. Two things go
 * wrong at a French till (hardware.md §2.4): a scanner set to a US layout on
 * an AZERTY host types `&é"` for `123`, since digits need Shift there; and a
 * cashier typing looks the same as a scanner to a naive listener.
 *
 * So digits are read from `KeyboardEvent.code` (the physical key, `Digit1` or
 * `Numpad1`), which is right whatever either side believes the layout is; and
 * a scan is a burst of keys, each less than `maxGapMs` after the previous
 * one, ended by Enter. People do not type 13 keys 50 ms apart. Letters and
 * punctuation depend on the layout the scanner itself is set to: that is a
 * terminal setting (`wedge.layout`), detected from a test code at installation.
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
 * The keyboard layout the scanner types with (its "keyboard country"), not the
 * host's. `host`: trust `key` for everything but digits (the scanner matches
 * the till). `us-qwerty` (alias `us`), `fr-azerty`, `de-qwertz`: map the
 * physical `code` through that layout, right whatever the till's own layout.
 * `auto`: read a burst under each and keep the one that makes a code we know
 * (a card number, a wallet QR); failing that, the host reading.
 */
export const WEDGE_LAYOUTS = ['auto', 'host', 'us-qwerty', 'fr-azerty', 'de-qwertz'] as const;
export type WedgeLayoutName = (typeof WEDGE_LAYOUTS)[number];
export type WedgeLayout = WedgeLayoutName | 'us';

export interface WedgeOptions {
  /** Largest gap between two keys of one scan, before any learning; with `adaptive`, the floor of what is learnt. */
  maxGapMs?: number;
  /** Learn the gap limit from recognised scans (see WedgeTiming). */
  adaptive?: boolean;
  /** Shortest scan; our card numbers have 13 digits. */
  minLength?: number;
  /** Longest scan; a stuck key cannot grow the buffer past it. */
  maxLength?: number;
  layout?: WedgeLayout;
  /** Keys (by code) that end a scan. */
  endCodes?: readonly string[];
  /** Tells whether decoded text is a code the till knows; recognised bursts may be slower and teach the limit. */
  recognise?: (data: string) => boolean;
}

export type WedgeResult =
  | { kind: 'scan'; data: string; startedAt: number; endedAt: number; layout: Exclude<WedgeLayout, 'auto'> }
  /** A burst ended by Enter that is not a scan; `reason` is for the diagnostics view. */
  | { kind: 'rejected'; reason: 'too_slow' | 'too_short' | 'too_long' | 'unmapped_key'; length: number };

/** No learning goes past this: human typing stays out, whatever a scanner taught. */
export const WEDGE_GAP_CEILING_MS = 100;

export const DEFAULT_WEDGE_OPTIONS: Required<Omit<WedgeOptions, 'recognise'>> = {
  // 30 ms sat at the edge of a slow USB poll (a full-speed keyboard endpoint every 10 ms, scanners with an inter-key delay).
  maxGapMs: 50,
  adaptive: true,
  minLength: 6,
  maxLength: 512,
  layout: 'host',
  endCodes: ['Enter', 'NumpadEnter'],
};

/** A terminal's wedge settings when its configuration says nothing: `auto` reads a US-set scanner on an AZERTY till too. */
export const DEFAULT_WEDGE_SETTINGS: { layout: WedgeLayoutName; maxGapMs: number; adaptive: boolean } = {
  layout: 'auto',
  maxGapMs: DEFAULT_WEDGE_OPTIONS.maxGapMs,
  adaptive: true,
};

const MODIFIER_CODES = new Set([
  'ShiftLeft', 'ShiftRight', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'MetaLeft', 'MetaRight', 'CapsLock', 'NumLock',
]);

type KeyTable = Readonly<Record<string, readonly [string, string]>>;

const NUMPAD: KeyTable = {
  NumpadDecimal: ['.', '.'],
  NumpadAdd: ['+', '+'],
  NumpadSubtract: ['-', '-'],
  NumpadMultiply: ['*', '*'],
  NumpadDivide: ['/', '/'],
  ...Object.fromEntries([...'0123456789'].map((d) => [`Numpad${d}`, [d, d] as const])),
  Space: [' ', ' '],
};

function letters(swaps: Readonly<Record<string, string>> = {}): KeyTable {
  return Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => {
    const letter = swaps[c] ?? c.toLowerCase();
    return [`Key${c}`, [letter, letter.toUpperCase()] as const];
  }));
}

function digitRow(unshifted: string, shifted: string): KeyTable {
  return Object.fromEntries([...'1234567890'].map((d, i) => [`Digit${d}`, [[...unshifted][i]!, [...shifted][i]!] as const]));
}

/** Each layout: code → [unshifted, shifted], dead keys left out (a scanner never sends them). */
const LAYOUT_TABLES: Readonly<Record<'us-qwerty' | 'fr-azerty' | 'de-qwertz', KeyTable>> = {
  'us-qwerty': {
    ...NUMPAD,
    ...letters(),
    ...digitRow('1234567890', '!@#$%^&*()'),
    Minus: ['-', '_'], Equal: ['=', '+'], BracketLeft: ['[', '{'], BracketRight: [']', '}'], Backslash: ['\\', '|'],
    Semicolon: [';', ':'], Quote: ["'", '"'], Backquote: ['`', '~'], Comma: [',', '<'], Period: ['.', '>'], Slash: ['/', '?'],
  },
  'fr-azerty': {
    ...NUMPAD,
    ...letters({ Q: 'a', A: 'q', W: 'z', Z: 'w', M: ',' }),
    KeyM: [',', '?'],
    Semicolon: ['m', 'M'],
    ...digitRow('&é"\'(-è_çà', '1234567890'),
    Minus: [')', '°'], Equal: ['=', '+'], BracketRight: ['$', '£'], Backslash: ['*', 'µ'], Quote: ['ù', '%'],
    Comma: [';', '.'], Period: [':', '/'], Slash: ['!', '§'], IntlBackslash: ['<', '>'],
  },
  'de-qwertz': {
    ...NUMPAD,
    ...letters({ Y: 'z', Z: 'y' }),
    ...digitRow('1234567890', '!"§$%&/()='),
    Minus: ['ß', '?'], BracketLeft: ['ü', 'Ü'], BracketRight: ['+', '*'], Backslash: ['#', "'"], Semicolon: ['ö', 'Ö'],
    Quote: ['ä', 'Ä'], Comma: [',', ';'], Period: ['.', ':'], Slash: ['-', '_'], IntlBackslash: ['<', '>'],
  },
};

/** The character a key stands for, or null for a key that carries none. */
export function wedgeChar(event: WedgeKeyEvent, layout: Exclude<WedgeLayout, 'auto'> = 'host'): string | null {
  if (layout === 'host') {
    const digit = /^(?:Digit|Numpad)([0-9])$/.exec(event.code);
    // Digits by physical key: a US scanner on an AZERTY host still gives digits, not `&é"`.
    if (digit) return digit[1]!;
    return [...event.key].length === 1 ? event.key : null;
  }
  const entry = LAYOUT_TABLES[layout === 'us' ? 'us-qwerty' : layout][event.code];
  if (!entry) return null;
  return event.shiftKey ? entry[1] : entry[0];
}

/** Every key decoded under one layout, or null if a key has no character there. */
export function decodeKeys(events: readonly Pick<WedgeKeyEvent, 'code' | 'key' | 'shiftKey'>[], layout: Exclude<WedgeLayout, 'auto'>): string | null {
  let out = '';
  for (const event of events) {
    const char = wedgeChar({ ...event, timeStamp: 0 }, layout);
    if (char === null) return null;
    out += char;
  }
  return out;
}

const AUTO_ORDER: ReadonlyArray<Exclude<WedgeLayoutName, 'auto'>> = ['host', 'us-qwerty', 'fr-azerty', 'de-qwertz'];

/**
 * What a scanner prints when it reads the installation test code: the
 * letters that move between QWERTY, AZERTY and QWERTZ (A Q W Z Y M), the
 * punctuation that does (: -), and every digit.
 */
export const WEDGE_TEST_CODE = 'FIDELE-TEST:AQWZYM:0123456789';

/**
 * Which layout the scanner types with, from the keys it sent for
 * WEDGE_TEST_CODE: the named layout that decodes them into it, else `host` if
 * the till's own layout does, else null (not the test code, or an unknown layout).
 */
export function detectWedgeLayout(events: readonly Pick<WedgeKeyEvent, 'code' | 'key' | 'shiftKey'>[], expected = WEDGE_TEST_CODE): Exclude<WedgeLayoutName, 'auto'> | null {
  const keys = events.filter((e) => !MODIFIER_CODES.has(e.code) && !DEFAULT_WEDGE_OPTIONS.endCodes.includes(e.code));
  for (const layout of ['us-qwerty', 'fr-azerty', 'de-qwertz'] as const) if (decodeKeys(keys, layout) === expected) return layout;
  return decodeKeys(keys, 'host') === expected ? 'host' : null;
}

/**
 * The gap limit, learnt. Until a scan is recognised it is `floorMs`; each
 * recognised scan lifts it to 1.5 × the largest gap seen in the last few,
 * never below the floor (a fast scanner must not shut out a slower poll) and
 * never past WEDGE_GAP_CEILING_MS (people type slower than that).
 */
export class WedgeTiming {
  private readonly recent: number[] = [];

  constructor(
    private readonly floorMs: number,
    private readonly adaptive: boolean,
  ) {}

  get limitMs(): number {
    if (!this.adaptive || this.recent.length === 0) return this.floorMs;
    return Math.min(WEDGE_GAP_CEILING_MS, Math.max(this.floorMs, Math.ceil(Math.max(...this.recent) * 1.5)));
  }

  /** How slow a recognised code may be: the learning needs a first slow scan to learn from. */
  get toleranceMs(): number {
    return this.adaptive ? Math.max(this.floorMs, WEDGE_GAP_CEILING_MS) : this.floorMs;
  }

  observe(maxGapMs: number): void {
    this.recent.push(maxGapMs);
    if (this.recent.length > 8) this.recent.shift();
  }
}

interface HeldKey {
  code: string;
  key: string;
  shiftKey?: boolean;
  at: number;
  /** Gap since the previous key of the burst (0 for the first). */
  gap: number;
}

/**
 * A streaming decoder: give it every keydown, in order. It answers a scan or
 * a rejection when an end key arrives, null otherwise. A burst is the keys
 * each within the limit of the one before, ended by Enter; a code we
 * recognise may be slower, up to the tolerance, and teaches the limit. A key
 * after a longer pause starts a new burst, so a cashier's typing just before
 * a scan does not spoil it.
 */
export class KeyboardWedgeDecoder {
  private readonly options: Required<Omit<WedgeOptions, 'recognise'>> & Pick<WedgeOptions, 'recognise'>;
  readonly timing: WedgeTiming;
  private held: HeldKey[] = [];
  private lastAt: number | null = null;
  private tooLong = false;

  constructor(options: WedgeOptions = {}, timing?: WedgeTiming) {
    this.options = { ...DEFAULT_WEDGE_OPTIONS, ...options };
    this.timing = timing ?? new WedgeTiming(this.options.maxGapMs, this.options.adaptive);
  }

  push(event: WedgeKeyEvent): WedgeResult | null {
    if (MODIFIER_CODES.has(event.code)) return null;
    const gap = this.lastAt === null ? 0 : event.timeStamp - this.lastAt;
    if (this.options.endCodes.includes(event.code)) {
      const result = this.finish(event.timeStamp, gap);
      this.reset();
      return result;
    }
    if (gap > this.timing.toleranceMs) this.reset();
    this.lastAt = event.timeStamp;
    if (this.held.length >= this.options.maxLength) {
      this.tooLong = true;
      return null;
    }
    const shift = event.shiftKey === undefined ? {} : { shiftKey: event.shiftKey };
    this.held.push({ code: event.code, key: event.key, ...shift, at: event.timeStamp, gap: this.held.length === 0 ? 0 : gap });
    return null;
  }

  /** Forgets the keys so far (the screen lost focus, a field took the keys). */
  reset(): void {
    this.held = [];
    this.lastAt = null;
    this.tooLong = false;
  }

  private decode(keys: readonly HeldKey[]): { data: string; layout: Exclude<WedgeLayout, 'auto'>; recognised: boolean } | null {
    const recognise = this.options.recognise ?? (() => false);
    const layouts = this.options.layout === 'auto' ? AUTO_ORDER : [this.options.layout];
    let fallback: { data: string; layout: Exclude<WedgeLayout, 'auto'>; recognised: boolean } | null = null;
    for (const layout of layouts) {
      const data = decodeKeys(keys, layout);
      if (data === null) continue;
      if (recognise(data)) return { data, layout, recognised: true };
      fallback ??= { data, layout, recognised: false };
    }
    return fallback;
  }

  private finish(at: number, endGap: number): WedgeResult | null {
    const keys = this.held;
    if (keys.length === 0) return null; // a lone Enter: the cashier validating a form
    const limit = this.timing.limitMs;
    const slowest = Math.max(endGap, ...keys.map((k) => k.gap));
    if (this.tooLong) return { kind: 'rejected', reason: 'too_long', length: keys.length };
    // A code we know, a little slower than the limit: a slow scanner, and worth learning from.
    if (slowest > limit && slowest <= this.timing.toleranceMs) {
      const decoded = this.decode(keys);
      if (decoded?.recognised && keys.length >= this.options.minLength) {
        this.timing.observe(slowest);
        return { kind: 'scan', data: decoded.data, startedAt: keys[0]!.at, endedAt: at, layout: decoded.layout };
      }
    }
    if (endGap > limit) return { kind: 'rejected', reason: 'too_slow', length: keys.length };
    // Keys within the limit of each other, back from the end: the burst; what came before was typing.
    let from = keys.length - 1;
    while (from > 0 && keys[from]!.gap <= limit) from--;
    const burst = keys[from]!.gap > limit ? keys.slice(from) : keys;
    const decoded = this.decode(burst);
    if (decoded === null) return { kind: 'rejected', reason: 'unmapped_key', length: burst.length };
    if (burst.length < this.options.minLength) return { kind: 'rejected', reason: 'too_short', length: burst.length };
    if (decoded.recognised) this.timing.observe(Math.max(endGap, ...burst.slice(1).map((k) => k.gap)));
    return { kind: 'scan', data: decoded.data, startedAt: burst[0]!.at, endedAt: at, layout: decoded.layout };
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
