import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_TIER_POLICY } from '../../src/shared/programme/tiers';

/** `npm run hq -- tiers rank|summary` on an HQ's PGlite data folder (src/hq/programme/tiers-cli.ts). */
const dir = mkdtempSync(join(tmpdir(), 'fidele-hq-tiers-cli-'));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hq = (...args: string[]) => {
  const r = spawnSync(process.execPath, [tsx, 'src/hq/cli.ts', ...args, '--data', join(dir, 'hq')], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: '', HQ_DATA_DIR: '', HQ_KEY_FILE: '' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

it('ranks, refuses a bad policy file with every problem and nothing ranked, and summarises', () => {
  expect(hq('init').code).toBe(0);
  expect(hq('tiers', 'summary').out).toContain('aucun classement encore');

  const bad = join(dir, 'bad-policy.json');
  writeFileSync(bad, JSON.stringify({ ...DEFAULT_TIER_POLICY, tiers: DEFAULT_TIER_POLICY.tiers.slice(0, 2), hysteresisMargin: 0.9 }));
  const refused = hq('tiers', 'rank', '--policy', bad);
  expect(refused.code).toBe(1);
  expect(refused.err).toContain(`${bad} refused:`);
  expect(refused.err).toMatch(/hysteresisMargin: /);
  expect(hq('tiers', 'summary').out).toContain('aucun classement encore');

  const ranked = hq('tiers', 'rank');
  expect(ranked.err).toBe('');
  expect(ranked.code).toBe(0);
  expect(ranked.out).toMatch(/0 membres classés \(premier classement\) — gold 0, basic 0, occasionnel 0/);
  expect(JSON.parse(ranked.out.trim().split('\n').at(-1)!)).toMatchObject({ firstRun: true, members: 0 });
  expect(hq('tiers', 'summary').out).toMatch(/classement n° 1 au \d{4}-\d\d-\d\d : 0 membres\ngold\t0/);

  const usage = hq('tiers');
  expect(usage.code).toBe(2);
  expect(usage.err).toContain('usage: hq tiers rank');
}, 120_000);
