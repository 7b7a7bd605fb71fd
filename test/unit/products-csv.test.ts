import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRENCH_VAT_RATES_BP, isValidEan13, parseCatalogueCsv, Product } from '../../src/shared/programme/products';

const HEADER = 'sku;label;category;ean;vat;price';
const GOOD = 'EP-RIZ-1KG;Riz long grain 1 kg;epicerie;3174660089501;5,5;1,79';

function problems(text: string) {
  const parsed = parseCatalogueCsv(text);
  if (parsed.ok) throw new Error('expected a refusal');
  return parsed.problems;
}

describe('product catalogue CSV', () => {
  it('reads a semicolon file with French decimal commas into products in cents and basis points', () => {
    const parsed = parseCatalogueCsv(`\uFEFF${HEADER}\r\n${GOOD}\r\nBS-EAU-6;Eau minérale 6 x 1,5 L;boissons;3497161791835|3497161791842;5.5 %;2.94\r\nBL-BAGUETTE;Baguette tradition;boulangerie;;5,5;1,2\r\n\r\n`);
    expect(parsed).toEqual({
      ok: true,
      products: [
        { sku: 'EP-RIZ-1KG', label: 'Riz long grain 1 kg', category: 'epicerie', eans: ['3174660089501'], vatRateBp: 550, priceCents: 179 },
        { sku: 'BS-EAU-6', label: 'Eau minérale 6 x 1,5 L', category: 'boissons', eans: ['3497161791835', '3497161791842'], vatRateBp: 550, priceCents: 294 },
        { sku: 'BL-BAGUETTE', label: 'Baguette tradition', category: 'boulangerie', eans: [], vatRateBp: 550, priceCents: 120 },
      ],
    });
  });

  it('reads a comma file, quoted fields keeping their commas, French header names in any case', () => {
    const parsed = parseCatalogueCsv('Référence,Libellé,Catégorie,EAN,TVA,Prix\nBS-VIN,"Bordeaux rouge, AOC 75 cl",boissons,3498765432100,20,"6,90"\n');
    expect(parsed.ok && parsed.products).toEqual([{ sku: 'BS-VIN', label: 'Bordeaux rouge, AOC 75 cl', category: 'boissons', eans: ['3498765432100'], vatRateBp: 2000, priceCents: 690 }]);
  });

  it('refuses unknown and missing columns, on the header line', () => {
    expect(problems('sku;label;category;ean;price;colour\nA;B;c;;1\n')).toEqual([
      { line: 1, reason: 'unknown column "colour" (expected sku, label, category, ean, vat, price)' },
      { line: 1, reason: 'missing column vat' },
    ]);
    expect(problems('')).toEqual([{ line: 1, reason: 'empty file: a header line is expected' }]);
  });

  it('lists every bad row with its line and reason, not only the first', () => {
    // Each row after the good one is bad in one way: [row, why].
    const bad: Array<[string, string]> = [
      [';Sans référence;epicerie;;5,5;1,00', 'empty SKU'],
      ['EP-RIZ-1KG;Riz encore;epicerie;;5,5;1,00', 'duplicate SKU EP-RIZ-1KG (first on line 2)'],
      ['EP-PATES;Pâtes;epicerie;3174660089501;5,5;0,95', 'duplicate EAN 3174660089501 (first on line 2)'],
      ['EP-SEL;Sel;epicerie;3174660089502;5,5;0,50', 'EAN 3174660089502: invalid EAN-13 check digit'],
      ['EP-THE;Thé;epicerie;317466008950;5,5;2,00', 'EAN "317466008950" does not have 13 digits'],
      ['BS-SODA;Soda;boissons;;7;1,50', 'VAT rate "7" is not one of France\'s 0, 2.1, 5.5, 10 or 20 %'],
      ['BS-EAU;Eau;boissons;;5,5;-1,00', 'negative price -1,00'],
      ['BS-JUS;Jus;boissons;;5,5;deux euros', 'price "deux euros" is not an amount in euros (like 2,49)'],
      ['BS-LAIT;Lait;Crèmerie;;5,5;1,00', 'category "Crèmerie" is not a lower-case slug'],
      ['BS-THE;Thé;boissons;;5,5', '5 fields where the header has 6'],
      ['BS-CAFE;;boissons;;5,5;3,00', 'empty label'],
      ['BS-X;"open;boissons;;5,5;3,00', 'a quote is not closed'],
    ];
    const file = [HEADER, GOOD, ...bad.map(([row]) => row)].join('\n');
    expect(problems(file)).toEqual(bad.map(([, reason], i) => ({ line: i + 3, reason })));
  });

  it('reports several problems of one row, and an EAN twice on one row', () => {
    expect(problems(`${HEADER}\nX;Article;epicerie;3174660089501 3174660089501;19,6;-2`)).toEqual([
      { line: 2, reason: 'the same EAN twice on one row' },
      { line: 2, reason: 'VAT rate "19,6" is not one of France\'s 0, 2.1, 5.5, 10 or 20 %' },
      { line: 2, reason: 'negative price -2' },
    ]);
  });

  it('accepts each French VAT rate and nothing else', () => {
    const rates = ['0', '2,1', '5,5', '10', '20'];
    const file = [HEADER, ...rates.map((r, i) => `S${i};Article ${i};epicerie;;${r};1`)].join('\n');
    const parsed = parseCatalogueCsv(file);
    expect(parsed.ok && parsed.products.map((p) => p.vatRateBp)).toEqual([...FRENCH_VAT_RATES_BP]);
    // « 2,10 » is 2,1 %; « 21 » is no French rate.
    expect(problems(`${HEADER}\nS;A;epicerie;;2,10;1\nT;B;epicerie;;21;1`).map((p) => p.line)).toEqual([3]);
  });

  it('refuses a header with no product under it', () => {
    expect(problems(`${HEADER}\n\n`)).toEqual([{ line: 1, reason: 'no product in the file' }]);
  });

  it('ships a demo catalogue of 40 to 80 products that reads clean, every EAN valid', () => {
    const parsed = parseCatalogueCsv(readFileSync('resources/products.demo.csv', 'utf8'));
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.products.length).toBeGreaterThanOrEqual(40);
    expect(parsed.products.length).toBeLessThanOrEqual(80);
    for (const p of parsed.products) {
      expect(Product.parse(p)).toEqual(p);
      for (const ean of p.eans) expect(isValidEan13(ean)).toBe(true);
    }
    const categories = new Set(parsed.products.map((p) => p.category));
    for (const c of ['fruits-legumes', 'boucherie', 'epicerie', 'boissons', 'bio', 'hygiene']) expect(categories).toContain(c);
    // Wine is taxed at 20 %, food at 5,5 %, the press at 2,1 %.
    expect(parsed.products.find((p) => p.sku === 'BS-VIN-BDX')?.vatRateBp).toBe(2000);
    expect(parsed.products.find((p) => p.sku === 'EP-RIZ-1KG')?.vatRateBp).toBe(550);
    expect(parsed.products.find((p) => p.sku === 'PR-QUOTIDIEN')?.vatRateBp).toBe(210);
  });
});
