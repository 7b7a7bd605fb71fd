import { AppFailure, type ParsedInput } from '../../../shared/contract';
import type { Db } from '../db/database';
import { lookupProduct } from './catalogue';

type ManualSaleInput = ParsedInput<'ledger.manualCommit'>;

/**
 * A manual sale's product lines as the catalogue has them: a line naming a
 * SKU must name a product HQ sent, and takes its label, category and VAT
 * rate from it, whatever the screen sent; the amount stays the cashier's.
 * An unknown SKU refuses the sale before anything is priced.
 */
export function withCatalogueLines(db: Db, sale: ManualSaleInput): ManualSaleInput {
  if (!sale.lines.some((line) => line.sku !== undefined)) return sale;
  const lines = sale.lines.map((line, i) => {
    if (line.sku === undefined) return line;
    const product = lookupProduct(db, line.sku);
    if (!product || product.sku !== line.sku) {
      throw new AppFailure('bad_input', `unknown product ${line.sku}`, [{ path: `lines.${i}.sku`, message: 'product.unknown' }]);
    }
    return { ...line, label: product.label, category: product.category, taxRateBp: product.vatRateBp };
  });
  return { ...sale, lines };
}
