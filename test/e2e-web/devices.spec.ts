import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, expectNoSeriousA11yViolations, snap, test } from './fixture';

/** The real drivers against the socat simulators, as `npm start` runs the browser mode. */
test.use({ kioskDevices: 'rig' });

const RECEIPTS = resolve('artifacts/receipts');
const CARD_UID = '04A1B2C3D4E5F6';

test('the simulator page scans a card and taps an NFC card; both screens react', async ({ kiosk, cashier, customer, simulator }) => {
  const devices = cashier.getByTestId('cashier-devices');
  await expect(devices).toContainText('Scanner : prêt');
  await expect(devices).toContainText('Lecteur NFC : prêt');
  await expect(devices).toContainText('Imprimante : prêt');
  await expect(simulator.getByRole('heading', { name: 'Présenter une carte NFC' })).toBeVisible();

  // A scan through the serial scanner's pty.
  await simulator.getByRole('textbox', { name: 'Code à lire' }).fill(kiosk.known.claire.cardNumber);
  await simulator.getByRole('button', { name: 'Scanner', exact: true }).click();
  await expect(simulator.getByTestId('sim-result')).toContainText('Accepté');
  const member = cashier.getByTestId('cashier-member');
  await expect(member.getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');

  // A phone is refused for pairing, then the card is paired.
  await member.getByRole('button', { name: 'Associer une carte NFC' }).click();
  await expect(cashier.getByTestId('cashier-nfc-pairing')).toContainText('Présentez la carte NFC');
  await simulator.getByRole('button', { name: 'Téléphone (identifiant aléatoire)' }).click();
  await expect(cashier.getByTestId('cashier-nfc-pairing')).toContainText('c’est un téléphone');
  await member.getByRole('button', { name: 'Associer une carte NFC' }).click();
  await simulator.getByRole('button', { name: `Carte NFC ${CARD_UID}` }).click();
  await expect(cashier.getByTestId('cashier-nfc-pairing')).toContainText(`Carte NFC ${CARD_UID} associée`);
  expect(kiosk.core.hardware!.tags.cardFor(CARD_UID)).toBe(kiosk.known.claire.cardNumber);

  // Next customer; then Claire taps her card and both screens know her.
  await member.getByRole('button', { name: 'Client suivant' }).click();
  await expect(customer.getByTestId('customer-greeting')).toHaveCount(0);
  await simulator.getByRole('button', { name: `Carte NFC ${CARD_UID}` }).click();
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
  await snap(simulator, 'simulator-devices');
});

test('a manual sale prints the receipt shown on the simulator page; paper out shows on the cashier status bar', async ({ kiosk, cashier, simulator }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Imprimante : prêt');
  await kiosk.scan(kiosk.known.claire.cardNumber);
  const member = cashier.getByTestId('cashier-member');
  await expect(member.getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();

  await cashier.getByRole('button', { name: 'Vente manuelle' }).click();
  const form = cashier.getByTestId('cashier-manual-sale');
  await form.getByLabel('Montant TTC (€)').fill('42,50');
  await expect(cashier.getByTestId('cashier-manual-earned')).toBeVisible();
  await form.getByRole('button', { name: 'Valider la vente' }).click();
  await expect(cashier.getByTestId('cashier-manual-result')).toContainText('Points gagnés');

  await expect(simulator.getByTestId('sim-printed-count')).toContainText('Tickets imprimés : 1');
  const printed = simulator.getByTestId('sim-printed-text');
  await expect(printed).toContainText('Points gagnés');
  await expect(printed).toContainText('Claire');
  await expect(printed).toContainText('42,50 €');
  await expect(simulator.getByTestId('sim-receipt-preview')).toBeVisible();
  // The preview is a real picture (decoded, with a width), not a broken image.
  expect(await simulator.getByTestId('sim-receipt-preview').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);

  const result = await kiosk.core.dispatch('simulator', 'sim.printed', {});
  if (!result.ok) throw new Error(result.error.message);
  const { lastReceiptSvg } = result.value as { lastReceiptSvg: string };
  mkdirSync(RECEIPTS, { recursive: true });
  writeFileSync(join(RECEIPTS, 'printed-manual-sale.svg'), lastReceiptSvg);
  await simulator.getByTestId('sim-receipt-preview').screenshot({ path: join(RECEIPTS, 'printed-manual-sale.png') });
  await expect(simulator.getByTestId('sim-printed-codes')).toContainText(kiosk.known.claire.cardNumber);
  await snap(simulator, 'simulator-receipt');

  // Out of paper: the cashier sees it at once, and the next receipt waits.
  await simulator.getByRole('button', { name: 'Plus de papier', exact: true }).click();
  const printer = cashier.getByTestId('cashier-devices').locator('[data-device="printer"]');
  await expect(printer).toContainText('Imprimante : plus de papier');
  await expect(printer).toHaveAttribute('data-condition', 'paper_out');
  const again = kiosk.core.loyalty.manualCommit({ memberId: kiosk.known.claire.id, lines: [{ category: 'grocery', amountCents: 990, taxRateBp: 550 }] });
  expect(again.pointsEarned).toBeGreaterThanOrEqual(0);
  await expect(printer).toContainText('tickets en attente : 1');
  await snap(cashier, 'cashier-device-status');

  await simulator.getByRole('button', { name: 'Remettre du papier' }).click();
  await expect(printer).toContainText('Imprimante : prêt');
  await expect(printer).not.toContainText('tickets en attente');
  await expect(simulator.getByTestId('sim-printed-count')).toContainText('Tickets imprimés : 2');

  // The IT view lists the devices and what the drivers noticed.
  await cashier.getByRole('button', { name: 'Diagnostic' }).click();
  const dialog = cashier.getByTestId('cashier-diagnostics');
  await expect(dialog.getByRole('heading', { name: 'Diagnostic' })).toBeVisible();
  await expect(dialog.getByTestId('cashier-diagnostics-devices')).toContainText('Imprimante (simulée)');
  await expect(dialog.getByTestId('cashier-diagnostics-devices')).toContainText('Lecteur NFC (simulé)');
  await snap(cashier, 'cashier-diagnostics');
  await expectNoSeriousA11yViolations(cashier, 'cashier, Diagnostic');
  await dialog.getByRole('button', { name: 'Fermer' }).click();
  await expect(dialog).toHaveCount(0);
});
