import { createHash } from 'node:crypto';
import { REFERRAL_ALPHABET, REFERRAL_CODE_LENGTH } from '../../../shared/social/referral-code';

/** The member's referral code: from a hash of their id, the same at every terminal and at HQ. */
export function referralCodeOf(memberId: string): string {
  const digest = createHash('sha256').update(`fidele/referral/v1\n${memberId}`).digest();
  let code = '';
  for (let i = 0; i < REFERRAL_CODE_LENGTH; i++) code += REFERRAL_ALPHABET[digest[i]! % REFERRAL_ALPHABET.length];
  return code;
}

/**
 * The id of the entry that rewards one side of the referral of `refereeId`:
 * derived, not drawn, so the reward has one id wherever it is decided (a
 * terminal without HQ, or HQ) and HQ's posting key (customer, entry, leg)
 * takes it once. UUIDv8 from SHA-256, as the expiry's ids (ledger/expiry.ts).
 */
export function referralRewardEntryId(refereeId: string, side: 'referrer' | 'referee'): string {
  const hex = createHash('sha256').update(`fidele/referral-reward/v1\n${refereeId}\n${side}`).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
