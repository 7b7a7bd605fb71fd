import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCatalogue, listCatalogue, productPatch } from '../../src/hq/products/catalogue';
import { seedDemoProducts } from '../../src/hq/products/demo-products';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { staffClient, startTestHq, type TestHq } from './hq-fixture';

/**
 * The product catalogue at HQ (issue 14 item 2): a file is imported whole or
 * not at all; products it no longer names are withdrawn, never deleted; only
 * what changed takes a new change version, so the pull carries only that.
 */
const HEADER = 'sku;label;category;ean;vat;price';
const RIZ = 'EP-RIZ-1KG;Riz long grain 1 kg;epicerie;3174660089501;5,5;1,79';
const VIN = 'BS-VIN-BDX;Bordeaux rouge AOC 75 cl;boissons;3498765432100;20;6,90';
const SAVON = 'HY-SAVON;Savon de Marseille 300 g;hygiene;;20;2,10';
const file = (...rows: string[]) => [HEADER, ...rows].join('\n');

function catalogueChecks(name: string, start: () => Promise<TestHq>, stop: () => Promise<void>) {
  describe(`the product catalogue (${name})`, () => {
    let hq: TestHq;
    beforeAll(async () => {
      hq = await start();
    }, 120_000);
    afterAll(() => stop());

    const snapshot = async () => JSON.stringify([await hq.ctx.sql.query('SELECT * FROM product ORDER BY sku'), await hq.ctx.sql.query('SELECT * FROM change_counter')]);
    const counter = async () => (await hq.ctx.sql.query<{ value: number }>("SELECT value FROM change_counter WHERE name = 'pull'"))[0]!.value;

    it('imports a file, lists it, and sends it whole in a first pull', async () => {
      const outcome = await importCatalogue(hq.ctx, file(RIZ, VIN), 'test');
      expect(outcome).toMatchObject({ ok: true, rows: 2, added: 2, changed: 0, unchanged: 0, withdrawn: 0 });
      expect(await listCatalogue(hq.ctx.sql)).toEqual([
        { sku: 'BS-VIN-BDX', label: 'Bordeaux rouge AOC 75 cl', category: 'boissons', eans: ['3498765432100'], vatRateBp: 2000, priceCents: 690, withdrawn: false, updatedAt: hq.clock.value },
        { sku: 'EP-RIZ-1KG', label: 'Riz long grain 1 kg', category: 'epicerie', eans: ['3174660089501'], vatRateBp: 550, priceCents: 179, withdrawn: false, updatedAt: hq.clock.value },
      ]);
      const patch = await productPatch(hq.ctx.sql, 0);
      expect(patch.puts.map((p) => p.key)).toEqual(['product:BS-VIN-BDX', 'product:EP-RIZ-1KG']);
      expect(patch.deletes).toEqual([]);
    });

    it('refuses a file with one bad row with every problem, and writes nothing', async () => {
      const before = await snapshot();
      const imports = await hq.count('product_import');
      const outcome = await importCatalogue(hq.ctx, file(RIZ, 'EP-RIZ-1KG;Riz bis;epicerie;;5,5;1', SAVON, 'X;Y;epicerie;3174660089502;8;-1'), 'test');
      expect(outcome).toEqual({
        ok: false,
        problems: [
          { line: 3, reason: 'duplicate SKU EP-RIZ-1KG (first on line 2)' },
          { line: 5, reason: 'EAN 3174660089502: invalid EAN-13 check digit' },
          { line: 5, reason: 'VAT rate "8" is not one of France\'s 0, 2.1, 5.5, 10 or 20 %' },
          { line: 5, reason: 'negative price -1' },
        ],
      });
      expect(await snapshot()).toBe(before);
      expect(await hq.count('product_import')).toBe(imports);
    });

    it('withdraws what a new file no longer names, keeps it, and pulls only the changes since the cookie', async () => {
      const since = await counter();
      // The same file again: nothing changes, no version is taken.
      expect(await importCatalogue(hq.ctx, file(VIN, RIZ), 'test')).toMatchObject({ ok: true, added: 0, changed: 0, unchanged: 2, withdrawn: 0 });
      expect(await counter()).toBe(since);

      hq.clock.value += 60_000;
      const outcome = await importCatalogue(hq.ctx, file(RIZ.replace('1,79', '1,85'), SAVON), 'test');
      expect(outcome).toMatchObject({ ok: true, rows: 2, added: 1, changed: 1, unchanged: 0, withdrawn: 1 });
      const listed = await listCatalogue(hq.ctx.sql);
      expect(listed.map((p) => [p.sku, p.priceCents, p.withdrawn])).toEqual([
        ['BS-VIN-BDX', 690, true],
        ['EP-RIZ-1KG', 185, false],
        ['HY-SAVON', 210, false],
      ]);
      const patch = await productPatch(hq.ctx.sql, since);
      expect(patch.puts.map((p) => p.value)).toEqual([
        { sku: 'EP-RIZ-1KG', label: 'Riz long grain 1 kg', category: 'epicerie', eans: ['3174660089501'], vatRateBp: 550, priceCents: 185 },
        { sku: 'HY-SAVON', label: 'Savon de Marseille 300 g', category: 'hygiene', eans: [], vatRateBp: 2000, priceCents: 210 },
      ]);
      expect(patch.deletes).toEqual(['product:BS-VIN-BDX']);
      expect(await productPatch(hq.ctx.sql, await counter())).toEqual({ puts: [], deletes: [] });

      // Named again, it comes back.
      expect(await importCatalogue(hq.ctx, file(RIZ, SAVON, VIN), 'test')).toMatchObject({ ok: true, added: 0, changed: 2, withdrawn: 0 });
      expect((await listCatalogue(hq.ctx.sql)).every((p) => !p.withdrawn)).toBe(true);
    });

    it('imports over HTTP for marketing and admins, refuses other roles and a bad file, lists for them', async () => {
      const marketing = await staffClient(hq, 'marketing', `marketing-products-${name.toLowerCase()}`);
      const admin = await staffClient(hq, 'admin', `admin-products-${name.toLowerCase()}`);
      const service = await staffClient(hq, 'service', `service-products-${name.toLowerCase()}`);
      const it = await staffClient(hq, 'it', `it-products-${name.toLowerCase()}`);
      const before = await snapshot();
      for (const who of [service, it]) {
        expect((await who.post('/v1/products/import', { csv: file(RIZ) })).status).toBe(403);
        expect((await who.get('/v1/products')).status).toBe(403);
      }
      expect((await marketing.post('/v1/products/import', { csv: file(RIZ) }, { csrf: false })).status).toBe(403);
      const bad = await marketing.post('/v1/products/import', { csv: file(RIZ, ';Sans référence;epicerie;;5,5;1') });
      expect(bad.status).toBe(400);
      expect(bad.json.error.problems).toEqual([{ line: 3, reason: 'empty SKU' }]);
      expect(bad.json.error.message).toContain('line 3: empty SKU');
      expect((await marketing.post('/v1/products/import', { file: 'x' })).status).toBe(400);
      expect(await snapshot()).toBe(before);

      const done = await marketing.post('/v1/products/import', { csv: file(RIZ, SAVON) });
      expect(done.status).toBe(200);
      expect(done.json.import).toMatchObject({ ok: true, rows: 2, withdrawn: 1 });
      const imports = await hq.ctx.sql.query<{ by_whom: string }>('SELECT by_whom FROM product_import ORDER BY at DESC, import_id DESC LIMIT 1');
      expect(imports[0]!.by_whom).toBe(`staff:${marketing.username}`);
      const listed = await admin.get('/v1/products');
      expect(listed.status).toBe(200);
      expect(listed.json.products.filter((p: { withdrawn: boolean }) => !p.withdrawn).map((p: { sku: string }) => p.sku)).toEqual(['EP-RIZ-1KG', 'HY-SAVON']);
    });

    it('seeds the demo catalogue only on an HQ that has none', async () => {
      expect(await seedDemoProducts(hq.ctx)).toBe(0);
      await hq.ctx.sql.query('DELETE FROM product');
      expect(await seedDemoProducts(hq.ctx)).toBeGreaterThanOrEqual(40);
    });
  });
}

// PGlite always, and a throwaway PostgreSQL cluster when Debian's server binaries are installed.
let cluster: PostgresCluster | null = null;
let pgHq: TestHq | null = null;
let pgliteHq: TestHq | null = null;
describe('on PGlite', () => {
  catalogueChecks('PGlite', async () => (pgliteHq = await startTestHq()), async () => pgliteHq?.stop());
});
describe.skipIf(postgresUnavailable() !== null)('on PostgreSQL', () => {
  catalogueChecks(
    'PostgreSQL',
    async () => {
      cluster = await startPostgresCluster();
      return (pgHq = await startTestHq({ databaseUrl: cluster.url('postgres') }));
    },
    async () => {
      await pgHq?.stop();
      cluster?.stop();
    },
  );
});
