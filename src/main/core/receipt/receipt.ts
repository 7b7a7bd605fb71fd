import { formatCardNumber, makeCardNumber, walletQrPayload } from '../../../shared/domain/card-number';
import { formatPoints, receiptRow, receiptWrap } from '../../../shared/domain/receipt-layout';
import type { SaleVouchers } from '../../../shared/contract/vouchers';
import { voucherReceiptLines } from '../vouchers/voucher-receipt';
import type { Locale } from '../../../shared/contract/schemas';
import { translate } from '../../../shared/i18n/messages';
import type { ReceiptSocial } from '../social/receipt-lines';
import { tierWords, type MemberTier } from '../../../shared/tiers/member-tier';
import { regularityWords, type RegularityView } from '../../../shared/programme/regularity';

/**
 * The loyalty receipt as a device-independent document: lines of text already
 * fitted to the paper's columns, plus a barcode and a QR code. One document,
 * two renderings (ESC/POS bytes for the printer, SVG for the screens and the
 * tests), so what the cashier previews is what prints.
 */

/** 42 columns on 58 mm paper, 48 on 80 mm. */
export type ReceiptColumns = 42 | 48;
export const RECEIPT_COLUMNS: readonly ReceiptColumns[] = [42, 48];

export type ReceiptAlign = 'left' | 'center' | 'right';

export type ReceiptBlock =
  /** One line; `double` text (twice as wide and tall) fits in half the columns. */
  | { type: 'text'; text: string; align: ReceiptAlign; bold: boolean; double: boolean }
  | { type: 'rule' }
  | { type: 'blank' }
  /** The member's card; `caption` is the grouped digits printed under the bars. */
  | { type: 'ean13'; code: string; caption: string }
  | { type: 'qr'; payload: string };

export interface ReceiptDocument {
  columns: ReceiptColumns;
  locale: Locale;
  blocks: ReceiptBlock[];
}

export interface LoyaltyReceiptData {
  locale: Locale;
  /** The member's referral code and QR, the causes' counters (issue 16 items 1 and 4, core/social/receipt-lines.ts); nothing without it. */
  social?: ReceiptSocial;
  store: { name: string; address: readonly string[] };
  /** Epoch ms. */
  printedAt: number;
  /** IANA zone of the store; the receipt shows local time. */
  timeZone?: string;
  ticket?: { number: string; totalCents: number };
  member: { firstName: string; cardNumber: string };
  pointsEarned: number;
  pointsRedeemed: number;
  /** Points gestures granted since the last receipt (incidents resolved with points): one line each, never why. */
  gestures?: readonly number[];
  balanceAfter: number;
  /** The shape of the contract's NextReward, minus its id. */
  nextReward: { label: string; points: number; missing: number } | null;
  /** Lots expiring soonest first; dates as `YYYY-MM-DD`. */
  expiring: readonly { points: number; expiresOn: string }[];
  /** The member's tier and what is left to reach the next (issue 14 item 3); no line without it. */
  tier?: MemberTier;
  /** The voucher the sale used and the one it earned (issue 14 item 4); no line without them. */
  vouchers?: SaleVouchers;
  /** The streak bonus this sale earned (counted in pointsEarned) and where the member stands after it (issue 14 item 5). */
  regularity?: { bonusPoints: number; view: RegularityView | null };
  /** Bookings still to come, and what the paid membership gave back this period (null: not a member) (issue 14 items 6 and 7). */
  benefits?: { bookings: ReadonlyArray<{ label: { fr: string; en: string }; date: string }>; membershipValueCents: number | null; renewBy?: string | null };
}

/** Expiry lines kept on paper; the app shows the rest. */
export const MAX_EXPIRY_LINES = 3;

export function formatEuros(locale: Locale, cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const units = formatPoints(locale, Math.floor(abs / 100));
  const fraction = String(abs % 100).padStart(2, '0');
  return locale === 'fr' ? `${sign}${units},${fraction} €` : `${sign}€${units}.${fraction}`;
}

function formatDay(locale: Locale, isoDay: string): string {
  const [y, m, d] = isoDay.split('-');
  return locale === 'fr' ? `${d}/${m}/${y}` : `${y}-${m}-${d}`;
}

export function formatStamp(locale: Locale, at: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = locale === 'fr' ? `${get('day')}/${get('month')}/${get('year')}` : `${get('year')}-${get('month')}-${get('day')}`;
  return `${day} ${get('hour')}:${get('minute')}`;
}

/** A text bar for the progress to the next reward: no glyph outside WPC1252 needed. */
export function progressBar(balance: number, target: number, width: number): string {
  const inner = width - 2;
  const ratio = target > 0 ? Math.min(1, Math.max(0, balance / target)) : 1;
  const filled = Math.round(ratio * inner);
  return `[${'#'.repeat(filled)}${'.'.repeat(inner - filled)}]`;
}

export function text(value: string, options: Partial<{ align: ReceiptAlign; bold: boolean; double: boolean }> = {}): ReceiptBlock {
  return { type: 'text', text: value, align: options.align ?? 'left', bold: options.bold ?? false, double: options.double ?? false };
}

/** Cuts or wraps a line so that it fits, for text the receipt does not control (store names, reward labels). */
function fit(value: string, width: number): string {
  return value.length <= width ? value : value.slice(0, width);
}

export function buildLoyaltyReceipt(data: LoyaltyReceiptData, columns: ReceiptColumns): ReceiptDocument {
  const { locale } = data;
  const t = (key: string, params?: Record<string, string | number>) => translate(locale, key, params).normalize('NFC');
  const p = (n: number) => formatPoints(locale, n);
  const blocks: ReceiptBlock[] = [];
  const wrapCentered = (value: string, bold = false) => {
    for (const line of receiptWrap(value, columns)) blocks.push(text(line, { align: 'center', bold }));
  };

  // Store header: the name large when it fits at double width.
  const name = data.store.name.normalize('NFC');
  if (name.length <= columns / 2) blocks.push(text(name, { align: 'center', bold: true, double: true }));
  else wrapCentered(name, true);
  for (const line of data.store.address) wrapCentered(line);
  const stamp = formatStamp(locale, data.printedAt, data.timeZone ?? 'Europe/Paris');
  blocks.push(text(data.ticket ? receiptRow(stamp, t('receipt.ticket', { number: data.ticket.number }), columns) : stamp, { align: data.ticket ? 'left' : 'center' }));
  blocks.push({ type: 'rule' });
  if (data.ticket) {
    blocks.push(text(receiptRow(t('receipt.purchase'), formatEuros(locale, data.ticket.totalCents), columns), { bold: true }));
    blocks.push({ type: 'rule' });
  }

  // The loyalty block, as Loyalty.receiptLines words it.
  blocks.push(text(t('receipt.title'), { align: 'center', bold: true }));
  blocks.push({ type: 'blank' });
  blocks.push(text(receiptRow(t('receipt.member'), fit(data.member.firstName.normalize('NFC'), columns - 10), columns)));
  const tier = data.tier ? tierWords(t, locale, data.tier) : null;
  if (tier) blocks.push(text(receiptRow(t('tier.label'), fit(tier.label.normalize('NFC'), columns - 10), columns)));
  // The bonus on its own line: what the basket earned, then what coming back earned.
  const bonus = data.regularity?.bonusPoints ?? 0;
  blocks.push(text(receiptRow(t('receipt.earned'), `+${p(data.pointsEarned - bonus)}`, columns)));
  if (bonus > 0) blocks.push(text(receiptRow(t('regularity.bonus'), `+${p(bonus)}`, columns)));
  if (data.pointsRedeemed > 0) blocks.push(text(receiptRow(t('receipt.redeemed'), `-${p(data.pointsRedeemed)}`, columns)));
  for (const line of voucherReceiptLines(t, locale, data.vouchers, data.timeZone ?? 'Europe/Paris', columns)) blocks.push(text(line));
  for (const points of data.gestures ?? []) blocks.push(text(receiptRow(t('receipt.gesture'), `+${p(points)}`, columns)));
  blocks.push(text(receiptRow(t('receipt.balance'), t('receipt.points', { points: p(data.balanceAfter) }), columns), { bold: true }));
  if (data.nextReward) {
    const { label, points, missing } = data.nextReward;
    blocks.push({ type: 'blank' });
    for (const line of receiptWrap(t('receipt.next_reward', { label: label.normalize('NFC'), missing: p(missing) }), columns)) blocks.push(text(line));
    const percent = Math.floor((Math.max(0, points - missing) * 100) / Math.max(1, points));
    const share = t('receipt.progress', { percent });
    blocks.push(text(`${progressBar(points - missing, points, columns - share.length - 1)} ${share}`));
  }
  if (tier?.gap) {
    blocks.push({ type: 'blank' });
    for (const line of receiptWrap(tier.gap, columns)) blocks.push(text(line));
  }
  const regular = data.regularity?.view ? regularityWords(t, data.regularity.view) : null;
  if (regular && (regular.streak || regular.next)) {
    blocks.push({ type: 'blank' });
    if (regular.streak) for (const line of receiptWrap(regular.streak, columns)) blocks.push(text(line, { align: 'center', bold: true }));
    if (regular.next) for (const line of receiptWrap(regular.next, columns)) blocks.push(text(line));
  }
  if (data.benefits && data.benefits.bookings.length > 0) {
    blocks.push({ type: 'blank' });
    blocks.push(text(t('benefits.receipt.bookings'), { bold: true }));
    for (const b of data.benefits.bookings) {
      for (const line of receiptWrap(t('benefits.receipt.booking', { label: b.label[locale].normalize('NFC'), date: formatDay(locale, b.date) }), columns)) blocks.push(text(line));
    }
  }
  if (data.benefits && data.benefits.membershipValueCents !== null) {
    blocks.push({ type: 'blank' });
    for (const line of receiptWrap(t('benefits.membership.value', { amount: formatEuros(locale, data.benefits.membershipValueCents) }), columns)) {
      blocks.push(text(line, { align: 'center', bold: true }));
    }
    if (data.benefits.renewBy) {
      for (const line of receiptWrap(t('benefits.membership.renew', { date: formatDay(locale, data.benefits.renewBy) }), columns)) blocks.push(text(line, { align: 'center' }));
    }
  }
  if (data.expiring.length > 0) {
    blocks.push({ type: 'blank' });
    for (const lot of data.expiring.slice(0, MAX_EXPIRY_LINES)) {
      for (const line of receiptWrap(t('receipt.expiring', { points: p(lot.points), date: formatDay(locale, lot.expiresOn) }), columns)) blocks.push(text(line));
    }
  }

  if (data.social) {
    if (data.social.causes.length > 0) blocks.push({ type: 'blank' });
    for (const cause of data.social.causes) for (const line of receiptWrap(cause.normalize('NFC'), columns)) blocks.push(text(line, { align: 'center', bold: true }));
    blocks.push({ type: 'blank' });
    wrapCentered(t('social.receipt.referral', { code: data.social.referralCode }));
    blocks.push({ type: 'qr', payload: data.social.referralQr });
  }
  // The card, for any shop scanner, and the wallet QR for the phone.
  blocks.push({ type: 'rule' });
  wrapCentered(t('receipt.card_caption'));
  blocks.push({ type: 'ean13', code: data.member.cardNumber, caption: formatCardNumber(data.member.cardNumber) });
  blocks.push({ type: 'blank' });
  blocks.push({ type: 'qr', payload: walletQrPayload(data.member.cardNumber) });
  wrapCentered(t('receipt.qr_hint'));
  blocks.push({ type: 'blank' });
  wrapCentered(t('receipt.thanks'), true);
  return { columns, locale, blocks };
}

/**
 * The reference receipt: accents in every part (store, member, reward label),
 * € in the amount and the reward, a card barcode and a QR code. The bench and
 * the preview script render it; tests use it as a fixture.
 */
export function referenceReceiptData(printedAt: number, locale: Locale = 'fr'): LoyaltyReceiptData {
  return {
    locale,
    store: { name: 'Fidèle Épicerie', address: ['12, rue de la République', '69002 Lyon', 'Tél. 04 78 00 00 00'] },
    printedAt,
    timeZone: 'Europe/Paris',
    ticket: { number: '0042-1187', totalCents: 4_250 },
    member: { firstName: 'Hélène', cardNumber: makeCardNumber(12, 7) },
    pointsEarned: 42,
    pointsRedeemed: 0,
    balanceAfter: 1_234,
    nextReward: { label: "Bon d'achat de 10 € (œufs, crème brûlée…)", points: 1_500, missing: 266 },
    expiring: [
      { points: 120, expiresOn: '2025-06-30' },
      { points: 80, expiresOn: '2025-09-30' },
    ],
  };
}
