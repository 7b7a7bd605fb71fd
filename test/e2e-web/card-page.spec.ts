import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createEnrolCode } from '../../src/hq/enrolment';
import { qrPath } from '../../src/shared/domain/qr-code';
import { enrolOnCustomerScreen, expect, expectNoSeriousA11yViolations, snap, test, tillSale } from './fixture';

test.use({ kioskHq: true });
// Two browser contexts, each with an axe run, after the kiosk and HQ start: more than the default budget on a shared machine.
test.describe.configure({ timeout: 120_000 });

/** Where people look at the card page's screenshots, besides artifacts/screens. */
const NOTES = process.env.FIDELE_NOTES_SCREENS;

async function shoot(page: Page, name: string): Promise<void> {
  await snap(page, name);
  if (NOTES) {
    mkdirSync(NOTES, { recursive: true });
    await page.screenshot({ path: join(NOTES, `${name}.png`), fullPage: true });
  }
}

/**
 * The card QR does what the screen says: on a terminal enrolled with HQ, the
 * enrolment screen's QR is the link to the card's page at HQ, and that page
 * opens on a phone with the card (barcode, QR, balance, first name), under
 * HQ's CSP without a single refusal, installable.
 */
test('the enrolment QR opens the card page at HQ, readable at phone size and on a desktop', async ({ kiosk, customer, browser }) => {
  const { code } = await createEnrolCode(kiosk.hq!.ctx, 'paris-11', kiosk.core.ledger.terminalId);
  const enrolled = await kiosk.core.dispatch('cashier', 'sync.enrol', { code, storeId: 'paris-11' });
  expect(enrolled.ok).toBe(true);

  const result = await enrolOnCustomerScreen(kiosk, { firstName: 'Nora', lastName: 'Martin', email: 'nora.martin@example.fr', phone: '06 55 44 33 22' });
  if (!result.ok) throw new Error(result.error.message);
  const { cardPageUrl, member } = result.value as { cardPageUrl: string | null; member: { id: string; cardNumber: string } };
  expect(cardPageUrl).toMatch(new RegExp(`^${kiosk.hq!.url}/c/`));

  // The customer screen: the QR holds the link, and the text says what it does.
  const qr = customer.getByTestId('customer-card-qr');
  await expect(qr).toHaveAccessibleName(/^QR code qui ouvre la page de la carte/);
  await expect(qr.locator('path')).toHaveAttribute('d', qrPath(cardPageUrl!).d);
  await expect(customer.getByTestId('customer-qr-hint')).toHaveText('Scannez ce QR code avec votre téléphone pour garder votre carte sur l’écran d’accueil.');
  await shoot(customer, 'cardpage-customer-enrolled-qr');

  // A first purchase: the page shows HQ's balance once the till's push reached it.
  kiosk.core.loyalty.commit(tillSale(member.id, [8_400]));
  const balance = kiosk.core.ledger.points(member.id).balance;
  expect(balance).toBeGreaterThan(0);

  for (const [name, viewport] of [
    ['cardpage-phone', { width: 390, height: 844 }],
    ['cardpage-desktop', { width: 1280, height: 800 }],
  ] as const) {
    const context = await browser.newContext({ viewport, ...(name === 'cardpage-phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}) });
    const phone = await context.newPage();
    const refusals: string[] = [];
    phone.on('console', (m) => {
      if (m.type() === 'error') refusals.push(m.text());
    });
    // The member reached HQ with the pull the enrolment started; a phone scanning a second later finds the card.
    await expect.poll(async () => (await phone.goto(cardPageUrl!))!.status(), { timeout: 15_000 }).toBe(200);
    await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Bonjour Nora');
    await expect
      .poll(async () => {
        await phone.reload();
        return phone.getByTestId('card-balance').textContent();
      }, { timeout: 15_000 })
      .toBe(`${balance} points`);
    await expect(phone.getByRole('img', { name: /^Code-barres de la carte/ })).toBeVisible();
    await expect(phone.getByRole('img', { name: /^QR code de la carte/ })).toBeVisible();
    await expect(phone.getByTestId('card-number')).toHaveText(`${member.cardNumber[0]} ${member.cardNumber.slice(1, 7)} ${member.cardNumber.slice(7)}`);
    await expect(phone.locator('body')).not.toContainText('Martin');
    await expect(phone.locator('body')).not.toContainText('nora.martin');
    // The stylesheet applied: the CSP let it through.
    await expect(phone.locator('.card-top')).toHaveCSS('background-color', 'rgb(31, 95, 191)');
    // What Chromium makes of the manifest, as its install check reads it.
    const cdp = await context.newCDPSession(phone);
    const manifest = (await cdp.send('Page.getAppManifest')) as { url: string; errors: unknown[]; data?: string };
    expect(manifest.url).toContain('/card/manifest.webmanifest?c=');
    expect(manifest.errors).toEqual([]);
    expect(new URL((JSON.parse(manifest.data!) as { start_url: string }).start_url, cardPageUrl!).href).toBe(cardPageUrl);
    expect(refusals).toEqual([]);
    await expectNoSeriousA11yViolations(phone, `card page ${name}`);
    await shoot(phone, name);
    if (name === 'cardpage-phone') {
      await phone.getByRole('link', { name: 'English' }).click();
      await expect(phone.getByRole('heading', { level: 1 })).toHaveText('Hello Nora');
      await shoot(phone, 'cardpage-phone-en');
    }
    await context.close();
  }
});
