import type { Locale } from '../../../shared/contract/schemas';
import { causeCounterText } from '../../../shared/social/cause';
import type { Causes } from './causes';
import type { Referrals } from './referrals';

/** What the receipt prints of referrals and causes (receipt.ts `social`). */
export interface ReceiptSocial {
  referralCode: string;
  referralQr: string;
  /** « 12 430 pts pour l'école Jules-Ferry », one per open cause. */
  causes: readonly string[];
}

export function receiptSocial(referrals: Referrals, causes: Causes, memberId: string, locale: Locale): ReceiptSocial {
  const card = referrals.card(memberId);
  const open = causes.list().filter((c) => c.status === 'open');
  return { referralCode: card.code, referralQr: card.qr, causes: open.map((c) => causeCounterText(c.totalPoints, c.name, locale)) };
}
