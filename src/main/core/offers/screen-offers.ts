import type { OffersShown, OfferView } from '../../../shared/contract/offers';
import type { BasketLine, Evaluation } from '../../../shared/offers/evaluate';

/** A manual sale's lines as offers see them: one line a category (or catalogue product), its amount net. */
export function manualBasket(lines: ReadonlyArray<{ category: string; amountCents: number; sku?: string | undefined }>): BasketLine[] {
  return lines.map((line) => ({ sku: line.sku ?? `MANUAL-${line.category}`, category: line.category, quantity: 1, netCents: line.amountCents }));
}

/** The categories of a committed sale's input (the till's or a manual one), read defensively: it was parsed upstream. */
export function saleCategories(input: unknown): string[] {
  const lines = (input as { lines?: unknown } | null)?.lines;
  if (!Array.isArray(lines)) return [];
  return lines.flatMap((line) => {
    const category = (line as { category?: unknown } | null)?.category;
    return typeof category === 'string' && category !== 'reward' ? [category] : [];
  });
}

/**
 * Tells the customer screen when the offers for the member on it change, and
 * only then: a preview at every scanned article must not redraw the screen.
 */
export class ScreenOffers {
  private last: { memberId: string; key: string; offers: OfferView[] } | null = null;

  constructor(
    private readonly onScreen: () => string | null,
    private readonly emit: (shown: OffersShown) => void,
  ) {}

  evaluated(memberId: string, at: number, evaluation: Evaluation): void {
    if (this.onScreen() !== memberId) return;
    const key = evaluation.offers.map((o) => o.ruleId).join('\u0001');
    if (this.last && this.last.memberId === memberId && this.last.key === key) return;
    this.last = { memberId, key, offers: evaluation.offers };
    this.emit({ memberId, at, offers: evaluation.offers });
  }

  /** What the customer screen shows the member now: only an offer they can see can be shared. */
  current(memberId: string): readonly OfferView[] {
    return this.last?.memberId === memberId ? this.last.offers : [];
  }

  /** The member asked for fewer contacts, or answered: the screen is cleared of offers. */
  clear(memberId: string, at: number): void {
    this.last = { memberId, key: '', offers: [] };
    this.emit({ memberId, at, offers: [] });
  }
}
