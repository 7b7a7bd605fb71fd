import { Cadence, type ProgrammeDocument } from './document';
import { DEFAULT_PROGRAMME_DOCUMENT } from './default-programme';

/**
 * Quick small rewards (issue 14 item 4; mission anchors §3 idea 3): members of
 * the tiers the programme names (basic, by default) get a voucher every N
 * visits or every P points, whichever comes first; the others (gold) keep
 * accumulating points for the catalogue. The rule is written once here; the
 * terminal keeps where each member stands and the vouchers themselves
 * (src/main/core/vouchers).
 *
 * A visit counts only from the programme's minimum basket (the regularity
 * section's): five one-cent tickets must not be worth a voucher. At most one
 * voucher per sale; issuing one starts both counts again, so a big basket is
 * not several vouchers at once.
 */

export interface CadenceRule {
  cadence: Cadence;
  /** The tier of a member HQ has not ranked yet. */
  newMemberTier: string;
  minimumBasketCents: number;
}

export interface CadenceProgress {
  visits: number;
  points: number;
}

export const NO_PROGRESS: CadenceProgress = Object.freeze({ visits: 0, points: 0 });

const DAY_MS = 86_400_000;

/** The cadence a document carries; null when it has none this terminal can read (vouchers then stop, points go on). */
export function cadenceRuleOf(document: unknown): CadenceRule | null {
  const doc = (typeof document === 'object' && document !== null ? document : {}) as Partial<Record<keyof ProgrammeDocument, unknown>>;
  const cadence = Cadence.safeParse(doc.cadence);
  if (!cadence.success) return null;
  const tiers = doc.tiers as { newMemberTier?: unknown } | undefined;
  const regularity = doc.regularity as { minimumBasketCents?: unknown } | undefined;
  return {
    cadence: cadence.data,
    newMemberTier: typeof tiers?.newMemberTier === 'string' ? tiers.newMemberTier : DEFAULT_PROGRAMME_DOCUMENT.tiers.newMemberTier,
    minimumBasketCents: typeof regularity?.minimumBasketCents === 'number' ? regularity.minimumBasketCents : 0,
  };
}

/** The default programme's: what a terminal applies before HQ has sent a version. */
export const DEFAULT_CADENCE_RULE: CadenceRule = cadenceRuleOf(DEFAULT_PROGRAMME_DOCUMENT)!;

/** Whether a member of `tier` collects vouchers at all. */
export function collectsVouchers(rule: CadenceRule | null, tier: string): boolean {
  if (rule === null || rule.cadence.voucherCents <= 0) return false;
  if (rule.cadence.voucherEveryVisits === null && rule.cadence.voucherEachPoints === null) return false;
  return rule.cadence.tiers.includes(tier);
}

/**
 * Where a member stands after a sale of `paidCents` (what the customer paid,
 * after discounts) earning `points`, and whether it issues a voucher.
 */
export function advanceCadence(rule: CadenceRule, before: CadenceProgress, paidCents: number, points: number): { progress: CadenceProgress; issue: boolean } {
  const { voucherEveryVisits, voucherEachPoints } = rule.cadence;
  const visits = before.visits + (paidCents >= rule.minimumBasketCents && paidCents > 0 ? 1 : 0);
  const earned = before.points + Math.max(points, 0);
  const issue = (voucherEveryVisits !== null && visits >= voucherEveryVisits) || (voucherEachPoints !== null && earned >= voucherEachPoints);
  return issue ? { progress: { visits: 0, points: 0 }, issue } : { progress: { visits, points: earned }, issue };
}

/** When a voucher issued at `issuedAt` stops being accepted (epoch ms, exclusive). */
export const voucherExpiresAt = (rule: CadenceRule, issuedAt: number): number => issuedAt + rule.cadence.validityDays * DAY_MS;

/** What is left before the next voucher, for « encore 2 passages » ; null when neither count applies. */
export function toNextVoucher(rule: CadenceRule, progress: CadenceProgress): { visits: number | null; points: number | null } {
  const { voucherEveryVisits, voucherEachPoints } = rule.cadence;
  return {
    visits: voucherEveryVisits === null ? null : Math.max(voucherEveryVisits - progress.visits, 0),
    points: voucherEachPoints === null ? null : Math.max(voucherEachPoints - progress.points, 0),
  };
}

type Words = (key: string, params?: Readonly<Record<string, string | number>>) => string;

/** « 2 € », « 2,50 € »; « €2 », « €2.50 »: a voucher's amount as people say it. */
export function voucherAmount(locale: 'fr' | 'en', cents: number): string {
  const euros = cents % 100 === 0 ? String(cents / 100) : (cents / 100).toFixed(2);
  return locale === 'fr' ? `${euros.replace('.', ',')} €` : `€${euros}`;
}

/** The last store-local day a voucher is accepted, as each language writes dates (« 17/12/2026 », « 2026-12-17 »). */
export function voucherLastDay(locale: 'fr' | 'en', expiresAt: number, timeZone = 'Europe/Paris'): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(expiresAt - 1));
  const [y, m, d] = day.split('-');
  return locale === 'fr' ? `${d}/${m}/${y}` : `${y}-${m}-${d}`;
}

/** « Prochain bon de 2 € : encore 3 passages ou 20 pts », or null when nothing is counted. */
export function nextVoucherWords(t: Words, locale: 'fr' | 'en', cents: number, next: { visits: number | null; points: number | null } | null): string | null {
  if (next === null || cents <= 0) return null;
  const amount = voucherAmount(locale, cents);
  if (next.visits !== null && next.points !== null) return t('voucher.next', { amount, visits: next.visits, points: next.points });
  if (next.visits !== null) return t('voucher.next_visits', { amount, visits: next.visits });
  if (next.points !== null) return t('voucher.next_points', { amount, points: next.points });
  return null;
}
