/**
 * What the cashier picks from when typing a sale in by hand, until the
 * program (`ledger.program`) answers with its own categories and VAT rates:
 * the shipped default program's.
 */
export const MANUAL_CATEGORIES = ['grocery', 'bio', 'local', 'press', 'tobacco', 'gift_card', 'deposit'] as const;
export type ManualCategory = (typeof MANUAL_CATEGORIES)[number];

export const TAX_RATES_BP = [2000, 1000, 550, 210, 0] as const;
/** Groceries, the category a line starts in, are food: 5,5 % in France. The programme's table replaces it once read. */
export const DEFAULT_TAX_RATE_BP = 550;

/** How many points one press of « + » or « − » moves, rounded to what the program accepts. */
export function redeemNudge(stepPoints: number): number {
  const step = Math.max(stepPoints, 1);
  return Math.max(step, Math.ceil(10 / step) * step);
}

/** Keeps a chosen number of points within what the basket allows, on the program's step. */
export function clampRedeem(points: number, options: { minimumPoints: number; maximumPoints: number; stepPoints: number }): number {
  if (points <= 0 || options.maximumPoints < options.minimumPoints) return 0;
  const step = Math.max(options.stepPoints, 1);
  const bounded = Math.min(Math.max(points, options.minimumPoints), options.maximumPoints);
  const aligned = bounded - (bounded % step);
  return aligned < options.minimumPoints ? options.minimumPoints : aligned;
}
