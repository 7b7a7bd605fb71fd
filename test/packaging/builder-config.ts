import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/**
 * electron-builder's own configuration loader and validator (app-builder-lib:
 * ajv over its scheme.json), the ones `electron-builder` runs before packaging.
 */
const require = createRequire(import.meta.url);

export type BuilderConfig = Record<string, unknown> & {
  appId: string;
  productName: string;
  files: unknown[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  electronFuses: Record<string, boolean>;
  publish: Array<{ provider: string; url: string; channel?: string }>;
  linux: { target: string[]; executableName: string };
  win: { target: string[] };
  nsis: Record<string, unknown>;
};

const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, configFromOptions: object | null): Promise<BuilderConfig>;
  validateConfiguration(config: object, debugLogger: object): Promise<void>;
};
const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => object };

/** electron-builder.yml as electron-builder loads it from the project folder (merged with its defaults). */
export function loadBuilderConfig(projectDir = process.cwd()): Promise<BuilderConfig> {
  return getConfig(projectDir, null, null);
}

/** Resolves when electron-builder would accept the configuration; rejects with its own message otherwise. */
export function validateBuilderConfig(config: object): Promise<void> {
  return validateConfiguration(config, new DebugLogger(false));
}

/** electron-builder.yml as written (no defaults merged, `files` as listed). */
export function readBuilderYml(path = 'electron-builder.yml'): BuilderConfig {
  const yaml = require('js-yaml') as { load(text: string): unknown };
  return yaml.load(readFileSync(path, 'utf8')) as BuilderConfig;
}
