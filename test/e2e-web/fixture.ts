import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import type { MemberSummary, SaleInput } from '../../src/shared/contract';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { startHq, type Hq } from '../../src/hq/server';
import { createCore, SIMULATED_SCANNER_ID, type Core } from '../../src/main/core/core';
import { hashManagerPin } from '../../src/main/core/ledger/manager-pin';
import { seededRandom, silentLogger, systemClock } from '../../src/main/core/ports';
import { startTillApi } from '../../src/main/till-api/till-api';
import { sha256Hex } from '../../src/main/till-api/tokens';
import { startWebBridge, type WebBridge } from '../../src/main/web-bridge/web-bridge';
import type { TerminalConfig } from '../../src/main/core/config/terminal-config';
import { insertKnownMembers, testConfig, type KnownMembers } from '../fakes/known-members';

export interface Kiosk {
  core: Core;
  bridge: WebBridge;
  known: KnownMembers;
  /** A well-formed card number that nobody holds. */
  unknownCard: string;
  /** Reads a code on the simulated scanner, as the simulator panel does. */
  scan(code: string): Promise<void>;
  /** The till integration API, with the token of till `caisse-1`. */
  tillApi: { origin: string; token: string };
  /** HQ on PGlite in a temp folder, configured but not yet enrolled with (test.use({ kioskHq: true })). */
  hq: Hq | null;
  /** Where that HQ keeps its data, to start it again after a test stopped it. */
  hqDir: string;
}

/** The e2e till's token: any string works, the config holds only its hash. */
const E2E_TILL_TOKEN = 'ftk_e2e-caisse-1';

/** The manager PIN of the e2e terminal, hashed with cheap scrypt parameters. */
export const E2E_MANAGER_PIN = '4821';
const E2E_MANAGER_PIN_HASH = hashManagerPin(E2E_MANAGER_PIN, seededRandom(3), { N: 1024, r: 8, p: 1 });

export const ARTIFACTS = resolve('artifacts/screens');

/**
 * Trusted key presses as a wedge scanner sends them, `gapMs` apart by their
 * event time, then Enter. A scanner's keys carry the time the OS saw them;
 * `keyboard.type` stamps each key when Playwright gets round to sending it,
 * so a busy page (the first key moves focus) would stretch one gap past the
 * scan threshold and the test would measure the machine's load instead.
 */
export async function scannerTypes(page: Page, digits: string, gapMs = 5): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const start = Date.now() / 1000;
  const keys = [...digits].map((d) => ({ key: d, code: `Digit${d}`, text: d, windowsVirtualKeyCode: 48 + Number(d) }));
  keys.push({ key: 'Enter', code: 'Enter', text: '\r', windowsVirtualKeyCode: 13 });
  for (const [i, k] of keys.entries()) {
    const timestamp = start + (i * gapMs) / 1000;
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyDown', timestamp, ...k });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', timestamp, key: k.key, code: k.code, windowsVirtualKeyCode: k.windowsVirtualKeyCode });
  }
  await cdp.detach();
}

/** Saves a screenshot under artifacts/screens (or `dir`) for people to look at. */
export async function snap(page: Page, name: string, dir = ARTIFACTS): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

/** The same screen at the two sizes it must work at: a 1920×1080 till or office screen, and 1280×800. */
export async function snapAtBothSizes(page: Page, name: string, dir = ARTIFACTS): Promise<void> {
  for (const [width, height] of [
    [1920, 1080],
    [1280, 800],
  ] as const) {
    await page.setViewportSize({ width, height });
    await snap(page, `${name}-${width}x${height}`, dir);
  }
}

/** WCAG 2.2 AA, as axe tags it (A and AA of each version; 2.2 added AA rules only). */
export const WCAG_22_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Structure rules axe files under best practice with a moderate impact, held
 * to anyway: every screen has its landmarks and one level-one heading, which
 * is how a screen reader user finds their way on a kiosk they cannot see.
 */
const STRUCTURE_RULES = new Set(['region', 'page-has-heading-one', 'landmark-one-main', 'landmark-unique', 'heading-order']);

/**
 * Runs axe-core on the page as it is now and fails on any serious or critical
 * WCAG 2.2 AA violation, or any breach of the structure rules, naming the
 * rule and the elements so the failure reads as a to-do list.
 */
export async function expectNoSeriousA11yViolations(page: Page, state: string): Promise<void> {
  // A full axe run takes a second or two on a loaded machine: each check brings its own time, so a
  // test that checks many states is not judged against a budget written for its clicks alone.
  base.info().setTimeout(base.info().timeout + 10_000);
  const results = await new AxeBuilder({ page }).withTags([...WCAG_22_AA, 'best-practice']).analyze();
  const failing = results.violations.filter(
    (v) => STRUCTURE_RULES.has(v.id) || ((v.impact === 'serious' || v.impact === 'critical') && v.tags.some((t) => WCAG_22_AA.includes(t))),
  );
  const report = failing.map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(report, `axe on ${state}`).toEqual([]);
}

/** Where the specs leave their screenshots for review, at both screen sizes a store uses. */
export const NOTES_SCREENS = '/work/notes/screens';
const NOTES_SIZES = [
  [1920, 1080],
  [1280, 800],
] as const;

/** Axe on the state first, then `<name>-1920.png` and `<name>-1280.png` in NOTES_SCREENS; the viewport is put back. */
export async function checkAndPicture(page: Page, name: string): Promise<void> {
  await expectNoSeriousA11yViolations(page, name);
  mkdirSync(NOTES_SCREENS, { recursive: true });
  const before = page.viewportSize();
  for (const [width, height] of NOTES_SIZES) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${NOTES_SCREENS}/${name}-${width}.png` });
  }
  if (before) await page.setViewportSize(before);
}

export const test = base.extend<{ kioskDevices: 'simulated' | 'rig'; kioskHq: boolean; kioskSurvey: TerminalConfig['survey'] | null; kiosk: Kiosk; cashier: Page; customer: Page; simulator: Page }>({
  /** 'rig' runs the real drivers against the socat simulators (test.use({ kioskDevices: 'rig' })). */
  kioskDevices: ['simulated', { option: true }],
  kioskHq: [false, { option: true }],
  /** The customer screen's survey (test.use({ kioskSurvey: { sampleRate: 1, ... } })); off by default. */
  kioskSurvey: [null, { option: true }],
  kiosk: async ({ kioskDevices, kioskHq, kioskSurvey }, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'fidele-e2e-'));
    const hqDir = join(dir, 'hq');
    const hq = kioskHq ? await startHq({ dataDir: hqDir, port: 0, logger: silentLogger, maintenanceIntervalMs: 0 }) : null;
    const config = testConfig({
      devices: kioskDevices,
      ...(hq ? { hq: { url: hq.url }, storeId: 'paris-11' } : {}),
      tillApi: { enabled: true, host: '127.0.0.1', port: 0, lan: false, tills: [{ id: 'caisse-1', tokenSha256: sha256Hex(E2E_TILL_TOKEN) }] },
      managerPinHash: E2E_MANAGER_PIN_HASH,
      ...(kioskSurvey ? { survey: kioskSurvey } : {}),
    });
    const core = createCore({
      dbPath: join(dir, 'terminal.sqlite'),
      config,
      shell: 'browser',
      clock: systemClock,
      random: seededRandom(7),
      logger: silentLogger,
      validateOutput: true,
    });
    await core.start();
    const known = insertKnownMembers(core.members);
    const bridge = await startWebBridge({ core, staticDir: resolve('out/renderer'), random: seededRandom(11), logger: silentLogger });
    const tillApi = await startTillApi({ core, config, clock: systemClock, random: seededRandom(13), logger: silentLogger });
    const kiosk: Kiosk = {
      core,
      bridge,
      known,
      unknownCard: makeCardNumber(9998, 424242),
      tillApi: { origin: tillApi.origin, token: E2E_TILL_TOKEN },
      hq,
      hqDir,
      async scan(code) {
        const deviceId = kioskDevices === 'rig' ? core.devices.list().find((d) => d.kind === 'scanner')!.id : SIMULATED_SCANNER_ID;
        const result = await core.dispatch('simulator', 'sim.scan', { deviceId, data: code });
        if (!result.ok) throw new Error(`scan failed: ${result.error.message}`);
      },
    };
    await use(kiosk);
    await tillApi.close();
    await bridge.close();
    await core.close();
    await kiosk.hq?.close();
    rmSync(dir, { recursive: true, force: true });
  },
  cashier: async ({ kiosk, page }, use) => {
    await page.goto(kiosk.bridge.urls.cashier!);
    await use(page);
  },
  customer: async ({ kiosk, context }, use) => {
    const page = await context.newPage();
    await page.goto(kiosk.bridge.urls.customer!);
    await use(page);
    await page.close();
  },
  simulator: async ({ kiosk, context }, use) => {
    const page = await context.newPage();
    await page.goto(kiosk.bridge.urls.simulator!);
    await use(page);
    await page.close();
  },
});

/** What the customer screen sends once its enrolment form is complete: start, then submit (no consent unless given). */
export async function enrolOnCustomerScreen(
  kiosk: Kiosk,
  person: { firstName: string; lastName: string; email?: string; phone?: string; consents?: { marketing?: boolean; personalisedOffers?: boolean; profiling?: boolean } },
) {
  await kiosk.core.dispatch('customer', 'enrolment.start', { presetCardNumber: null });
  return kiosk.core.dispatch('customer', 'enrolment.submit', {
    firstName: person.firstName,
    lastName: person.lastName,
    email: person.email ?? '',
    phone: person.phone ?? '',
    consents: { marketing: false, personalisedOffers: false, profiling: false, ...person.consents },
    consentWordingVersion: '2026-11.fr-1',
    locale: 'fr',
  });
}

let receiptCounter = 0;

/** A sale rung up on an integrated till: groceries at 20 % VAT, paid by card. */
export function tillSale(memberId: string, amountsCents: number[], redeemPoints = 0, discountCents = 0): SaleInput {
  receiptCounter += 1;
  const total = amountsCents.reduce((sum, c) => sum + c, 0);
  return {
    tillId: 'till-1',
    receipt: `T-${String(receiptCounter).padStart(4, '0')}`,
    memberId,
    lines: amountsCents.map((cents, i) => ({
      lineId: `L${i + 1}`,
      sku: `SKU-${i + 1}`,
      label: 'Article',
      category: 'epicerie',
      quantity: 1,
      unitPriceCents: cents,
      discountCents: 0,
      taxRateBp: 2000,
      rewardId: null,
    })),
    payments: [{ method: 'card', amountCents: total - discountCents }],
    redeemPoints,
  };
}

export { expect };
export type { MemberSummary };
