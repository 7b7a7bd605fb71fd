import { readFileSync } from 'node:fs';
import { applyProducts } from '../../src/main/core/products/catalogue';
import { parseCatalogueCsv, type Product } from '../../src/shared/programme/products';
import { expect, expectNoSeriousA11yViolations, snap, test } from './fixture';

/**
 * The catalogue at the till (issue 14 item 2): in a manual sale, a typed or
 * scanned barcode (or a typed SKU) adds the article's line with its label,
 * department, VAT and price; an unknown barcode says so instead of nothing.
 */
const parsed = parseCatalogueCsv(readFileSync('resources/products.demo.csv', 'utf8'));
if (!parsed.ok) throw new Error('the demo catalogue is refused');
const catalogue: Product[] = parsed.products;
const product = (sku: string) => catalogue.find((p) => p.sku === sku)!;
const SCREENS = '/work/notes/screens';

test('a typed or scanned barcode adds the article to the manual sale; an unknown one is named', async ({ kiosk, cashier, customer }) => {
  kiosk.core.db.transaction(() => applyProducts(kiosk.core.db, catalogue, [], Date.now()))();
  const riz = product('EP-RIZ-1KG');
  const vin = product('BS-VIN-BDX');

  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await kiosk.scan(kiosk.known.claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
  // No manual sale open: a product barcode is still just « not a card ».
  await kiosk.scan(riz.eans[0]!);
  await expect(cashier.getByRole('main').getByText('Code produit scanné : ce n’est pas une carte Fidèle.')).toBeVisible();
  await cashier.getByRole('button', { name: 'Vente manuelle' }).click();
  const form = cashier.getByTestId('cashier-manual-sale');
  await expect(form).toBeVisible();

  // Typed (or read by a scanner into the field): the rice.
  const code = form.getByLabel('Article : scannez ou tapez le code-barres ou la référence');
  await code.fill(riz.eans[0]!);
  await code.press('Enter');
  const lines = form.getByTestId('cashier-manual-product-line');
  await expect(lines).toHaveCount(1);
  await expect(lines.first()).toContainText('Riz long grain 1 kg');
  await expect(lines.first()).toContainText('Épicerie');
  await expect(lines.first()).toContainText('5,5 %');
  await expect(lines.first().getByLabel('Montant TTC (€)')).toHaveValue('1,79');
  await expect(code).toHaveValue('');
  // The empty line the sale started with gave way to the article.
  await expect(form.getByRole('listitem', { name: /^Ligne / })).toHaveCount(1);

  // Scanned on the till's scanner: the wine, at 20 %.
  await kiosk.scan(vin.eans[0]!);
  await expect(lines).toHaveCount(2);
  await expect(lines.nth(1)).toContainText('Bordeaux rouge AOC 75 cl');
  await expect(lines.nth(1)).toContainText('Boissons');
  await expect(lines.nth(1)).toContainText('20 %');
  await expect(cashier.getByTestId('cashier-manual-total')).toHaveText('8,69\u00a0€');
  // Taken by the sale, it is not also called « not a card »; Claire is still the member at the till.
  await expect(cashier.getByRole('main').getByText('Code produit scanné : ce n’est pas une carte Fidèle.')).toHaveCount(0);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();

  // A SKU typed in lower case finds its article too.
  await code.fill('hy-dentif');
  await code.press('Enter');
  await expect(lines).toHaveCount(3);
  await expect(lines.nth(2)).toContainText('Dentifrice menthe fraîche 75 ml');

  // An article the catalogue does not have is named, and nothing is added.
  await code.fill('3017620422003');
  await code.press('Enter');
  await expect(form.getByRole('alert')).toHaveText('Produit inconnu : 3017620422003');
  await expect(lines).toHaveCount(3);
  await kiosk.scan('3017620422003');
  await expect(form.getByRole('alert')).toHaveText('Produit inconnu : 3017620422003');
  await expect(lines).toHaveCount(3);

  await expect(cashier.getByTestId('cashier-manual-earned')).toBeVisible();
  await expectNoSeriousA11yViolations(cashier, 'cashier, manual sale with catalogue products');
  for (const [width, height] of [
    [1920, 1080],
    [1280, 800],
  ] as const) {
    await cashier.setViewportSize({ width, height });
    await form.scrollIntoViewIfNeeded();
    await cashier.screenshot({ path: `${SCREENS}/cashier-manual-products-${width}x${height}.png` });
  }
  await snap(cashier, 'cashier-manual-products');

  await form.getByRole('button', { name: 'Valider la vente' }).click();
  await expect(cashier.getByTestId('cashier-manual-result')).toContainText('Vente validée');
  expect(kiosk.core.db.prepare('SELECT count(*) AS n FROM ledger_sale').get()).toEqual({ n: 1 });
});
