/**
 * Smoke tests of the real Electron shell: they need the Electron binary, which
 * cannot be downloaded on every machine, so they skip themselves (saying why)
 * where it is missing. Playwright drives the app as built in out/ (the global
 * setup builds it) from a throw-away data folder holding a few known members.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { findElectronBinary } from '../../scripts/find-electron.mjs';
import { createCore } from '../../src/main/core/core';
import { seededRandom, silentLogger, systemClock } from '../../src/main/core/ports';
import type { FideleTestHooks } from '../../src/main/electron/test-hooks';
import { methodsForRole, type Role } from '../../src/shared/contract';
import type { PreloadApi } from '../../src/renderer/api/electron-transport';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

const electronBinary = findElectronBinary();
test.skip(!electronBinary.path, `Electron binary not installed on this machine (${electronBinary.reason ?? ''})`);
test.describe.configure({ mode: 'serial' });

const root = resolve(import.meta.dirname, '../..');
const PAGES = { cashier: 'app://fidele/cashier/index.html', customer: 'app://fidele/customer/index.html' } as const;
type WindowRole = keyof typeof PAGES;

let dataDir: string;
let app: ElectronApplication;
let known: KnownMembers;
const screens = {} as Record<WindowRole, Page>;

test.beforeAll(async () => {
  if (!electronBinary.path) return;
  dataDir = mkdtempSync(join(tmpdir(), 'fidele-electron-'));
  // The same database file the app opens, filled beforehand so the test knows a card.
  const core = createCore({
    dbPath: join(dataDir, 'terminal.sqlite'),
    config: testConfig(),
    shell: 'electron',
    clock: systemClock,
    random: seededRandom(3),
    logger: silentLogger,
  });
  known = insertKnownMembers(core.members);
  await core.close();
  const configPath = join(dataDir, 'terminal.json');
  writeFileSync(configPath, JSON.stringify({ demoSeed: null, devices: 'simulated', kiosk: false }));

  const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
  app = await _electron.launch({
    executablePath: electronBinary.path,
    // Chromium refuses to run as root with its sandbox on; a CI container often is root.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), root],
    cwd: root,
    env: { ...env, FIDELE_DATA_DIR: dataDir, FIDELE_CONFIG: configPath, FIDELE_TEST_HOOKS: '1' },
    timeout: 30_000,
  });

  await expect.poll(() => app.windows().map((page) => page.url()).sort(), { timeout: 20_000 }).toEqual(Object.values(PAGES).sort());
  for (const page of app.windows()) {
    const role = (Object.keys(PAGES) as WindowRole[]).find((r) => page.url() === PAGES[r])!;
    await page.waitForLoadState('domcontentloaded');
    screens[role] = page;
  }
});

test.afterAll(async () => {
  await app?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('opens the cashier and the customer windows, both shown', async () => {
  const windows = await app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows().map((w) => ({ url: w.webContents.getURL(), visible: w.isVisible() })),
  );
  expect(windows.sort((a, b) => a.url.localeCompare(b.url))).toEqual([
    { url: PAGES.cashier, visible: true },
    { url: PAGES.customer, visible: true },
  ]);
});

test('runs every window sandboxed and isolated, without Node', async () => {
  const prefs = await app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows().map((w) => {
      // Untyped but public at runtime: the preferences the renderer was actually created with.
      const contents = w.webContents as typeof w.webContents & { getLastWebPreferences(): Record<string, unknown> | null };
      const p = contents.getLastWebPreferences();
      return {
        url: w.webContents.getURL(),
        sandbox: p?.sandbox,
        contextIsolation: p?.contextIsolation,
        nodeIntegration: p?.nodeIntegration,
        webSecurity: p?.webSecurity,
        webviewTag: p?.webviewTag,
      };
    }),
  );
  expect(prefs).toHaveLength(2);
  for (const p of prefs) {
    expect(p).toMatchObject({ sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
  }
  for (const page of Object.values(screens)) {
    expect(await page.evaluate(() => [typeof (globalThis as Record<string, unknown>).require, typeof (globalThis as Record<string, unknown>).process])).toEqual([
      'undefined',
      'undefined',
    ]);
  }
});

test('refuses to navigate a window away from its page', async () => {
  const page = screens.customer;
  await page.evaluate(() => {
    window.location.href = 'https://example.invalid/';
  });
  await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.webContents.getURL()).sort())).toEqual(
    Object.values(PAGES).sort(),
  );
});

for (const role of Object.keys(PAGES) as WindowRole[]) {
  test(`exposes to the ${role} window only its role's methods`, async () => {
    const exposed = await screens[role].evaluate(() => {
      const api = (window as unknown as { fidele?: PreloadApi }).fidele;
      return api ? { keys: Object.keys(api).sort(), role: api.role, methods: Object.keys(api.methods).sort() } : null;
    });
    expect(exposed).toEqual({ keys: ['methods', 'on', 'role'], role, methods: methodsForRole(role as Role).sort() });
  });
}

test('a scan reaches both screens', async () => {
  for (const page of Object.values(screens)) {
    await page.evaluate(() => {
      const events: Array<{ name: string; payload: unknown }> = [];
      (window as unknown as { heard: typeof events }).heard = events;
      (window as unknown as { fidele: PreloadApi }).fidele.on((name, payload) => events.push({ name, payload }));
    });
  }
  const heard = (page: Page) => page.evaluate(() => (window as unknown as { heard: Array<{ name: string; payload: unknown }> }).heard);

  const accepted = await app.evaluate((_electron, card) => (globalThis as { __fideleTestHooks?: FideleTestHooks }).__fideleTestHooks?.scan(card) ?? false, known.claire.cardNumber);
  expect(accepted).toBe(true);

  const identified = { name: 'session.changed', payload: expect.objectContaining({ phase: 'identified', memberId: known.claire.id }) };
  await expect.poll(() => heard(screens.cashier)).toEqual(
    expect.arrayContaining([identified, { name: 'scan.read', payload: expect.objectContaining({ result: expect.objectContaining({ kind: 'member' }) }) }]),
  );
  await expect.poll(() => heard(screens.customer)).toEqual(expect.arrayContaining([identified]));
  expect((await heard(screens.customer)).map((e) => e.name)).not.toContain('scan.read');

  await expect(screens.customer.getByText(known.claire.firstName).first()).toBeVisible();
  await expect(screens.cashier.getByText(known.claire.lastName).first()).toBeVisible();
});
