import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventName, MethodName, Result, Role } from '../../src/shared/contract';
import { createCore, SIMULATED_SCANNER_ID, type Core } from '../../src/main/core/core';
import { applyProducts } from '../../src/main/core/products/catalogue';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { parseCatalogueCsv, type Product } from '../../src/shared/programme/products';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

/**
 * The cashier's side of the catalogue (issue 14 item 2): `product.lookup` by
 * barcode or SKU; a manual sale's product line priced with the catalogue's
 * category and VAT whatever the screen sent, an unknown SKU refused; a
 * scanned product barcode handed to the cashier screen with its code.
 */
let dir: string;
let core: Core;
let known: KnownMembers;
let events: Array<{ name: EventName; payload: unknown }>;
let catalogue: Product[];

const call = (role: Role, method: MethodName | string, input: unknown): Promise<Result<unknown>> => core.dispatch(role, method, input);
const product = (sku: string) => catalogue.find((p) => p.sku === sku)!;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fidele-products-'));
  core = createCore({
    dbPath: join(dir, 'terminal.sqlite'),
    config: testConfig(),
    shell: 'browser',
    clock: { now: () => Date.UTC(2026, 10, 23, 9) },
    random: seededRandom(1),
    logger: silentLogger,
    validateOutput: true,
  });
  await core.start();
  known = insertKnownMembers(core.members);
  const parsed = parseCatalogueCsv(readFileSync('resources/products.demo.csv', 'utf8'));
  if (!parsed.ok) throw new Error('demo catalogue refused');
  catalogue = parsed.products;
  core.db.transaction(() => applyProducts(core.db, catalogue, [], 0))();
  events = [];
  core.bus.subscribe((name, payload) => events.push({ name, payload }));
});

afterEach(async () => {
  await core.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('product.lookup', () => {
  it('finds a product by its barcode or its SKU, and answers null for a code the catalogue does not have', async () => {
    const quinoa = product('BI-QUINOA');
    expect(await call('cashier', 'product.lookup', { code: quinoa.eans[0] })).toEqual({ ok: true, value: quinoa });
    expect(await call('cashier', 'product.lookup', { code: 'bi-quinoa' })).toEqual({ ok: true, value: quinoa });
    expect(await call('cashier', 'product.lookup', { code: '3017620422003' })).toEqual({ ok: true, value: null });
  });

  it('says how many products the terminal has, so a till without a catalogue offers no article field', async () => {
    expect(await call('cashier', 'product.catalogue', {})).toEqual({ ok: true, value: { products: catalogue.length } });
    core.db.transaction(() => applyProducts(core.db, [], catalogue.map((p) => `product:${p.sku}`), 0))();
    expect(await call('cashier', 'product.catalogue', {})).toEqual({ ok: true, value: { products: 0 } });
  });

  it('is the cashier’s only, and refuses a code that is no code', async () => {
    expect(await call('customer', 'product.lookup', { code: 'BI-QUINOA' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    for (const code of ['', '   ', 'x'.repeat(65), 'BI QUINOA', 'BI-\u0007']) {
      expect(await call('cashier', 'product.lookup', { code }), JSON.stringify(code)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    }
  });
});

describe('a manual sale with catalogue products', () => {
  it('prices a product line with the catalogue’s category and VAT, whatever the screen sent', async () => {
    const quinoa = product('BI-QUINOA');
    const asCatalogue = await call('cashier', 'ledger.manualPreview', { memberId: known.claire.id, lines: [{ category: 'bio', taxRateBp: 550, amountCents: 3990 }] });
    const asSent = await call('cashier', 'ledger.manualPreview', {
      memberId: known.claire.id,
      lines: [{ sku: quinoa.sku, label: 'Caviar', category: 'grocery', taxRateBp: 2000, amountCents: 3990 }],
    });
    expect(asCatalogue.ok && asSent.ok).toBe(true);
    // Bio earns double at 5,5 %: the line sent as groceries at 20 % would have earned half as much.
    expect(asSent).toEqual(asCatalogue);
    const committed = await call('cashier', 'ledger.manualCommit', { memberId: known.claire.id, lines: [{ sku: quinoa.sku, category: 'grocery', taxRateBp: 2000, amountCents: 3990 }] });
    expect(committed).toMatchObject({ ok: true, value: { pointsEarned: (asCatalogue as { value: { pointsEarned: number } }).value.pointsEarned } });
  });

  it('refuses a SKU the catalogue does not have, and commits nothing', async () => {
    const lines = [
      { category: 'grocery', taxRateBp: 550, amountCents: 500 },
      { sku: 'NOT-IN-CATALOGUE', category: 'grocery', taxRateBp: 550, amountCents: 500 },
    ];
    for (const method of ['ledger.manualPreview', 'ledger.manualCommit'] as const) {
      expect(await call('cashier', method, { memberId: known.claire.id, lines })).toMatchObject({
        ok: false,
        error: { code: 'bad_input', issues: [{ path: 'lines.1.sku', message: 'product.unknown' }] },
      });
    }
    expect(core.db.prepare('SELECT count(*) AS n FROM ledger_sale').get()).toEqual({ n: 0 });
  });
});

describe('a scanned product barcode', () => {
  it('reaches the cashier screen with its code, so an open manual sale can add it', async () => {
    const riz = product('EP-RIZ-1KG');
    expect(await call('simulator', 'sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: riz.eans[0] })).toEqual({ ok: true, value: { accepted: true } });
    const read = events.find((e) => e.name === 'scan.read');
    expect(read?.payload).toMatchObject({ result: { kind: 'invalid', problem: 'product' }, productCode: riz.eans[0] });
  });

  it('never carries a card’s number as a product code', async () => {
    await call('simulator', 'sim.scan', { deviceId: SIMULATED_SCANNER_ID, data: known.claire.cardNumber });
    const read = events.find((e) => e.name === 'scan.read');
    expect(read?.payload).toMatchObject({ result: { kind: 'member' } });
    expect(read?.payload).not.toHaveProperty('productCode');
  });
});
