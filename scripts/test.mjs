#!/usr/bin/env node
// `npm test`: every check the project has, in the order that fails fastest:
// lint (including the layering rules), type checks per layer, unit and
// integration tests (vitest), then the end-to-end tests in Chromium and the
// Electron smoke tests (which skip themselves where no Electron binary exists).
// Ends with one line counting every test: "total: N passed, N failed, N skipped".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

// Not test-results/: Playwright empties its output folder when it starts.
const results = 'test-reports';
mkdirSync(results, { recursive: true });
// Counts come only from this run.
for (const f of ['vitest.json', 'vitest-devices.json', 'playwright.json']) rmSync(`${results}/${f}`, { force: true });

// A glob for --exclude, and the same files as a path filter for the run of their own.
const DEVICE_TESTS = 'test/integration/devices-*.test.ts';
const DEVICE_FILTER = 'test/integration/devices-';

const steps = [
  ['lint', ['npx', 'eslint', '--max-warnings=0', '.']],
  ['typecheck', ['npm', 'run', '--silent', 'typecheck']],
  ['vitest', ['npx', 'vitest', 'run', '--exclude', DEVICE_TESTS, '--reporter=default', '--reporter=json', `--outputFile=${results}/vitest.json`]],
  // The device tests time real ptys and socat processes: they run alone, one file at a time, on a quiet machine.
  ['devices', ['npx', 'vitest', 'run', DEVICE_FILTER, '--no-file-parallelism', '--reporter=default', '--reporter=json', `--outputFile=${results}/vitest-devices.json`]],
  ['playwright', ['npx', 'playwright', 'test', '--reporter=list,json'], { PLAYWRIGHT_JSON_OUTPUT_NAME: `${results}/playwright.json` }],
];

const only = process.argv.slice(2);
let failedStep = null;
for (const [name, [cmd, ...args], env] of steps) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n▶ ${name}`);
  const run = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (run.status !== 0) {
    failedStep = name;
    console.error(`✖ ${name} failed (exit ${run.status ?? run.signal})`);
    break;
  }
}

const count = { passed: 0, failed: 0, skipped: 0 };
for (const file of ['vitest.json', 'vitest-devices.json']) {
  const vitest = readJson(`${results}/${file}`);
  if (!vitest) continue;
  count.passed += vitest.numPassedTests ?? 0;
  count.failed += vitest.numFailedTests ?? 0;
  count.skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
}
const playwright = readJson(`${results}/playwright.json`);
if (playwright?.stats) {
  count.passed += playwright.stats.expected ?? 0;
  count.failed += (playwright.stats.unexpected ?? 0) + (playwright.stats.flaky ?? 0);
  count.skipped += playwright.stats.skipped ?? 0;
}
console.log(`\ntotal: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
if (failedStep || count.failed > 0) process.exit(1);

function readJson(path) {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}
