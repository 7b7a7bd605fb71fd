import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests run in Debian's Chromium through the web bridge; the
 * Electron smoke tests run only where an Electron binary exists (see
 * test/e2e-electron). Screenshots land in artifacts/screens.
 */
export default defineConfig({
  testDir: 'test',
  outputDir: 'test-results',
  globalSetup: './test/e2e-web/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: process.env.CI ? [['list']] : [['list']],
  projects: [
    {
      name: 'web',
      testDir: 'test/e2e-web',
      use: {
        browserName: 'chromium',
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
        viewport: { width: 1280, height: 800 },
        locale: 'fr-FR',
        timezoneId: 'Europe/Paris',
      },
    },
    {
      name: 'electron',
      testDir: 'test/e2e-electron',
    },
  ],
});
