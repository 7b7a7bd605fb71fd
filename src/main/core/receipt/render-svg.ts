import { EAN13_MODULES, ean13Bars } from '../../../shared/domain/ean13-barcode';
import { qrMatrix } from '../../../shared/domain/qr-code';
import type { ReceiptDocument } from './receipt';

export { qrMatrix };

/**
 * A receipt document as an SVG picture of the paper: the screens show it as a
 * preview and the tests save it as an artifact. Text is monospace, one cell
 * per column (forced with textLength, so a font with other metrics still
 * lines up); the EAN-13 bars come from the shared symbol encoder and the QR
 * modules from qrcode-generator, so a phone can scan the preview itself.
 */

export interface SvgRenderOptions {
  /** Pixels per column. */
  cellWidth?: number;
  /** Pixels per line of normal text. */
  lineHeight?: number;
  margin?: number;
  /** Pixels per barcode module and per QR module. */
  barModule?: number;
  qrModule?: number;
}

const DEFAULTS: Required<SvgRenderOptions> = { cellWidth: 12, lineHeight: 26, margin: 18, barModule: 2, qrModule: 5 };
const FONT = "'DejaVu Sans Mono', 'Liberation Mono', monospace";
/** Quiet zone of an EAN-13 (11 modules on the left, 7 on the right; GS1 §5.2.3.4) and of a QR (4 modules). */
const QR_QUIET = 4;
const BAR_HEIGHT = 70;
const GUARD_EXTRA = 8;

export function escapeXml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

export function renderSvg(doc: ReceiptDocument, options: SvgRenderOptions = {}): string {
  const o = { ...DEFAULTS, ...options };
  const width = doc.columns * o.cellWidth + 2 * o.margin;
  const body: string[] = [];
  let y = o.margin;
  const fontSize = Math.round(o.cellWidth / 0.6);

  const textLine = (value: string, align: 'left' | 'center' | 'right', bold: boolean, scale: 1 | 2, cls = 'line') => {
    y += o.lineHeight * scale;
    if (value.length === 0) return;
    const chars = [...value].length;
    const x = align === 'left' ? o.margin : align === 'right' ? width - o.margin : width / 2;
    const anchor = align === 'left' ? 'start' : align === 'right' ? 'end' : 'middle';
    body.push(
      `<text class="${cls}" x="${x}" y="${y - Math.round(o.lineHeight * scale * 0.28)}" font-size="${fontSize * scale}"` +
        ` text-anchor="${anchor}"${bold ? ' font-weight="bold"' : ''} textLength="${chars * o.cellWidth * scale}" lengthAdjust="spacingAndGlyphs"` +
        ` xml:space="preserve">${escapeXml(value)}</text>`,
    );
  };

  for (const block of doc.blocks) {
    switch (block.type) {
      case 'text':
        textLine(block.text, block.align, block.bold, block.double ? 2 : 1);
        break;
      case 'rule':
        textLine('-'.repeat(doc.columns), 'left', false, 1, 'rule');
        break;
      case 'blank':
        y += o.lineHeight;
        break;
      case 'ean13': {
        const m = o.barModule;
        const left = Math.round((width - EAN13_MODULES * m) / 2);
        y += o.lineHeight / 2;
        const bars = ean13Bars(block.code)
          .map((bar) => `<rect class="ean-bar" x="${left + bar.x * m}" y="${y}" width="${bar.width * m}" height="${BAR_HEIGHT + (bar.guard ? GUARD_EXTRA : 0)}"/>`)
          .join('');
        body.push(`<g class="ean13" data-code="${escapeXml(block.code)}">${bars}</g>`);
        // Digits as on any EAN-13: the first outside the start guard, then six under each half.
        const digitsY = y + BAR_HEIGHT + GUARD_EXTRA + Math.round(fontSize * 0.6);
        const half = (from: number, modules: number, digits: string) =>
          `<text class="ean-digits" x="${left + (from + modules / 2) * m}" y="${digitsY}" font-size="${fontSize}" text-anchor="middle" textLength="${Math.min(digits.length * o.cellWidth, modules * m - 4)}" lengthAdjust="spacingAndGlyphs">${digits}</text>`;
        body.push(
          `<text class="ean-digits" x="${left - 4}" y="${digitsY}" font-size="${fontSize}" text-anchor="end">${block.code[0]}</text>`,
          half(3, 42, block.code.slice(1, 7)),
          half(50, 42, block.code.slice(7)),
        );
        y = digitsY + Math.round(o.lineHeight * 0.4);
        break;
      }
      case 'qr': {
        const matrix = qrMatrix(block.payload);
        const size = (matrix.length + 2 * QR_QUIET) * o.qrModule;
        const left = Math.round((width - size) / 2);
        const top = y + o.lineHeight / 2;
        const modules: string[] = [];
        matrix.forEach((row, r) =>
          row.forEach((dark, c) => {
            if (dark) modules.push(`<rect x="${left + (c + QR_QUIET) * o.qrModule}" y="${top + (r + QR_QUIET) * o.qrModule}" width="${o.qrModule}" height="${o.qrModule}"/>`);
          }),
        );
        body.push(`<g class="qr" data-payload="${escapeXml(block.payload)}" data-modules="${matrix.length}">${modules.join('')}</g>`);
        y = top + size;
        break;
      }
    }
  }
  const height = Math.round(y + o.margin + o.lineHeight);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(FONT)}" data-columns="${doc.columns}">` +
    `<rect class="paper" width="${width}" height="${height}" fill="#fff"/>` +
    `<g fill="#111">${body.join('')}</g></svg>\n`
  );
}
