// `npm run dist`: the renderer, preloads and main bundled by electron-vite, then
// packaged by electron-builder (electron-builder.yml): AppImage and deb on Linux,
// NSIS on Windows. electron-builder downloads Electron's zip and its packaging tools
// (appimagetool, fpm, NSIS) from GitHub; where neither is here nor reachable, this
// says so in one paragraph and exits non-zero instead of dying in a stack trace.
//
//   npm run dist                      the host's targets (or --linux / --win)
//   npm run dist -- --electron-dist DIR   an Electron zip or unpacked folder already on disk
//   npm run dist -- --verify-only     no download at all: package into a folder against a
//                                     stand-in Electron, then check what went in (--skip-build,
//                                     --out DIR, --json)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Electron's own order of the V1 fuse wire (@electron/fuses FuseV1Options). */
export const FUSE_NAMES = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** A real Electron's defaults, so a packaged stand-in shows which fuses electron-builder flipped. */
const ELECTRON_DEFAULT_WIRE = '10110001';

/** The executable electron-builder renames and flips fuses in: a shell script with a V1 fuse wire after its sentinel. */
export function makeStandInElectron(dir) {
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const script = '#!/bin/sh\necho "stand-in for Electron (npm run dist -- --verify-only): there is no Chromium here" >&2\nexit 1\n';
  writeFileSync(join(dir, 'electron'), `${script}# ${FUSE_SENTINEL}\x01\x08${ELECTRON_DEFAULT_WIRE}\n`, { mode: 0o755 });
  writeFileSync(join(dir, 'LICENSE'), 'Stand-in for the Electron LICENSE file.\n');
  writeFileSync(join(dir, 'LICENSES.chromium.html'), '<!doctype html><title>stand-in</title>\n');
  writeFileSync(join(dir, 'version'), `${electronVersion()}\n`);
  return dir;
}

export function electronVersion() {
  return JSON.parse(readFileSync(require.resolve('electron/package.json', { paths: [root] }), 'utf8')).version;
}

function walk(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path).split(sep).join('/')];
  });
}

/**
 * What a packaged folder holds: app.asar's listing (electron-builder's own
 * asar library reads it), app.asar.unpacked's files, the fuse wire of the
 * executable, app-update.yml and the bundled main's text.
 */
export async function inspectLayout(appOutDir, executableName = 'fidele') {
  const asar = require('@electron/asar');
  const resources = join(appOutDir, 'resources');
  const archive = join(resources, 'app.asar');
  const asarFiles = existsSync(archive) ? asar.listPackage(archive, { isPack: false }).map((p) => p.split(sep).join('/').replace(/^\/?/, '')) : [];
  const { getCurrentFuseWire } = require('@electron/fuses');
  let fuses = null;
  const executable = join(appOutDir, executableName);
  if (existsSync(executable)) {
    const wire = await getCurrentFuseWire(executable);
    fuses = Object.fromEntries(FUSE_NAMES.map((name, i) => [name, wire[i] === 49 ? true : wire[i] === 48 ? false : String(wire[i])]));
  }
  const appUpdatePath = join(resources, 'app-update.yml');
  return {
    asarFiles,
    unpackedFiles: walk(join(resources, 'app.asar.unpacked')),
    fuses,
    appUpdateYml: existsSync(appUpdatePath) ? readFileSync(appUpdatePath, 'utf8') : null,
    mainBundle: asarFiles.includes('out/main/index.js') ? asar.extractFile(archive, 'out/main/index.js').toString('utf8') : null,
  };
}

/** The packages a bundle loads at run time (bare specifiers, neither node: nor electron). */
export function packagesImportedBy(bundle) {
  const names = new Set();
  for (const m of bundle.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'./][^"']*)["']/g)) {
    const spec = m[1];
    if (spec.startsWith('node:') || spec === 'electron') continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return [...names].sort();
}

/** What should be true of the packaged folder; each problem in words, none when it is right. */
export function layoutProblems(layout, expected) {
  const problems = [];
  const inAsar = new Set(layout.asarFiles);
  for (const file of ['package.json', 'out/main/index.js', 'out/preload/cashier.cjs', 'out/preload/customer.cjs', 'out/renderer/cashier/index.html', 'out/renderer/customer/index.html', 'resources/terminal.default.json', 'resources/devices.default.json']) {
    if (!inAsar.has(file)) problems.push(`app.asar lacks ${file}`);
  }
  for (const dir of ['src/', 'test/', 'bench/', 'docs/', 'scripts/']) {
    if (layout.asarFiles.some((f) => f.startsWith(dir))) problems.push(`app.asar holds ${dir}`);
  }
  const unpacked = new Set(layout.unpackedFiles);
  for (const file of expected.nativeFiles) if (!unpacked.has(file)) problems.push(`app.asar.unpacked lacks ${file}`);
  if (layout.mainBundle === null) problems.push('the main bundle is missing');
  else {
    const present = new Set([...layout.asarFiles, ...layout.unpackedFiles]);
    for (const name of packagesImportedBy(layout.mainBundle)) {
      if (!present.has(`node_modules/${name}/package.json`)) problems.push(`out/main imports ${name}, which is not in the package`);
    }
    if (/__FIDELE_(VERSION|BUILD)__/.test(layout.mainBundle)) problems.push('the main bundle was not stamped with its version and build');
  }
  if (!layout.fuses) problems.push('no executable to read the fuses from');
  else for (const [name, value] of Object.entries(expected.fuses)) if (layout.fuses[name] !== value) problems.push(`fuse ${name} is ${layout.fuses[name]}, not ${value}`);
  if (!layout.appUpdateYml?.includes('provider: generic')) problems.push('resources/app-update.yml is missing or not a generic feed');
  return problems;
}

/** The native files the host's package must carry, beside the asar. */
export function nativeFilesFor(platform, arch) {
  const files = { 'linux-x64': ['node_modules/better-sqlite3/prebuilds/linux-x64.node', 'node_modules/node-hid/prebuilds/HID_hidraw-linux-x64/node-napi-v4.node', 'node_modules/@serialport/bindings-cpp/prebuilds/linux-x64/@serialport+bindings-cpp.glibc.node'] };
  return files[`${platform}-${arch}`] ?? [];
}

function builderConfig() {
  const yaml = require(require.resolve('js-yaml', { paths: [dirname(require.resolve('app-builder-lib/package.json'))] }));
  return yaml.load(readFileSync(join(root, 'electron-builder.yml'), 'utf8'));
}

function electronCacheDir(env, platform) {
  if (env.ELECTRON_CACHE) return env.ELECTRON_CACHE;
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'electron', 'Cache');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'electron');
  return join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'electron');
}

function findFile(dir, name, depth = 3) {
  if (depth < 0 || !existsSync(dir)) return null;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === name) return path;
    if (entry.isDirectory()) {
      const found = findFile(path, name, depth - 1);
      if (found) return found;
    }
  }
  return null;
}

async function reachable(url) {
  try {
    await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(8_000) });
    return null;
  } catch (error) {
    const cause = error?.cause;
    if (cause?.code) return `${cause.code}${cause.hostname ? ` ${cause.hostname}` : ''}`;
    return String(cause?.message ?? error?.message ?? error);
  }
}

/**
 * Can electron-builder get what it downloads? Decided from facts gathered
 * beforehand, so it can be tested: a refusal is one paragraph, for a person.
 * @param {{ electronZip: string, electronLocal: string | null, cacheDir: string, downloadHost: string, unreachable: string | null, targets: string, tools: string }} facts
 */
export function preflight(facts) {
  if (facts.electronLocal || facts.unreachable === null) return { ok: true };
  return {
    ok: false,
    message:
      `npm run dist cannot package Fidèle on this machine. electron-builder needs Electron's own binary, ${facts.electronZip}, ` +
      `which is neither in the Electron cache (${facts.cacheDir}) nor given with --electron-dist, and cannot be downloaded from ${facts.downloadHost} (${facts.unreachable}); ` +
      `and the ${facts.targets} targets download their packaging tools (${facts.tools}) from GitHub's electron-builder-binaries too. Nothing was packaged. ` +
      `Run npm run dist on a machine that reaches GitHub (or set ELECTRON_MIRROR and ELECTRON_BUILDER_BINARIES_MIRROR to an internal mirror, or pass --electron-dist with Electron's zip); ` +
      `here, npm run dist -- --verify-only packages the app into a folder against a stand-in Electron and checks what went in (README, « Packaging and updates »).`,
  };
}

/** An electron-builder failure in a sentence or two: the first lines of its message, never the stack. */
export function failureParagraph(error) {
  const message = String(error?.message ?? error).split('\n').filter((line) => line.trim() !== '' && !/^\s+at /.test(line)).slice(0, 4).join(' ');
  const download = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|getaddrinfo|download/i.test(message);
  return download
    ? `npm run dist stopped: electron-builder could not download what it needs (${message}). Nothing was packaged. Run it where GitHub (or your ELECTRON_BUILDER_BINARIES_MIRROR) is reachable, or check the packaged layout here with npm run dist -- --verify-only.`
    : `npm run dist stopped: electron-builder refused or failed (${message}). Nothing was packaged.`;
}

function buildBundles() {
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    console.error('npm run dist stopped: electron-vite could not build out/ (its errors are above). Nothing was packaged.');
    process.exit(1);
  }
}

async function runBuilder(options) {
  const builder = require('electron-builder');
  try {
    return await builder.build({ projectDir: root, publish: 'never', ...options(builder) });
  } catch (error) {
    console.error(failureParagraph(error));
    process.exit(1);
  }
}

/** Packages into a folder against a stand-in Electron (no download), then checks it. */
export async function verifyOnly({ outDir, skipBuild = false }) {
  if (!skipBuild) buildBundles();
  const standIn = makeStandInElectron(mkdtempSync(join(tmpdir(), 'fidele-electron-standin-')));
  // Only baked into app-update.yml, which the terminal overrides with its per-terminal feed.
  process.env.FIDELE_HQ_URL ||= 'https://hq.invalid';
  try {
    await runBuilder(({ Platform, Arch }) => ({
      targets: Platform.LINUX.createTarget('dir', Arch[process.arch] ?? Arch.x64),
      config: { electronDist: standIn, directories: { output: outDir } },
    }));
  } finally {
    rmSync(standIn, { recursive: true, force: true });
  }
  const appOutDir = join(outDir, readdirSync(outDir).find((name) => name.startsWith('linux') && name.endsWith('unpacked')) ?? 'linux-unpacked');
  const layout = await inspectLayout(appOutDir, builderConfig().linux?.executableName);
  const problems = layoutProblems(layout, { nativeFiles: nativeFilesFor('linux', process.arch), fuses: builderConfig().electronFuses });
  return { appOutDir, layout, problems };
}

async function main() {
  const { values } = parseArgs({
    options: {
      'verify-only': { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      linux: { type: 'boolean', default: false },
      win: { type: 'boolean', default: false },
      'electron-dist': { type: 'string' },
    },
  });

  if (values['verify-only']) {
    const outDir = resolve(values.out ?? mkdtempSync(join(tmpdir(), 'fidele-dist-verify-')));
    const { appOutDir, layout, problems } = await verifyOnly({ outDir, skipBuild: values['skip-build'] });
    const summary = {
      appOutDir,
      asarFiles: layout.asarFiles.length,
      unpackedNative: layout.unpackedFiles.filter((f) => f.endsWith('.node')).length,
      fuses: layout.fuses,
      problems,
    };
    if (values.json) console.log(JSON.stringify(summary));
    else {
      console.log(`\nPackaged into ${appOutDir} against a stand-in Electron: ${summary.asarFiles} files in app.asar, ${summary.unpackedNative} native .node files unpacked beside it, fuses ${JSON.stringify(layout.fuses)}.`);
      console.log(problems.length === 0 ? 'Layout verified: nothing missing, nothing extra.' : `Problems:\n- ${problems.join('\n- ')}`);
    }
    process.exit(problems.length === 0 ? 0 : 1);
  }

  const platform = values.win ? 'win32' : values.linux ? 'linux' : process.platform;
  const arch = process.arch;
  const version = electronVersion();
  const electronZip = `electron-v${version}-${platform}-${arch}.zip`;
  const cacheDir = electronCacheDir(process.env, process.platform);
  const electronLocal = values['electron-dist'] ? resolve(values['electron-dist']) : findFile(cacheDir, electronZip);
  const downloadHost = process.env.ELECTRON_MIRROR || 'https://github.com/electron/electron/releases/download/';
  // Behind a proxy Node's fetch would wrongly say « unreachable »: let electron-builder try.
  const behindProxy = Boolean(process.env.HTTPS_PROXY || process.env.https_proxy);
  const unreachable = electronLocal || behindProxy ? null : await reachable(`${downloadHost.replace(/\/?$/, '/')}v${version}/${electronZip}`);
  const verdict = preflight({ electronZip, electronLocal, cacheDir, downloadHost, unreachable, ...(platform === 'win32' ? { targets: 'NSIS', tools: 'NSIS' } : { targets: 'AppImage and deb', tools: 'appimagetool, fpm' }) });
  if (!verdict.ok) {
    console.error(verdict.message);
    process.exit(3);
  }
  if (!process.env.FIDELE_HQ_URL) {
    console.error('npm run dist needs FIDELE_HQ_URL (HQ\'s address, e.g. https://hq.example.fr): electron-builder writes its update feed into the package\'s app-update.yml. Nothing was packaged.');
    process.exit(2);
  }
  buildBundles();
  // A zip found in the cache needs no option: electron-builder's own download looks there first.
  await runBuilder(({ Platform }) => ({
    targets: (platform === 'win32' ? Platform.WINDOWS : Platform.LINUX).createTarget(),
    ...(values['electron-dist'] ? { config: { electronDist: electronLocal } } : {}),
  }));
  console.log(`\nPackaged into ${join(root, 'dist')}.`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((error) => {
    console.error(failureParagraph(error));
    process.exit(1);
  });
}
