import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectLayout, layoutProblems, nativeFilesFor, packagesImportedBy, type PackagedLayout } from '../../scripts/dist.mjs';
import { readBuilderYml } from './builder-config';

/**
 * `npm run dist -- --verify-only`: electron-vite builds out/, then
 * electron-builder packages it for Linux into a folder (its `dir` target),
 * with electronDist pointing at a stand-in Electron (no binary can be
 * downloaded here). What went in is read back with electron-builder's own
 * asar library and @electron/fuses. About 20–45 s on this machine.
 */
let outDir: string;
let layout: PackagedLayout;
let summary: { problems: string[] };

beforeAll(async () => {
  outDir = mkdtempSync(join(tmpdir(), 'fidele-package-test-'));
  const run = spawnSync(process.execPath, ['scripts/dist.mjs', '--verify-only', '--json', '--out', outDir], { encoding: 'utf8', timeout: 110_000, env: { ...process.env, FIDELE_HQ_URL: 'https://hq.test' } });
  if (run.status !== 0) throw new Error(`npm run dist -- --verify-only failed (${run.status}):\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
  summary = JSON.parse(run.stdout.trim().split('\n').pop()!) as { problems: string[] };
  layout = await inspectLayout(join(outDir, 'linux-unpacked'));
}, 120_000);

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

describe('the package electron-builder makes of the terminal (Linux, against a stand-in Electron)', () => {
  it('app.asar holds the main bundle, both preloads, both screens and resources/; no sources, tests, benchmarks or docs', () => {
    for (const file of ['package.json', 'out/main/index.js', 'out/preload/cashier.cjs', 'out/preload/customer.cjs', 'out/renderer/cashier/index.html', 'out/renderer/customer/index.html', 'resources/terminal.default.json', 'resources/devices.default.json', 'resources/udev/99-fidele.rules']) {
      expect(layout.asarFiles).toContain(file);
    }
    for (const dir of ['src/', 'test/', 'bench/', 'docs/', 'scripts/', 'node_modules/vitest/', 'node_modules/electron/']) {
      expect(layout.asarFiles.filter((f) => f.startsWith(dir))).toEqual([]);
    }
    // The browser-mode pages stay out of the kiosk.
    expect(layout.asarFiles.filter((f) => /out\/renderer\/(hq|simulator)|assets\/(hq|simulator)-/.test(f))).toEqual([]);
  });

  it('the native modules are unpacked beside the asar, their Linux prebuilds included, and not left inside it', () => {
    for (const file of nativeFilesFor('linux', 'x64')) expect(layout.unpackedFiles).toContain(file);
    expect(layout.unpackedFiles).toContain('node_modules/better-sqlite3/lib/index.js');
    // A .node file inside the archive could not be loaded (dlopen needs a real file).
    expect(layout.asarFiles.filter((f) => f.endsWith('.node') && !layout.unpackedFiles.includes(f))).toEqual([]);
    // Sources for a native rebuild are not shipped: prebuilds are used (npmRebuild: false).
    expect(layout.unpackedFiles.filter((f) => f.startsWith('node_modules/better-sqlite3/deps/'))).toEqual([]);
  });

  it('every package the main bundle imports is in the package; HQ-only and renderer-only packages are not', () => {
    const imported = packagesImportedBy(layout.mainBundle!);
    expect(imported).toEqual(expect.arrayContaining(['better-sqlite3', 'node-hid', 'serialport', 'zod']));
    const present = new Set([...layout.asarFiles, ...layout.unpackedFiles]);
    for (const name of imported) expect(present.has(`node_modules/${name}/package.json`), name).toBe(true);
    for (const name of ['@electric-sql/pglite', 'fastify', 'pg', 'ws', 'recharts']) expect(present.has(`node_modules/${name}/package.json`), name).toBe(false);
  });

  it("electron-builder flipped the kiosk's fuses in the executable (a stand-in carrying Electron's default fuse wire)", () => {
    expect(layout.fuses).toEqual(readBuilderYml().electronFuses);
  });

  it("resources/app-update.yml is electron-updater's generic feed at HQ", () => {
    expect(layout.appUpdateYml).toContain('provider: generic');
    expect(layout.appUpdateYml).toContain('url: https://hq.test/v1/updates/feed/stable');
  });

  it("the main bundle is stamped with package.json's version and a build id", () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
    expect(layout.mainBundle).not.toMatch(/__FIDELE_(VERSION|BUILD)__/);
    expect(layout.mainBundle).toContain(JSON.stringify(version));
    expect(layout.mainBundle).toMatch(/"([0-9a-f]{4,40}(-dirty)?@\d{4}-\d{2}-\d{2}|dev)"/);
  });

  it('the main process never starts Electron as Node (RunAsNode is off): no fork, no process.execPath', () => {
    expect(layout.mainBundle).not.toMatch(/\bfork\(|process\.execPath|ELECTRON_RUN_AS_NODE/);
  });

  it('the command itself found nothing wrong', () => {
    expect(summary.problems).toEqual([]);
    expect(layoutProblems(layout, { nativeFiles: nativeFilesFor('linux', 'x64'), fuses: readBuilderYml().electronFuses })).toEqual([]);
  });
});
