import { describe, expect, it } from 'vitest';
import { buildLoyaltyReceipt, RECEIPT_COLUMNS, referenceReceiptData, type ReceiptDocument } from '../../src/main/core/receipt/receipt';
import { renderEscPos } from '../../src/main/core/receipt/render-escpos';

/** Issue 14 items 6 and 7 on paper: the member's bookings to come and « votre adhésion vous a rapporté … cette année ». */

const textOf = (doc: ReceiptDocument) => doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
const base = referenceReceiptData(Date.UTC(2026, 11, 8, 10));
const benefits = { bookings: [{ label: { fr: 'Atelier pain au levain', en: 'Sourdough workshop' }, date: '2026-12-18' }], membershipValueCents: 3_400 };

describe('benefits on the receipt', () => {
  it('prints the bookings and what the membership gave back, in French and in English', () => {
    const fr = textOf(buildLoyaltyReceipt({ ...base, benefits }, 42));
    expect(fr).toContain('Vos réservations');
    expect(fr).toContain('Atelier pain au levain le 18/12/2026');
    expect(fr.join(' ')).toContain('Votre adhésion vous a rapporté 34,00 € cette année');
    const en = textOf(buildLoyaltyReceipt({ ...base, locale: 'en', benefits }, 42));
    expect(en).toContain('Sourdough workshop on 2026-12-18');
    expect(en.join(' ')).toContain('Your membership has given you €34.00 this year');
  });

  it('offers renewal when the period ends within a month', () => {
    const lines = textOf(buildLoyaltyReceipt({ ...base, benefits: { ...benefits, renewBy: '2026-12-31' } }, 42)).join(' ');
    expect(lines).toContain('Renouvelez votre adhésion : elle se termine le 31/12/2026');
    expect(textOf(buildLoyaltyReceipt({ ...base, benefits }, 42)).join(' ')).not.toContain('Renouvelez');
  });

  it('prints nothing of either for a member with no booking and no membership', () => {
    const lines = textOf(buildLoyaltyReceipt({ ...base, benefits: { bookings: [], membershipValueCents: null } }, 42));
    expect(lines.some((l) => l.includes('réservation') || l.includes('adhésion'))).toBe(false);
  });

  it.each(RECEIPT_COLUMNS)('fits %i columns and the printer code page', (columns) => {
    const doc = buildLoyaltyReceipt({ ...base, benefits }, columns);
    for (const line of textOf(doc)) expect(line.length).toBeLessThanOrEqual(columns);
    expect(renderEscPos(doc).replaced).toEqual([]);
  });
});
