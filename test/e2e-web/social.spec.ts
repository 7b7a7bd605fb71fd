import type { Page } from '@playwright/test';
import { referralCodeOf } from '../../src/main/core/social/referral-code';
import { DEFAULT_SOCIAL_POLICY } from '../../src/shared/social/policy';
import { formatReferralCode, referralQrPayload } from '../../src/shared/social/referral-code';
import { checkAndPicture, enrolOnCustomerScreen, expect, type Kiosk, test } from './fixture';

/**
 * Referrals and causes (issue 16 items 1 and 4, Show): a member refers a
 * friend who enrols with the QR and buys, both get their points; a donation
 * moves the counter on the customer screen and the receipt. The terminal
 * stands alone here, so it decides the referral's reward itself (with HQ, HQ
 * decides: test/sync-hq/social-referral.test.ts).
 */
const { referrerPoints, refereePoints } = DEFAULT_SOCIAL_POLICY.referral;

async function type(customer: Page, text: string) {
  await customer.keyboard.type(text);
  await customer.getByRole('button', { name: 'OK Suivant', exact: true }).click();
}

async function sell(kiosk: Kiosk, memberId: string, cents: number): Promise<number> {
  const sale = await kiosk.core.dispatch('cashier', 'ledger.manualCommit', { memberId, lines: [{ category: 'grocery', amountCents: cents, taxRateBp: 550 }] });
  if (!sale.ok) throw new Error(JSON.stringify(sale.error));
  return (sale.value as { pointsEarned: number }).pointsEarned;
}

test.describe('referral', () => {
  test('a member refers a friend who enrols with the QR and buys: both get their points', async ({ kiosk, cashier, customer }) => {
    const { claire } = kiosk.known;
    const code = formatReferralCode(referralCodeOf(claire.id));
    await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');

    // Claire at the till: her code and QR on the customer screen.
    await kiosk.scan(claire.cardNumber);
    await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
    await customer.getByRole('button', { name: 'Parrainage et dons' }).click();
    await expect(customer.getByTestId('customer-referral-code')).toHaveText(`Votre code parrain : ${code}`);
    await expect(customer.getByTestId('customer-referral-qr')).toBeVisible();
    await checkAndPicture(customer, 'social-referral-code');
    const claireBefore = kiosk.core.ledger.points(claire.id).balance;
    await kiosk.core.dispatch('cashier', 'session.clear', {});

    // Léa enrols; on the last page the till reads Claire's QR from her phone.
    await customer.getByRole('button', { name: 'Devenir membre', exact: true }).click();
    // Typed keys go to the focused field: the first one only once it has the focus.
    await expect(customer.getByLabel('Prénom', { exact: true })).toBeFocused();
    await type(customer, 'Léa');
    await type(customer, 'Martin');
    await type(customer, 'lea.martin@exemple.fr');
    await customer.getByRole('button', { name: 'OK Suivant', exact: true }).click();
    await customer.getByRole('button', { name: 'Suivant', exact: true }).click();
    await expect(customer.getByRole('heading', { level: 2, name: 'Vérifiez vos informations' })).toBeVisible();
    // A typo first: refused with a clear message, nothing written.
    await customer.getByRole('button', { name: 'J’ai un code parrain' }).click();
    await customer.getByLabel('Code parrain (facultatif)').fill('ZZZZ-ZZZZ');
    const members = kiosk.core.members.count();
    await customer.getByRole('button', { name: 'Valider', exact: true }).click();
    await expect(customer.getByText('Ce code parrain n’existe pas : vérifiez-le auprès de votre ami.')).toBeVisible();
    expect(kiosk.core.members.count()).toBe(members);
    await kiosk.scan(referralQrPayload(referralCodeOf(claire.id)));
    await expect(customer.getByLabel('Code parrain (facultatif)')).toHaveValue(code);
    await checkAndPicture(customer, 'social-referral-enrolment');
    await customer.getByRole('button', { name: 'Valider', exact: true }).click();

    // Léa's card, and her own code to pass on.
    await expect(customer.getByTestId('customer-greeting')).toHaveText('Bienvenue, Léa !');
    const lea = kiosk.core.db.prepare("SELECT id FROM member ORDER BY created_at DESC, id DESC LIMIT 1").pluck().get() as string;
    await expect(customer.getByTestId('customer-referral-code')).toHaveText(`Votre code parrain : ${formatReferralCode(referralCodeOf(lea))}`);
    await checkAndPicture(customer, 'social-referral-enrolled');
    await customer.getByRole('button', { name: 'Terminer' }).click();

    // Her first purchase: both rewarded.
    const leaCard = kiosk.core.members.summary(lea)!.cardNumber;
    await kiosk.scan(leaCard);
    await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Léa');
    const earned = await sell(kiosk, lea, 4_200);
    await expect.poll(() => kiosk.core.ledger.points(lea).balance).toBe(earned + refereePoints);
    await expect(customer.getByTestId('customer-greeting')).toBeVisible();
    await expect(customer.locator('.greeting-cards')).toContainText(String(earned + refereePoints));
    expect(kiosk.core.ledger.points(claire.id).balance).toBe(claireBefore + referrerPoints);
    await checkAndPicture(customer, 'social-referral-rewarded');
  });
});

test.describe('a friend’s code typed at the till', () => {
  test('the cashier links a new member to a friend, once', async ({ kiosk, cashier, customer }) => {
    const { claire, helene } = kiosk.known;
    const enrolled = await enrolOnCustomerScreen(kiosk, { firstName: 'Léa', lastName: 'Martin', email: 'lea.martin@exemple.fr' });
    if (!enrolled.ok) throw new Error(JSON.stringify(enrolled.error));
    const lea = (enrolled.value as { member: { cardNumber: string } }).member;
    await kiosk.core.dispatch('cashier', 'session.clear', {});
    await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
    await kiosk.scan(lea.cardNumber);
    await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Léa');
    const social = cashier.getByTestId('cashier-social');
    await social.getByLabel('Code parrain d’un ami').fill(formatReferralCode(referralCodeOf(claire.id)).toLowerCase());
    await social.getByRole('button', { name: 'Rattacher' }).click();
    await expect(social.getByRole('status').first()).toHaveText('Parrainé par Claire');
    await social.getByLabel('Code parrain d’un ami').fill(formatReferralCode(referralCodeOf(helene.id)));
    await social.getByRole('button', { name: 'Rattacher' }).click();
    await expect(social.getByRole('status').first()).toHaveText('Ce membre a déjà un parrain.');
    await checkAndPicture(cashier, 'social-cashier-referral');
  });
});

test.describe('causes', () => {
  test.use({ kioskDevices: 'rig' });

  test('a donation moves the counter on the customer screen and the receipt', async ({ kiosk, cashier, customer }) => {
    const { claire } = kiosk.known;
    kiosk.core.social.causes.install([
      { id: 'ecole-jules-ferry', name: "l'école Jules-Ferry", description: 'Une classe verte pour les CM2', imageUrl: null, goalPoints: 20_000, status: 'open', totalPoints: 12_330, totalAt: 0 },
    ]);
    await sell(kiosk, claire.id, 30_000);
    await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
    await kiosk.scan(claire.cardNumber);
    await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
    await customer.getByRole('button', { name: 'Parrainage et dons' }).click();
    const cause = customer.getByTestId('customer-cause-ecole-jules-ferry');
    await expect(customer.getByTestId('customer-cause-counter-ecole-jules-ferry')).toHaveText("12 330 pts pour l'école Jules-Ferry");
    await checkAndPicture(customer, 'social-cause');

    // Below the minimum the button waits; 100 points, then the confirm step.
    await cause.getByLabel('Points à donner').fill('100');
    await cause.getByRole('button', { name: 'Donner' }).click();
    await expect(cause.getByText("Donner 100 pts à l'école Jules-Ferry ?")).toBeVisible();
    await checkAndPicture(customer, 'social-cause-confirm');
    await cause.getByRole('button', { name: 'Oui, je donne' }).click();
    await expect(customer.getByTestId('customer-cause-counter-ecole-jules-ferry')).toHaveText("12 430 pts pour l'école Jules-Ferry");
    await expect(customer.getByTestId('customer-cause-message-ecole-jules-ferry')).toHaveText("Merci ! 100 pts donnés à l'école Jules-Ferry.");
    await checkAndPicture(customer, 'social-cause-given');

    // The next receipt prints the counter.
    await sell(kiosk, claire.id, 1_500);
    await expect
      .poll(async () => {
        const printed = await kiosk.core.dispatch('simulator', 'sim.printed', {});
        const pages = printed.ok ? (printed.value as { pages: Array<{ text: string }> }).pages : [];
        return pages.at(-1)?.text ?? '';
      })
      .toContain("12 430 pts pour l'école Jules-Ferry");
  });
});
