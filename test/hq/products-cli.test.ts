import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

/** `npm run hq -- products import FILE | products list` on an HQ's PGlite data folder (src/hq/products/products-cli.ts). */
const dir = mkdtempSync(join(tmpdir(), 'fidele-hq-products-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hq(...args: string[]): { code: number | null; out: string; err: string } {
  const cli = [createRequire(import.meta.url).resolve('tsx/cli'), 'src/hq/cli.ts'];
  const env = { ...process.env, DATABASE_URL: '', HQ_DATA_DIR: '', HQ_KEY_FILE: '' };
  const { status, stdout, stderr } = spawnSync(process.execPath, [...cli, ...args, '--data', join(dir, 'hq')], { encoding: 'utf8', env });
  return { code: status, out: stdout, err: stderr };
}

it('imports a catalogue file, refuses a bad one with every bad row and nothing imported, and lists it', () => {
  expect(hq('init').code).toBe(0);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'sku;label;category;ean;vat;price\nA;Article A;epicerie;;5,5;1\nA;Article A bis;epicerie;;5,5;1\nB;Article B;epicerie;3174660089502;5,5;1\n');
  const refused = hq('products', 'import', bad);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain(`${bad} : catalogue refusé, rien n'est importé (2 problèmes)`);
  expect(refused.err).toContain('line 3: duplicate SKU A (first on line 2)');
  expect(refused.err).toContain('line 4: EAN 3174660089502: invalid EAN-13 check digit');
  expect(hq('products', 'list').out).toContain('catalogue vide');

  const imported = hq('products', 'import', 'resources/products.demo.csv');
  expect(imported.err).toBe('');
  expect(imported.code).toBe(0);
  expect(imported.out).toMatch(/catalogue importé : \d+ produits — \d+ nouveaux, 0 modifiés, 0 inchangés, 0 retirés/);
  const listed = hq('products', 'list').out;
  expect(listed).toContain('BS-VIN-BDX\tBordeaux rouge AOC 75 cl\tboissons\t');
  expect(listed).toMatch(/BS-VIN-BDX\t.*\tTVA 20 %\t6,90 €\n/);

  const usage = hq('products');
  expect(usage.code).toBe(2);
  expect(usage.err).toContain('usage: hq products import FILE');
}, 240_000);
