import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The per-layer tsconfigs are what keep DOM globals out of Node code and
 * `process` out of the screens: compile a probe under each and check the
 * compiler refuses it.
 */
const dir = resolve('test-results/tsconfig-probes');

function compile(layer: string, code: string): string {
  mkdirSync(dir, { recursive: true });
  const probe = join(dir, `${layer}-probe.ts`);
  writeFileSync(probe, code);
  const config = join(dir, `tsconfig.${layer}.json`);
  writeFileSync(config, JSON.stringify({ extends: `../../tsconfig.${layer}.json`, include: [], files: [probe] }));
  try {
    execFileSync(process.execPath, [resolve('node_modules/typescript/bin/tsc'), '-p', config], { encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('per-layer type environments', () => {
  it('the renderer has no process', () => {
    expect(compile('web', 'export const x = process.env.HOME;\n')).toMatch(/Cannot find name 'process'/);
  });
  it('the renderer has the DOM', () => {
    expect(compile('web', 'export const x = document.title;\n')).toBe('');
  });
  it('core and bridge code have no DOM', () => {
    expect(compile('node', 'export const x = document.title;\n')).toMatch(/Cannot find name 'document'/);
  });
  it('shared code has neither', () => {
    expect(compile('shared', 'export const x = [document.title, process.env.HOME];\n')).toMatch(/Cannot find name 'document'[\s\S]*Cannot find name 'process'/);
  });
});
