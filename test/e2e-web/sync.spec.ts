import { createEnrolCode } from '../../src/hq/enrolment';
import { startHq } from '../../src/hq/server';
import { silentLogger } from '../../src/main/core/ports';
import { expect, snap, test, tillSale } from './fixture';

test.use({ kioskHq: true });

/**
 * The link with HQ as the cashier and IT staff see it: a terminal configured
 * with an HQ but not enrolled, enrolled from the diagnostics dialog with a
 * one-time code, its sales reaching HQ, then HQ going away while the till
 * keeps selling and says how much is waiting.
 */
test('IT enrols the terminal from the cashier screen; the indicator follows HQ', async ({ kiosk, cashier, customer }) => {
  // Twelve thousand sales are rung up during the outage, then caught up.
  test.setTimeout(150_000);
  const indicator = cashier.getByTestId('sync-indicator');
  await expect(indicator).toHaveText('Siège : caisse non enrôlée');

  await indicator.click();
  const panel = cashier.getByTestId('sync-panel');
  const form = panel.getByTestId('sync-enrol');
  await expect(form.getByLabel('Identifiant du magasin')).toHaveValue('paris-11');
  await form.getByLabel('Code d’enrôlement').fill('abc');
  await form.getByRole('button', { name: 'Enrôler' }).click();
  await expect(panel.getByRole('alert')).toHaveText('Le code comporte des lettres, des chiffres et des tirets.');
  await form.getByLabel('Code d’enrôlement').fill('WRONG-CODE-12345');
  await form.getByRole('button', { name: 'Enrôler' }).click();
  await expect(panel.getByRole('alert')).toHaveText('Code d’enrôlement inconnu.');
  await snap(cashier, 'cashier-sync-enrol');

  // IT makes the code for the terminal id the form shows.
  const terminalId = (await form.getByTestId('sync-enrol-terminal').textContent())!;
  const { code } = await createEnrolCode(kiosk.hq!.ctx, 'paris-11', terminalId);
  await form.getByLabel('Code d’enrôlement').fill(code.toLowerCase());
  await form.getByRole('button', { name: 'Enrôler' }).click();
  await expect(indicator).toHaveText('Siège : à jour');
  await expect(panel.getByTestId('sync-enrol')).toHaveCount(0);

  // A sale is pushed without anyone asking: the indicator stays calm and HQ holds the entry.
  kiosk.core.loyalty.commit(tillSale(kiosk.known.claire.id, [4_500]));
  await expect
    .poll(async () => (await kiosk.hq!.ctx.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM journal_entry'))[0]!.n, { timeout: 15_000 })
    .toBe(kiosk.core.ledger.head().seq);
  await expect(panel.getByTestId('sync-backlog')).toHaveText('0');
  await snap(cashier, 'cashier-sync-diagnostics');

  const hqUrl = kiosk.hq!.url;
  await kiosk.hq!.close();
  kiosk.hq = null;
  kiosk.core.loyalty.commit(tillSale(kiosk.known.claire.id, [2_000]));
  await panel.getByRole('button', { name: 'Synchroniser maintenant' }).click();
  await expect(indicator).toHaveText(/^Siège injoignable : [1-9]\d* en attente$/);
  await expect(panel).toContainText('Les ventes continuent');
  await cashier.getByRole('button', { name: 'Fermer' }).click();
  await snap(cashier, 'cashier-sync-offline');

  // HQ away, a card this till never saw: it earns on a provisional member, and the cashier is told why.
  await kiosk.scan(kiosk.unknownCard);
  const member = cashier.getByTestId('cashier-member');
  await expect(member.getByRole('heading', { level: 2 })).toHaveText('Carte inconnue de cette caisse');
  await expect(member).toContainText('Pas d’utilisation de points');
  await snap(cashier, 'cashier-provisional-card');
  // The customer has no name here yet: a plain hello, and where this visit's points go.
  await expect(customer.getByTestId('customer-greeting')).toHaveText('Bonjour !');
  await expect(customer.locator('.greeting-subtitle')).toContainText('rejoindront votre compte');
  await expect(customer.getByTestId('customer-points-balance')).toHaveCount(0);
  await expect(customer.locator('.points-panel')).toContainText('dès que la caisse sera de nouveau en ligne');
  await snap(customer, 'customer-provisional-card');
  const greeted = await kiosk.core.dispatch('cashier', 'session.get', {});
  if (!greeted.ok || (greeted.value as { phase: string }).phase !== 'identified') throw new Error('the card was not greeted');
  kiosk.core.loyalty.commit(tillSale((greeted.value as { memberId: string }).memberId, [4_500]));
  await expect(customer.getByTestId('customer-points-earned')).toHaveText(/^\+\d+ points$/);
  await expect(customer.locator('.points-panel')).toContainText('Ils rejoindront votre compte');
  await expect(customer.getByTestId('customer-points-balance')).toHaveCount(0);
  await snap(customer, 'customer-provisional-sale');
  await cashier.getByRole('button', { name: 'Client suivant' }).click();

  // A long outage: thousands of sales wait; HQ comes back and the diagnostics show the catch-up.
  const port = Number(new URL(hqUrl).port);
  for (let i = 0; i < 12_000; i++) kiosk.core.ledger.commit(tillSale(kiosk.known.helene.id, [1_000 + (i % 40) * 10]));
  // The dialog is open before HQ is back: the drain takes seconds, and the test must not miss it.
  await indicator.click();
  await expect(panel.getByTestId('sync-backlog')).not.toHaveText('0');
  // The terminal goes back online at HQ's first answer and drains fast: every state the screen shows is
  // recorded as it is drawn, so the catch-up is seen however short it is.
  await cashier.evaluate(() => {
    const seen = new Set<string>();
    (window as unknown as { syncSeen: Set<string> }).syncSeen = seen;
    const record = () => {
      const shown = document.querySelector('[data-testid="sync-indicator"]')?.textContent;
      if (shown) seen.add(`indicator:${shown}`);
      if (document.querySelector('[data-testid="sync-panel"] [data-testid="sync-progress"]')) seen.add('progress');
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  kiosk.hq = await startHq({ dataDir: kiosk.hqDir, port, logger: silentLogger, maintenanceIntervalMs: 0 });
  await panel.getByRole('button', { name: 'Synchroniser maintenant' }).click();
  await expect(indicator).toHaveText('Siège : à jour', { timeout: 60_000 });
  await expect(panel.getByTestId('sync-backlog')).toHaveText('0');
  const seen = await cashier.evaluate(() => [...(window as unknown as { syncSeen: Set<string> }).syncSeen]);
  expect(seen.filter((s) => /^indicator:Siège : rattrapage \d+ %$/.test(s)).length, seen.join(' | ')).toBeGreaterThan(0);
  expect(seen).toContain('progress');
});
