import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHq, type Hq } from '../../src/hq/server';
import { importCatalogue } from '../../src/hq/products/catalogue';
import { purchasesByCategory } from '../../src/hq/products/purchases';
import { lookupProduct, productCount } from '../../src/main/core/products/catalogue';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { line, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * The catalogue from HQ's import to the till (issue 14 item 2): pulled in the
 * program bucket, kept in the terminal's product tables, looked up by barcode
 * or SKU; a later import's changes and withdrawals follow with the next pull.
 */
const dir = mkdtempSync(join(tmpdir(), 'fidele-products-'));
let hq: Hq;
let till: Terminal;

beforeAll(async () => {
  hq = await startHq({ dataDir: dir, inMemory: true, clock: { now: () => WEDNESDAY_10H }, random: seededRandom(14), logger: silentLogger, maintenanceIntervalMs: 0, valueCheckIntervalMs: 0 });
  till = await openTerminal(hq, 'caisse-paris-1', 'paris-11', 211);
}, 60_000);

afterAll(async () => {
  till?.close();
  await hq?.close();
  rmSync(dir, { recursive: true, force: true });
});

const HEADER = 'sku;label;category;ean;vat;price';
const RIZ = 'EP-RIZ-1KG;Riz long grain 1 kg;epicerie;3174660089501;5,5;1,79';
const EAU = 'BS-EAU-6;Eau minérale 6 x 1,5 L;boissons;3497161791835|3497161791842;5,5;2,94';
const VIN = 'BS-VIN-BDX;Bordeaux rouge AOC 75 cl;boissons;3498765432100;20;6,90';
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n');

describe('products in the pull, at the terminal', () => {
  it('reach the terminal and are found by EAN, by SKU as typed or in lower case; an unknown code is null', async () => {
    expect(await importCatalogue(hq.ctx, csv(RIZ, EAU, VIN), 'test')).toMatchObject({ ok: true, added: 3 });
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(productCount(till.h.db)).toBe(3);
    const eau = { sku: 'BS-EAU-6', label: 'Eau minérale 6 x 1,5 L', category: 'boissons', eans: ['3497161791835', '3497161791842'], vatRateBp: 550, priceCents: 294 };
    expect(lookupProduct(till.h.db, '3497161791842')).toEqual(eau);
    expect(lookupProduct(till.h.db, ' 3497161791835 ')).toEqual(eau);
    expect(lookupProduct(till.h.db, 'BS-EAU-6')).toEqual(eau);
    expect(lookupProduct(till.h.db, 'bs-eau-6')).toEqual(eau);
    expect(lookupProduct(till.h.db, '3017620422003')).toBeNull();
    expect(lookupProduct(till.h.db, '')).toBeNull();
    // Kept in the product tables, not as items the terminal does not know.
    expect(till.h.db.prepare("SELECT count(*) AS n FROM sync_bucket_item WHERE key LIKE 'product:%'").get()).toEqual({ n: 0 });
  });

  it('follows a new import at the next pull: a new price, a barcode moved to another product, a product withdrawn', async () => {
    const moved = 'EP-RIZ-5KG;Riz long grain 5 kg;epicerie;3174660089501;5,5;7,49';
    expect(await importCatalogue(hq.ctx, csv(EAU.replace('2,94', '3,10'), moved, VIN.replace('3498765432100', '')), 'test')).toMatchObject({
      ok: true,
      added: 1,
      changed: 2,
      withdrawn: 1,
    });
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(lookupProduct(till.h.db, '3497161791835')?.priceCents).toBe(310);
    expect(lookupProduct(till.h.db, '3174660089501')).toMatchObject({ sku: 'EP-RIZ-5KG', priceCents: 749 });
    expect(lookupProduct(till.h.db, 'EP-RIZ-1KG')).toBeNull();
    expect(lookupProduct(till.h.db, '3498765432100')).toBeNull();
    expect(lookupProduct(till.h.db, 'BS-VIN-BDX')).toMatchObject({ eans: [] });
    expect(productCount(till.h.db)).toBe(3);

    // Nothing changed at HQ: the next pull sends no product again.
    const before = JSON.stringify(till.h.db.prepare('SELECT * FROM product ORDER BY sku').all());
    till.h.clock.value += 60_000;
    expect(await till.sync.pull()).toMatchObject({ ok: true });
    expect(JSON.stringify(till.h.db.prepare('SELECT * FROM product ORDER BY sku').all())).toBe(before);
  });

  it("keeps each sale's SKUs and categories in the journal, so HQ knows what a member bought once the entries are pushed", async () => {
    const claire = till.h.members.claire.id;
    const lines = [
      line(179, { sku: 'EP-RIZ-1KG', category: 'epicerie', quantity: 2, label: 'Riz long grain 1 kg' }),
      line(294, { sku: 'BS-EAU-6', category: 'boissons', discountCents: 50 }),
    ];
    const done = till.h.ledger.commit(sale(claire, 'R-LINES-1', lines));
    const earn = till.h.db.prepare("SELECT detail FROM ledger_entry WHERE kind = 'earn' AND entry_id = ?").get(done.entries.find((e) => e.kind === 'earn')!.entryId) as {
      detail: string;
    };
    // Article and category, quantity and what was paid for the line; never the label the till typed.
    expect(JSON.parse(earn.detail).lines).toEqual([
      { sku: 'EP-RIZ-1KG', category: 'epicerie', quantity: 2, net_cents: 358 },
      { sku: 'BS-EAU-6', category: 'boissons', quantity: 1, net_cents: 244 },
    ]);
    expect(await purchasesByCategory(hq.ctx.sql, claire, 0)).toEqual([]);
    await till.sync.syncNow();
    expect(till.sync.status().backlog).toBe(0);
    expect(await purchasesByCategory(hq.ctx.sql, claire, 0)).toEqual([
      { category: 'epicerie', quantity: 2, netCents: 358, sales: 1 },
      { category: 'boissons', quantity: 1, netCents: 244, sales: 1 },
    ]);
    // A later window leaves the sale out.
    expect(await purchasesByCategory(hq.ctx.sql, claire, done.committedAt + 1)).toEqual([]);
  });
});
