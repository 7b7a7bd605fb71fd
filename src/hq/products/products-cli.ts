import { readFileSync } from 'node:fs';
import type { HqContext } from '../context';
import { viaServer, type RunningServer } from '../staff/operator-client';
import { describeProblems, type RowProblem } from '../../shared/programme/products';
import { importCatalogue, listCatalogue, type CatalogueEntry, type ImportOutcome } from './catalogue';

type Direct = <T>(fn: (ctx: HqContext) => Promise<T>) => Promise<T>;

export const PRODUCTS_USAGE = 'usage: hq products import FILE | products list   (the product catalogue, src/hq/products)';

const euros = (cents: number) => (cents / 100).toFixed(2).replace('.', ',');
const percent = (bp: number) => String(bp / 100).replace('.', ',');

function refusedProblems(error: unknown): RowProblem[] | null {
  try {
    const body = JSON.parse(error instanceof Error ? error.message : '') as { error?: { problems?: unknown } };
    return Array.isArray(body.error?.problems) ? (body.error.problems as RowProblem[]) : null;
  } catch {
    return null;
  }
}

/**
 *   npm run hq -- products import FILE   the whole catalogue from a CSV file (sku;label;category;ean;vat;price),
 *                                        refused with every bad row, nothing imported, if one row is bad
 *   npm run hq -- products list          the catalogue, withdrawn products flagged
 * Through the running HQ when there is one, else on its database. Null: not a products command.
 */
export async function runProductsCommand(args: string[], server: RunningServer | null, direct: Direct): Promise<number | null> {
  const sub = args[0];
  if (sub === 'import') {
    const file = args[1];
    if (!file) return null;
    const csv = readFileSync(file, 'utf8');
    let outcome: ImportOutcome;
    if (server) {
      try {
        outcome = ((await viaServer(server, 'POST', '/v1/products/import', { csv })) as { import: ImportOutcome }).import;
      } catch (error) {
        // HQ's refusal (viaServer's message is its JSON answer) carries the problems; the CLI prints them one a line.
        const problems = refusedProblems(error);
        if (problems === null) throw error;
        outcome = { ok: false, problems };
      }
    } else {
      outcome = await direct((ctx) => importCatalogue(ctx, csv, 'cli'));
    }
    if (!outcome.ok) {
      console.error(`${file} : catalogue refusé, rien n'est importé (${outcome.problems.length} problème${outcome.problems.length > 1 ? 's' : ''})`);
      for (const line of describeProblems(outcome.problems)) console.error(`  ${line}`);
      return 1;
    }
    console.log(`catalogue importé : ${outcome.rows} produits — ${outcome.added} nouveaux, ${outcome.changed} modifiés, ${outcome.unchanged} inchangés, ${outcome.withdrawn} retirés`);
    return 0;
  }
  if (sub === 'list') {
    const products = server
      ? ((await viaServer(server, 'GET', '/v1/products')) as { products: CatalogueEntry[] }).products
      : await direct((ctx) => listCatalogue(ctx.sql));
    if (products.length === 0) console.log('catalogue vide : `npm run hq -- products import FICHIER.csv`');
    for (const p of products) {
      console.log(`${p.sku}\t${p.label}\t${p.category}\t${p.eans.join('|') || '-'}\tTVA ${percent(p.vatRateBp)} %\t${euros(p.priceCents)} €${p.withdrawn ? '\tretiré' : ''}`);
    }
    return 0;
  }
  return null;
}
