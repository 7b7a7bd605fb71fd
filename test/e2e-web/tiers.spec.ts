import type { Page } from '@playwright/test';
import { applyTiers } from '../../src/main/core/tiers/tier-store';
import { checkAndPicture, expect, NOTES_SCREENS, test } from './fixture';

/**
 * Members' tiers on both screens (issue 14 item 3): a gold member scanned at
 * the till is « Membre Or » on the cashier's member panel and on the customer
 * screen; a basic member sees what is left to reach gold. The tiers arrive as
 * the pull writes them (applyTiers). Screenshots at 1920×1080 and 1280×800 in
 * /work/notes/screens (tiers-*).
 */
const picture = (page: Page, name: string) => checkAndPicture(page, `tiers-${name}`);

const gold = { fr: 'Or', en: 'Gold' };
const basic = { fr: 'Essentiel', en: 'Basic' };

test.use({ viewport: { width: 1920, height: 1080 } });

test('a gold member is gold on both screens; a basic member sees what is left to reach gold', async ({ kiosk, cashier, customer }) => {
  const { claire, helene, zoe } = kiosk.known;
  const rankedAt = Date.now() - 3_600_000;
  applyTiers(
    kiosk.core.db,
    [
      { memberId: helene.id, tier: 'gold', label: gold, next: null, rankedAt },
      { memberId: claire.id, tier: 'basic', label: basic, next: { tier: 'gold', label: gold, gapCents: 4_150 }, rankedAt },
    ],
    [],
    Date.now(),
  );
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');

  await kiosk.scan(helene.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Hélène Lefèvre' })).toBeVisible();
  const cashierTier = cashier.getByTestId('cashier-tier');
  await expect(cashierTier).toHaveText('Membre Or');
  await expect(cashierTier).toHaveAttribute('data-tier', 'gold');
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Hélène');
  const customerTier = customer.getByTestId('customer-tier');
  await expect(customerTier).toHaveText('Membre Or');
  await expect(customerTier).toHaveAttribute('data-tier', 'gold');
  await picture(cashier, 'cashier-gold');
  await picture(customer, 'customer-gold');
  // The programme's names in the customer's language.
  await customer.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).click();
  await expect(customerTier).toHaveText('Gold member');
  await customer.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'Français' }).click();
  await expect(customerTier).toHaveText('Membre Or');

  await cashier.getByRole('button', { name: 'Client suivant' }).click();
  await kiosk.scan(claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(cashierTier).toContainText('Membre Essentiel');
  await expect(cashierTier).toContainText("Plus que 42 € d'achats pour passer Or");
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
  await expect(customerTier).toContainText("Plus que 42 € d'achats pour passer Or");
  await picture(cashier, 'cashier-basic');
  await picture(customer, 'customer-basic');
  // The smallest customer panel the kiosk supports still shows it all without scrolling.
  await customer.setViewportSize({ width: 1024, height: 768 });
  const fits = await customer.evaluate(() => document.scrollingElement!.scrollHeight <= window.innerHeight && document.scrollingElement!.scrollWidth <= window.innerWidth);
  await customer.screenshot({ path: `${NOTES_SCREENS}/tiers-customer-basic-1024.png` });
  expect(fits).toBe(true);
  await customer.setViewportSize({ width: 1920, height: 1080 });

  // A member no ranking has reached yet starts basic, with no gap to show.
  await cashier.getByRole('button', { name: 'Client suivant' }).click();
  await kiosk.scan(zoe.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Zoë Le Gall' })).toBeVisible();
  await expect(cashierTier).toHaveText('Membre Essentiel');
  await expect(customerTier).toHaveText('Membre Essentiel');
});
