import type { Locale } from '../contract/schemas';

/**
 * Plain-text layout for receipt printers: 42 columns on 58 mm paper (48 on
 * 80 mm). Shared by the till's receipt lines, the Z report and, later, the
 * ESC/POS renderer.
 */
export const RECEIPT_WIDTH = 42;

/** 1234567 → « 1 234 567 » in French (narrow no-break space avoided: printers lack it), 1,234,567 in English. */
export function formatPoints(locale: Locale, n: number): string {
  const digits = String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, locale === 'fr' ? ' ' : ',');
  return n < 0 ? `-${digits}` : digits;
}

/** Label on the left, value on the right, on one receipt line; a long label gives way. */
export function receiptRow(label: string, value: string, width = RECEIPT_WIDTH): string {
  const room = width - value.length - 1;
  const left = label.length > room ? label.slice(0, Math.max(room, 0)) : label;
  return left + ' '.repeat(Math.max(1, width - left.length - value.length)) + value;
}

export function receiptCenter(text: string, width = RECEIPT_WIDTH): string {
  const pad = Math.max(0, Math.floor((width - text.length) / 2));
  return (' '.repeat(pad) + text).slice(0, width);
}

const NBSP = '\u00a0';

/**
 * Breaks a sentence into lines of at most `width` characters, on spaces.
 * French typography keeps some words together: « 10 € », « 82 % », « 1 234 »,
 * the space before « : ! ? ». They are glued with a no-break space for the
 * wrap, then printed as a plain space (a printer set to another code page than
 * WPC1252 would misprint 0xA0).
 */
export function receiptWrap(text: string, width = RECEIPT_WIDTH): string[] {
  const glued = text
    .normalize('NFC')
    .replace(/(\d) (?=\d{3}(?!\d))/g, `$1${NBSP}`)
    .replace(/ (?=[€%:;!?»])/g, NBSP)
    .replace(/« /g, `«${NBSP}`);
  const lines: string[] = [];
  let line = '';
  for (const word of glued.split(/[ \t\n]+/).filter(Boolean)) {
    if (line === '') line = word.slice(0, width);
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word.slice(0, width);
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((l) => l.replaceAll(NBSP, ' '));
}
