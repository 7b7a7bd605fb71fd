import type { Locale } from '../../../shared/contract';
import { formatCardNumber } from '../../../shared/domain/card-number';
import { formatPoints, receiptRow, receiptWrap } from '../../../shared/domain/receipt-layout';
import { translate } from '../../../shared/i18n/messages';
import type { PrintQueue } from '../devices/print-queue';
import type { PrinterDevice } from '../devices/printer-device';
import { printerProfile } from '../devices/printer-profiles';
import type { RefundResult } from '../ledger/refund';
import type { Clock, Logger } from '../ports';
import { formatStamp, text, type ReceiptBlock, type ReceiptColumns, type ReceiptDocument } from './receipt';
import { renderEscPos } from './render-escpos';

export interface RefundReceiptData {
  locale: Locale;
  store: { name: string; address: readonly string[] };
  /** Epoch ms. */
  printedAt: number;
  timeZone?: string;
  /** The ticket refunded. */
  receipt: string;
  member: { firstName: string; cardNumber: string };
  pointsReversed: number;
  pointsRestored: number;
  /** Points reversed after they were spent: owed, repaid by the next purchases. */
  clawback: number;
  balanceAfter: number;
}

/**
 * The slip a refund prints for the customer: which ticket, the points it took
 * back and gave back, and the balance they leave, the same document model as
 * the sale's receipt so every printer profile and the SVG preview render it.
 */
export function buildRefundReceipt(data: RefundReceiptData, columns: ReceiptColumns): ReceiptDocument {
  const { locale } = data;
  const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params).normalize('NFC');
  const p = (n: number) => formatPoints(locale, n);
  const blocks: ReceiptBlock[] = [];
  const centered = (value: string, bold = false) => {
    for (const line of receiptWrap(value, columns)) blocks.push(text(line, { align: 'center', bold }));
  };
  const row = (label: string, value: string, bold = false) => blocks.push(text(receiptRow(label, value, columns), { bold }));

  const name = data.store.name.normalize('NFC');
  if (name.length <= columns / 2) blocks.push(text(name, { align: 'center', bold: true, double: true }));
  else centered(name, true);
  for (const line of data.store.address) centered(line);
  centered(formatStamp(locale, data.printedAt, data.timeZone ?? 'Europe/Paris'));
  blocks.push({ type: 'rule' });
  centered(t('receipt.refund_title'), true);
  centered(t('receipt.refund_of', { number: data.receipt }));
  blocks.push({ type: 'blank' });
  row(t('receipt.member'), data.member.firstName.normalize('NFC').slice(0, columns - 10));
  row(t('receipt.card'), formatCardNumber(data.member.cardNumber));
  if (data.pointsReversed > 0) row(t('receipt.reversed'), `-${p(data.pointsReversed)}`);
  if (data.pointsRestored > 0) row(t('receipt.restored'), `+${p(data.pointsRestored)}`);
  if (data.clawback > 0) row(t('receipt.owed'), t('receipt.points', { points: p(data.clawback) }));
  row(t('receipt.balance'), t('receipt.points', { points: p(data.balanceAfter) }), true);
  blocks.push({ type: 'rule' });
  centered(t('receipt.thanks'));
  return { columns, locale, blocks };
}

export interface RefundReceiptsDeps {
  printers(): readonly PrinterDevice[];
  queue(): PrintQueue | null;
  member(memberId: string): { firstName: string; cardNumber: string } | null;
  store: { name: string; address: readonly string[] };
  locale: Locale;
  clock: Clock;
  logger: Logger;
}

/** Queues a refund's slip on the first printer; a refund never waits for the printer, nor fails because of it. */
export class RefundReceipts {
  private last: ReceiptDocument | null = null;

  constructor(private readonly deps: RefundReceiptsDeps) {}

  lastDocument(): ReceiptDocument | null {
    return this.last;
  }

  print(refund: RefundResult): string | null {
    const { deps } = this;
    const printer = deps.printers()[0];
    const queue = deps.queue();
    if (!printer || !queue) return null;
    // The same refund replayed by the till returns its first result: its slip was already queued.
    const label = `refund:${refund.refundId}`;
    try {
      if (queue.hasLabel(printer.id, label)) return null;
      const member = deps.member(refund.memberId);
      if (!member) return null;
      const doc = buildRefundReceipt(
        {
          locale: deps.locale,
          store: deps.store,
          printedAt: deps.clock.now(),
          receipt: refund.receipt,
          member,
          pointsReversed: refund.pointsReversed,
          pointsRestored: refund.pointsRestored,
          clawback: refund.clawback,
          balanceAfter: refund.balanceAfter,
        },
        printer.options.columns,
      );
      const job = renderEscPos(doc, { profile: printerProfile(printer.options.profile), cancelKanji: printer.options.cancelKanji });
      this.last = doc;
      return printer.print(job.bytes, label);
    } catch (error) {
      deps.logger.error('the refund receipt could not be queued', { refund: refund.refundId, error: String(error) });
      return null;
    }
  }
}
