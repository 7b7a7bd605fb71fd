import type { Locale } from '../../../shared/contract';
import { PRIVACY_NOTICE_PATH } from '../../../shared/contract/privacy-self';
import { receiptWrap } from '../../../shared/domain/receipt-layout';
import { translate } from '../../../shared/i18n/messages';
import { NOTICE_SECTIONS } from '../../../shared/i18n/privacy';
import type { PrinterDevice } from '../devices/printer-device';
import { printerProfile } from '../devices/printer-profiles';
import { text, type ReceiptBlock, type ReceiptColumns, type ReceiptDocument } from '../receipt/receipt';
import { renderEscPos } from '../receipt/render-escpos';

/**
 * The privacy notice (issue 17 item 7): where the full one lives — HQ's
 * public page when the terminal has an HQ, else the address configured — and
 * the paper copy the till prints on request: the same sections as the
 * screen and the page (shared/i18n/privacy.ts), and a QR to the full notice.
 */
export function privacyNoticeUrl(config: { hq?: { url: string } | undefined; privacyNoticeUrl: string }): string {
  return config.hq ? `${config.hq.url.replace(/\/$/, '')}${PRIVACY_NOTICE_PATH}` : config.privacyNoticeUrl;
}

export function buildNoticeDocument(locale: Locale, url: string, columns: ReceiptColumns): ReceiptDocument {
  const t = (key: string) => translate(locale, key).normalize('NFC');
  const blocks: ReceiptBlock[] = [];
  const wrap = (value: string, options: { align?: 'center'; bold?: boolean } = {}) => {
    for (const line of receiptWrap(value, columns)) blocks.push(text(line, options));
  };
  wrap(t('privacy.notice.title'), { align: 'center', bold: true });
  blocks.push({ type: 'rule' });
  for (const section of NOTICE_SECTIONS) {
    wrap(t(`privacy.notice.${section}.title`), { bold: true });
    wrap(t(`privacy.notice.${section}.body`));
    blocks.push({ type: 'blank' });
  }
  blocks.push({ type: 'rule' });
  wrap(t('privacy.notice.full'), { align: 'center' });
  blocks.push({ type: 'qr', payload: url });
  wrap(url, { align: 'center' });
  return { columns, locale, blocks };
}

/** Queues the notice on the first printer; false when there is none. */
export function printNotice(printers: readonly PrinterDevice[], locale: Locale, url: string, now: number): boolean {
  const printer = printers[0];
  if (!printer) return false;
  const doc = buildNoticeDocument(locale, url, printer.options.columns);
  const job = renderEscPos(doc, { profile: printerProfile(printer.options.profile), cancelKanji: printer.options.cancelKanji });
  printer.print(job.bytes, `privacy-notice:${now}`);
  return true;
}
