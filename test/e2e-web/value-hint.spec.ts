import type { Page } from '@playwright/test';
import { applyValueHints } from '../../src/main/core/value/value-hints';
import { checkAndPicture, expect, test } from './fixture';

/**
 * HQ's customer-value hint on the cashier's screen (docs/value.md): words
 * from the segment and the last visit, never an amount; a lapsed member who
 * comes back brings a welcome-back prompt with the programme's gesture. The
 * hints arrive as the pull writes them (applyValueHints). Screenshots at
 * 1920×1080 and 1280×800 in /work/notes/screens (value-*).
 */
const picture = (page: Page, name: string) => checkAndPicture(page, `value-${name}`);

const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const WELCOME = { fr: 'Offrir 100 points de bienvenue sur ce passage', en: 'Offer 100 welcome-back points on this visit' };

test.use({ viewport: { width: 1920, height: 1080 } });

test('the cashier sees a short hint, never an amount, and a welcome back for a lapsed member', async ({ kiosk, cashier }) => {
  const { claire, helene, zoe } = kiosk.known;
  applyValueHints(
    kiosk.core.db,
    [
      { memberId: helene.id, segment: 'most_valued', pAlivePercent: 94, lastVisitOn: daysAgo(6), scoredOn: daysAgo(0), welcomeBack: null },
      { memberId: claire.id, segment: 'lapsed', pAlivePercent: 12, lastVisitOn: daysAgo(75), scoredOn: daysAgo(0), welcomeBack: WELCOME },
    ],
    [],
    Date.now(),
  );
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Scanner : prêt');

  await kiosk.scan(helene.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Hélène Lefèvre' })).toBeVisible();
  const hint = cashier.getByTestId('cashier-value-hint');
  await expect(hint).toHaveText('Repère fidélité : Client précieux');
  await expect(cashier.getByTestId('cashier-welcome-back')).toHaveCount(0);
  await picture(cashier, 'most-valued');

  await cashier.getByRole('button', { name: 'Client suivant' }).click();
  await kiosk.scan(claire.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Claire Dupont' })).toBeVisible();
  await expect(hint).toHaveText('Repère fidélité : De retour parmi nous — ne l’avons pas vu depuis 2 mois');
  const welcome = cashier.getByTestId('cashier-welcome-back');
  await expect(welcome).toContainText('Bon retour !');
  await expect(welcome).toContainText(`Geste proposé : ${WELCOME.fr}`);
  await expect(cashier.getByTestId('cashier-member')).not.toContainText('%');
  await picture(cashier, 'welcome-back');
  await welcome.getByRole('button', { name: 'C’est noté' }).click();
  await expect(welcome).toHaveCount(0);

  // A member HQ did not score (no profiling consent): no hint at all.
  await cashier.getByRole('button', { name: 'Client suivant' }).click();
  await kiosk.scan(zoe.cardNumber);
  await expect(cashier.getByTestId('cashier-member').getByRole('heading', { name: 'Zoë Le Gall' })).toBeVisible();
  await expect(hint).toHaveCount(0);
});
