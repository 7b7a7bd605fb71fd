import type { Page } from '@playwright/test';
import { storeProgrammeVersions } from '../../src/main/core/programme/programme-book';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import { checkAndPicture, expect, type Kiosk, test } from './fixture';
import { cookingClass } from './offer-rules';

/**
 * Offers from the basket (issue 16 items 3 and 5): a basket with organic
 * produce shows the cooking-class offer on the customer screen and a hint to
 * the cashier; « Ça m'intéresse » is recorded; « Moins de sollicitations »
 * stops the next offer. The rules arrive as the programme will bring them
 * (core.offers.install); the member's consents as enrolment records them.
 */
function agreeToOffers(kiosk: Kiosk, memberId: string) {
  kiosk.core.db
    .prepare("INSERT INTO member_consent (member_id, purpose, granted, wording_version, recorded_at, source) VALUES (?, 'personalisedOffers', 1, '2026-11.fr-1', ?, 'e2e')")
    .run(memberId, Date.now());
}

async function organicBasket(kiosk: Kiosk, cashier: Page, customer: Page, who: { cardNumber: string; fullName: string; firstName: string }, amount: string) {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await kiosk.scan(who.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: who.fullName })).toBeVisible();
  await expect(customer.getByTestId('customer-greeting')).toHaveText(`Bonjour ${who.firstName}`);
  await cashier.getByRole('button', { name: 'Vente manuelle' }).click();
  const form = cashier.getByTestId('cashier-manual-sale');
  await form.getByLabel('Montant TTC (€)').fill(amount);
  await form.getByLabel('Catégorie').selectOption({ label: 'Bio' });
  return form;
}

test('organic produce shows the cooking class to the customer and a hint to the cashier; the customer is interested', async ({ kiosk, cashier, customer }) => {
  kiosk.core.offers.install([cookingClass]);
  const { claire } = kiosk.known;
  agreeToOffers(kiosk, claire.id);
  await organicBasket(kiosk, cashier, customer, { cardNumber: claire.cardNumber, fullName: 'Claire Dupont', firstName: 'Claire' }, '42,00');

  const card = customer.getByTestId('customer-offer-cours-cuisine');
  await expect(card).toContainText('Un cours de cuisine offert');
  await expect(card).toContainText('Réservez votre place');
  await expect(cashier.getByTestId('cashier-offer-hint')).toHaveText('Suggestion — Proposer : Un cours de cuisine offert');
  await checkAndPicture(customer, 'offers-customer-offer');
  await checkAndPicture(cashier, 'offers-cashier-hint');

  await card.getByRole('button', { name: 'Ça m’intéresse' }).click();
  await expect(customer.getByTestId('customer-offers-note')).toHaveText('C’est noté, la caisse s’en occupe.');
  await expect(card).toHaveCount(0);
  await expect.poll(() => kiosk.core.db.prepare("SELECT answer FROM offer_contact WHERE member_id = ? AND rule_id = 'cours-cuisine'").pluck().all(claire.id)).toEqual(['accepted']);
});

test('« Moins de sollicitations » clears the offer and stops the next one', async ({ kiosk, cashier, customer }) => {
  kiosk.core.offers.install([cookingClass]);
  const { helene } = kiosk.known;
  agreeToOffers(kiosk, helene.id);
  const form = await organicBasket(kiosk, cashier, customer, { cardNumber: helene.cardNumber, fullName: 'Hélène Lefèvre', firstName: 'Hélène' }, '42,00');
  await expect(customer.getByTestId('customer-offer-cours-cuisine')).toBeVisible();

  await customer.getByTestId('customer-offers-fewer').click();
  await expect(customer.getByTestId('customer-offers-note')).toHaveText('C’est noté : nous ne vous proposerons plus d’offres.');
  await expect(customer.getByTestId('customer-offers')).toHaveCount(0);

  // The basket changes: a new preview, and still no offer nor hint.
  await form.getByLabel('Montant TTC (€)').fill('55,00');
  await expect(cashier.getByTestId('cashier-manual-total')).toHaveText('55,00\u00a0€');
  await expect(cashier.getByTestId('cashier-manual-earned')).toBeVisible();
  await expect(cashier.getByTestId('cashier-offer-hint')).toHaveCount(0);
  await expect(customer.getByTestId('customer-offers')).toHaveCount(0);
  expect(kiosk.core.db.prepare('SELECT fewer_contacts FROM offer_preference WHERE member_id = ?').pluck().get(helene.id)).toBe(1);
});

test('published with the programme, the cooking class shows for an organic basket; « Ça m’intéresse » books the seat', async ({ kiosk, cashier, customer }) => {
  const now = Date.now();
  const workshop = { id: 'cours-cuisine', kind: 'workshop', label: { fr: 'Cours de cuisine de saison', en: 'Seasonal cooking class' }, date: '2027-01-16', capacity: 8, pricePoints: null, tiers: ['basic'] };
  storeProgrammeVersions(
    kiosk.core.db,
    [
      {
        version: 'fr-2026.12',
        effectiveFrom: now - 3_600_000,
        document: JSON.stringify({ ...DEFAULT_PROGRAMME_DOCUMENT, version: 'fr-2026.12', benefits: [workshop], offers: [cookingClass] }),
        publishedAt: now - 3_600_000,
        keyId: 'hq-e2e',
        signature: 'e2e',
      },
    ],
    now,
  );
  const { claire } = kiosk.known;
  agreeToOffers(kiosk, claire.id);
  await organicBasket(kiosk, cashier, customer, { cardNumber: claire.cardNumber, fullName: 'Claire Dupont', firstName: 'Claire' }, '42,00');
  const card = customer.getByTestId('customer-offer-cours-cuisine');
  await expect(card).toContainText('Un cours de cuisine offert');
  await card.getByRole('button', { name: 'Ça m’intéresse' }).click();
  await expect(customer.getByTestId('customer-offers-note')).toHaveText('C’est réservé : votre place vous attend, elle figure sur votre ticket.');
  await checkAndPicture(customer, 'offers-customer-booked');
  expect(kiosk.core.db.prepare("SELECT member_id, via FROM benefit_booking WHERE benefit_id = 'cours-cuisine' AND status = 'booked'").all()).toEqual([
    { member_id: claire.id, via: 'tier' },
  ]);
});
