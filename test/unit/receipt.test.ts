import { receiptWrap } from '../../src/shared/domain/receipt-layout';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAPER_STATUS_REQUEST } from '../../src/main/core/devices/protocols/escpos';
import {
  buildLoyaltyReceipt,
  formatEuros,
  progressBar,
  RECEIPT_COLUMNS,
  referenceReceiptData,
  type ReceiptDocument,
} from '../../src/main/core/receipt/receipt';
import { renderEscPos } from '../../src/main/core/receipt/render-escpos';
import { escapeXml, qrMatrix, renderSvg } from '../../src/main/core/receipt/render-svg';
import { walletQrPayload } from '../../src/shared/domain/card-number';
import { ean13Bars, ean13Modules } from '../../src/shared/domain/ean13-barcode';

const printedAt = Date.UTC(2025, 2, 15, 13, 32);
const data = referenceReceiptData(printedAt);
const card = data.member.cardNumber;

function indexOf(haystack: Uint8Array, needle: ArrayLike<number>): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const textLines = (doc: ReceiptDocument) => doc.blocks.flatMap((b) => (b.type === 'text' ? [b] : []));

describe('the loyalty receipt document', () => {
  it.each(RECEIPT_COLUMNS)('fits every line in %i columns (double-size lines in half)', (columns) => {
    const doc = buildLoyaltyReceipt(data, columns);
    for (const line of textLines(doc)) expect(line.text.length, line.text).toBeLessThanOrEqual(line.double ? columns / 2 : columns);
    expect(doc.blocks.filter((b) => b.type === 'ean13')).toEqual([{ type: 'ean13', code: card, caption: `${card[0]} ${card.slice(1, 7)} ${card.slice(7)}` }]);
    expect(doc.blocks.filter((b) => b.type === 'qr')).toEqual([{ type: 'qr', payload: walletQrPayload(card) }]);
  });

  it('carries the store header, the loyalty block and the expiry breakdown, in French', () => {
    const all = textLines(buildLoyaltyReceipt(data, 42)).map((l) => l.text).join('\n');
    expect(all).toContain('Fidèle Épicerie');
    expect(all).toMatch(/15\/03\/2025 14:32 +Ticket n° 0042-1187/);
    expect(all).toMatch(/Montant de l'achat +42,50 €/);
    expect(all).toMatch(/Membre +Hélène/);
    expect(all).toMatch(/Points gagnés +\+42/);
    expect(all).toMatch(/Nouveau solde +1 234 pts/);
    expect(all).toContain('Plus que 266 pts pour');
    expect(all).toContain('120 pts expirent le 30/06/2025');
    expect(all).toContain('80 pts expirent le 30/09/2025');
    // « 10 € » stays on one line.
    expect(all).not.toMatch(/10\n€/);
    expect(all).toMatch(/\[#+\.+\] 82 %/);
  });

  it('speaks English too', () => {
    const all = textLines(buildLoyaltyReceipt({ ...data, locale: 'en' }, 48)).map((l) => l.text).join('\n');
    expect(all).toMatch(/New balance +1,234 pts/);
    expect(all).toMatch(/Purchase +€42\.50/);
    expect(all).toContain('120 pts expire on 2025-06-30');
    expect(all).toMatch(/2025-03-15 14:32/);
  });

  it('shows points used, and leaves out the reward and expiry parts when there are none', () => {
    const doc = buildLoyaltyReceipt({ ...data, pointsRedeemed: 500, nextReward: null, expiring: [], ticket: undefined }, 42);
    const all = textLines(doc).map((l) => l.text).join('\n');
    expect(all).toMatch(/Points utilisés +-500/);
    expect(all).not.toContain('Plus que');
    expect(all).not.toContain('expirent');
    expect(all).not.toContain('Ticket');
  });

  it('formats money, progress and French wrapping', () => {
    expect(formatEuros('fr', 123456)).toBe('1 234,56 €');
    expect(formatEuros('en', 5)).toBe('€0.05');
    expect(formatEuros('fr', -250)).toBe('-2,50 €');
    expect(progressBar(50, 100, 12)).toBe('[#####.....]');
    expect(progressBar(150, 100, 6)).toBe('[####]');
    // « ! », « : » and « € » never start a line.
    expect(receiptWrap('Un bon de 10 € : merci !', 12)).toEqual(['Un bon de', '10 € :', 'merci !']);
    expect(receiptWrap('Un bon de 10 € : merci !', 14)).toEqual(['Un bon de', '10 € : merci !']);
    expect(receiptWrap('Solde 1 234 567 pts', 9)).toEqual(['Solde', '1 234 567', 'pts']);
  });
});

describe('the receipt as ESC/POS', () => {
  it.each(RECEIPT_COLUMNS)('is one job for %i columns: init + WPC1252, text, EAN-13, QR, cut, GS r 1', (columns) => {
    const job = renderEscPos(buildLoyaltyReceipt(data, columns));
    const bytes = job.bytes;
    expect(Array.from(bytes.subarray(0, 5))).toEqual([0x1b, 0x40, 0x1b, 0x74, 0x10]);
    expect(Array.from(bytes.subarray(bytes.length - 3))).toEqual(Array.from(PAPER_STATUS_REQUEST));
    expect(indexOf(bytes, [0x1d, 0x56, 0x00])).toBeGreaterThan(0);
    expect(job.replaced).toEqual([]);
    // € is 0x80, é 0xE9, è 0xE8, É 0xC9, œ 0x9C in WPC1252.
    expect(indexOf(bytes, [0x34, 0x32, 0x2c, 0x35, 0x30, 0x20, 0x80])).toBeGreaterThan(0);
    expect(indexOf(bytes, [0x48, 0xe9, 0x6c, 0xe8, 0x6e, 0x65])).toBeGreaterThan(0);
    expect(indexOf(bytes, [0xc9, 0x70, 0x69])).toBeGreaterThan(0);
    expect(indexOf(bytes, [0x9c, 0x75, 0x66, 0x73])).toBeGreaterThan(0);
    expect(indexOf(bytes, [0x1d, 0x6b, 67, 13, ...Array.from(card, (c) => c.charCodeAt(0))])).toBeGreaterThan(0);
    const payload = Array.from(walletQrPayload(card), (c) => c.charCodeAt(0));
    const k = payload.length + 3;
    expect(indexOf(bytes, [0x1d, 0x28, 0x6b, k & 0xff, k >> 8, 0x31, 0x50, 0x30, ...payload])).toBeGreaterThan(0);
    expect(indexOf(bytes, [0x1d, 0x28, 0x6b, 0x03, 0x00, 0x31, 0x51, 0x30])).toBeGreaterThan(0);
    // No real-time command hides in the job.
    expect(indexOf(bytes, [0x10, 0x04])).toBe(-1);
    expect(indexOf(bytes, [0x10, 0x05])).toBe(-1);
  });

  it('enables Automatic Status Back and cancels Kanji mode when asked (42 columns: Font B on the 58 mm head)', () => {
    const bytes = renderEscPos(buildLoyaltyReceipt(data, 42), { cancelKanji: true, automaticStatusBack: true }).bytes;
    expect(Array.from(bytes.subarray(0, 13))).toEqual([0x1b, 0x40, 0x1b, 0x74, 0x10, 0x1c, 0x2e, 0x1b, 0x4d, 0x01, 0x1d, 0x61, 0x0f]);
  });
});

describe('the receipt as SVG', () => {
  it.each(RECEIPT_COLUMNS)('draws real EAN-13 bars, the QR and the text with accents and € (saved as artifacts/receipts/receipt-%i.svg)', (columns) => {
    const svg = renderSvg(buildLoyaltyReceipt(data, columns));
    mkdirSync('artifacts/receipts', { recursive: true });
    writeFileSync(join('artifacts/receipts', `receipt-${columns}.svg`), svg);

    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain(`data-columns="${columns}"`);

    // Bars: one rect per run of dark modules (30 for any EAN-13), at the module positions.
    const barRects = [...svg.matchAll(/<rect class="ean-bar" x="(\d+)" y="[\d.]+" width="(\d+)"/g)];
    const expected = ean13Bars(card);
    expect(barRects).toHaveLength(30);
    expect(barRects).toHaveLength(expected.length);
    const origin = Number(barRects[0]![1]);
    const modules = ean13Modules(card);
    const drawn = Array.from({ length: 95 }, () => '0');
    for (const [, x, width] of barRects) for (let i = 0; i < Number(width) / 2; i++) drawn[(Number(x) - origin) / 2 + i] = '1';
    expect(drawn.join('')).toBe(modules);

    // The QR: as many module squares as the symbol has dark modules.
    const qr = /<g class="qr" data-payload="([^"]+)" data-modules="(\d+)">(.*?)<\/g>/.exec(svg);
    expect(qr).not.toBeNull();
    expect(qr![1]).toBe(walletQrPayload(card));
    const matrix = qrMatrix(walletQrPayload(card));
    expect(Number(qr![2])).toBe(matrix.length);
    expect(matrix.length).toBeGreaterThanOrEqual(21);
    expect(qr![3]!.match(/<rect /g)).toHaveLength(matrix.flat().filter(Boolean).length);

    // Accents and € are text, not boxes or escapes.
    expect(svg).toContain('Hélène');
    expect(svg).toContain('42,50 €');
    expect(svg).toContain('Fidèle Épicerie');
    expect(svg).toContain('œufs, crème brûlée…');
    expect(svg).toContain('Bon d&apos;achat de');
  });

  it('escapes XML in text that comes from configuration', () => {
    const svg = renderSvg(buildLoyaltyReceipt({ ...data, store: { name: 'A<B & "C"', address: [] } }, 42));
    expect(svg).toContain('A&lt;B &amp; &quot;C&quot;');
    expect(svg).not.toContain('A<B');
    expect(escapeXml(`<&>"'`)).toBe('&lt;&amp;&gt;&quot;&apos;');
  });
});
