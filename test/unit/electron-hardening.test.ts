import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ELECTRON_CSP, webBridgeCsp } from '../../src/main/core/security/csp';
import { devToolsAllowed, webPreferencesFor } from '../../src/main/electron/window-options';
import { readBuilderYml } from '../packaging/builder-config';

/**
 * The packaging configuration (electron-builder.yml; test/packaging validates
 * it against electron-builder's own schema): this reads the file it will
 * read, so the fuses cannot silently go missing.
 */
const builder = readBuilderYml();

describe('Electron hardening', () => {
  it('DevTools stay off without the explicit development flag, unpackaged runs included', () => {
    const off = devToolsAllowed({ packaged: false, env: {}, argv: ['electron', '.'] });
    expect(off).toBe(false);
    expect(webPreferencesFor({ role: 'cashier', preloadDir: '/app/out/preload', devTools: off }).devTools).toBe(false);
    expect(devToolsAllowed({ packaged: false, env: { FIDELE_DEVTOOLS: 'true' }, argv: [] })).toBe(false);
    expect(devToolsAllowed({ packaged: false, env: { FIDELE_DEVTOOLS: '1' }, argv: [] })).toBe(true);
    expect(devToolsAllowed({ packaged: false, env: {}, argv: ['electron', '.', '--devtools'] })).toBe(true);
    // A packaged kiosk never, whatever its environment or command line says.
    expect(devToolsAllowed({ packaged: true, env: { FIDELE_DEVTOOLS: '1' }, argv: ['--devtools'] })).toBe(false);
  });

  it("the app:// screens connect nowhere; the bridge's pages only to its own socket", () => {
    expect(ELECTRON_CSP).toContain("connect-src 'none';");
    expect(ELECTRON_CSP).not.toContain('ws:');
    const bridge = webBridgeCsp(['http://127.0.0.1:5170', 'http://localhost:5170']);
    expect(bridge).toContain('connect-src ws://127.0.0.1:5170 ws://localhost:5170;');
    expect(bridge).not.toContain('*');
    expect(webBridgeCsp(['http://[::1]:6000'])).toContain('connect-src ws://[::1]:6000;');
    for (const csp of [ELECTRON_CSP, bridge]) expect(csp).toContain("script-src 'self';");
  });

  it('the packaging configuration sets the fuses and unpacks the native modules', () => {
    expect(builder.appId).toMatch(/^[a-z]+(\.[a-z]+)+$/);
    expect(builder.productName).toBe('Fidèle');
    expect(builder.files).toEqual(expect.arrayContaining(['out/**/*', 'resources/**/*']));
    expect(builder.asar).toBe(true);
    expect(builder.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    for (const native of ['better-sqlite3', 'node-hid', '@serialport/bindings-cpp']) {
      expect(builder.asarUnpack).toContain(`node_modules/${native}/**`);
    }
    // Every native dependency the app has is among them.
    const dependencies = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { dependencies: Record<string, string> }).dependencies);
    for (const native of ['better-sqlite3', 'node-hid', 'serialport']) expect(dependencies).toContain(native);
  });
});
