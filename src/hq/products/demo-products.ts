import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HqContext } from '../context';
import { describeProblems } from '../../shared/programme/products';
import { importCatalogue } from './catalogue';

/** Some sixty articles of a French supermarket, with made-up EAN-13s whose check digits hold. */
export const DEMO_PRODUCTS_CSV = fileURLToPath(new URL('../../../resources/products.demo.csv', import.meta.url));

/**
 * The demo HQ's catalogue (`npm start`): imported once, when HQ has none, so a
 * catalogue marketing imported since is never overwritten by a restart.
 */
export async function seedDemoProducts(ctx: HqContext, file = DEMO_PRODUCTS_CSV): Promise<number> {
  const any = await ctx.sql.query('SELECT 1 FROM product LIMIT 1');
  if (any.length > 0) return 0;
  const outcome = await importCatalogue(ctx, readFileSync(file, 'utf8'), 'demo');
  if (!outcome.ok) throw new Error(`the demo catalogue is refused: ${describeProblems(outcome.problems).join('; ')}`);
  ctx.logger.info('demo catalogue imported', { products: outcome.rows });
  return outcome.rows;
}
