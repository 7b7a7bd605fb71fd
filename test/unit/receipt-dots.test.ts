import { describe, expect, it } from 'vitest';
import { parseDevicesConfig } from '../../src/main/core/devices/device-config';
import {
  columnsOf,
  fontForColumns,
  PRINTER_PROFILE_IDS,
  PRINTER_PROFILES,
  resolvePrinterSetup,
  type PrinterProfile,
} from '../../src/main/core/devices/printer-profiles';
import { EscPosPrinterEngine } from '../../src/main/core/devices/simulators/printer-simulator';
import { buildLoyaltyReceipt, RECEIPT_COLUMNS, referenceReceiptData, type ReceiptDocument } from '../../src/main/core/receipt/receipt';
import { renderEscPos } from '../../src/main/core/receipt/render-escpos';
import { walletQrPayload } from '../../src/shared/domain/card-number';

/**
 * Receipts are checked in dots, not characters: a line's width is its
 * characters times the font's width (double-width characters counted
 * twice), and it must not exceed the head. « 42 columns » alone says
 * nothing: in Font A they are 504 dots, wider than a 58 mm head's 384.
 */

const printedAt = Date.UTC(2025, 2, 15, 13, 32);

function documents(columns: 42 | 48): ReceiptDocument[] {
  const data = referenceReceiptData(printedAt);
  return [
    buildLoyaltyReceipt(data, columns),
    buildLoyaltyReceipt({ ...data, locale: 'en' }, columns),
    // A store name too long for double width, a reward label that wraps, a redemption line.
    buildLoyaltyReceipt(
      { ...data, store: { ...data.store, name: 'Épicerie fine Fidèle & Compagnie — Croix-Rousse' }, pointsRedeemed: 500, nextReward: { label: 'Panier garni « Terroir lyonnais » avec saucisson, cervelle de canut et bugnes', points: 5_000, missing: 3_766 } },
      columns,
    ),
  ];
}

/** Every (profile, columns) pair a terminal may be configured with. */
const setups = PRINTER_PROFILE_IDS.flatMap((id) =>
  RECEIPT_COLUMNS.filter((columns) => columns * PRINTER_PROFILES[id].fonts.B.width <= PRINTER_PROFILES[id].headDots).map((columns) => [id, columns] as const),
);

function documentDots(doc: ReceiptDocument, profile: PrinterProfile): number[] {
  const width = profile.fonts[fontForColumns(profile, doc.columns)].width;
  return doc.blocks.map((block) => {
    if (block.type === 'text') return block.text.length * width * (block.double ? 2 : 1);
    if (block.type === 'rule') return doc.columns * width;
    return 0;
  });
}

describe('receipts measured in dots', () => {
  it('58 mm heads get Font B for 42 columns, 80 mm heads Font A for 48; a 512-dot clone needs Font B for 48', () => {
    expect(resolvePrinterSetup({ profile: 'epson-58', columns: 42 })).toMatchObject({ font: 'B' });
    expect(resolvePrinterSetup({ profile: 'clone-58' })).toMatchObject({ columns: 42, font: 'B', cancelKanji: true });
    expect(resolvePrinterSetup({ profile: 'epson-80' })).toMatchObject({ columns: 48, font: 'A', cancelKanji: false });
    expect(resolvePrinterSetup({ profile: 'clone-80-512', columns: 48 })).toMatchObject({ font: 'B' });
    expect(resolvePrinterSetup({ profile: 'clone-80-512', columns: 42 })).toMatchObject({ font: 'A' });
    // No profile named: « 42 columns » has always meant 58 mm paper here.
    expect(resolvePrinterSetup({ columns: 42 }).profile.id).toBe('epson-58');
    expect(resolvePrinterSetup({}).profile.id).toBe('epson-80');
    expect([columnsOf(PRINTER_PROFILES['epson-58'], 'A'), columnsOf(PRINTER_PROFILES['epson-58'], 'B')]).toEqual([32, 42]);
    expect([columnsOf(PRINTER_PROFILES['epson-80'], 'A'), columnsOf(PRINTER_PROFILES['epson-80'], 'B')]).toEqual([48, 64]);
  });

  it('a configuration whose columns no font fits is refused with the reason', () => {
    const printer = (extra: object) => ({ devices: [{ id: 'p', name: 'P', role: 'printer', connection: { kind: 'tcp', host: 'h' }, ...extra }] });
    expect(() => parseDevicesConfig(printer({ profile: 'epson-58', columns: 48 }), 'x.json')).toThrow(/devices\.0\.columns: 48 columns do not fit the 384-dot head of epson-58/);
    expect(() => parseDevicesConfig(printer({ profile: 'epson-57' }), 'x.json')).toThrow(/devices\.0\.profile/);
    expect(parseDevicesConfig(printer({ profile: 'star-80' }), 'x.json').devices[0]).toMatchObject({ profile: 'star-80' });
  });

  it.each(setups)('%s, %i columns: no line of the document is wider than the head, double width counted double', (id, columns) => {
    const profile = PRINTER_PROFILES[id];
    for (const doc of documents(columns)) {
      for (const dots of documentDots(doc, profile)) expect(dots).toBeLessThanOrEqual(profile.headDots);
    }
  });

  it.each(setups)('%s, %i columns: the printed job, read back by a simulated head of that width, wraps no line and carries the text and codes', (id, columns) => {
    const profile = PRINTER_PROFILES[id];
    for (const doc of documents(columns)) {
      const engine = new EscPosPrinterEngine(profile);
      engine.receive(renderEscPos(doc, { profile, cancelKanji: profile.kanjiAtPowerOn }).bytes);
      expect(engine.printed).toHaveLength(1);
      const page = engine.printed[0]!;
      expect(page.wrapped).toBe(0);
      for (const line of page.lines) expect(line.dots, line.text).toBeLessThanOrEqual(profile.headDots);
      const expected = doc.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : b.type === 'rule' ? ['-'.repeat(columns)] : []));
      expect(page.lines.map((l) => l.text).filter((t) => t.length > 0)).toEqual(expected);
      expect(page.codes).toEqual([
        doc.blocks.find((b) => b.type === 'ean13')!.code,
        walletQrPayload(referenceReceiptData(printedAt).member.cardNumber),
      ]);
      expect(page.unknown).toEqual([]);
    }
  });

  it('42 columns in Font A, as receipts were printed before, overflow the 58 mm head', () => {
    const profile = PRINTER_PROFILES['epson-58'];
    const doc = buildLoyaltyReceipt(referenceReceiptData(printedAt), 42);
    const job = renderEscPos(doc, { profile });
    // ESC M 1 right after the initialisation; without it the head wraps every full line.
    expect(Array.from(job.bytes.subarray(0, 8))).toEqual([0x1b, 0x40, 0x1b, 0x74, 16, 0x1b, 0x4d, 1]);
    const withoutFontB = Uint8Array.from(job.bytes);
    withoutFontB[7] = 0;
    const engine = new EscPosPrinterEngine(profile);
    engine.receive(withoutFontB);
    expect(engine.printed[0]!.wrapped).toBeGreaterThan(0);
  });
});
