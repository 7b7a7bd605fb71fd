import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronVersion, failureParagraph, layoutProblems, packagesImportedBy, preflight, type PackagedLayout } from '../../scripts/dist.mjs';

const FUSES = { runAsNode: false, enableCookieEncryption: true };
const NATIVE = 'node_modules/better-sqlite3/prebuilds/linux-x64.node';

/** A packaged folder as it should be; each test spoils one thing. */
function goodLayout(): PackagedLayout {
  return {
    asarFiles: ['package.json', 'out/main/index.js', 'out/preload/cashier.cjs', 'out/preload/customer.cjs', 'out/renderer/cashier/index.html', 'out/renderer/customer/index.html', 'resources/terminal.default.json', 'resources/devices.default.json', 'node_modules/zod/package.json'],
    unpackedFiles: [NATIVE, 'node_modules/better-sqlite3/package.json'],
    fuses: { runAsNode: false, enableCookieEncryption: true },
    appUpdateYml: 'provider: generic\nurl: https://hq.test/v1/updates/feed/stable\n',
    mainBundle: 'import Database from "better-sqlite3";\nimport { z } from "zod";\nimport { app } from "electron";\nimport { join } from "node:path";\nconst v = "0.1.0", b = "dev";\n',
  };
}
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const check = (layout: PackagedLayout) => layoutProblems(layout, { nativeFiles: [NATIVE], fuses: FUSES });

describe('npm run dist on a machine that cannot download Electron', () => {
  it('says so in one paragraph and exits non-zero, before building anything', async () => {
    const emptyCache = mkdtempSync(join(tmpdir(), 'fidele-electron-cache-'));
    try {
      const { HTTPS_PROXY: _a, https_proxy: _b, ...env } = process.env;
      // A loopback port just closed refuses at once: the download host is unreachable whatever this machine's network.
      const mirror = `http://127.0.0.1:${await closedPort()}/`;
      const run = spawnSync(process.execPath, ['scripts/dist.mjs'], { encoding: 'utf8', timeout: 30_000, env: { ...env, ELECTRON_CACHE: emptyCache, ELECTRON_MIRROR: mirror } });
      expect(run.status).toBe(3);
      expect(run.stdout).toBe('');
      const message = run.stderr.trim();
      expect(message.split('\n')).toHaveLength(1);
      expect(message).not.toMatch(/\n\s+at |Error:/);
      expect(message).toContain(`electron-v${electronVersion()}-${process.platform}-${process.arch}.zip`);
      expect(message).toContain(emptyCache);
      expect(message).toContain('ECONNREFUSED');
      expect(message).toContain('npm run dist -- --verify-only');
    } finally {
      rmSync(emptyCache, { recursive: true, force: true });
    }
  });

  it('goes ahead when the zip is in the cache or the host answers, and refuses only when neither', () => {
    const facts = { electronZip: 'electron-v45.4.1-linux-x64.zip', electronLocal: null, cacheDir: '/c', downloadHost: 'https://github.com/', unreachable: 'ENOTFOUND github.com', targets: 'AppImage and deb', tools: 'appimagetool, fpm' };
    expect(preflight(facts).ok).toBe(false);
    expect(preflight({ ...facts, electronLocal: '/c/x/electron-v45.4.1-linux-x64.zip' }).ok).toBe(true);
    expect(preflight({ ...facts, unreachable: null }).ok).toBe(true);
    const refusal = preflight(facts);
    expect(!refusal.ok && refusal.message).toMatch(/appimagetool, fpm.*Nothing was packaged/);
  });

  it("an electron-builder failure is told in words, without its stack", () => {
    const error = new Error('getaddrinfo ENOTFOUND github.com\n    at GetAddrInfoReqWrap.onlookup (node:dns:120:26)\n    at process.processTicksAndRejections');
    const text = failureParagraph(error);
    expect(text).toContain('could not download');
    expect(text).toContain('ENOTFOUND github.com');
    expect(text).not.toContain('onlookup');
    expect(failureParagraph(new Error('Cannot find module x'))).toMatch(/^npm run dist stopped: electron-builder refused or failed \(Cannot find module x\)/);
  });
});

describe('the checks npm run dist -- --verify-only makes of a packaged folder', () => {
  it('find nothing wrong in a good one', () => {
    expect(check(goodLayout())).toEqual([]);
  });

  it('catch sources or tests shipped, a screen or a native file missing, a fuse not flipped, an unstamped bundle, an import left out', () => {
    const cases: Array<[string, (l: PackagedLayout) => void, RegExp]> = [
      ['sources', (l) => l.asarFiles.push('src/main/core/core.ts'), /holds src\//],
      ['tests', (l) => l.asarFiles.push('test/unit/x.test.ts'), /holds test\//],
      ['a screen', (l) => l.asarFiles.splice(l.asarFiles.indexOf('out/renderer/customer/index.html'), 1), /lacks out\/renderer\/customer\/index.html/],
      ['a native file', (l) => (l.unpackedFiles = ['node_modules/better-sqlite3/package.json']), /app.asar.unpacked lacks .*linux-x64.node/],
      ['a fuse', (l) => (l.fuses = { ...l.fuses, runAsNode: true }), /fuse runAsNode is true/],
      ['no executable', (l) => (l.fuses = null), /no executable/],
      ['the stamp', (l) => (l.mainBundle += 'const build = __FIDELE_BUILD__;'), /not stamped/],
      ['an import', (l) => (l.mainBundle += 'const hid = await import("node-hid");'), /imports node-hid, which is not in the package/],
      ['the feed', (l) => (l.appUpdateYml = null), /app-update.yml/],
    ];
    for (const [what, spoil, problem] of cases) {
      const layout = goodLayout();
      spoil(layout);
      expect(check(layout), what).toEqual([expect.stringMatching(problem)]);
    }
  });

  it('read the packages a bundle loads: bare specifiers of import, dynamic import and require, scopes kept whole', () => {
    const bundle = 'import a from "zod";\nimport("node-hid");\nrequire("@serialport/bindings-cpp/dist/x.js");\nimport x from "./local.js";\nimport "node:fs";\nimport { app } from "electron";';
    expect(packagesImportedBy(bundle)).toEqual(['@serialport/bindings-cpp', 'node-hid', 'zod']);
  });
});
