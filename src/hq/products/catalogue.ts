import { newId, nextChangeVersion, type HqContext } from '../context';
import type { Sql } from '../db';
import { parseCatalogueCsv, productKey, type Product, type RowProblem } from '../../shared/programme/products';

/**
 * The chain's product catalogue at HQ (issue 14 item 2). An import is the
 * whole catalogue: the file is checked first and a single bad row refuses it
 * with every problem listed and nothing written; a good file is upserted in
 * one transaction, and products it no longer names are withdrawn (kept, since
 * past sales name them, but no longer sent to terminals). Only rows that
 * changed take a new change version, so a terminal's next pull carries only
 * them.
 */
export type ImportOutcome =
  | { ok: true; importId: string; rows: number; added: number; changed: number; unchanged: number; withdrawn: number }
  | { ok: false; problems: RowProblem[] };

export interface CatalogueEntry extends Product {
  withdrawn: boolean;
  updatedAt: number;
}

interface ProductRow {
  sku: string;
  label: string;
  category: string;
  eans: string[];
  vat_rate_bp: number;
  price_cents: number;
  withdrawn: boolean;
  updated_at: number;
}

const sameProduct = (row: ProductRow, p: Product) =>
  !row.withdrawn &&
  row.label === p.label &&
  row.category === p.category &&
  row.vat_rate_bp === p.vatRateBp &&
  Number(row.price_cents) === p.priceCents &&
  JSON.stringify(row.eans) === JSON.stringify(p.eans);

/** Imports a catalogue file (see parseCatalogueCsv for its format); `by` names who asked, for the import's record. */
export async function importCatalogue(ctx: HqContext, csv: string, by: string): Promise<ImportOutcome> {
  const parsed = parseCatalogueCsv(csv);
  if (!parsed.ok) return parsed;
  const { products } = parsed;
  const now = ctx.clock.now();
  const importId = newId(ctx);
  return ctx.sql.transaction(async (tx) => {
    // The table locked for the import: two imports at once would each withdraw what the other adds.
    if (tx.kind === 'postgres') await tx.query('LOCK TABLE product IN SHARE ROW EXCLUSIVE MODE');
    const rows = await tx.query<ProductRow>('SELECT sku, label, category, eans, vat_rate_bp, price_cents, withdrawn, updated_at FROM product');
    const before = new Map(rows.map((r) => [r.sku, r]));
    const written = products.filter((p) => {
      const row = before.get(p.sku);
      return !row || !sameProduct(row, p);
    });
    const named = new Set(products.map((p) => p.sku));
    const withdrawing = rows.filter((r) => !r.withdrawn && !named.has(r.sku)).map((r) => r.sku);
    const added = written.filter((p) => !before.has(p.sku)).length;
    if (written.length > 0 || withdrawing.length > 0) {
      const version = await nextChangeVersion(tx);
      if (written.length > 0) {
        await tx.query(
          `INSERT INTO product (sku, label, category, eans, vat_rate_bp, price_cents, withdrawn, updated_at, change_version)
           SELECT p.sku, p.label, p.category, p.eans, p.vat, p.price, false, $2, $3
           FROM jsonb_to_recordset($1::jsonb) AS p(sku text, label text, category text, eans jsonb, vat integer, price bigint)
           ON CONFLICT (sku) DO UPDATE SET label = EXCLUDED.label, category = EXCLUDED.category, eans = EXCLUDED.eans,
             vat_rate_bp = EXCLUDED.vat_rate_bp, price_cents = EXCLUDED.price_cents, withdrawn = false,
             updated_at = EXCLUDED.updated_at, change_version = EXCLUDED.change_version`,
          [JSON.stringify(written.map((p) => ({ sku: p.sku, label: p.label, category: p.category, eans: p.eans, vat: p.vatRateBp, price: p.priceCents }))), now, version],
        );
      }
      if (withdrawing.length > 0) {
        await tx.query('UPDATE product SET withdrawn = true, updated_at = $2, change_version = $3 WHERE sku = ANY($1::text[])', [withdrawing, now, version]);
      }
    }
    const outcome = { rows: products.length, added, changed: written.length - added, unchanged: products.length - written.length, withdrawn: withdrawing.length };
    await tx.query('INSERT INTO product_import (import_id, at, by_whom, rows, added, changed, withdrawn) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      importId,
      now,
      by.slice(0, 100),
      outcome.rows,
      outcome.added,
      outcome.changed,
      outcome.withdrawn,
    ]);
    return { ok: true as const, importId, ...outcome };
  });
}

/** The catalogue, withdrawn products included (flagged), by SKU. */
export async function listCatalogue(sql: Sql): Promise<CatalogueEntry[]> {
  const rows = await sql.query<ProductRow>('SELECT sku, label, category, eans, vat_rate_bp, price_cents, withdrawn, updated_at FROM product ORDER BY sku COLLATE "C"');
  return rows.map((r) => ({
    sku: r.sku,
    label: r.label,
    category: r.category,
    eans: r.eans,
    vatRateBp: r.vat_rate_bp,
    priceCents: Number(r.price_cents),
    withdrawn: r.withdrawn,
    updatedAt: Number(r.updated_at),
  }));
}

/**
 * The catalogue's part of a pull's program bucket since the bucket's cookie:
 * `product:<sku>` puts for products changed since, deletes for those withdrawn since.
 */
export async function productPatch(tx: Sql, since: number): Promise<{ puts: Array<{ key: string; value: Product }>; deletes: string[] }> {
  const rows = await tx.query<ProductRow>(
    'SELECT sku, label, category, eans, vat_rate_bp, price_cents, withdrawn, updated_at FROM product WHERE change_version > $1 ORDER BY sku COLLATE "C"',
    [since],
  );
  return {
    puts: rows
      .filter((r) => !r.withdrawn)
      .map((r) => ({
        key: productKey(r.sku),
        value: { sku: r.sku, label: r.label, category: r.category, eans: r.eans, vatRateBp: r.vat_rate_bp, priceCents: Number(r.price_cents) },
      })),
    deletes: rows.filter((r) => r.withdrawn).map((r) => productKey(r.sku)),
  };
}
