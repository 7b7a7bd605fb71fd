import type { Locale, NextReward } from '../../../shared/contract';
import type { PrintQueue } from '../devices/print-queue';
import type { PrinterDevice } from '../devices/printer-device';
import { printerProfile } from '../devices/printer-profiles';
import type { SaleResult } from '../ledger/sale';
import type { Clock, Logger } from '../ports';
import type { MemberTier } from '../../../shared/tiers/member-tier';
import type { RegularityView } from '../../../shared/programme/regularity';
import { buildLoyaltyReceipt, type LoyaltyReceiptData, type ReceiptDocument } from './receipt';
import { renderEscPos } from './render-escpos';

export interface SaleReceiptsDeps {
  /** The printers the terminal drives; the first receives the receipts. */
  printers(): readonly PrinterDevice[];
  queue(): PrintQueue | null;
  member(memberId: string): { firstName: string; cardNumber: string } | null;
  nextReward(balance: number): NextReward;
  expiring(memberId: string): readonly { points: number; expiresOn: string }[];
  /** Points gestures since the member's previous sale (incidents/receipt-gestures.ts); none when absent. */
  gestures?(memberId: string, sale: SaleResult): readonly number[];
  /** The member's tier (tiers/tier-store.ts); no tier line when absent. */
  tier?(memberId: string): MemberTier;
  /** Where the member stands in weeks with a visit, after the sale (regularity/regularity-book.ts); no streak line when absent. */
  regularity?(memberId: string): RegularityView | null;
  /** The member's bookings to come and what their paid membership gave back (benefits/benefits.ts); no lines when absent. */
  benefits?(memberId: string): LoyaltyReceiptData['benefits'];
  /** The member's referral code and the causes' counters (social/receipt-lines.ts); no such lines when absent. */
  social?(memberId: string): LoyaltyReceiptData['social'];
  store: { name: string; address: readonly string[] };
  locale: Locale;
  clock: Clock;
  logger: Logger;
}

/** What the customer paid with money, from the committed input: the amount the receipt shows. */
function paidCents(input: unknown): number | null {
  const payments = (input as { payments?: unknown } | null)?.payments;
  if (!Array.isArray(payments) || payments.length === 0) return null;
  let total = 0;
  for (const p of payments) {
    const cents = (p as { amountCents?: unknown }).amountCents;
    if (typeof cents !== 'number' || !Number.isInteger(cents)) return null;
    total += cents;
  }
  return total;
}

/**
 * The loyalty receipt of each committed sale, sent to the printer's
 * persistent queue. A sale never waits for the printer and never fails
 * because of it: a fault keeps the job (the queue prints it once the printer
 * is fine) and shows on the status bar through the printer's own status.
 */
export class SaleReceipts {
  private last: ReceiptDocument | null = null;

  constructor(private readonly deps: SaleReceiptsDeps) {}

  /** The last receipt sent to a printer, for the simulator's preview. */
  lastDocument(): ReceiptDocument | null {
    return this.last;
  }

  /** Queues the receipt; returns the job id, or null when there is no printer or nothing to print. */
  printSale(sale: SaleResult, input: unknown): string | null {
    const { deps } = this;
    const printer = deps.printers()[0];
    const queue = deps.queue();
    if (!printer || !queue) return null;
    // A till replaying the same sale gets the first result back: its receipt was already queued.
    const label = `sale:${sale.tillId}/${sale.receipt}`;
    try {
      if (queue.hasLabel(printer.id, label)) return null;
      const member = deps.member(sale.memberId);
      if (!member) return null;
      const total = paidCents(input);
      const next = deps.nextReward(sale.balanceAfter);
      const doc = buildLoyaltyReceipt(
        {
          locale: deps.locale,
          store: deps.store,
          printedAt: sale.committedAt,
          ...(total !== null ? { ticket: { number: sale.receipt, totalCents: total } } : {}),
          member,
          pointsEarned: sale.pointsEarned,
          pointsRedeemed: sale.pointsRedeemed,
          gestures: deps.gestures?.(sale.memberId, sale) ?? [],
          balanceAfter: sale.balanceAfter,
          nextReward: next ? { label: next.label, points: next.points, missing: next.missing } : null,
          expiring: deps.expiring(sale.memberId),
          ...(deps.tier ? { tier: deps.tier(sale.memberId) } : {}),
          ...(deps.social ? { social: deps.social(sale.memberId) } : {}),
          ...(sale.vouchers ? { vouchers: sale.vouchers } : {}),
          ...(deps.regularity ? { regularity: { bonusPoints: sale.regularity?.bonusPoints ?? 0, view: deps.regularity(sale.memberId) } } : {}),
          ...(deps.benefits ? { benefits: deps.benefits(sale.memberId) } : {}),
        },
        printer.options.columns,
      );
      const profile = printerProfile(printer.options.profile);
      const job = renderEscPos(doc, { profile, cancelKanji: printer.options.cancelKanji });
      if (job.replaced.length > 0) deps.logger.info('receipt characters outside the code page replaced', { page: profile.textCodePage, chars: job.replaced.join('') });
      this.last = doc;
      return printer.print(job.bytes, label);
    } catch (error) {
      deps.logger.error('the loyalty receipt could not be queued', { sale: sale.saleId, error: String(error) });
      return null;
    }
  }
}
