import { type Promotion, type ProgramRules, type SaleLimits } from '../../../shared/programme/rules-schema';
import { localParts, minutesOfDay, formatLocalDate, localDateOf } from './local-time';
import { add, floor, mul, rat, toIntegerWeights, toSafeNumber, ZERO, type Rational } from './rational';

/**
 * The program's rules live in src/shared/programme/rules-schema.ts (HQ
 * publishes them in the programme document); what the ledger computes from
 * them is here.
 */
export { Promotion, Reward, SaleLimits, ProgramRules, parseProgramRules } from '../../../shared/programme/rules-schema';

/**
 * For a French grocery chain: a hypermarket's biggest ordinary tickets stay
 * well under 5 000 € and a single line (a television, a case of champagne)
 * under 2 000 €; 10 000 points is 500 € of discount at the default value, two
 * years of a family's shopping. A programme that names no limits gets these.
 */
export const DEFAULT_SALE_LIMITS: SaleLimits = { maxTicketCents: 500_000, maxLineCents: 200_000, maxPointsPerSale: 10_000 };

/**
 * French VAT for what a grocery chain sells: food at the reduced 5,5 %, the
 * press at 2,1 %, tobacco at the standard 20 %; gift cards and deposits are
 * not sales and carry none. Any other category starts at the standard rate.
 */
export const DEFAULT_CATEGORY_TAX_RATES_BP: Readonly<Record<string, number>> = {
  grocery: 550,
  bio: 550,
  local: 550,
  press: 210,
  tobacco: 2000,
  gift_card: 0,
  deposit: 0,
};

/** The VAT rate a manual line of `category` starts at: the programme's, the French default, else its highest (standard) rate. */
export function categoryTaxRateBp(rules: ProgramRules, category: string): number {
  const standard = Math.max(...rules.taxRatesBp);
  const named = rules.categoryTaxRatesBp?.[category] ?? DEFAULT_CATEGORY_TAX_RATES_BP[category];
  return named !== undefined && rules.taxRatesBp.includes(named) ? named : standard;
}

/** The ceilings a programme sets, or the defaults when it sets none. */
export function saleLimits(rules: ProgramRules): SaleLimits {
  return rules.limits ?? DEFAULT_SALE_LIMITS;
}

/** One basket line as the till sends it (already shape-checked). */
export interface BasketLine {
  lineId: string;
  sku: string;
  label: string;
  category: string;
  quantity: number;
  unitPriceCents: number;
  /** Every discount on this line, in cents, for the whole quantity. */
  discountCents: number;
  taxRateBp: number;
  /** Set when the line is a catalogue reward paid with points. */
  rewardId: string | null;
}

/** What the ledger keeps of a sold line, to reverse it exactly on refund. */
export interface LineFacts {
  lineId: string;
  quantity: number;
  /** Paid for the line after its discounts, before any points discount. */
  netCents: number;
  /** The part of netCents that earns and that points may pay for (0 for excluded and reward lines). */
  eligibleCents: number;
  /** The line's share of the earned points, an integer ratio (BigInt as decimal text). */
  weight: string;
  rewardId: string | null;
  /** Points per unit for a reward line. */
  rewardPoints: number;
}

export interface EarnComputation {
  points: number;
  netCents: number;
  eligibleCents: number;
  /** Eligible money actually paid with money: eligible minus the points discount. */
  paidEligibleCents: number;
  promotions: string[];
  lines: LineFacts[];
}

export function lineNetCents(line: BasketLine): number {
  return line.quantity * line.unitPriceCents - line.discountCents;
}

/**
 * What was bought, as the earn entry keeps it in the journal (issue 14 item 2):
 * the article and its category, never its label (free text the till types),
 * so HQ and later rules can reason on baskets once the entries are synced.
 */
// A type, not an interface: the journal's canonical JSON takes only values with an index signature.
export type JournalLine = {
  sku: string;
  category: string;
  quantity: number;
  net_cents: number;
};

export function journalLines(lines: readonly BasketLine[]): JournalLine[] {
  return lines.map((line) => ({ sku: line.sku, category: line.category, quantity: line.quantity, net_cents: lineNetCents(line) }));
}

export function isEarningLine(rules: ProgramRules, line: BasketLine): boolean {
  return line.rewardId === null && !rules.excludedCategories.includes(line.category);
}

/** The promotions running at `at` (store local time). */
export function activePromotions(rules: ProgramRules, at: number): Promotion[] {
  const local = localParts(at, rules.timeZone);
  const minutes = local.hour * 60 + local.minute;
  const today = formatLocalDate(localDateOf(at, rules.timeZone));
  return rules.promotions.filter(
    (p) =>
      p.weekdays.includes(local.weekday) &&
      minutes >= minutesOfDay(p.from) &&
      minutes < minutesOfDay(p.to) &&
      (p.validFrom === null || today >= p.validFrom) &&
      (p.validUntil === null || today <= p.validUntil),
  );
}

/**
 * Points for one ticket. Each earning line weighs
 *   net × category% × promotion% × (tax-excluded share, if so configured),
 * the points discount is spread over the earning lines in proportion to their
 * net (no points on what points paid for), and the ticket's total is floored
 * once: the single rounding in the program.
 */
export function computeEarn(rules: ProgramRules, lines: readonly BasketLine[], pointsDiscountCents: number, at: number): EarnComputation {
  const promotions = activePromotions(rules, at);
  const applied = new Set<string>();
  const weights: Rational[] = [];
  let netCents = 0;
  let eligibleCents = 0;

  for (const line of lines) {
    const net = lineNetCents(line);
    netCents += net;
    if (!isEarningLine(rules, line) || net === 0) {
      weights.push(ZERO);
      continue;
    }
    eligibleCents += net;
    const categoryPercent = rules.categoryMultipliersPercent[line.category] ?? 100;
    let promoPercent = 100;
    let promoId: string | null = null;
    for (const p of promotions) {
      if ((p.categories === null || p.categories.includes(line.category)) && p.multiplierPercent > promoPercent) {
        promoPercent = p.multiplierPercent;
        promoId = p.id;
      }
    }
    let w = rat(BigInt(net) * BigInt(categoryPercent) * BigInt(promoPercent));
    if (rules.earn.base === 'tax_excluded') w = mul(w, rat(10_000, 10_000 + line.taxRateBp));
    if (w.n > 0n && promoId) applied.add(promoId);
    weights.push(w);
  }

  const paidEligibleCents = eligibleCents - pointsDiscountCents;
  let points = 0;
  if (eligibleCents > 0 && paidEligibleCents > 0) {
    const total = weights.reduce(add, ZERO);
    const scale = rat(BigInt(rules.earn.points) * BigInt(paidEligibleCents), BigInt(rules.earn.perCents) * BigInt(eligibleCents) * 10_000n);
    points = toSafeNumber(floor(mul(total, scale)));
  }

  const integerWeights = toIntegerWeights(weights);
  return {
    points,
    netCents,
    eligibleCents,
    paidEligibleCents,
    promotions: [...applied].sort(),
    lines: lines.map((line, i) => {
      const earning = isEarningLine(rules, line);
      const reward = line.rewardId === null ? undefined : rules.rewards.find((r) => r.id === line.rewardId);
      return {
        lineId: line.lineId,
        quantity: line.quantity,
        netCents: lineNetCents(line),
        eligibleCents: earning ? lineNetCents(line) : 0,
        weight: integerWeights[i]!.toString(),
        rewardId: line.rewardId,
        rewardPoints: reward?.points ?? 0,
      };
    }),
  };
}

/** Points must come in multiples of this for the discount to be whole cents. */
export function redemptionStep(rules: ProgramRules): number {
  const { cents, points } = rules.redemption.value;
  let a = cents;
  let b = points;
  while (b !== 0) [a, b] = [b, a % b];
  return points / a;
}

/** The discount for `points`, or null when they do not make whole cents. */
export function discountForPoints(rules: ProgramRules, points: number): number | null {
  const { cents, points: per } = rules.redemption.value;
  const scaled = points * cents;
  return scaled % per === 0 ? scaled / per : null;
}

/** The most points a discount of at most `cents` can take, in whole steps. */
export function maxPointsForCents(rules: ProgramRules, cents: number): number {
  const { cents: c, points: per } = rules.redemption.value;
  const step = redemptionStep(rules);
  const raw = Math.floor((cents * per) / c);
  return raw - (raw % step);
}
