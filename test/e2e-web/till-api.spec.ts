import { randomUUID } from 'node:crypto';
import { formatPoints } from '../../src/shared/domain/receipt-layout';
import { expect, snap, test, type Kiosk } from './fixture';

/**
 * The cash register talks to the terminal over the till API, and both screens
 * follow: the customer sees the points arrive, the cashier the new balance;
 * a refund from the till puts the balance back. The figures asserted are the
 * API's own answers, shown with the French grouping (« 1 250 pts »), since the
 * real clock decides whether a promotion applies.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function till(kiosk: Kiosk, path: string, body: unknown): Promise<any> {
  const response = await fetch(kiosk.tillApi.origin + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${kiosk.tillApi.token}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  expect(response.status, JSON.stringify(json)).toBe(200);
  return json;
}

/** A basket of groceries at 5,5 % VAT, paid by card: 1 319,48 € earns 1 250 points on an ordinary day. */
function groceries(memberId: string, receipt: string, cents = 131_948) {
  return {
    tillId: 'caisse-1',
    receipt,
    memberId,
    lines: [{ lineId: '1', sku: 'SKU-CADDIE', label: 'Courses de la semaine', category: 'grocery', quantity: 1, unitPriceCents: cents, taxRateBp: 550 }],
    payments: [{ method: 'card', amountCents: cents }],
  };
}

const pts = (n: number) => `${formatPoints('fr', n)} pts`;

test('a sale from the till for Claire, once identified, shows on both screens', async ({ kiosk, cashier, customer }) => {
  const claire = kiosk.known.claire;
  const identified = await till(kiosk, '/v1/identify', { code: claire.cardNumber });
  expect(identified.member.firstName).toBe('Claire');
  await expect(customer.getByText(/Bonjour\s+Claire/)).toBeVisible();
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(0));

  const { sale, receiptLines } = await till(kiosk, '/v1/sales', groceries(claire.id, 'E2E-0001'));
  expect(sale.pointsEarned).toBeGreaterThanOrEqual(1000);
  expect(receiptLines.join('\n')).toContain(pts(sale.balanceAfter));

  await expect(customer.getByTestId('customer-points-earned')).toHaveText(`+${formatPoints('fr', sale.pointsEarned)} points`);
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(sale.balanceAfter));
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(sale.balanceAfter));
  await snap(customer, 'till-api-customer-sale');
  await snap(cashier, 'till-api-cashier-sale');
});

test('a refund from the till restores the balance on the cashier screen', async ({ kiosk, cashier, customer }) => {
  const claire = kiosk.known.claire;
  await till(kiosk, '/v1/identify', { phone: '06 12 34 56 78' });
  await expect(customer.getByText(/Bonjour\s+Claire/)).toBeVisible();
  const first = (await till(kiosk, '/v1/sales', groceries(claire.id, 'E2E-0002', 8440))).sale;
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(first.balanceAfter));
  const second = (await till(kiosk, '/v1/sales', groceries(claire.id, 'E2E-0003'))).sale;
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(second.balanceAfter));

  const { refund } = await till(kiosk, '/v1/refunds', { refundId: 'E2E-R-0003', sale: { tillId: 'caisse-1', receipt: 'E2E-0003' }, lines: 'all' });
  expect(refund.balanceAfter).toBe(first.balanceAfter);
  await expect(cashier.getByTestId('cashier-points-balance')).toHaveText(pts(first.balanceAfter));
  await expect(customer.getByTestId('customer-points-balance')).toHaveText(pts(first.balanceAfter));
  await snap(cashier, 'till-api-cashier-refund');
});
