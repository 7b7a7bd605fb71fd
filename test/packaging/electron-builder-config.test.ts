import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadBuilderConfig, validateBuilderConfig } from './builder-config';

describe('electron-builder.yml', () => {
  it("is the configuration electron-builder loads, and its own schema (app-builder-lib's scheme.json, through its ajv validator) accepts it", async () => {
    // One configuration: electron-builder would silently prefer the .yml over a leftover .json.
    expect(existsSync('electron-builder.json')).toBe(false);
    const config = await loadBuilderConfig();
    expect(config.appId).toBe('fr.fidele.terminal');
    await expect(validateBuilderConfig(config)).resolves.toBeUndefined();
  });

  it('a configuration with a misspelt fuse, an unknown option or a wrong type is refused with electron-builder\'s message', async () => {
    const config = await loadBuilderConfig();
    const broken = [
      { ...config, electronFuses: { ...config.electronFuses, runAsnode: false } },
      { ...config, autoUpdate: true },
      { ...config, nsis: { ...config.nsis, oneClick: 'always' } },
      { ...config, publish: [{ provider: 'generic' }] },
    ];
    for (const candidate of broken) {
      await expect(validateBuilderConfig(candidate)).rejects.toThrow(/Invalid configuration object/);
    }
  });

  it('targets AppImage and deb on Linux, NSIS on Windows, and a generic feed at HQ', async () => {
    const config = await loadBuilderConfig();
    expect(config.productName).toBe('Fidèle');
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    // Per-user and silent: no UAC prompt for the kiosk account's updates.
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false });
    expect(config.publish).toEqual([{ provider: 'generic', url: '${env.FIDELE_HQ_URL}/v1/updates/feed/stable', channel: 'latest' }]);
  });

  it('sets the kiosk fuses, unpacks the native modules and rebuilds nothing', async () => {
    const config = await loadBuilderConfig();
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      loadBrowserProcessSpecificV8Snapshot: false,
      grantFileProtocolExtraPrivileges: false,
    });
    expect(config.asar).toBe(true);
    for (const native of ['better-sqlite3', 'node-hid', '@serialport/bindings-cpp']) expect(config.asarUnpack).toContain(`node_modules/${native}/**`);
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/prebuilds/**', '**/*.node']));
    expect(config.npmRebuild).toBe(false);
    // The native modules it unpacks are the app's dependencies (so electron-vite leaves them external).
    const dependencies = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    expect(dependencies).toEqual(expect.arrayContaining(['better-sqlite3', 'node-hid', 'serialport']));
  });
});
