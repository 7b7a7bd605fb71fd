import { EscPosBuilder, type EscPosOptions } from '../devices/protocols/escpos';
import type { ReceiptDocument } from './receipt';

export interface EscPosRenderOptions extends EscPosOptions {
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
 * printed, cut, and closed by `GS r 1` so the runtime knows when the printer
 * has really processed it.
 */
export function renderEscPos(doc: ReceiptDocument, options: EscPosRenderOptions = {}): RenderedJob {
  const out = new EscPosBuilder(options).initialize();
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
        out.align('center').ean13(block.code, { height: 80, moduleWidth: doc.columns === 48 ? 3 : 2, hri: true });
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
