import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import type { MemberSummary } from '../../src/shared/contract';
import { makeCardNumber } from '../../src/shared/domain/card-number';
import { createCore, SIMULATED_SCANNER_ID, type Core } from '../../src/main/core/core';
import { seededRandom, silentLogger, systemClock } from '../../src/main/core/ports';
import { startTillApi } from '../../src/main/till-api/till-api';
import { sha256Hex } from '../../src/main/till-api/tokens';
import { startWebBridge, type WebBridge } from '../../src/main/web-bridge/web-bridge';
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
}

/** The e2e till's token: any string works, the config holds only its hash. */
const E2E_TILL_TOKEN = 'ftk_e2e-caisse-1';

export const ARTIFACTS = resolve('artifacts/screens');

/** Saves a screenshot under artifacts/screens for people to look at. */
export async function snap(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

export const test = base.extend<{ kioskDevices: 'simulated' | 'rig'; kiosk: Kiosk; cashier: Page; customer: Page; simulator: Page }>({
  /** 'rig' runs the real drivers against the socat simulators (test.use({ kioskDevices: 'rig' })). */
  kioskDevices: ['simulated', { option: true }],
  kiosk: async ({ kioskDevices }, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'fidele-e2e-'));
    const config = testConfig({
      devices: kioskDevices,
      tillApi: { enabled: true, host: '127.0.0.1', port: 0, lan: false, tills: [{ id: 'caisse-1', tokenSha256: sha256Hex(E2E_TILL_TOKEN) }] },
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

export { expect };
export type { MemberSummary };
