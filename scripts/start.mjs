#!/usr/bin/env node
// `npm start`: the kiosk in Electron when its runtime is here (or can be
// fetched once), otherwise the browser mode, saying why. `--browser` forces
// the browser mode; any other argument goes to whichever mode starts.
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fetchDecision, memoPath, readMemo, recordAttempt, RETRY_FLAG } from './electron-fetch-memo.mjs';
import { chooseStart, electronInstallScript, findElectronBinary } from './find-electron.mjs';

const root = join(import.meta.dirname, '..');
const require = createRequire(import.meta.url);
const FETCH_TIMEOUT_MS = 60_000;

const args = process.argv.slice(2);
const forceBrowser = args.includes('--browser');
const retryElectron = args.includes(RETRY_FLAG);
const passOn = args.filter((a) => a !== '--browser' && a !== RETRY_FLAG);
const facts = { forceBrowser, platform: process.platform, env: process.env };

let lookup = findElectronBinary();
let decision = chooseStart({ ...facts, lookup });
if (decision.mode === 'fetch') {
  const memo = memoPath(root);
  const attempt = fetchDecision({ memo: readMemo(memo), now: Date.now(), retry: retryElectron });
  if (attempt.fetch) {
    console.log(`Electron runtime missing (${lookup.reason}); trying once to fetch it (at most ${FETCH_TIMEOUT_MS / 1000} s)…`);
    const fetchFailure = fetchElectron();
    lookup = findElectronBinary();
    recordAttempt(memo, Date.now(), lookup.path ? null : (fetchFailure ?? lookup.reason));
    decision = chooseStart({ ...facts, lookup, fetchFailure });
  } else {
    decision = chooseStart({ ...facts, lookup, fetchFailure: attempt.reason });
  }
}

if (decision.mode === 'electron') {
  build();
  // The project root: Electron reads package.json, whose `main` is out/main/index.js.
  run(decision.binary, ['.', ...passOn]);
} else {
  if (decision.reason) console.log(`Electron runtime not available here (${decision.reason}); starting the browser mode`);
  build();
  // Under the supervisor, which starts the kiosk again after an update (src/main/web-bridge/supervisor.ts).
  run(process.execPath, [require.resolve('tsx/cli'), 'src/main/web-bridge/supervisor.ts', ...passOn]);
}

/** Runs the electron package's own download once; returns null on success, else a one-line reason. */
function fetchElectron() {
  const result = spawnSync(process.execPath, [electronInstallScript()], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: FETCH_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  if (result.error?.code === 'ETIMEDOUT') return `no answer within ${FETCH_TIMEOUT_MS / 1000} s`;
  if (result.error) return result.error.message;
  if (result.status === 0) return null;
  const firstLine = `${result.stderr}\n${result.stdout}`.split('\n').find((line) => line.trim() !== '');
  return firstLine?.trim() ?? `the download script exited with ${result.status}`;
}

/** Builds the screens; its output is shown only when it fails, so the start banner is what a newcomer reads. */
function build() {
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.status === 0) {
    console.log(`Screens built in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return;
  }
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  console.error('The build failed; nothing was started.');
  process.exit(result.status ?? 1);
}

/** Runs the chosen mode in the foreground: Ctrl+C reaches it, and its exit code is ours. */
function run(command, commandArgs) {
  const child = spawn(command, commandArgs, { cwd: root, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    });
  }
  child.on('error', (error) => {
    console.error(`Could not start ${command}: ${error.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
