import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseStart, findElectronBinary, type ElectronLookup } from '../../scripts/find-electron.mjs';

const pkg = '/app/node_modules/electron';

function lookupWith(files: Record<string, string>, env: Record<string, string> = {}): ElectronLookup {
  return findElectronBinary({
    resolvePackage: () => join(pkg, 'package.json'),
    env,
    exists: (path) => path in files,
    read: (path) => files[path] ?? '',
  });
}

describe('findElectronBinary', () => {
  it('finds the executable that path.txt names under dist/', () => {
    const found = lookupWith({ [`${pkg}/path.txt`]: 'electron', [`${pkg}/dist/electron`]: '' });
    expect(found).toEqual({ path: `${pkg}/dist/electron` });
  });

  it('says the binary was never downloaded when path.txt is missing', () => {
    const found = lookupWith({});
    expect(found.path).toBeNull();
    expect(found.reason).toMatch(/no downloaded binary/);
  });

  it('says which file is missing when dist/ was removed', () => {
    const found = lookupWith({ [`${pkg}/path.txt`]: 'electron' });
    expect(found).toEqual({ path: null, reason: `${pkg}/dist/electron is missing` });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH like the electron package does', () => {
    const found = lookupWith({ [`${pkg}/path.txt`]: 'electron', '/opt/electron/electron': '' }, { ELECTRON_OVERRIDE_DIST_PATH: '/opt/electron' });
    expect(found).toEqual({ path: '/opt/electron/electron' });
  });

  it('says the package is absent when it cannot be resolved', () => {
    const found = findElectronBinary({
      resolvePackage: () => {
        throw new Error('Cannot find module');
      },
    });
    expect(found).toEqual({ path: null, reason: 'the electron package is not installed' });
  });

  it('never loads the electron package (whose index.js would start a download)', () => {
    findElectronBinary();
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.filter((path) => path.endsWith(join('node_modules', 'electron', 'index.js')))).toEqual([]);
  });
});

describe('chooseStart', () => {
  const present: ElectronLookup = { path: '/x/dist/electron' };
  const missing: ElectronLookup = { path: null, reason: 'no binary' };
  const desktop = { platform: 'linux', env: { DISPLAY: ':0' } };

  it('runs Electron when the binary is here and there is a display', () => {
    expect(chooseStart({ ...desktop, forceBrowser: false, lookup: present })).toEqual({ mode: 'electron', binary: '/x/dist/electron' });
    expect(chooseStart({ platform: 'linux', env: { WAYLAND_DISPLAY: 'wayland-0' }, forceBrowser: false, lookup: present }).mode).toBe('electron');
  });

  it('tries one fetch when the binary is missing, then gives up with both reasons', () => {
    expect(chooseStart({ ...desktop, forceBrowser: false, lookup: missing })).toEqual({ mode: 'fetch' });
    expect(chooseStart({ ...desktop, forceBrowser: false, lookup: missing, fetchFailure: 'TypeError: fetch failed' })).toEqual({
      mode: 'browser',
      reason: 'no binary; fetching it failed: TypeError: fetch failed',
    });
  });

  it('runs Electron when the fetch worked', () => {
    expect(chooseStart({ ...desktop, forceBrowser: false, lookup: present, fetchFailure: null }).mode).toBe('electron');
  });

  it('starts the browser mode, without a complaint, when asked to', () => {
    expect(chooseStart({ ...desktop, forceBrowser: true, lookup: present })).toEqual({ mode: 'browser', reason: null });
    expect(chooseStart({ ...desktop, forceBrowser: true, lookup: missing })).toEqual({ mode: 'browser', reason: null });
  });

  it('falls back to the browser mode on a Linux box with no display', () => {
    const decision = chooseStart({ platform: 'linux', env: {}, forceBrowser: false, lookup: present });
    expect(decision).toMatchObject({ mode: 'browser', reason: expect.stringMatching(/DISPLAY/) });
  });

  it('does not ask for $DISPLAY on other systems', () => {
    expect(chooseStart({ platform: 'darwin', env: {}, forceBrowser: false, lookup: present }).mode).toBe('electron');
  });
});
