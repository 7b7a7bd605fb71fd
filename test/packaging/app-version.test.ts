import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEV_BUILD, formatBuildId, versionOfPackageJson } from '../../src/main/core/app-version';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { testConfig } from '../fakes/known-members';

const packageVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

/** A core and a sync client built from a fresh module graph, so app-version.ts reads its stamp anew. */
async function freshModules() {
  vi.resetModules();
  const { createCore } = await import('../../src/main/core/core');
  const { openSyncHarness } = await import('../sync/sync-harness');
  return { createCore, openSyncHarness };
}

const coreOptions = { dbPath: ':memory:', config: testConfig(), shell: 'browser' as const, clock: { now: () => 1_700_000_000_000 }, random: seededRandom(3), logger: silentLogger, validateOutput: true };

describe('the version the terminal reports', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("terminal.info says package.json's version, and 'dev' for a build nobody stamped (tsx, tests)", async () => {
    const { createCore } = await freshModules();
    const core = createCore(coreOptions);
    try {
      const info = await core.dispatch('cashier', 'terminal.info', {});
      expect(info).toMatchObject({ ok: true, value: { version: packageVersion, build: DEV_BUILD } });
    } finally {
      await core.close();
    }
  });

  it("what the bundle is stamped with is what terminal.info shows and what every push header carries to HQ", async () => {
    // electron-vite's `define` replaces these identifiers in the Electron bundle; unbundled, they are globals.
    vi.stubGlobal('__FIDELE_VERSION__', '7.8.9');
    vi.stubGlobal('__FIDELE_BUILD__', 'abc1234@2026-12-07');
    const { createCore, openSyncHarness } = await freshModules();

    const core = createCore(coreOptions);
    try {
      expect(await core.dispatch('cashier', 'terminal.info', {})).toMatchObject({ ok: true, value: { version: '7.8.9', build: 'abc1234@2026-12-07' } });
    } finally {
      await core.close();
    }

    const s = await openSyncHarness({ maxEntries: 5 });
    try {
      s.sell(4);
      s.sync.start();
      await s.time.advance(0);
      expect(s.hq.pushes.length).toBeGreaterThan(0);
      expect(new Set(s.hq.pushes.map((batch) => batch.header.appVersion))).toEqual(new Set(['7.8.9']));
    } finally {
      s.close();
    }
  });

  it('a core told another version (the browser mode\'s stand-in install) reports that one', async () => {
    const { createCore } = await freshModules();
    const core = createCore({ ...coreOptions, appVersion: '0.2.0' });
    try {
      expect(await core.dispatch('cashier', 'terminal.info', {})).toMatchObject({ ok: true, value: { version: '0.2.0' } });
    } finally {
      await core.close();
    }
  });
});

describe('the build id', () => {
  it('is the short commit and the UTC day, marked when the tree had uncommitted changes', () => {
    const builtAt = new Date('2026-12-07T23:30:00Z');
    expect(formatBuildId({ commit: '4e0af1d', dirty: false, builtAt })).toBe('4e0af1d@2026-12-07');
    expect(formatBuildId({ commit: '4e0af1d', dirty: true, builtAt })).toBe('4e0af1d-dirty@2026-12-07');
  });

  it("is 'dev' when git could not name a commit (no git, a source tarball) or answered something else", () => {
    const builtAt = new Date('2026-12-07T10:00:00Z');
    expect(formatBuildId({ commit: null, dirty: false, builtAt })).toBe(DEV_BUILD);
    expect(formatBuildId({ commit: '', dirty: false, builtAt })).toBe(DEV_BUILD);
    expect(formatBuildId({ commit: 'fatal: not a git repository', dirty: false, builtAt })).toBe(DEV_BUILD);
  });

  it('a package.json without a version is refused rather than reported as some version', () => {
    expect(versionOfPackageJson('{"name":"fidele","version":"1.2.3"}')).toBe('1.2.3');
    expect(() => versionOfPackageJson('{"name":"fidele"}')).toThrow(/no version/);
    expect(() => versionOfPackageJson('{"version":""}')).toThrow(/no version/);
  });
});
