// Lint enforces the layering, not just a convention: who may import whom is
// written here once, folder by folder (the table in README.md, "Architecture").
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeModules = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nativeModules = ['better-sqlite3', 'serialport', '@serialport/*', 'node-hid', 'ws', '@electric-sql/pglite', 'pg', 'fastify'];
const electronModules = ['electron', 'electron-updater', 'electron/*'];

/** A relative import landing in one of these folders, from anywhere below src/. */
const folder = (name) => [`**/${name}`, `**/${name}/**`];

function restrict({ modules = [], folders = [], message }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: modules.filter((m) => !m.includes('*')).map((name) => ({ name, message })),
        patterns: [
          ...modules.filter((m) => m.includes('*')).map((m) => ({ group: [m], message })),
          ...folders.map((f) => ({ group: folder(f), message })),
        ],
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'test-results/**', 'playwright-report/**', 'artifacts/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'scripts/**', 'bench/**', 'test/**', '*.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['src/shared/**'],
    rules: restrict({
      modules: [...nodeModules, ...nativeModules, ...electronModules, 'react', 'react-dom', 'react/*', 'react-dom/*'],
      folders: ['main', 'renderer', 'preload', 'hq'],
      message: 'src/shared is pure TypeScript: no Node, no DOM, no electron, nothing from the other layers.',
    }),
  },
  {
    files: ['src/main/core/**'],
    rules: restrict({
      modules: [...electronModules],
      folders: ['main/electron', 'electron', 'web-bridge', 'till-api', 'renderer', 'preload', 'hq'],
      message: 'src/main/core is plain Node: it never imports electron, the Electron shell, the web bridge, the till API, HQ or the screens.',
    }),
  },
  {
    files: ['src/main/web-bridge/**'],
    rules: restrict({
      modules: [...electronModules],
      folders: ['main/electron', 'electron', 'renderer', 'preload'],
      message: 'The web bridge serves the core over loopback; it never imports electron or the Electron shell.',
    }),
  },
  {
    files: ['src/hq/**'],
    rules: restrict({
      modules: [...electronModules],
      folders: ['main/electron', 'electron', 'web-bridge', 'till-api', 'renderer', 'preload'],
      message: 'HQ is a server: it shares the protocol (src/shared) and plain-Node helpers of the core, nothing of the kiosk.',
    }),
  },
  {
    files: ['src/main/till-api/**'],
    rules: restrict({
      modules: [...electronModules],
      folders: ['main/electron', 'electron', 'web-bridge', 'renderer', 'preload'],
      message: 'The till API serves the core to the cash register over HTTP; it never imports electron, the shell, the bridge or the screens.',
    }),
  },
  {
    files: ['src/main/electron/**'],
    rules: restrict({
      folders: ['web-bridge', 'renderer', 'preload'],
      message: 'The Electron shell never ships the web bridge, and never imports screen or preload code.',
    }),
  },
  {
    files: ['src/main/electron/**'],
    ignores: ['src/main/electron/ipc.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "ImportSpecifier[imported.name='ipcMain']", message: 'Use the validated IPC adapter in src/main/electron/ipc.ts.' },
      ],
    },
  },
  {
    files: ['src/preload/**'],
    rules: restrict({
      modules: [...nodeModules, ...nativeModules, 'electron-updater', 'react', 'react-dom'],
      folders: ['main', 'renderer', 'hq'],
      message: 'A sandboxed preload may import only electron and the shared contract.',
    }),
  },
  {
    files: ['src/renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict({
      modules: [...nodeModules, ...nativeModules, ...electronModules],
      folders: ['main', 'preload', 'hq'],
      message: 'The renderer runs sandboxed: no Node, no electron, nothing from the main process; talk through the API client.',
    }),
  },
);
