import { formatCardNumber } from '../../src/shared/domain/card-number';
import { expect, expectNoSeriousA11yViolations, snap, test } from './fixture';

test('the simulator scans codes into the till without hardware', async ({ kiosk, cashier, simulator }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await expect(simulator.getByRole('heading', { level: 1, name: 'Simulateur de périphériques' })).toBeVisible();
  await expect(simulator.getByRole('listitem').filter({ hasText: 'Scanner simulé' })).toContainText('prêt');

  await simulator.getByRole('button', { name: 'Carte inconnue valide' }).click();
  await expect(simulator.getByTestId('sim-result')).toContainText('Accepté');
  const message = cashier.getByTestId('cashier-scan-message');
  await expect(message).toContainText(/Carte inconnue : 0 4999\d\d \d{6}/);
  await snap(simulator, 'simulator');
  await expectNoSeriousA11yViolations(simulator, 'simulator');

  await simulator.getByRole('button', { name: 'Clé de contrôle fausse' }).click();
  await expect(message).toContainText('la clé de contrôle ne correspond pas');

  // A product's barcode is answered as such, in a notice, without touching the customer on screen.
  await simulator.getByRole('button', { name: 'Code produit' }).click();
  await expect(cashier.getByRole('status').filter({ hasText: 'Code produit scanné : ce n’est pas une carte Fidèle.' })).toBeVisible();

  const field = simulator.getByRole('textbox', { name: 'Code à lire' });
  await field.fill(formatCardNumber(kiosk.known.helene.cardNumber));
  await simulator.getByRole('button', { name: 'QR portefeuille' }).click();
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Hélène Lefèvre' })).toBeVisible();

  await field.fill('12345');
  await simulator.getByRole('button', { name: 'QR portefeuille' }).click();
  await expect(simulator.getByTestId('sim-result')).toContainText('Un numéro de carte compte 13 chiffres.');

  await field.fill(kiosk.known.claire.cardNumber);
  await simulator.getByRole('button', { name: 'Scanner', exact: true }).click();
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
});
