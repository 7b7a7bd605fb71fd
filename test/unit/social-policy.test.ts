import { describe, expect, it } from 'vitest';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { validateProgramme } from '../../src/shared/programme/validate';
import { DEFAULT_SOCIAL_POLICY, qualifiesForReferral, socialPolicyOf } from '../../src/shared/social/policy';
import { formatReferralCode, normaliseReferralCode, referralQrPayload } from '../../src/shared/social/referral-code';
import { referralCodeOf, referralRewardEntryId } from '../../src/main/core/social/referral-code';
import { causeCounterText } from '../../src/shared/social/cause';

/** The programme's social section and the referral code (issue 16 items 1 and 4). */
describe('the programme’s social section', () => {
  const social = { referral: { referrerPoints: 300, refereePoints: 150, minimumPurchaseCents: 1_500, monthlyCap: 3 }, causes: { minimumDonationPoints: 20 } };

  it('is optional; present, it is what terminals and HQ apply', () => {
    expect(validateProgramme(DEFAULT_PROGRAMME_DOCUMENT).ok).toBe(true);
    const withSocial = validateProgramme({ ...DEFAULT_PROGRAMME_DOCUMENT, social });
    expect(withSocial.ok).toBe(true);
    expect(socialPolicyOf(withSocial.document)).toEqual(social);
    expect(socialPolicyOf(DEFAULT_PROGRAMME_DOCUMENT)).toEqual(DEFAULT_SOCIAL_POLICY);
  });

  it('refuses a cap of zero or a negative reward at publication', () => {
    const bad = validateProgramme({ ...DEFAULT_PROGRAMME_DOCUMENT, social: { ...social, referral: { ...social.referral, monthlyCap: 0, referrerPoints: -5 } } });
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.path)).toEqual(expect.arrayContaining([expect.stringMatching(/^social/)]));
  });

  it('qualifies a purchase from the minimum, never an empty one', () => {
    expect(qualifiesForReferral(social.referral, 1_499)).toBe(false);
    expect(qualifiesForReferral(social.referral, 1_500)).toBe(true);
    expect(qualifiesForReferral({ ...social.referral, minimumPurchaseCents: 0 }, 0)).toBe(false);
  });
});

describe('the referral code', () => {
  it('is derived from the member id, readable, and read back however it is typed or scanned', () => {
    const code = referralCodeOf('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c');
    expect(code).toBe(referralCodeOf('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c'));
    expect(code).toMatch(/^[2-9A-HJKMNP-Z]{8}$/);
    expect(normaliseReferralCode(referralQrPayload(code))).toBe(code);
    expect(normaliseReferralCode(` ${formatReferralCode(code).toLowerCase()} `)).toBe(code);
    expect(normaliseReferralCode('ABCD-EFG0')).toBeNull();
    expect(normaliseReferralCode('ABCD')).toBeNull();
  });

  it('gives each side of a referral one reward id, the same wherever it is computed', () => {
    const a = referralRewardEntryId('m-1', 'referee');
    expect(a).toBe(referralRewardEntryId('m-1', 'referee'));
    expect(a).not.toBe(referralRewardEntryId('m-1', 'referrer'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('a cause’s counter', () => {
  it('reads as the receipt and the screens print it', () => {
    expect(causeCounterText(12_430, 'l’école Jules-Ferry', 'fr')).toBe('12 430 pts pour l’école Jules-Ferry');
    expect(causeCounterText(12_430, 'the school', 'en')).toBe('12,430 pts for the school');
  });
});
