import { AppFailure, type LedgerAccount, type Locale, type NextReward, type PointsMoved, type ProgramView, type Visit } from '../../shared/contract';
import { ManualSale } from '../../shared/contract/ledger-views';
import { formatPoints, RECEIPT_WIDTH, receiptCenter, receiptRow, receiptWrap } from '../../shared/domain/receipt-layout';
import { translate } from '../../shared/i18n/messages';
import type { EventBus } from './events';
import { Accounts } from './ledger/accounts';
import type { Ledger } from './ledger/ledger';
import type { RefundResult } from './ledger/refund';
import type { CommitOptions, SalePreview, SaleResult } from './ledger/sale';
import { categoryTaxRateBp, discountForPoints } from './ledger/rules';
import { parseInput } from './ledger/schemas';
import type { MemberStore } from './members/member-store';
import type { Clock, Random } from './ports';
import { tierWords, unrankedTier, type MemberTier } from '../../shared/tiers/member-tier';
import { voucherReceiptLines } from './vouchers/voucher-receipt';

/** A category the program does not name earns at the base rate; the screen offers it first. */
const BASE_CATEGORY = 'grocery';

/** The category of a reward's article on a manual ticket: it neither earns nor takes a points discount. */
const REWARD_CATEGORY = 'reward';

/** The till id of sales typed in on the cashier screen. */
export const MANUAL_TILL = 'manual';

/**
 * The points ledger as the till, the screens and the receipt see it: every
 * movement of a member's points is pushed to both screens, and the receipt
 * lines are laid out here once for every printer.
 */
export class Loyalty {
  constructor(
    readonly ledger: Ledger,
    private readonly members: MemberStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly random: Random,
    /** Told after every movement, so the customer display can show the new balance. */
    private readonly onMoved: (moved: PointsMoved) => void = () => undefined,
    /** Told after every committed sale (the receipt printer listens); must not throw. */
    private readonly onCommitted: (sale: SaleResult, input: unknown) => void = () => undefined,
    /** Told after every refund (the refund receipt); must not throw. */
    private readonly onRefunded: (refund: RefundResult) => void = () => undefined,
    /** Told after a void: points a till had set aside are free again, the screens read the account again. */
    private readonly onVoided: () => void = () => undefined,
    /** The member's tier as the last pull left it (tiers/tier-store.ts). */
    private readonly tierOf: (memberId: string) => MemberTier = unrankedTier,
    /** Asked before every sale commits, may refuse it (the paid membership sold twice, benefits/benefits.ts); must not write. */
    private readonly beforeCommit: (input: unknown) => void = () => undefined,
  ) {}

  account(memberId: string): LedgerAccount {
    if (!this.members.summary(memberId)) throw new AppFailure('not_found', 'no such member');
    const points = this.ledger.points(memberId);
    return {
      ...points,
      expiring: this.ledger.expiring(memberId),
      nextReward: this.nextReward(points.balance),
      visits: this.visits(memberId, 5),
      tier: this.tierOf(memberId),
    };
  }

  /** The program as the cashier screen shows it: base-rate groceries first, then the categories it names. */
  program(): ProgramView {
    const rules = this.ledger.rules;
    const named = Object.entries(rules.categoryMultipliersPercent).map(([slug, multiplierPercent]) => ({ slug, multiplierPercent, excluded: false }));
    const excluded = rules.excludedCategories.map((slug) => ({ slug, multiplierPercent: 0, excluded: true }));
    const withTax = (c: { slug: string; multiplierPercent: number; excluded: boolean }) => ({ ...c, taxRateBp: categoryTaxRateBp(rules, c.slug) });
    return {
      version: rules.version,
      taxRatesBp: [...rules.taxRatesBp].sort((a, b) => b - a),
      categories: [{ slug: BASE_CATEGORY, multiplierPercent: 100, excluded: false }, ...named, ...excluded].map(withTax),
      rewards: rules.rewards.map((r) => ({ rewardId: r.id, label: r.label, points: r.points })),
      redemption: rules.redemption,
    };
  }

  /** The cheapest reward the member cannot yet afford: what « encore 155 pts » is about. */
  nextReward(balance: number): NextReward {
    const ahead = this.ledger.rules.rewards.filter((r) => r.points > balance).sort((a, b) => a.points - b.points)[0];
    return ahead ? { rewardId: ahead.id, label: ahead.label, points: ahead.points, missing: ahead.points - balance } : null;
  }

  preview(input: unknown): SalePreview {
    return this.ledger.preview(input);
  }

  /** `holdId`: HQ holds this sale's points (sync/holds.ts); the redeem entry names the hold for HQ to post. */
  commit(input: unknown, options?: CommitOptions): SaleResult {
    this.beforeCommit(input);
    const sale = this.ledger.commit(input, options);
    const rewardLabel = sale.rewards.map((r) => this.ledger.rules.rewards.find((x) => x.id === r.rewardId)?.label ?? r.rewardId).join(', ');
    this.announce(sale.memberId, 'sale', sale.pointsEarned, sale.pointsRedeemed, sale.balanceAfter, {
      tillId: sale.tillId,
      receipt: sale.receipt,
      discountCents: sale.redemption.discountCents,
      rewardLabel: rewardLabel === '' ? null : rewardLabel,
    });
    this.onCommitted(sale, input);
    return sale;
  }

  refund(input: unknown): RefundResult {
    const refund = this.ledger.refund(input);
    this.announce(refund.memberId, 'refund', -refund.pointsReversed, -refund.pointsRestored, refund.balanceAfter, { tillId: refund.tillId, receipt: refund.receipt });
    this.onRefunded(refund);
    return refund;
  }

  void(input: unknown): { releasedPoints: number } {
    const voided = this.ledger.void(input);
    if (voided.releasedPoints > 0) this.onVoided();
    return voided;
  }

  adjust(input: unknown) {
    const result = this.ledger.adjust(input);
    this.announce(result.memberId, 'adjustment', Math.max(result.points, 0), Math.max(-result.points, 0), result.balanceAfter);
    return result;
  }

  /** A sale typed in on the cashier screen: one line per category, paid in full by other means. */
  manualPreview(input: unknown): SalePreview {
    return this.ledger.preview(this.manualSale(input, 'PREVIEW', null));
  }

  manualCommit(input: unknown): SaleResult {
    return this.commit(this.manualSaleInput(input));
  }

  /** The sale a manual entry commits, priced and paid, with a fresh receipt number: what a hold at HQ is asked for. */
  manualSaleInput(input: unknown) {
    // Short enough to read out at the till, unique enough per terminal: the time in base 36 and 16 random bits.
    const receipt = `M-${this.clock.now().toString(36).toUpperCase()}-${Array.from(this.random.bytes(2), (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase()}`;
    const sale = this.manualSale(input, receipt, null);
    // Paid in full by other means. Everything else is the commit's to check, with the messages of a preview
    // (and the holds' preview before HQ is asked for points): a sale is not checked twice on its way.
    const netCents = sale.lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
    const discountCents = sale.redeemPoints > 0 ? (discountForPoints(this.ledger.rules, sale.redeemPoints) ?? 0) : 0;
    // A voucher is not a payment either: the preview checks it (a spent one is refused there) and says what it is worth.
    const voucherCents = sale.voucherId ? (this.ledger.preview(sale).voucher?.applied?.cents ?? 0) : 0;
    const paid = netCents - discountCents - voucherCents;
    return { ...sale, payments: paid > 0 ? [{ method: 'other' as const, amountCents: paid }] : [] };
  }

  private manualSale(input: unknown, receipt: string, payments: Array<{ method: 'other'; amountCents: number }> | null) {
    const sale = parseInput(ManualSale, input, 'manual sale');
    // A catalogue reward goes on the ticket as its own article, paid for by its points.
    const reward = sale.rewardId ? this.ledger.rules.rewards.find((r) => r.id === sale.rewardId) : undefined;
    if (sale.rewardId && !reward) throw new AppFailure('bad_input', 'unknown reward', [{ path: 'rewardId', message: 'ledger.reward_unknown' }]);
    const taxRateBp = categoryTaxRateBp(this.ledger.rules, BASE_CATEGORY);
    const rewardLines = reward ? [{ lineId: 'R1', sku: reward.sku, label: reward.label, category: REWARD_CATEGORY, quantity: 1, unitPriceCents: 0, taxRateBp, rewardId: reward.id }] : [];
    return {
      tillId: MANUAL_TILL,
      receipt,
      memberId: sale.memberId,
      redeemPoints: sale.redeemPoints,
      manager: sale.manager,
      ...(sale.voucherId ? { voucherId: sale.voucherId } : {}),
      payments,
      lines: [
        ...sale.lines.map((line, i) => ({
          lineId: String(i + 1),
          // A catalogue product keeps its SKU and label (products/manual-lines.ts checked them); an amount typed by category has none.
          sku: line.sku ?? `MANUAL-${line.category}`,
          label: line.label ?? line.category,
          category: line.category,
          quantity: 1,
          unitPriceCents: line.amountCents,
          taxRateBp: line.taxRateBp,
          rewardId: null as string | null,
        })),
        ...rewardLines,
      ],
    };
  }

  /** The member's last visits, newest first, from the journal: one per sale, saying whether it was refunded. */
  visits(memberId: string, limit: number): Visit[] {
    const account = Accounts.points(memberId);
    const entries = this.ledger.movements(memberId, limit * 4);
    const keyOf = (e: { till_id: string | null; receipt: string | null }) => `${e.till_id}/${e.receipt}`;
    const refunded = new Set(entries.filter((e) => e.kind === 'refund_earn' || e.kind === 'refund_redeem').map(keyOf));
    const bySale = new Map<string, Visit>();
    for (const entry of entries) {
      if ((entry.kind !== 'earn' && entry.kind !== 'redeem') || entry.till_id === null || entry.receipt === null) continue;
      const key = keyOf(entry);
      const visit = bySale.get(key) ?? {
        at: entry.wall_time,
        tillId: entry.till_id,
        receipt: entry.receipt,
        pointsEarned: 0,
        pointsRedeemed: 0,
        refunded: refunded.has(key),
      };
      const delta = entry.postings.filter((p) => p.account === account).reduce((n, p) => n + p.delta, 0);
      if (entry.kind === 'earn') visit.pointsEarned += delta;
      else visit.pointsRedeemed -= delta;
      bySale.set(key, visit);
    }
    return [...bySale.values()].slice(0, limit);
  }

  /** What the till prints under its own ticket: where the member stands, in 42 columns. */
  receiptLines(sale: Pick<SaleResult, 'memberId' | 'pointsEarned' | 'pointsRedeemed' | 'balanceAfter'> & Pick<Partial<SaleResult>, 'vouchers' | 'regularity'>, locale: Locale): string[] {
    const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params);
    const p = (n: number) => formatPoints(locale, n);
    const member = this.members.summary(sale.memberId);
    const lines = [receiptCenter(t('receipt.title')), '-'.repeat(RECEIPT_WIDTH)];
    if (member) lines.push(receiptRow(t('receipt.member'), member.firstName));
    const tier = tierWords(t, locale, this.tierOf(sale.memberId));
    lines.push(receiptRow(t('tier.label'), tier.label));
    // A refund passes its movements negated (as points.moved does): points taken back, points given back.
    // A streak bonus on its own line (regularity/regularity-book.ts): what the basket earned, then what coming back earned.
    const bonus = sale.regularity?.bonusPoints ?? 0;
    if (sale.pointsEarned >= 0) lines.push(receiptRow(t('receipt.earned'), `+${p(sale.pointsEarned - bonus)}`));
    else lines.push(receiptRow(t('receipt.reversed'), `-${p(-sale.pointsEarned)}`));
    if (bonus > 0) lines.push(receiptRow(t('regularity.bonus'), `+${p(bonus)}`));
    if (sale.pointsRedeemed > 0) lines.push(receiptRow(t('receipt.redeemed'), `-${p(sale.pointsRedeemed)}`));
    else if (sale.pointsRedeemed < 0) lines.push(receiptRow(t('receipt.restored'), `+${p(-sale.pointsRedeemed)}`));
    lines.push(...voucherReceiptLines(t, locale, sale.vouchers, this.ledger.rules.timeZone));
    lines.push(receiptRow(t('receipt.balance'), t('receipt.points', { points: p(sale.balanceAfter) })));
    const next = this.nextReward(sale.balanceAfter);
    if (next) lines.push(...receiptWrap(t('receipt.next_reward', { label: next.label, missing: p(next.missing) })));
    if (tier.gap) lines.push(...receiptWrap(tier.gap));
    if ((sale.regularity?.streak ?? 0) >= 2) lines.push(...receiptWrap(t('regularity.streak', { weeks: sale.regularity!.streak })));
    for (const lot of this.ledger.expiring(sale.memberId).slice(0, 2)) {
      const [y, m, d] = lot.expiresOn.split('-');
      lines.push(...receiptWrap(t('receipt.expiring', { points: p(lot.points), date: locale === 'fr' ? `${d}/${m}/${y}` : `${y}-${m}-${d}` })));
    }
    return lines;
  }

  private announce(
    memberId: string,
    reason: PointsMoved['reason'],
    earned: number,
    redeemed: number,
    balance: number,
    about: Partial<Pick<PointsMoved, 'tillId' | 'receipt' | 'discountCents' | 'rewardLabel'>> = {},
  ): void {
    const member = this.members.summary(memberId);
    const moved: PointsMoved = {
      at: this.clock.now(),
      memberId,
      firstName: member?.firstName ?? '',
      reason,
      pointsEarned: earned,
      pointsRedeemed: redeemed,
      balance,
      nextReward: this.nextReward(balance),
      tillId: about.tillId ?? null,
      receipt: about.receipt ?? null,
      discountCents: about.discountCents ?? 0,
      rewardLabel: about.rewardLabel ?? null,
    };
    this.bus.emit('points.moved', moved);
    this.onMoved(moved);
  }
}
