import { codeTableNumber, fontForColumns, resolvePrinterSetup, type PrinterProfile } from '../devices/printer-profiles';
import { EscPosBuilder, type EscPosOptions } from '../devices/protocols/escpos';
import type { ReceiptDocument } from './receipt';

export interface EscPosRenderOptions extends Omit<EscPosOptions, 'codePage'> {
  /**
   * The printer: its head width picks the font, its vendor the `ESC t`
   * number. Without one, the default for the document's columns (58 mm Epson
   * for 42, 80 mm for 48).
   */
  profile?: PrinterProfile;
  /** QR module size in dots; 6 gives a ~25 mm symbol for our payload on a 203 dpi head. */
  qrModuleSize?: number;
  /** Ask for Automatic Status Back during the job (the runtime watches paper and cover with it). */
  automaticStatusBack?: boolean;
}

export interface RenderedJob {
  bytes: Uint8Array;
  /** Characters the printer's code page lacks, replaced in print; worth a log line. */
  replaced: readonly string[];
}

/**
 * A receipt document as one ESC/POS job: initialised (code page included),
 * in the font its columns need on this head (Font B for 42 columns on a
 * 384-dot 58 mm head: 42 × 9 = 378 dots, where Font A would take 504),
 * printed, cut, and closed by `GS r 1` so the runtime knows when the printer
 * has really processed it.
 */
export function renderEscPos(doc: ReceiptDocument, options: EscPosRenderOptions = {}): RenderedJob {
  const profile = options.profile ?? resolvePrinterSetup({ columns: doc.columns }).profile;
  const font = fontForColumns(profile, doc.columns);
  const page = profile.textCodePage;
  const out = new EscPosBuilder({ ...options, codePage: { page, table: codeTableNumber(profile, page) } }).initialize();
  // After ESC @ (which resets it) and before any text.
  out.font(font);
  if (options.automaticStatusBack) out.automaticStatusBack();
  for (const block of doc.blocks) {
    switch (block.type) {
      case 'text':
        out.align(block.align);
        if (block.bold) out.bold(true);
        if (block.double) out.size(2, 2);
        out.line(block.text);
        if (block.double) out.size(1, 1);
        if (block.bold) out.bold(false);
        break;
      case 'rule':
        out.align('left').line('-'.repeat(doc.columns));
        break;
      case 'blank':
        out.line();
        break;
      case 'ean13':
        // The printer draws the digits (HRI) itself; the caption is for the SVG.
        out.align('center').ean13(block.code, { height: 80, moduleWidth: profile.headDots >= 576 ? 3 : 2, hri: true });
        out.line();
        break;
      case 'qr':
        out.align('center').qr(block.payload, { moduleSize: options.qrModuleSize ?? 6, errorCorrection: 'M' });
        out.line();
        break;
    }
  }
  out.align('left').cut().requestPaperStatus();
  return { bytes: out.bytes(), replaced: out.replaced };
}
