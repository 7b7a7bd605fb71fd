import { describe, expect, it } from 'vitest';
import { buildLoyaltyReceipt, RECEIPT_COLUMNS, referenceReceiptData, type ReceiptDocument } from '../../src/main/core/receipt/receipt';
import { renderEscPos } from '../../src/main/core/receipt/render-escpos';
import type { RegularityView } from '../../src/shared/programme/regularity';

/** Issue 14 item 5 on paper: the streak bonus on its own line, « 3 semaines d'affilée ! » and what the next bonus asks. */

const textOf = (doc: ReceiptDocument) => doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
const view: RegularityView = { weeksWithVisit: 4, windowWeeks: 12, weeks: [...Array<boolean>(8).fill(false), true, true, true, true], streak: 4, score: 53, visitedThisWeek: true, minimumBasketCents: 1000, nextBonus: { inWeeks: 4, points: 20 } };
const base = referenceReceiptData(Date.UTC(2027, 0, 6, 10));

describe('regularity on the receipt', () => {
  it('splits the bonus from the basket points and prints the streak, in French', () => {
    const lines = textOf(buildLoyaltyReceipt({ ...base, pointsEarned: 30, regularity: { bonusPoints: 20, view } }, 42));
    expect(lines.find((l) => l.startsWith('Points gagnés'))).toMatch(/\+10$/);
    expect(lines.find((l) => l.startsWith('Bonus régularité'))).toMatch(/\+20$/);
    expect(lines).toContain("4 semaines d'affilée !");
    expect(lines).toContain("Encore 4 semaines d'affilée pour 20 pts de");
  });

  it('in English, and nothing about a streak shorter than two weeks but what the next bonus asks', () => {
    const lines = textOf(buildLoyaltyReceipt({ ...base, locale: 'en', pointsEarned: 10, regularity: { bonusPoints: 0, view: { ...view, streak: 1, nextBonus: { inWeeks: 1, points: 20 } } } }, 42));
    expect(lines.some((l) => l.includes('in a row!'))).toBe(false);
    expect(lines.some((l) => l.startsWith('Regularity bonus'))).toBe(false);
    expect(lines).toContain('Just one more week for 20 bonus pts');
  });

  it.each(RECEIPT_COLUMNS)('fits %i columns and the printer code page', (columns) => {
    const doc = buildLoyaltyReceipt({ ...base, pointsEarned: 30, regularity: { bonusPoints: 20, view } }, columns);
    for (const line of textOf(doc)) expect(line.length).toBeLessThanOrEqual(columns);
    expect(renderEscPos(doc).replaced).toEqual([]);
  });
});
