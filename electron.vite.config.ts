import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'electron-vite';
import { formatBuildId, versionOfPackageJson } from './src/main/core/app-version';

const root = import.meta.dirname;

/** What git says of the tree being built; null when there is no git or no repository (a source tarball). */
function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}
// The terminal reports both to HQ (src/main/core/app-version.ts). SOURCE_DATE_EPOCH keeps a rebuild identical.
const builtAt = process.env.SOURCE_DATE_EPOCH ? new Date(Number(process.env.SOURCE_DATE_EPOCH) * 1000) : new Date();
const appVersion = {
  __FIDELE_VERSION__: JSON.stringify(versionOfPackageJson(readFileSync(resolve(root, 'package.json'), 'utf8'))),
  __FIDELE_BUILD__: JSON.stringify(formatBuildId({ commit: git('rev-parse', '--short', 'HEAD'), dirty: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '', builtAt })),
};

export default defineConfig({
  main: {
    define: appVersion,
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve(root, 'src/main/electron/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can require nothing but `electron`: each one is a
      // single self-contained CommonJS file.
      isolatedEntries: true,
      externalizeDeps: false,
      rollupOptions: {
        input: {
          cashier: resolve(root, 'src/preload/cashier.ts'),
          customer: resolve(root, 'src/preload/customer.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      emptyOutDir: true,
      // electron-vite leaves the renderer unminified; the browser mode serves it over HTTP to every screen.
      minify: true,
      rollupOptions: {
        input: {
          cashier: resolve(root, 'src/renderer/cashier/index.html'),
          customer: resolve(root, 'src/renderer/customer/index.html'),
          simulator: resolve(root, 'src/renderer/simulator/index.html'),
          // HQ's web console for staff (served by HQ at /console/, src/hq/console.ts).
          hq: resolve(root, 'src/renderer/hq/index.html'),
        },
        output: {
          // One entry chunk per screen; what the screens share sits in a few
          // chunks that change rarely (React, zod) or together (our shared code),
          // each with a content hash in its name so the browser mode can cache them forever.
          entryFileNames: 'assets/[name]-[hash].js',
          chunkFileNames: 'assets/[name]-[hash].js',
          assetFileNames: 'assets/[name]-[hash][extname]',
          codeSplitting: {
            groups: [
              { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 3 },
              { name: 'zod', test: /node_modules[\\/]zod[\\/]/, priority: 2 },
              { name: 'shared', test: /src[\\/](shared|renderer[\\/](common|api))[\\/]/, minShareCount: 2, priority: 1 },
            ],
          },
        },
      },
    },
  },
});
