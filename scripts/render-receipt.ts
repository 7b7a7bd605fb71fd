/**
 * Renders the reference loyalty receipt for both paper widths:
 * artifacts/receipts/receipt-{42,48}.svg, .png (Chromium headless screenshot
 * of the SVG) and .bin (the ESC/POS job), so a person can look at what the
 * printer and the screens will show. Usage: npx tsx scripts/render-receipt.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { buildLoyaltyReceipt, referenceReceiptData, RECEIPT_COLUMNS } from '../src/main/core/receipt/receipt';
import { renderEscPos } from '../src/main/core/receipt/render-escpos';
import { renderSvg } from '../src/main/core/receipt/render-svg';

const outDir = resolve(process.argv[2] ?? 'artifacts/receipts');
// A fixed instant keeps the artifacts stable from run to run.
const printedAt = Date.UTC(2025, 2, 15, 13, 32);

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const columns of RECEIPT_COLUMNS) {
      const doc = buildLoyaltyReceipt(referenceReceiptData(printedAt), columns);
      const svg = renderSvg(doc);
      const job = renderEscPos(doc);
      const base = join(outDir, `receipt-${columns}`);
      writeFileSync(`${base}.svg`, svg);
      writeFileSync(`${base}.bin`, job.bytes);
      const page = await browser.newPage();
      await page.setContent(`<!doctype html><html><body style="margin:0;background:#ddd">${svg}</body></html>`);
      await page.locator('svg').screenshot({ path: `${base}.png` });
      await page.close();
      console.log(`${base}.{svg,png,bin}: ${job.bytes.length} ESC/POS bytes${job.replaced.length ? `, replaced: ${job.replaced.join('')}` : ''}`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
