import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatCardNumber } from '../../src/shared/domain/card-number';
import { fileItAccessStore, setItPin } from '../../src/main/core/it/it-gate';
import { seededRandom } from '../../src/main/core/ports';
import { E2E_MANAGER_PIN, expect, expectNoSeriousA11yViolations, snap, snapAtBothSizes, test } from './fixture';

/** The real drivers against the socat simulators: the test page goes through the printer's queue and its driver. */
test.use({ kioskDevices: 'rig' });

const IT_PIN = '739150';

test('IT view: the manager PIN and a wrong PIN are refused, the IT PIN opens it; test scan and test page, bundle downloaded without member data', async ({ kiosk, cashier }) => {
  test.setTimeout(90_000);
  // As `npm run it:pin -- --data <folder>` does on the machine (cheap scrypt: the e2e measures screens, not hashing).
  setItPin(fileItAccessStore(dirname(kiosk.core.db.name)), IT_PIN, seededRandom(21), { N: 1024, r: 8, p: 1 });
  await expect(cashier.getByTestId('cashier-devices')).toContainText('Imprimante : prêt');

  await cashier.getByTestId('it-open').click();
  const view = cashier.getByTestId('it-view');
  await expect(view.getByRole('heading', { name: 'Code informatique' })).toBeVisible();
  await expect(view.getByLabel('Code informatique (4 à 12 chiffres)')).toBeFocused();
  await expectNoSeriousA11yViolations(cashier, 'IT view, PIN pad');
  await snapAtBothSizes(cashier, 'it-view-pin');

  // The touch keypad: the manager's PIN is not the IT PIN.
  for (const digit of E2E_MANAGER_PIN) await view.getByRole('button', { name: digit, exact: true }).click();
  await view.getByRole('button', { name: 'Déverrouiller' }).click();
  await expect(view.getByTestId('it-pin-error')).toHaveText('Code informatique incorrect.');
  await expect(view.getByTestId('it-version')).toHaveCount(0);
  // Nor does the screen get round the main process: locked, it refuses.
  const locked = await kiosk.core.dispatch('cashier', 'it.overview', {});
  expect(locked.ok ? 'opened' : locked.error.code).toBe('it_locked');

  // The keyboard: type the PIN, Enter.
  await view.getByLabel('Code informatique (4 à 12 chiffres)').pressSequentially(IT_PIN);
  await cashier.keyboard.press('Enter');
  await expect(view.getByTestId('it-version')).toContainText('Version');
  // The update policy's panel, the one the Diagnostic dialog shows.
  await expect(view.getByTestId('it-version').getByTestId('update-panel')).toBeVisible();
  await expect(view.getByTestId('it-terminal')).toContainText('test-t1');
  await expect(view.getByTestId('it-data')).toContainText(dirname(kiosk.core.db.name));
  await expect(view.getByTestId('it-till-api')).toContainText('http://127.0.0.1:');
  await expect(view.getByTestId('it-devices')).toContainText('Imprimante');

  // Test page: through the print queue to the simulated printer.
  await view.getByTestId('it-test-print').click();
  await expect(view.getByTestId('it-print-outcome')).toContainText('Page de test envoyée');
  await expect
    .poll(async () => {
      const printed = await kiosk.core.dispatch('simulator', 'sim.printed', {});
      return printed.ok ? (printed.value as { pages: Array<{ text: string }> }).pages.map((p) => p.text).join('\n') : '';
    })
    .toContain('PAGE DE TEST');

  // Test scan: the card read identifies no one, and only its last digits show.
  const card = kiosk.known.claire.cardNumber;
  await view.getByTestId('it-test-scan').click();
  await expect(view.getByTestId('it-scan-outcome')).toContainText('Scannez un code');
  await kiosk.scan(card);
  await expect(view.getByTestId('it-scan-outcome')).toContainText(`une carte de fidélité, 13 caractères, se termine par …${card.slice(-4)}`);
  await expect(view.getByTestId('it-scan-outcome')).not.toContainText(card);
  expect(kiosk.core.session.current().phase).toBe('idle');

  await expect(view.getByTestId('it-log')).toContainText('"level"');
  await expectNoSeriousA11yViolations(cashier, 'IT view, unlocked');
  await view.evaluate((dialog) => dialog.scrollTo(0, 0));
  await snapAtBothSizes(cashier, 'it-view');
  // The log and the last sections, at the bottom of the dialog, at both sizes too.
  for (const [width, height] of [
    [1920, 1080],
    [1280, 800],
  ] as const) {
    await cashier.setViewportSize({ width, height });
    await view.evaluate((dialog) => dialog.scrollTo(0, dialog.scrollHeight));
    await snap(cashier, `it-view-log-${width}x${height}`);
  }

  // The diagnostics bundle: written in the data folder and downloaded, with no member's name, email, phone or card.
  await view.getByTestId('it-export-button').click();
  await expect(view.getByTestId('it-export-outcome')).toContainText('Diagnostic enregistré');
  const [download] = await Promise.all([cashier.waitForEvent('download'), view.getByTestId('it-export-download').click()]);
  expect(download.suggestedFilename()).toMatch(/^fidele-diagnostics-test-t1-\d{8}T\d{6}Z\.json$/);
  const bundle = readFileSync(await download.path(), 'utf8');
  expect(JSON.parse(bundle)).toMatchObject({ format: 'fidele-diagnostics/1', terminal: { terminalId: 'test-t1' } });
  for (const member of Object.values(kiosk.known)) {
    const detail = kiosk.core.members.detail(member.id)!;
    for (const value of [detail.firstName, detail.lastName, detail.email, detail.phone, detail.cardNumber, formatCardNumber(detail.cardNumber)]) {
      if (value) expect(bundle, value).not.toContain(value);
    }
  }

  // No supervisor around the test's kiosk: the restart says it cannot, and nothing stops.
  await view.getByRole('button', { name: 'Redémarrer l’application' }).click();
  await view.getByRole('button', { name: 'Confirmer le redémarrage' }).click();
  await expect(view.getByTestId('it-restart-outcome')).toContainText('Redémarrage impossible ici');

  // Locking from the view (or closing it) closes the session in the main process.
  await view.getByRole('button', { name: 'Verrouiller' }).click();
  await expect(view.getByRole('heading', { name: 'Code informatique' })).toBeVisible();
  const after = await kiosk.core.dispatch('cashier', 'it.overview', {});
  expect(after.ok ? 'opened' : after.error.code).toBe('it_locked');
});

test('the IT view goes back to its PIN pad after the idle time, and on a session the core has closed', async ({ kiosk, cashier }) => {
  setItPin(fileItAccessStore(dirname(kiosk.core.db.name)), IT_PIN, seededRandom(22), { N: 1024, r: 8, p: 1 });
  await cashier.clock.install();
  await cashier.getByTestId('it-open').click();
  const view = cashier.getByTestId('it-view');
  await view.getByLabel('Code informatique (4 à 12 chiffres)').pressSequentially(IT_PIN);
  await cashier.keyboard.press('Enter');
  await expect(view.getByTestId('it-terminal')).toContainText('test-t1');
  await cashier.clock.fastForward('05:01');
  await expect(view.getByTestId('it-pin-error')).toHaveText('Session informatique expirée : saisissez à nouveau le code.');
  await expect(view.getByTestId('it-terminal')).toHaveCount(0);

  // Locked in the core behind the screen's back (another window locked it): the next action asks for the PIN.
  await view.getByLabel('Code informatique (4 à 12 chiffres)').pressSequentially(IT_PIN);
  await cashier.keyboard.press('Enter');
  await expect(view.getByTestId('it-terminal')).toContainText('test-t1');
  await kiosk.core.dispatch('cashier', 'it.lock', {});
  await view.getByRole('button', { name: 'Actualiser' }).click();
  await expect(view.getByTestId('it-pin-error')).toHaveText('Session informatique expirée : saisissez à nouveau le code.');
});
