import { expect, test, type Page } from '@playwright/test';
import { createStaff } from '../../src/hq/staff/accounts';
import { programmeRulesAt } from '../../src/main/core/programme/programme-book';
import { startTestHq, type TestHq } from '../hq/hq-fixture';
import { line, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from '../sync-hq/member-fleet';
import { expectNoSeriousA11yViolations, snapAtBothSizes } from './fixture';

/**
 * The Programme view in Chromium (issue 14 item 1 and its « Show »):
 * marketing doubles the earn rate and makes the coffee cheaper, sees HQ's
 * validator flag a reward priced at 0 as it is typed (and let go once
 * fixed), the basket preview move, publishes for noon after a look at the
 * diff, finds the version in the history and its diff; a second publication
 * for the same time is refused with HQ's problems listed. Then a terminal
 * pulls, and its sale before noon earns as before, after noon at the new
 * rate. HQ runs in the test process on PGlite, the terminal beside it.
 */
const HOUR = 3_600_000;
const SCREENS = '/work/notes/screens';

let hq: TestHq;
let till: Terminal;
let password = '';

test.beforeAll(async () => {
  test.setTimeout(90_000);
  hq = await startTestHq();
  // Wednesday 18 November 2026, 10:00 in Paris.
  hq.clock.value = WEDNESDAY_10H;
  password = (await createStaff(hq.ctx, { username: 'l.petit', role: 'marketing' })).password;
  till = await openTerminal(hq, 'caisse-prog-e2e', 'paris-11', 315, { rulesAt: programmeRulesAt });
  till.h.clock.value = WEDNESDAY_10H;
  // Last night's ranking of ten members: Claire spends the most and holds « basic » for now.
  const claire = till.h.members.claire.id;
  for (let i = 0; i < 10; i += 1) {
    const id = i === 0 ? claire : `membre-${i}`;
    await hq.ctx.sql.query(
      `INSERT INTO member_tier (customer_id, tier, rank_tier, previous_tier, member_rank, score, spend_cents, regular_weeks, below_runs, next_tier_gap_cents, tier_since, ranked_at, run_id)
       VALUES ($1, 'basic', 'basic', NULL, $2, $3, $3, 0, 0, NULL, $4, $4, 'run-e2e')`,
      [id, i + 1, 100_000 - i * 5_000, WEDNESDAY_10H - 9 * HOUR],
    );
  }
});

test.afterAll(async () => {
  till?.close();
  await hq?.stop();
});

async function signIn(page: Page): Promise<void> {
  await page.goto(`${hq.url}/console/programme`);
  await page.getByLabel('Identifiant').fill('l.petit');
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await expect(page).toHaveURL(/\/console\/programme$/);
}

const pointsIn = (text: string | null): number => Number(/(\d[\d\s\u202f\u00a0]*) points/.exec(text ?? '')?.[1]?.replace(/\D/g, '') ?? NaN);

test('marketing changes the earn rate and a reward, publishes for noon; the terminal applies it from noon', async ({ page }) => {
  test.setTimeout(120_000);
  await signIn(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Programme de fidélité');
  await expect(page.locator('#pg-current')).toContainText('programme par défaut (fr-2026.1)');
  await expect(page.locator('#pg-check-status')).toHaveText('Le brouillon est valide.');

  // The preview before any change: the same basket earns the same under the draft and the version in force.
  const outcome = page.locator('#pg-basket-outcome');
  await expect(outcome).toContainText('Ce panier rapporterait');
  const before = pointsIn(await outcome.locator('.pg-big').textContent());
  await expect(outcome).toContainText(`Avec la version en vigueur : ${before} points.`);

  // « Claire serait Or »: her place in last night's ranking under the draft's shares.
  const claire = till.h.members.claire.id;
  await page.getByLabel('Identifiant du membre').fill(claire);
  await expect(page.locator('#pg-member-outcome')).toHaveText(`${claire} serait Or. Rang 1 sur 10 ; aujourd’hui : Essentiel.`);

  const earn = page.getByRole('group', { name: 'Taux de gain' });
  await earn.getByLabel('Points gagnés').fill('2');
  await expect(outcome.locator('.pg-big')).not.toHaveText(`Ce panier rapporterait ${before} points.`);
  const after = pointsIn(await outcome.locator('.pg-big').textContent());
  expect(after).toBeGreaterThanOrEqual(2 * before - 1);
  await expect(outcome).toContainText(`Avec la version en vigueur : ${before} points.`);

  // A reward priced at 0: the problem appears under its field as it is typed, publishing is disabled.
  const coffee = page.getByRole('group', { name: /^Récompense 1 : Café offert/ });
  const coffeePoints = coffee.getByLabel('Points');
  await coffeePoints.fill('0');
  const problem = coffee.locator('[data-problem="programme.reward_free"]');
  await expect(problem).toHaveText('rewards.0.points Une récompense ne peut pas coûter 0 point.');
  await expect(coffeePoints).toHaveAttribute('aria-invalid', 'true');
  const describedBy = (await coffeePoints.getAttribute('aria-describedby')) ?? '';
  expect(await problem.evaluate((li, ids) => ids.split(' ').includes(li.parentElement!.id), describedBy)).toBe(true);
  await expect(page.locator('#pg-check-status')).toHaveText('1 erreur(s) à corriger avant de publier.');
  await expect(page.getByRole('button', { name: 'Publier…' })).toBeDisabled();
  await expect(outcome).toHaveText('L’aperçu reviendra quand le brouillon sera valide.');
  await expectNoSeriousA11yViolations(page, 'programme, a draft with an error');
  await snapAtBothSizes(page, 'hq-programme-error', SCREENS);
  await page.setViewportSize({ width: 1280, height: 800 });

  await coffeePoints.fill('120');
  await expect(problem).toHaveCount(0);
  await expect(coffeePoints).not.toHaveAttribute('aria-invalid');
  await expect(page.locator('#pg-check-status')).toHaveText('Le brouillon est valide.');
  await expect(outcome.locator('.pg-big')).toHaveText(`Ce panier rapporterait ${after} points.`);

  // In force at noon, Paris time, after a look at what changes.
  await page.getByLabel('Identifiant de la nouvelle version').fill('fr-2026.2');
  await page.getByLabel('Date et heure d’effet (Europe/Paris)').fill('2026-11-18T12:00');
  await expect(page.locator('#pg-effectiveFrom-hint')).toHaveText('Enregistré comme 2026-11-18T12:00:00+01:00');
  await expect(page.locator('#pg-check-status')).toHaveText('Le brouillon est valide.');
  // By keyboard: the confirm step takes the focus; Enter on its button publishes, the outcome takes the focus.
  const publishButton = page.getByRole('button', { name: 'Publier…' });
  await expect(publishButton).toBeEnabled();
  await publishButton.press('Enter');
  const confirm = page.getByRole('group', { name: /^Publier fr-2026\.2, en vigueur le 18\/11\/2026 12:00:00/ });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByRole('heading', { level: 3 })).toBeFocused();
  await expect(confirm.locator('tr[data-path="earn.points"]')).toContainText('12');
  await expect(confirm.locator('tr[data-path="rewards[cafe-offert].points"]')).toContainText('150120');
  await expectNoSeriousA11yViolations(page, 'programme, confirming');
  await confirm.getByRole('button', { name: 'Confirmer la publication' }).press('Enter');
  await expect(page.locator('#pg-outcome')).toBeFocused();
  await expect(page.locator('#pg-outcome')).toHaveText(/Version fr-2026\.2 publiée par staff:l\.petit : en vigueur le 18\/11\/2026 12:00:00/);

  // The history and the next version; the diff from the default programme.
  const row = page.locator('#pg-history tr[data-version="fr-2026.2"]');
  await expect(row).toContainText('programmée');
  await expect(row).toContainText('18/11/2026 12:00:00');
  await expect(row).toContainText('staff:l.petit');
  await expect(page.locator('#pg-next')).toContainText('Prochaine version : fr-2026.2');
  await expect(page.locator('#pg-diff-h')).toHaveText('Différences de programme par défaut à fr-2026.2');
  await expect(page.locator('#pg-version-diff tr[data-path="earn.points"] .pg-before')).toHaveText('1');
  await expect(page.locator('#pg-version-diff tr[data-path="earn.points"] .pg-after')).toHaveText('2');
  await expect(page.locator('#pg-version-diff tr[data-path="rewards[cafe-offert].points"] .pg-after')).toHaveText('120');
  await expectNoSeriousA11yViolations(page, 'programme, published');
  await snapAtBothSizes(page, 'hq-programme-published', SCREENS);
  await page.setViewportSize({ width: 1280, height: 800 });

  // The same effective time again: HQ refuses, nothing published, every problem it gave listed.
  await expect(page.getByLabel('Identifiant de la nouvelle version')).toHaveValue('fr-2026.3');
  await page.getByRole('button', { name: 'Publier…' }).click();
  await page.getByRole('button', { name: 'Confirmer la publication' }).click();
  const refusal = page.locator('#pg-outcome');
  await expect(refusal).toHaveAttribute('role', 'alert');
  await expect(refusal).toContainText('Publication refusée, rien n’a été publié : 1 problème(s).');
  await expect(refusal.locator('[data-problem="programme.effective_not_after"]')).toContainText('effectiveFrom La date d’effet doit suivre celle de la dernière version publiée (« fr-2026.2 »');
  expect(await hq.ctx.sql.query('SELECT version FROM programme_version')).toEqual([{ version: 'fr-2026.2' }]);

  // The terminal pulls this morning; a sale before noon earns as before, one after noon (offline) at the new rate.
  expect(await till.sync.pull()).toMatchObject({ ok: true });
  till.h.clock.value = WEDNESDAY_10H + HOUR + 30 * 60_000;
  expect(till.h.ledger.commit(sale(claire, 'R-PG-1', [line(2400)]))).toMatchObject({ rulesVersion: 'fr-2026.1', pointsEarned: 20 });
  till.cut.on = true;
  till.h.clock.value = WEDNESDAY_10H + 2 * HOUR + 60_000;
  expect(till.h.ledger.commit(sale(claire, 'R-PG-2', [line(2400)]))).toMatchObject({ rulesVersion: 'fr-2026.2', pointsEarned: 40 });
  expect(till.h.ledger.rules.rewards.find((r) => r.id === 'cafe-offert')!.points).toBe(120);
});

test('the English console says the same, and an admin reads the programme without the editor', async ({ page }) => {
  const admin = (await createStaff(hq.ctx, { username: 'a.roux', role: 'admin' })).password;
  await page.goto(`${hq.url}/console/programme?lang=en`);
  await page.getByLabel('Username').fill('a.roux');
  await page.getByLabel('Password').fill(admin);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Loyalty programme');
  await expect(page.locator('#pg-history tr[data-version="fr-2026.2"]')).toContainText('staff:l.petit');
  await expect(page.getByText('Your role can read the programme; only the marketing team edits and publishes it.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Publish…' })).toHaveCount(0);
  await expectNoSeriousA11yViolations(page, 'programme, admin, English');
});

test('the JSON view: unreadable JSON blocks publishing; a reward kept for new members is a warning with its reason', async ({ page }) => {
  await signIn(page);
  const json = page.getByLabel('Document JSON du brouillon');
  const draft = JSON.parse(await json.inputValue()) as Record<string, unknown>;
  await json.fill('{ "version": ');
  await expect(page.locator('#pg-json-error')).toContainText('JSON illisible');
  await expect(json).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#pg-check-status')).toHaveText('Le JSON ne se lit pas : corrigez-le pour vérifier le brouillon.');
  await expect(page.getByRole('button', { name: 'Publier…' })).toBeDisabled();

  // The shopping bag only for members of less than 30 days, nothing as good for the others; the programme says warn.
  await json.fill(JSON.stringify({ ...draft, fairness: { newMemberOnly: 'warn' }, audiences: [{ kind: 'reward', id: 'sac-cabas', newMembersWithinDays: 30 }] }, null, 2));
  await expect(page.locator('#pg-json-error')).toHaveCount(0);
  await expect(page.locator('#pg-check-status')).toHaveText('Le brouillon est valide. 1 avertissement(s).');
  const bag = page.getByRole('group', { name: /^Récompense 2 : Sac cabas/ });
  await expect(bag.locator('[data-problem="programme.unfair_new_members"]')).toHaveText(
    'rewards.1 Injuste envers les clients fidèles : la récompense « sac-cabas » (400 points) est réservée aux nouveaux membres et aucune récompense pour le même article à 400 points ou moins n’est ouverte aux membres de longue date.',
  );
  await expect(page.getByRole('button', { name: 'Publier…' })).toBeEnabled();
  // The form follows the JSON: the same draft.
  await expect(page.getByRole('group', { name: 'Taux de gain' }).getByLabel('Points gagnés')).toHaveValue('1');
  await expectNoSeriousA11yViolations(page, 'programme, a warning');

  // In English, the same draft and the same problem in English.
  await page.getByRole('link', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Loyalty programme');
  await expect(page.locator('#pg-check-status')).toHaveText('The draft is valid. 1 warning(s).');
  await expect(page.getByRole('group', { name: /^Reward 2: Sac cabas/ }).locator('[data-problem="programme.unfair_new_members"]')).toHaveText(
    'rewards.1 Unfair to loyal customers: reward « sac-cabas » (400 points) is reserved to new members and no reward for the same article at 400 points or fewer is open to long-standing members.',
  );
});
