import { z } from 'zod';
import { ean13CheckDigit } from '../domain/card-number';
import { isWellFormedText } from '../domain/text';

/**
 * The chain's product catalogue (issue 14 item 2), as HQ imports it from a
 * CSV file and terminals receive it in the pull's `program` bucket, one
 * `product:<sku>` key each. HQ and the terminal check a product with the same
 * schema; only HQ parses the file.
 */

/** France's VAT rates in basis points: 0, 2.1, 5.5, 10 and 20 %. */
export const FRENCH_VAT_RATES_BP = [0, 210, 550, 1000, 2000] as const;

export const MAX_PRODUCT_ROWS = 50_000;
export const MAX_PRODUCT_EANS = 8;
const MAX_PRICE_CENTS = 100_000_000;

const NO_CONTROL = /^[^\p{Cc}]*$/u;

export const Sku = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a SKU is 1 to 64 letters, digits, . _ or -, starting with a letter or digit');
export const ProductCategory = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'a category is a lower-case slug (letters, digits, - or _)');
export const Ean13 = z
  .string()
  .regex(/^\d{13}$/, 'an EAN-13 has 13 digits')
  .refine(isValidEan13, 'invalid EAN-13 check digit');

export const Product = z.strictObject({
  sku: Sku,
  label: z
    .string()
    .min(1)
    .max(120)
    .regex(NO_CONTROL, 'no control characters')
    .refine((s) => isWellFormedText(s) && s.trim() === s, 'a label is trimmed, well-formed text'),
  category: ProductCategory,
  eans: z.array(Ean13).max(MAX_PRODUCT_EANS),
  vatRateBp: z
    .number()
    .int()
    .refine((bp) => (FRENCH_VAT_RATES_BP as readonly number[]).includes(bp), "one of France's VAT rates"),
  priceCents: z.number().int().min(0).max(MAX_PRICE_CENTS),
});
export type Product = z.infer<typeof Product>;

export const PRODUCT_KEY_PREFIX = 'product:';
export const productKey = (sku: string) => `${PRODUCT_KEY_PREFIX}${sku}`;

export function isValidEan13(code: string): boolean {
  return /^\d{13}$/.test(code) && ean13CheckDigit(code.slice(0, 12)) === code.charCodeAt(12) - 48;
}

export interface RowProblem {
  /** The file's line, 1 being the header. */
  line: number;
  reason: string;
}

export type CatalogueParse = { ok: true; products: Product[] } | { ok: false; problems: RowProblem[] };

type Column = 'sku' | 'label' | 'category' | 'ean' | 'vat' | 'price';
const COLUMNS: readonly Column[] = ['sku', 'label', 'category', 'ean', 'vat', 'price'];
/** Header names as a French spreadsheet writes them, accents and case aside. */
const ALIASES: Readonly<Record<string, Column>> = {
  sku: 'sku',
  reference: 'sku',
  ref: 'sku',
  label: 'label',
  libelle: 'label',
  category: 'category',
  categorie: 'category',
  rayon: 'category',
  ean: 'ean',
  eans: 'ean',
  ean13: 'ean',
  barcode: 'ean',
  gencod: 'ean',
  vat: 'vat',
  tva: 'vat',
  price: 'price',
  prix: 'price',
};

const headerName = (raw: string) =>
  raw
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** One line's fields, RFC 4180 quoting; null when a quote is left open. */
function splitFields(line: string, separator: string): string[] | null {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === separator) {
      fields.push(field);
      field = '';
    } else {
      field += c;
    }
    i += 1;
  }
  if (quoted) return null;
  fields.push(field);
  return fields.map((f) => f.trim());
}

/** Euros as a till's file writes them: « 1,29 », « 1.29 », « 12 »; at most two decimals. */
function parsePrice(raw: string): { cents: number } | { problem: string } {
  const text = raw.replace(/\s*€$/, '').replace(/\s/g, '');
  if (text === '') return { problem: 'missing price' };
  if (/^-\d/.test(text)) return { problem: `negative price ${raw}` };
  const m = /^(\d{1,7})(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m) return { problem: `price ${JSON.stringify(raw)} is not an amount in euros (like 2,49)` };
  const cents = Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
  return cents > MAX_PRICE_CENTS ? { problem: `price ${raw} is too large` } : { cents };
}

/** A VAT rate in percent (« 5,5 », « 5.5 % », « 20 »), one of France's. */
function parseVat(raw: string): { bp: number } | { problem: string } {
  const text = raw.replace(/\s*%$/, '').trim();
  const m = /^(\d{1,3})(?:[.,](\d{1,2}))?$/.exec(text);
  const bp = m ? Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0')) : NaN;
  if (!(FRENCH_VAT_RATES_BP as readonly number[]).includes(bp)) {
    return { problem: `VAT rate ${JSON.stringify(raw)} is not one of France's 0, 2.1, 5.5, 10 or 20 %` };
  }
  return { bp };
}

function parseEans(raw: string): { eans: string[] } | { problem: string } {
  const eans = raw.split(/[|\s]+/).filter((e) => e !== '');
  if (eans.length > MAX_PRODUCT_EANS) return { problem: `more than ${MAX_PRODUCT_EANS} EANs` };
  for (const ean of eans) {
    if (!/^\d{13}$/.test(ean)) return { problem: `EAN ${JSON.stringify(ean)} does not have 13 digits` };
    if (!isValidEan13(ean)) return { problem: `EAN ${ean}: invalid EAN-13 check digit` };
  }
  if (new Set(eans).size !== eans.length) return { problem: 'the same EAN twice on one row' };
  return { eans };
}

/**
 * Reads a catalogue file: UTF-8 text with a header line naming the columns
 * sku, label, category, ean, vat (percent) and price (euros), separated by
 * semicolons (a French spreadsheet's CSV) or commas. EANs on a row are
 * separated by `|` or spaces, and may be absent. Every bad row is reported,
 * with its line and why; one bad row refuses the whole file, so a catalogue
 * is never half imported.
 */
export function parseCatalogueCsv(text: string): CatalogueParse {
  const problems: RowProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) return { ok: false, problems: [{ line: 1, reason: 'empty file: a header line is expected' }] };
  const header = lines[headerAt]!;
  const separator = header.includes(';') ? ';' : ',';
  const names = splitFields(header, separator) ?? [];
  const index = new Map<Column, number>();
  names.forEach((name, i) => {
    const column = ALIASES[headerName(name)];
    if (!column) problems.push({ line: headerAt + 1, reason: `unknown column ${JSON.stringify(name)} (expected ${COLUMNS.join(', ')})` });
    else if (index.has(column)) problems.push({ line: headerAt + 1, reason: `column ${column} appears twice` });
    else index.set(column, i);
  });
  const missing = COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0) problems.push({ line: headerAt + 1, reason: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` });
  if (problems.length > 0) return { ok: false, problems };

  const products: Product[] = [];
  const skuLine = new Map<string, number>();
  const eanLine = new Map<string, number>();
  for (let i = headerAt + 1; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === '') continue;
    const line = i + 1;
    const bad = (reason: string) => problems.push({ line, reason });
    if (products.length + problems.length >= MAX_PRODUCT_ROWS) {
      bad(`more than ${MAX_PRODUCT_ROWS} rows`);
      break;
    }
    const fields = splitFields(raw, separator);
    if (fields === null) {
      bad('a quote is not closed');
      continue;
    }
    if (fields.length !== names.length) {
      bad(`${fields.length} fields where the header has ${names.length}`);
      continue;
    }
    const at = (c: Column) => fields[index.get(c)!]!;
    const rowProblems: string[] = [];
    const sku = at('sku');
    if (sku === '') rowProblems.push('empty SKU');
    else if (!Sku.safeParse(sku).success) rowProblems.push(`SKU ${JSON.stringify(sku)}: ${Sku.safeParse(sku).error?.issues[0]?.message}`);
    else if (skuLine.has(sku)) rowProblems.push(`duplicate SKU ${sku} (first on line ${skuLine.get(sku)})`);
    const label = at('label').normalize('NFC');
    if (label === '') rowProblems.push('empty label');
    else if (label.length > 120 || !NO_CONTROL.test(label) || !isWellFormedText(label)) rowProblems.push('label too long or not plain text');
    const category = at('category');
    if (!ProductCategory.safeParse(category).success) rowProblems.push(category === '' ? 'empty category' : `category ${JSON.stringify(category)} is not a lower-case slug`);
    const eans = parseEans(at('ean'));
    if ('problem' in eans) rowProblems.push(eans.problem);
    else {
      for (const ean of eans.eans) {
        if (eanLine.has(ean)) rowProblems.push(`duplicate EAN ${ean} (first on line ${eanLine.get(ean)})`);
      }
    }
    const vat = parseVat(at('vat'));
    if ('problem' in vat) rowProblems.push(vat.problem);
    const price = parsePrice(at('price'));
    if ('problem' in price) rowProblems.push(price.problem);
    // A row's SKU and EANs are claimed even when the row is bad, so a later copy of it is named too.
    if (sku !== '' && !skuLine.has(sku)) skuLine.set(sku, line);
    if ('eans' in eans) for (const ean of eans.eans) if (!eanLine.has(ean)) eanLine.set(ean, line);
    if (rowProblems.length > 0) {
      for (const reason of rowProblems) bad(reason);
      continue;
    }
    products.push({ sku, label, category, eans: 'eans' in eans ? eans.eans : [], vatRateBp: (vat as { bp: number }).bp, priceCents: (price as { cents: number }).cents });
  }
  if (problems.length > 0) return { ok: false, problems };
  if (products.length === 0) return { ok: false, problems: [{ line: headerAt + 1, reason: 'no product in the file' }] };
  return { ok: true, products };
}

/** Problems as a person reads them: « line 4: duplicate SKU … ». */
export function describeProblems(problems: readonly RowProblem[]): string[] {
  return problems.map((p) => `line ${p.line}: ${p.reason}`);
}
