import type { Db } from '../db/database';
import { perConnection } from '../db/per-connection';
import type { Bucket } from '../../../shared/sync/protocol';
import { Product, PRODUCT_KEY_PREFIX, productKey } from '../../../shared/programme/products';

/**
 * The chain's product catalogue on the terminal (issue 14 item 2): what HQ's
 * pull sends in the program bucket as `product:<sku>`, checked at the edge
 * (a malformed product refuses the whole pull, as a malformed member does),
 * kept in the product tables, looked up by the cashier by barcode or SKU.
 */

export function isProductKey(bucket: Bucket, key: string): boolean {
  return bucket === 'program' && key.startsWith(PRODUCT_KEY_PREFIX);
}

/** A pulled product, or an exception saying why it is refused. */
export function checkProductItem(key: string, value: unknown): Product {
  const parsed = Product.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${key}: not a product (${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'malformed'})`);
  }
  if (key !== productKey(parsed.data.sku)) throw new Error(`${key} carries product ${parsed.data.sku}`);
  return parsed.data;
}

/**
 * Writes what a pull brought, inside the pull's transaction: products put
 * (their barcodes replaced; a barcode HQ moved to another product follows
 * it), products withdrawn deleted. `deletes` are the program bucket's keys.
 */
export function applyProducts(db: Db, puts: readonly Product[], deletes: readonly string[], now: number): void {
  const upsert = db.prepare(
    `INSERT INTO product (sku, label, category, vat_rate_bp, price_cents, received_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (sku) DO UPDATE SET label = excluded.label, category = excluded.category, vat_rate_bp = excluded.vat_rate_bp,
       price_cents = excluded.price_cents, received_at = excluded.received_at`,
  );
  const clearEans = db.prepare('DELETE FROM product_ean WHERE sku = ?');
  const putEan = db.prepare('INSERT INTO product_ean (ean, sku) VALUES (?, ?) ON CONFLICT (ean) DO UPDATE SET sku = excluded.sku');
  const remove = db.prepare('DELETE FROM product WHERE sku = ?');
  for (const key of deletes) {
    if (!key.startsWith(PRODUCT_KEY_PREFIX)) continue;
    const sku = key.slice(PRODUCT_KEY_PREFIX.length);
    clearEans.run(sku);
    remove.run(sku);
  }
  for (const p of puts) {
    upsert.run(p.sku, p.label, p.category, p.vatRateBp, p.priceCents, now);
    clearEans.run(p.sku);
    for (const ean of p.eans) putEan.run(ean, p.sku);
  }
}

interface ProductRow {
  sku: string;
  label: string;
  category: string;
  vat_rate_bp: number;
  price_cents: number;
}

/**
 * The product a scanned or typed code names: a barcode first, then a SKU as
 * typed, then in capitals (a cashier types « ep-riz-1kg »). Null when HQ sent none.
 */
export function lookupProduct(db: Db, code: string): Product | null {
  const text = code.trim();
  if (text === '') return null;
  const q = lookupStatements(db);
  const eanSku = q.eanSku.get(text)?.sku;
  const row = (eanSku === undefined ? undefined : q.bySku.get(eanSku)) ?? q.bySku.get(text) ?? q.bySku.get(text.toUpperCase());
  if (!row) return null;
  const eans = q.eans.all(row.sku).map((e) => e.ean);
  return { sku: row.sku, label: row.label, category: row.category, eans, vatRateBp: row.vat_rate_bp, priceCents: row.price_cents };
}

const lookupStatements = perConnection((db) => ({
  bySku: db.prepare<[string], ProductRow>('SELECT sku, label, category, vat_rate_bp, price_cents FROM product WHERE sku = ?'),
  eanSku: db.prepare<[string], { sku: string }>('SELECT sku FROM product_ean WHERE ean = ?'),
  eans: db.prepare<[string], { ean: string }>('SELECT ean FROM product_ean WHERE sku = ? ORDER BY ean'),
}));

/** How many products this terminal knows (the IT view, tests). */
export function productCount(db: Db): number {
  return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM product').get()?.n ?? 0;
}
