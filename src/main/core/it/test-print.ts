import type { Locale } from '../../../shared/contract/schemas';
import { translate } from '../../../shared/i18n/messages';
import type { PrinterDevice } from '../devices/printer-device';
import { printerProfile } from '../devices/printer-profiles';
import { formatStamp, text, type ReceiptDocument } from '../receipt/receipt';
import { renderEscPos } from '../receipt/render-escpos';

/**
 * The IT view's test page: the store and terminal it came from, a ruler the
 * width of the paper (a wrong column setting shows at once), the accents of
 * the code page and a QR code. It goes through the printer's persistent queue
 * like a receipt, so a test print exercises the path receipts take.
 */
export function testPageDocument(input: { locale: Locale; storeName: string; terminalId: string; at: number; columns: 42 | 48 }): ReceiptDocument {
  const t = (key: string) => translate(input.locale, key);
  const ruler = Array.from({ length: input.columns }, (_, i) => String((i + 1) % 10)).join('');
  return {
    columns: input.columns,
    locale: input.locale,
    blocks: [
      text(t('it.print.title'), { align: 'center', bold: true, double: true }),
      { type: 'blank' },
      text(input.storeName.slice(0, input.columns), { align: 'center' }),
      text(`${t('it.print.terminal')} ${input.terminalId}`.slice(0, input.columns), { align: 'center' }),
      text(formatStamp(input.locale, input.at, 'Europe/Paris'), { align: 'center' }),
      { type: 'rule' },
      text(ruler),
      text(`${t('it.print.columns')} ${input.columns}`),
      text('àâçéèêëîïôûùü €'),
      { type: 'rule' },
      { type: 'qr', payload: 'fidele:test-print' },
      text(t('it.print.ok'), { align: 'center' }),
    ],
  };
}

/** Queues the test page on the first printer; returns its job id. */
export function printTestPage(printer: PrinterDevice, doc: ReceiptDocument, at: number): string {
  const job = renderEscPos(doc, { profile: printerProfile(printer.options.profile), cancelKanji: printer.options.cancelKanji });
  return printer.print(job.bytes, `it:test-print:${at}`);
}
