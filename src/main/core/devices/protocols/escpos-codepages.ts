/**
 * The single-byte code pages a receipt printer prints with, as tables of the
 * upper half (0x80–0xFF); the lower half is ASCII in all of them. Each
 * vendor numbers them differently for `ESC t n` (printer-profiles.ts); the
 * tables here are the same for everyone.
 *
 * Encoding is for the renderer (text → bytes of the page the printer was told
 * to use), decoding for the printer simulator (bytes → what the paper shows).
 */

export type CodePageName = 'pc437' | 'katakana' | 'pc850' | 'pc858' | 'wpc1252';

/** U+FFFD marks a byte the page leaves undefined: on paper it is a blank or a glyph nobody meant. */
const U = '\ufffd';

const PC437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

const PC850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';

/** PC858 is PC850 with the euro sign where PC850 has the dotless i (0xD5). */
const PC858_HIGH = PC850_HIGH.slice(0, 0x55) + '€' + PC850_HIGH.slice(0x56);

/** Windows-1252: Latin-1 with typographic signs in 0x80–0x9F (five bytes undefined). */
const WPC1252_HIGH =
  `€${U}‚ƒ„…†‡ˆ‰Š‹Œ${U}Ž${U}${U}‘’“”•–—˜™š›œ${U}žŸ` + Array.from({ length: 0x60 }, (_v, i) => String.fromCharCode(0xa0 + i)).join('');

/**
 * Epson's page 1 (Katakana): block and box-drawing graphics in 0x80–0x9F (the
 * ruled lines receiptline draws with `ESC t 1`), JIS X 0201 half-width
 * katakana in 0xA1–0xDF; the graphics above 0xDF are left undefined here.
 */
const KATAKANA_HIGH =
  '▁▂▃▄▅▆▇█▏▎▍▌▋▊▉┼┴┬┤├▔─│▕┌┐└┘╭╮╰╯' +
  ' ' +
  Array.from({ length: 0x3f }, (_v, i) => String.fromCharCode(0xff61 + i)).join('') +
  U.repeat(0x20);

const HIGH_HALVES: Record<CodePageName, string> = {
  pc437: PC437_HIGH,
  katakana: KATAKANA_HIGH,
  pc850: PC850_HIGH,
  pc858: PC858_HIGH,
  wpc1252: WPC1252_HIGH,
};

/** Every table must have exactly 128 characters (one per byte): checked once, at load. */
for (const [name, high] of Object.entries(HIGH_HALVES)) {
  if (Array.from(high).length !== 0x80) throw new Error(`code page ${name} has ${Array.from(high).length} high characters`);
}

const PAGE_NAMES = Object.keys(HIGH_HALVES) as CodePageName[];

function perPage<T>(make: (page: CodePageName) => T): Record<CodePageName, T> {
  const out = {} as Record<CodePageName, T>;
  for (const page of PAGE_NAMES) out[page] = make(page);
  return out;
}

const DECODE = perPage((page) => Array.from(HIGH_HALVES[page]));

const ENCODE = perPage((page) => {
  const map = new Map<string, number>();
  DECODE[page].forEach((c, i) => {
    if (c !== U && !map.has(c)) map.set(c, 0x80 + i);
  });
  return map as ReadonlyMap<string, number>;
});

/** Characters no receipt code page has that French text still uses, with what reads the same on paper. */
const LOOKALIKES: ReadonlyMap<number, string> = new Map([
  [0x202f, ' '], // narrow no-break space (French before : ; ! ?)
  [0x2009, ' '],
  [0x2007, ' '],
  [0x2011, '-'],
  [0x2010, '-'],
  [0x2212, '-'],
  [0x2032, "'"],
  [0x2033, '"'],
  [0x2019, "'"], // for the code pages without typographic quotes (PC858)
  [0x2018, "'"],
  [0x201c, '"'],
  [0x201d, '"'],
  [0x2026, '...'],
  [0x0153, 'oe'],
  [0x0152, 'OE'],
]);

export const REPLACEMENT_CHAR = '?';

export interface EncodedText {
  bytes: Uint8Array;
  /** Characters the code page cannot print, each replaced by a lookalike or `?` (never dropped silently). */
  replaced: string[];
}

function byteOf(page: CodePageName, char: string): number | undefined {
  const code = char.codePointAt(0)!;
  if (code >= 0x20 && code <= 0x7e) return code;
  return ENCODE[page].get(char);
}

/**
 * Encodes text for a printer set to `page`. Control characters are replaced
 * too: inside text they would be executed as commands. A character the page
 * lacks becomes a lookalike (narrow no-break space → space, œ → oe where
 * there is no œ), its base letter when it is an accented one (ő → o), or `?`;
 * every such character is listed in `replaced` so the caller can log it.
 */
export function encodeText(text: string, page: CodePageName): EncodedText {
  const bytes: number[] = [];
  const replaced: string[] = [];
  for (const char of text.normalize('NFC')) {
    const direct = byteOf(page, char);
    if (direct !== undefined) {
      bytes.push(direct);
      continue;
    }
    replaced.push(char);
    const lookalike = LOOKALIKES.get(char.codePointAt(0)!);
    const spelled = lookalike === undefined ? undefined : Array.from(lookalike, (c) => byteOf(page, c));
    if (spelled && spelled.every((b) => b !== undefined)) {
      bytes.push(...(spelled as number[]));
      continue;
    }
    const base = char.normalize('NFD').replace(/\p{M}+/gu, '');
    const baseByte = base.length === 1 && base !== char ? byteOf(page, base) : undefined;
    bytes.push(baseByte ?? REPLACEMENT_CHAR.charCodeAt(0));
  }
  return { bytes: Uint8Array.from(bytes), replaced };
}

/** One byte as printed on `page`; `undefined` page (a table number the printer does not know) prints nothing meaningful. */
export function decodeByte(byte: number, page: CodePageName | undefined): string {
  if (byte < 0x80) return String.fromCharCode(byte);
  return page === undefined ? U : DECODE[page][byte - 0x80]!;
}

export function decodeText(bytes: ArrayLike<number>, page: CodePageName): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += decodeByte(bytes[i]!, page);
  return text;
}

/** What the simulator prints for a byte no table defines: tests look for it as « garbage ». */
export const UNDEFINED_GLYPH = U;
