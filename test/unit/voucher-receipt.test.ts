import { describe, expect, it } from 'vitest';
import { buildLoyaltyReceipt, referenceReceiptData, type ReceiptDocument } from '../../src/main/core/receipt/receipt';
import { renderEscPos } from '../../src/main/core/receipt/render-escpos';
import { voucherReceiptLines } from '../../src/main/core/vouchers/voucher-receipt';
import { translate } from '../../src/shared/i18n/messages';

/** The receipt's voucher lines (issue 14 item 4): the voucher used, the one earned and its last day. */
const issuedAt = Date.UTC(2026, 10, 18, 9, 0);
const voucher = { voucherId: 'v-1', cents: 200, issuedAt, expiresAt: issuedAt + 30 * 86_400_000 };
const textOf = (doc: ReceiptDocument) =>
  doc.blocks
    .flatMap((b) => (b.type === 'text' ? [b.text] : []))
    .join('\n');

describe('voucher lines on the receipt', () => {
  it('prints the voucher used and the one earned, in French and in English, within the paper’s columns', () => {
    const fr = voucherReceiptLines((k, p) => translate('fr', k, p), 'fr', { applied: voucher, issued: voucher }, 'Europe/Paris', 32);
    expect(fr).toEqual([`${'Bon utilisé'.padEnd(28)}-2 €`, "Bon de 2 € gagné, valable", "jusqu'au 18/12/2026"]);
    for (const line of fr) expect(line.length).toBeLessThanOrEqual(32);
    const en = voucherReceiptLines((k, p) => translate('en', k, p), 'en', { applied: null, issued: voucher }, 'Europe/Paris');
    expect(en).toEqual(['€2 voucher earned, valid until 2026-12-18']);
    expect(voucherReceiptLines((k) => k, 'fr', undefined, 'Europe/Paris')).toEqual([]);
  });

  it('the printed loyalty receipt carries them, and the printer’s code page has every character', () => {
    const doc = buildLoyaltyReceipt({ ...referenceReceiptData(issuedAt), vouchers: { applied: voucher, issued: null } }, 42);
    expect(textOf(doc)).toContain('Bon utilisé');
    expect(textOf(doc)).toContain('-2 €');
    expect(renderEscPos(doc).replaced).toEqual([]);
    expect(textOf(buildLoyaltyReceipt(referenceReceiptData(issuedAt), 42))).not.toContain('Bon utilisé');
  });
});
