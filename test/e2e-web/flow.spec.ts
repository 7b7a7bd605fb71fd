import type { Page } from '@playwright/test';
import { formatCardNumber } from '../../src/shared/domain/card-number';
import { expect, snap, test } from './fixture';

/**
 * « Vous avez la carte ? » across both screens, as a till sees it: a blank card
 * scanned at the till, enrolment on the customer's touchscreen, and the new
 * member found at the till by name and then by their new card.
 */

function lookup(cashier: Page) {
  return cashier.getByRole('combobox', { name: 'Carte, nom, téléphone ou e-mail' });
}

async function next(customer: Page, title: string) {
  await customer.keyboard.press('Enter');
  await expect(customer.getByRole('heading', { level: 2, name: title, exact: true })).toBeVisible();
}

test('a blank card at the till, enrolment on the touchscreen, then the new member found at the till', async ({ kiosk, cashier, customer }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await expect(customer.getByRole('heading', { level: 1, name: 'Vous avez la carte ?' })).toBeVisible();

  // The cashier scans a blank card from the store's stack: unknown, so « Inscrire ».
  await kiosk.scan(kiosk.unknownCard);
  const message = cashier.getByTestId('cashier-scan-message');
  await expect(message).toContainText(formatCardNumber(kiosk.unknownCard));
  await message.getByRole('button', { name: 'Inscrire', exact: true }).click();

  // The customer fills in the form on their own screen.
  await expect(customer.getByRole('heading', { level: 2, name: 'Quel est votre prénom ?' })).toBeVisible();
  await expect(cashier.getByTestId('cashier-session')).toHaveText('Écran client : inscription en cours');
  await customer.keyboard.type('Gaëlle');
  await next(customer, 'Quel est votre nom ?');
  await customer.keyboard.type("N'Diaye-Hébert");
  await next(customer, 'Votre adresse e-mail');
  await customer.keyboard.type('gaelle.ndiaye@example.org');
  await next(customer, 'Votre téléphone mobile');
  await customer.keyboard.type('+33 7 66 55 44 33');
  await next(customer, 'Vos choix');
  await customer.getByRole('checkbox', { name: 'Recevoir des offres personnalisées' }).check();
  await customer.getByRole('button', { name: 'Suivant', exact: true }).click();
  await customer.getByRole('button', { name: 'Valider', exact: true }).click();

  // She leaves with the blank card the cashier scanned.
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bienvenue, Gaëlle !');
  await expect(customer.getByTestId('customer-card-number')).toHaveText(formatCardNumber(kiosk.unknownCard));
  await snap(customer, 'flow-customer-enrolled');

  // The till shows her at once, and finds her later by name, without the accent.
  const panel = cashier.getByTestId('cashier-member');
  await expect(panel.getByRole('heading', { name: "Gaëlle N'Diaye-Hébert" })).toBeVisible();
  await cashier.getByRole('button', { name: 'Client suivant' }).click();
  await expect(customer.getByRole('heading', { level: 1, name: 'Vous avez la carte ?' })).toBeVisible();
  await lookup(cashier).fill('hebert gae');
  const option = cashier.getByRole('listbox', { name: 'Membres trouvés' }).getByRole('option').first();
  await expect(option).toContainText("Gaëlle N'Diaye-Hébert");
  await expect(option).toContainText('07 ** ** ** 33');
  await snap(cashier, 'flow-cashier-search');

  // And her new card, scanned on her next visit, greets her on the touchscreen.
  await lookup(cashier).fill('');
  await kiosk.scan(kiosk.unknownCard);
  await expect(panel.getByRole('heading', { name: "Gaëlle N'Diaye-Hébert" })).toBeVisible();
  await expect(customer.getByText(/Bonjour\s+Gaëlle/)).toBeVisible();
});
