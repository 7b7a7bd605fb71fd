import type { Page } from '@playwright/test';
import { expect, scannerTypes, test } from './fixture';

/**
 * A keyboard-wedge scanner set to a US layout, plugged into an AZERTY till:
 * it presses the digit keys without Shift, so the till's layout turns
 * « 0499… » into « à(çç… ». The cashier screen reads the physical keys.
 */
const AZERTY_UNSHIFTED: Record<string, string> = {
  Digit1: '&', Digit2: 'é', Digit3: '"', Digit4: "'", Digit5: '(', Digit6: '-', Digit7: 'è', Digit8: '_', Digit9: 'ç', Digit0: 'à',
};

/** Key events as the scanner sends them: `gapMs` apart, then Enter. */
async function wedgeType(page: Page, digits: string, gapMs: number) {
  await page.evaluate(
    async ({ digits, keys, gapMs }) => {
      const fire = (code: string, key: string) =>
        document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { code, key, bubbles: true, cancelable: true }));
      for (const d of digits) {
        fire(`Digit${d}`, keys[`Digit${d}`]!);
        if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
      }
      fire('Enter', 'Enter');
    },
    { digits, keys: AZERTY_UNSHIFTED, gapMs },
  );
}

test('a wedge scanner on an AZERTY till still reads the card: digits come from the physical keys', async ({ kiosk, cashier }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await wedgeType(cashier, kiosk.known.helene.cardNumber, 0);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Hélène Lefèvre' })).toBeVisible();
});

test('keys typed at a human pace are not taken for a scan', async ({ kiosk, cashier }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  // Past the 100 ms that even a learnt limit never exceeds (a recognised card may be up to that slow).
  await wedgeType(cashier, kiosk.known.helene.cardNumber, 150);
  await cashier.waitForTimeout(300);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Hélène Lefèvre' })).toHaveCount(0);
});

test('a scanner on a slow USB poll, keys 35 ms apart, is still a scan', async ({ kiosk, cashier }) => {
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');
  await scannerTypes(cashier, kiosk.known.helene.cardNumber, 35);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Hélène Lefèvre' })).toBeVisible();
});
