import type { Page } from '@playwright/test';
import { systemClock } from '../../src/main/core/ports';
import { checkAndPicture, expect, NOTES_SCREENS, test, tillSale } from './fixture';

/**
 * Regularity on both screens (issue 14 item 5): a member who shopped each of
 * the last three weeks is « 3 semaines d'affilée ! » on the cashier's member
 * panel and on the customer screen, one week from the streak bonus; this
 * week's ticket over the minimum basket completes four weeks and earns the
 * bonus, and both screens move on to the next one. The past weeks' sales go
 * through the terminal's own sale path with its injected clock set back.
 * Screenshots at 1920×1080 and 1280×800 in /work/notes/screens (regularity-*).
 */
const picture = (page: Page, name: string) => checkAndPicture(page, `regularity-${name}`);
const WEEK = 7 * 86_400_000;

test.use({ viewport: { width: 1920, height: 1080 } });

test('three weeks in a row show on both screens; the fourth earns the streak bonus once', async ({ kiosk, cashier, customer }) => {
  // Four states checked with axe and pictured at two sizes: more than a plain test's budget on a shared machine.
  test.slow();
  const { claire } = kiosk.known;
  const now = systemClock.now;
  const today = Date.now();
  try {
    for (const weeksAgo of [3, 2, 1]) {
      systemClock.now = () => today - weeksAgo * WEEK;
      kiosk.core.ledger.commit(tillSale(claire.id, [1500]));
    }
  } finally {
    systemClock.now = now;
  }
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');

  await kiosk.scan(claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  const till = cashier.getByTestId('cashier-regularity');
  await expect(till.getByTestId('cashier-regularity-streak')).toHaveText("3 semaines d'affilée !");
  await expect(till).toContainText('Venu 3 semaines sur les 12 dernières');
  await expect(till.getByTestId('cashier-regularity-next')).toHaveText("Plus qu'une semaine pour 20 pts de bonus");
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour Claire');
  const screen = customer.getByTestId('customer-regularity');
  await expect(screen.getByTestId('customer-regularity-streak')).toHaveText("3 semaines d'affilée !");
  await expect(screen.getByTestId('customer-regularity-next')).toHaveText("Plus qu'une semaine pour 20 pts de bonus");
  await picture(cashier, 'cashier-streak');
  await picture(customer, 'customer-streak');
  await customer.getByRole('group', { name: 'Langue' }).getByRole('button', { name: 'English' }).click();
  await expect(screen.getByTestId('customer-regularity-streak')).toHaveText('3 weeks in a row!');
  await expect(screen.getByTestId('customer-regularity-next')).toHaveText('Just one more week for 20 bonus pts');
  await customer.getByRole('group', { name: 'Language' }).getByRole('button', { name: 'Français' }).click();

  // This week's ticket completes four weeks: 12 points for the basket and the 20-point bonus, once.
  const sale = tillSale(claire.id, [1500]);
  expect(kiosk.core.loyalty.commit(sale).pointsEarned).toBe(32);
  await expect(till.getByTestId('cashier-regularity-streak')).toHaveText("4 semaines d'affilée !");
  await expect(till.getByTestId('cashier-regularity-next')).toHaveText("Encore 4 semaines d'affilée pour 20 pts de bonus");
  await expect(screen.getByTestId('customer-regularity-streak')).toHaveText("4 semaines d'affilée !");
  await expect(screen.getByTestId('customer-regularity-next')).toHaveText("Encore 4 semaines d'affilée pour 20 pts de bonus");
  await expect(customer.getByText('+32 points')).toBeVisible();
  await expect(cashier.getByTestId('cashier-points')).toContainText('68');
  await picture(cashier, 'cashier-bonus');
  await picture(customer, 'customer-bonus');
  // Replayed by the till, or followed by another ticket this week: no second bonus.
  expect(kiosk.core.loyalty.commit(sale).pointsEarned).toBe(32);
  expect(kiosk.core.loyalty.commit(tillSale(claire.id, [1500])).pointsEarned).toBe(12);
  await expect(cashier.getByTestId('cashier-points')).toContainText('80');
  await expect(screen.getByTestId('customer-regularity-streak')).toHaveText("4 semaines d'affilée !");

  // On the smallest customer panel the kiosk supports, the regularity lines keep within the screen's width.
  await customer.setViewportSize({ width: 1024, height: 768 });
  const box = await screen.boundingBox();
  await customer.screenshot({ path: `${NOTES_SCREENS}/regularity-customer-bonus-1024.png` });
  expect(box && box.x >= 0 && box.x + box.width <= 1024 && box.height <= 80, JSON.stringify(box)).toBe(true);
});
