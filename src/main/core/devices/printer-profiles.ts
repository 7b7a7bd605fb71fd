import type { CodePageName } from './protocols/escpos-codepages';

/**
 * What the receipt needs to know about a printer model: how many dots its
 * head prints across, the fonts it has, and how its firmware numbers the code
 * pages for `ESC t n`. Column counts are derived from dots, never assumed: 42
 * characters of Font A (12 dots) are 504 dots, wider than a 58 mm head (384).
 *
 * Code page numbers, by source:
 * - Epson: the ESC/POS reference's `ESC t` table (0 PC437, 1 Katakana,
 *   2 PC850, 16 WPC1252, 19 PC858), as node-thermal-printer's epson-config
 *   and ReceiptPrinterEncoder's « epson » mapping give it.
 * - Star in ESC/POS emulation (TSP100IV, TSP650II, mC-Print3 switched to
 *   ESC/POS): the same numbers for these pages (ReceiptPrinterEncoder's
 *   esc-pos « star » mapping: 0 PC437, 1 Star's own Katakana, 2 PC850,
 *   16 WPC1252, 19 PC858). The 32 often quoted for WPC1252 is Star Line /
 *   StarPRNT mode's `ESC GS t 32` (receiptline's star commands, the
 *   « star-prnt » mapping), a different command language this driver does
 *   not speak.
 * - Citizen (CT-S310II, CT-S801): PC858 is 2, where Epson has PC850, and
 *   there is no PC850 (ReceiptPrinterEncoder's « citizen » mapping); WPC1252
 *   is 16.
 * - Chinese clones: Xprinter XP-N160II / XP-T80Q (80 mm) and the POS-5890
 *   family (58 mm, Xprinter XP-58, HOIN, Zjiang): 16 WPC1252, 19 PC858,
 *   2 PC850 (ReceiptPrinterEncoder's « xprinter » and « pos-5890 »
 *   mappings, escpos-printer-db profiles). They start in Kanji mode, so
 *   `FS .` follows every `ESC @` (hardware.md §1.1).
 */

export type FontName = 'A' | 'B';

export interface FontMetrics {
  /** Dots per character, across. */
  width: number;
  /** Dots per character, down. */
  height: number;
}

export const PRINTER_PROFILE_IDS = ['epson-80', 'epson-58', 'star-80', 'citizen-80', 'xprinter-80', 'clone-80-512', 'clone-58'] as const;
export type PrinterProfileId = (typeof PRINTER_PROFILE_IDS)[number];

export interface PrinterProfile {
  id: PrinterProfileId;
  label: string;
  paperMm: 58 | 80;
  /** Printable width: 384 dots on 58 mm, 576 on 80 mm at 203 dpi (512 on some 80 mm clones). */
  headDots: number;
  fonts: Readonly<Record<FontName, FontMetrics>>;
  /** `ESC t n` of each code page the firmware has. */
  codeTables: Readonly<Partial<Record<CodePageName, number>>>;
  /** The page receipts are printed in: WPC1252 when the printer has it (€, œ, ’ and …), PC858 otherwise. */
  textCodePage: CodePageName;
  /** What `ESC @` goes back to (the power-on default). */
  powerOnCodePage: CodePageName;
  /** Chinese-market firmwares start in Kanji mode, where a byte ≥ 0x80 begins a two-byte character. */
  kanjiAtPowerOn: boolean;
}

const EPSON_FONTS = { A: { width: 12, height: 24 }, B: { width: 9, height: 17 } } as const;
/** Star's Font B is as narrow as Epson's, but taller. */
const STAR_FONTS = { A: { width: 12, height: 24 }, B: { width: 9, height: 24 } } as const;

const EPSON_TABLES = { pc437: 0, katakana: 1, pc850: 2, wpc1252: 16, pc858: 19 } as const;
const STAR_ESCPOS_TABLES = { pc437: 0, katakana: 1, pc850: 2, wpc1252: 16, pc858: 19 } as const;
const CITIZEN_TABLES = { pc437: 0, katakana: 1, pc858: 2, wpc1252: 16 } as const;
const CLONE_TABLES = { pc437: 0, katakana: 1, pc850: 2, wpc1252: 16, pc858: 19 } as const;

const common = { textCodePage: 'wpc1252', powerOnCodePage: 'pc437' } as const;

export const PRINTER_PROFILES: Readonly<Record<PrinterProfileId, PrinterProfile>> = {
  'epson-80': { id: 'epson-80', label: 'Epson TM-T20/T88, 80 mm', paperMm: 80, headDots: 576, fonts: EPSON_FONTS, codeTables: EPSON_TABLES, kanjiAtPowerOn: false, ...common },
  'epson-58': { id: 'epson-58', label: 'Epson, 58 mm', paperMm: 58, headDots: 384, fonts: EPSON_FONTS, codeTables: EPSON_TABLES, kanjiAtPowerOn: false, ...common },
  'star-80': {
    id: 'star-80',
    label: 'Star TSP100IV/TSP650II/mC-Print3 in ESC/POS mode, 80 mm',
    paperMm: 80,
    headDots: 576,
    fonts: STAR_FONTS,
    codeTables: STAR_ESCPOS_TABLES,
    kanjiAtPowerOn: false,
    ...common,
  },
  'citizen-80': { id: 'citizen-80', label: 'Citizen CT-S310II, 80 mm', paperMm: 80, headDots: 576, fonts: EPSON_FONTS, codeTables: CITIZEN_TABLES, kanjiAtPowerOn: false, ...common },
  'xprinter-80': { id: 'xprinter-80', label: 'Xprinter XP-N160II/XP-T80Q and clones, 80 mm', paperMm: 80, headDots: 576, fonts: EPSON_FONTS, codeTables: CLONE_TABLES, kanjiAtPowerOn: true, ...common },
  'clone-80-512': { id: 'clone-80-512', label: '80 mm clone with a 512-dot head', paperMm: 80, headDots: 512, fonts: EPSON_FONTS, codeTables: CLONE_TABLES, kanjiAtPowerOn: true, ...common },
  'clone-58': { id: 'clone-58', label: 'POS-5890 / Xprinter XP-58 / HOIN, 58 mm', paperMm: 58, headDots: 384, fonts: EPSON_FONTS, codeTables: CLONE_TABLES, kanjiAtPowerOn: true, ...common },
};

/** The default when a terminal names no profile: the 80 mm Epson most French stores have. */
export const DEFAULT_PRINTER_PROFILE_ID: PrinterProfileId = 'epson-80';

export function printerProfile(id: PrinterProfileId): PrinterProfile {
  return PRINTER_PROFILES[id];
}

/** Characters per line in a font at single width. */
export function columnsOf(profile: PrinterProfile, font: FontName): number {
  return Math.floor(profile.headDots / profile.fonts[font].width);
}

/**
 * The widest font whose `columns` characters fit across the head: Font A when
 * it fits, Font B otherwise; a RangeError when not even Font B fits (48
 * columns on 58 mm: 432 dots > 384).
 */
export function fontForColumns(profile: PrinterProfile, columns: number): FontName {
  for (const font of ['A', 'B'] as const) if (columns * profile.fonts[font].width <= profile.headDots) return font;
  throw new RangeError(`${columns} columns do not fit the ${profile.headDots}-dot head of ${profile.id} in any font (Font B: ${columnsOf(profile, 'B')} at most)`);
}

/** The receipt columns a profile gets when the configuration names none: 42 on 58 mm (Font B), 48 on 80 mm. */
export function defaultColumns(profile: PrinterProfile): 42 | 48 {
  return profile.paperMm === 58 ? 42 : 48;
}

/** `ESC M n`: 0 Font A, 1 Font B. */
export function selectFontCommand(font: FontName): Uint8Array {
  return Uint8Array.of(0x1b, 0x4d, font === 'A' ? 0 : 1);
}

/** `ESC t n` for `page` in this vendor's numbering; a RangeError if the firmware lacks the page. */
export function codeTableNumber(profile: PrinterProfile, page: CodePageName): number {
  const n = profile.codeTables[page];
  if (n === undefined) throw new RangeError(`${profile.id} has no ${page} code page`);
  return n;
}

/** The page `ESC t n` selects on this vendor's firmware, or undefined for a number it does not have. */
export function codePageOfTable(profile: PrinterProfile, n: number): CodePageName | undefined {
  for (const [page, table] of Object.entries(profile.codeTables)) if (table === n) return page as CodePageName;
  return undefined;
}

export interface PrinterSetup {
  profile: PrinterProfile;
  columns: 42 | 48;
  font: FontName;
  cancelKanji: boolean;
}

/**
 * A printer's settings with the profile's defaults filled in. A terminal that
 * names no profile gets the 58 mm Epson for 42 columns (what « 42 columns »
 * has always meant here) and the 80 mm one otherwise. Throws a RangeError
 * when the columns do not fit the head.
 */
export function resolvePrinterSetup(settings: { profile?: PrinterProfileId | undefined; columns?: 42 | 48 | undefined; cancelKanji?: boolean | undefined }): PrinterSetup {
  const id = settings.profile ?? (settings.columns === 42 ? 'epson-58' : DEFAULT_PRINTER_PROFILE_ID);
  const profile = PRINTER_PROFILES[id];
  const columns = settings.columns ?? defaultColumns(profile);
  return { profile, columns, font: fontForColumns(profile, columns), cancelKanji: settings.cancelKanji ?? profile.kanjiAtPowerOn };
}
