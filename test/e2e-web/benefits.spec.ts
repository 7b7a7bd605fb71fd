import type { Page } from '@playwright/test';
import { createEnrolCode } from '../../src/hq/enrolment';
import { publishProgramme } from '../../src/hq/programme/programme-store';
import { createStaff } from '../../src/hq/staff/accounts';
import { applyTiers } from '../../src/main/core/tiers/tier-store';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import type { ProgrammeDocument } from '../../src/shared/programme/document';
import { checkAndPicture, expect, test, tillSale } from './fixture';

/**
 * Relational benefits and the paid membership end to end (issue 14 items 6
 * and 7, « Show »): HQ publishes a programme with a workshop (gold members
 * entitled), a preview and a paid membership; the terminal, enrolled, pulls
 * it. A gold member books the workshop on the customer screen and the seat
 * count drops at HQ (its console's Benefits view); the till cancels it and
 * the seat comes back. A member buys the
 * membership as a basket line, cannot buy it twice for the period, earns its
 * extra points on fresh produce and books the preview through it: the
 * value-back meter shows what it gave, on both screens. Screenshots at
 * 1920×1080 and 1280×800 in /work/notes/screens (benefits-*).
 */
test.use({ kioskHq: true, viewport: { width: 1920, height: 1080 } });
// HQ on PGlite starts with the kiosk: the setup alone can take most of the default budget on a busy machine.
test.describe.configure({ timeout: 150_000 });

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);
const picture = (page: Page, name: string) => checkAndPicture(page, `benefits-${name}`);
const gold = { fr: 'Or', en: 'Gold' };

const programme = (): ProgrammeDocument => ({
  ...DEFAULT_PROGRAMME_DOCUMENT,
  version: 'fr-2026.avantages',
  effectiveFrom: new Date(Date.now() - 30_000).toISOString().slice(0, 19) + 'Z',
  benefits: [
    { id: 'atelier-pain', kind: 'workshop', label: { fr: 'Atelier pain au levain', en: 'Sourdough workshop' }, date: inDays(10), capacity: 12, pricePoints: 300, tiers: ['gold'] },
    { id: 'avant-premiere', kind: 'preview', label: { fr: 'Avant-première vins de Noël', en: 'Christmas wines preview' }, date: inDays(12), capacity: 40, pricePoints: 200, tiers: [] },
  ],
  membership: {
    label: { fr: 'Adhésion Fidèle+', en: 'Fidèle+ membership' },
    priceCents: 2_900,
    sku: 'ADHESION-PLUS',
    periodMonths: 12,
    benefits: ['avant-premiere'],
    earnMultiplierPercent: 200,
    multiplierCategories: ['fresh'],
  },
});

test('a gold member books a workshop and the seat count drops at HQ; a member buys the paid membership and sees its value back', async ({ kiosk, cashier, customer, context }) => {
  const hq = kiosk.hq!;
  const { code } = await createEnrolCode(hq.ctx, 'paris-11', kiosk.core.ledger.terminalId);
  expect((await kiosk.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' })).ok).toBe(true);
  const published = await publishProgramme(hq.ctx, programme(), 'e2e');
  expect(published.ok).toBe(true);
  await kiosk.core.sync.client!.syncNow();
  const { helene, claire } = kiosk.known;
  applyTiers(kiosk.core.db, [{ memberId: helene.id, tier: 'gold', label: gold, next: null, rankedAt: Date.now() - 3_600_000 }], [], Date.now());

  // HQ's console: marketing watches the seats.
  const { password } = await createStaff(hq.ctx, { username: 'l.petit', role: 'marketing' });
  const console = await context.newPage();
  await console.goto(`${hq.url}/console/benefits`);
  await console.getByLabel('Identifiant').fill('l.petit');
  await console.getByLabel('Mot de passe').fill(password);
  await console.getByRole('button', { name: 'Se connecter' }).click();
  await expect(console.getByRole('heading', { level: 1 })).toHaveText('Avantages et places');
  const workshopRow = console.locator('tr[data-benefit="atelier-pain"]');
  await expect(workshopRow.locator('.bn-left')).toHaveText('12');

  // Hélène, gold, at the till: the workshop is hers by her status. The terminal set one seat aside for offline bookings.
  await kiosk.scan(helene.cardNumber);
  const cashierWorkshop = cashier.getByTestId('cashier-benefits-atelier-pain');
  await expect(cashierWorkshop).toContainText('Atelier pain au levain');
  await expect(cashierWorkshop).toContainText('11 places restantes');
  // On the customer screen the benefits open from the corner, over the greeting.
  const openBenefits = customer.getByTestId('customer-benefits-open');
  await expect(openBenefits).toHaveText('Vos avantages : 1 à réserver');
  await picture(customer, 'customer-gold-closed');
  await openBenefits.click();
  const customerWorkshop = customer.getByTestId('customer-benefits-atelier-pain');
  await expect(customerWorkshop.getByRole('button', { name: 'Réserver : inclus avec votre statut' })).toBeVisible();
  await console.getByRole('button', { name: 'Actualiser' }).click();
  await expect(workshopRow.locator('.bn-left')).toHaveText('11');
  await picture(customer, 'customer-gold');

  // She books it herself on the customer screen: HQ's count drops, the till sees it at once.
  await customerWorkshop.getByRole('button', { name: 'Réserver : inclus avec votre statut' }).click();
  await expect(customer.getByTestId('customer-benefits-message')).toHaveText('Réservation confirmée : Atelier pain au levain');
  await expect(customerWorkshop).toContainText('Réservé');
  await expect(customerWorkshop).toContainText('10 places restantes');
  await expect(cashierWorkshop).toContainText('Réservé');
  await expect(cashierWorkshop.getByRole('button', { name: 'Annuler la réservation' })).toBeVisible();
  await console.getByRole('button', { name: 'Actualiser' }).click();
  await expect(workshopRow.locator('.bn-left')).toHaveText('10');
  await expect(workshopRow.locator('.bn-booked')).toHaveText('1');
  await picture(customer, 'customer-booked');
  await picture(cashier, 'cashier-booked');
  await picture(console, 'hq-seats');
  // The till may cancel it: the seat is free again at HQ, and hers to book again.
  await cashierWorkshop.getByRole('button', { name: 'Annuler la réservation' }).click();
  await expect(cashier.getByTestId('cashier-benefits-message')).toHaveText('Réservation annulée');
  await expect(cashierWorkshop).toContainText('11 places restantes');
  await expect(customerWorkshop.getByRole('button', { name: 'Réserver : inclus avec votre statut' })).toBeVisible();
  await console.getByRole('button', { name: 'Actualiser' }).click();
  await expect(workshopRow.locator('.bn-left')).toHaveText('11');
  await expect(workshopRow.locator('.bn-booked')).toHaveText('0');

  // Claire buys the paid membership: a basket line with the programme's SKU.
  await cashier.getByRole('button', { name: 'Client suivant' }).click();
  const membershipLine = (receiptAmount: number) => {
    const sale = tillSale(claire.id, [receiptAmount]);
    return { ...sale, lines: sale.lines.map((l) => ({ ...l, sku: 'ADHESION-PLUS', label: 'Adhésion Fidèle+', category: 'grocery' })) };
  };
  kiosk.core.loyalty.commit(membershipLine(2_900));
  // The same period twice: refused with a clear message, nothing written.
  const head = kiosk.core.ledger.head().seq;
  expect(() => kiosk.core.loyalty.commit(membershipLine(2_900))).toThrow(/membership already paid/);
  expect(kiosk.core.ledger.head().seq).toBe(head);

  await kiosk.scan(claire.cardNumber);
  const summary = customer.getByTestId('customer-benefits-summary');
  await expect(summary).toHaveText('Votre adhésion vous a rapporté 0,00 € cette année');
  await customer.getByTestId('customer-benefits-open').click();
  const value = customer.getByTestId('customer-benefits-value');
  await expect(value).toHaveText('Votre adhésion vous a rapporté 0,00 € cette année');
  await expect(customer.getByTestId('customer-benefits-membership')).toContainText(`Adhérent jusqu'au`);
  // Fresh produce earns twice the points for members: 40 € TTC is 33 points, 33 more as the membership's bonus.
  const fresh = tillSale(claire.id, [4_000]);
  kiosk.core.loyalty.commit({ ...fresh, lines: fresh.lines.map((l) => ({ ...l, category: 'fresh' })) });
  await expect(value).toHaveText('Votre adhésion vous a rapporté 1,65 € cette année');
  // The preview comes with the membership: booked for no points, worth its 200 points.
  const preview = customer.getByTestId('customer-benefits-avant-premiere');
  await preview.getByRole('button', { name: 'Réserver : inclus avec votre adhésion' }).click();
  await expect(preview).toContainText('Réservé');
  await expect(value).toHaveText('Votre adhésion vous a rapporté 11,65 € cette année');
  await expect(cashier.getByTestId('cashier-benefits-value')).toHaveText('Votre adhésion vous a rapporté 11,65 € cette année');
  await expect(cashier.getByTestId('cashier-last-move')).toHaveAttribute('data-reason', 'adjustment');
  await picture(customer, 'customer-membership');
  await customer.getByRole('button', { name: 'Fermer' }).click();
  await expect(summary).toHaveText('Votre adhésion vous a rapporté 11,65 € cette année');
  await picture(customer, 'customer-membership-closed');
  await picture(cashier, 'cashier-membership');
  await customer.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).click();
  await expect(summary).toHaveText('Your membership has given you €11.65 this year');
});
