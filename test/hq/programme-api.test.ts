import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HqContext } from '../../src/hq/context';
import { runProgrammeCommand } from '../../src/hq/programme/programme-cli';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import type { ProgrammeDocument } from '../../src/shared/programme/document';
import { line } from '../integration/ledger-fixture';
import { staffClient, startTestHq, type StaffClient, type TestHq } from './hq-fixture';

/**
 * HQ's programme API and CLI (docs/hq-api.md « Programme »): who may read and
 * publish, validation with a preview (« ce panier rapporterait… », « Claire
 * serait gold »), refusals that write nothing, history and diff.
 */
const DAY = 24 * 3600_000;
let hq: TestHq;
let marketing: StaffClient;

const draft = (over: Partial<ProgrammeDocument> = {}): ProgrammeDocument => ({
  ...DEFAULT_PROGRAMME_DOCUMENT,
  version: 'fr-2027.1',
  effectiveFrom: new Date(hq.clock.value + DAY).toISOString(),
  earn: { ...DEFAULT_PROGRAMME_DOCUMENT.earn, points: 2 },
  ...over,
});

/** Ten ranked members, m00 the best: 20/60/20 gives gold to m00 and m01. */
async function seedRanking(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    const tier = i < 2 ? 'gold' : i < 8 ? 'basic' : 'occasionnel';
    await hq.ctx.sql.query(
      `INSERT INTO member_tier (customer_id, tier, rank_tier, member_rank, score, spend_cents, regular_weeks, below_runs, tier_since, ranked_at, run_id)
       VALUES ($1, $2, $2, $3, $4, $4, 0, 0, 0, 0, 'run-1')`,
      [`m0${i}`, tier, i + 1, 100_000 - i * 1000],
    );
  }
}

beforeAll(async () => {
  hq = await startTestHq();
  marketing = await staffClient(hq, 'marketing');
  await seedRanking();
}, 60_000);

afterAll(async () => hq?.stop());

describe('the programme API', () => {
  it('lets marketing and admins read, only marketing publish; nobody without a session', async () => {
    expect((await hq.get('/v1/programme')).status).toBe(401);
    const service = await staffClient(hq, 'service');
    expect((await service.get('/v1/programme')).status).toBe(403);
    expect((await service.post('/v1/programme/validate', { document: draft() })).status).toBe(403);
    const admin = await staffClient(hq, 'admin');
    const read = await admin.get('/v1/programme');
    expect(read.status).toBe(200);
    // Before any publication: the built-in default, where the editor starts.
    expect(read.json).toMatchObject({ current: null, future: [], history: [], document: { version: 'fr-2026.1' } });
    expect((await admin.post('/v1/programme/publish', { document: draft() })).status).toBe(403);
    expect(await hq.count('programme_version')).toBe(0);
  });

  it('validates a draft with a preview: a basket’s points, a member’s tier by the draft’s shares, the diff', async () => {
    const lines = [line(2400, { lineId: 'L1', sku: 'EPI-1' }), line(1000, { lineId: 'L2', category: 'tobacco', sku: 'TAB-1' })];
    const answer = await marketing.post('/v1/programme/validate', { document: draft(), preview: { basket: { lines }, memberId: 'm01' } });
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ ok: true, problems: [] });
    // 24 € at 20 % VAT is 20 € before tax: 40 points at two a euro; tobacco earns nothing.
    expect(answer.json.preview.basket).toMatchObject({ points: 40, eligibleCents: 2400, promotions: [] });
    expect(answer.json.preview.member).toEqual({ memberId: 'm01', tier: 'gold', position: 2, members: 10, currentTier: 'gold' });
    expect(answer.json.preview.diff.map((l: { text: string }) => l.text)).toContain('earn.points: 1 → 2');

    const narrower = draft({
      tiers: { ...DEFAULT_PROGRAMME_DOCUMENT.tiers, tiers: DEFAULT_PROGRAMME_DOCUMENT.tiers.tiers.map((t) => ({ ...t, share: t.id === 'gold' ? 0.1 : t.id === 'basic' ? 0.7 : 0.2 })) },
    });
    const second = await marketing.post('/v1/programme/validate', { document: narrower, preview: { memberId: 'm01' } });
    expect(second.json.preview.member).toMatchObject({ tier: 'basic', position: 2 });
    const newcomer = await marketing.post('/v1/programme/validate', { document: draft(), preview: { memberId: 'nouvelle' } });
    expect(newcomer.json.preview.member).toMatchObject({ tier: 'basic', position: null, currentTier: null });
  });

  it('answers an invalid draft with every problem and no preview, and writes nothing', async () => {
    const bad = draft({ rewards: [{ id: 'cafe-offert', label: 'Café', points: 0, sku: 'REWARD-CAFE' }], regularity: { ...DEFAULT_PROGRAMME_DOCUMENT.regularity, streakWeeks: 30 } });
    const answer = await marketing.post('/v1/programme/validate', { document: bad, preview: { memberId: 'm01' } });
    expect(answer.json.ok).toBe(false);
    expect(answer.json.preview).toBeNull();
    expect(answer.json.problems.map((p: { path: string }) => p.path).sort()).toEqual(['regularity.streakWeeks', 'rewards.0.points']);
    expect((await marketing.post('/v1/programme/validate', { nothing: true })).status).toBe(400);
    expect(await hq.count('programme_version')).toBe(0);
  });

  it('publishes once per version id, in order of effective time, never in the past; keeps the history and a diff', async () => {
    const first = await marketing.post('/v1/programme/publish', { document: draft() });
    expect(first.status).toBe(200);
    expect(first.json.version).toMatchObject({ version: 'fr-2027.1', status: 'future', publishedBy: 'staff:marketing-staff' });

    const again = await marketing.post('/v1/programme/publish', { document: draft({ effectiveFrom: new Date(hq.clock.value + 2 * DAY).toISOString() }) });
    expect(again.status).toBe(422);
    expect(again.json.error.problems.map((p: { key: string }) => p.key)).toEqual(['programme.version_exists']);
    const earlier = await marketing.post('/v1/programme/publish', { document: draft({ version: 'fr-2027.0', effectiveFrom: new Date(hq.clock.value - 3600_000).toISOString() }) });
    expect(earlier.status).toBe(422);
    expect(earlier.json.error.problems.map((p: { key: string }) => p.key).sort()).toEqual(['programme.effective_in_past', 'programme.effective_not_after']);
    expect(await hq.count('programme_version')).toBe(1);

    const later = await marketing.post('/v1/programme/publish', {
      document: draft({ version: 'fr-2027.2', effectiveFrom: new Date(hq.clock.value + 7 * DAY).toISOString(), rewards: DEFAULT_PROGRAMME_DOCUMENT.rewards.slice(1) }),
    });
    expect(later.status).toBe(200);
    const overview = await marketing.get('/v1/programme');
    expect(overview.json.current).toBeNull();
    expect(overview.json.future.map((v: { version: string }) => v.version)).toEqual(['fr-2027.1', 'fr-2027.2']);
    expect(overview.json.history.map((v: { version: string }) => v.version)).toEqual(['fr-2027.2', 'fr-2027.1']);

    const diff = await marketing.get('/v1/programme/diff?from=fr-2027.1&to=fr-2027.2');
    expect(diff.json.lines.map((l: { text: string }) => l.text)).toContain('rewards[cafe-offert]: {"id":"cafe-offert","label":"Café offert","points":150,"sku":"REWARD-CAFE"} → (absent)');
    expect((await marketing.get('/v1/programme/diff?from=default&to=fr-2027.1')).json.lines.map((l: { text: string }) => l.text)).toContain('earn.points: 1 → 2');
    expect((await marketing.get('/v1/programme/diff?from=nope')).status).toBe(404);
    expect((await marketing.get('/v1/programme/versions/fr-2027.1')).json).toMatchObject({ version: 'fr-2027.1', document: { earn: { points: 2 } } });
  });
});

describe('the programme CLI', () => {
  const direct = <T>(fn: (ctx: HqContext) => Promise<T>) => fn(hq.ctx);

  async function run(args: string[]): Promise<{ code: number | null; out: string }> {
    const logs: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void logs.push(parts.join(' ')));
    try {
      return { code: await runProgrammeCommand(args, null, direct), out: logs.join('\n') };
    } finally {
      spy.mockRestore();
    }
  }

  it('validates, refuses, publishes a file, and lists the history', async () => {
    const file = join(hq.dir, 'programme.json');
    writeFileSync(file, JSON.stringify(draft({ version: 'fr-2027.3', effectiveFrom: new Date(hq.clock.value + 30 * DAY).toISOString(), benefits: [] })));
    const badFile = join(hq.dir, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ ...draft(), rewards: [{ id: 'x', label: 'X', points: 0, sku: 'X' }], colour: 'bleu' }));

    const bad = await run(['validate', badFile]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('rewards.0.points\tUne récompense ne peut pas coûter 0 point.');
    expect(bad.out).toContain('colour\tChamp inconnu : « colour ».');
    expect((await run(['publish', badFile])).code).toBe(1);
    expect(await hq.count('programme_version')).toBe(2);

    expect(await run(['validate', file])).toMatchObject({ code: 0, out: expect.stringContaining('programme fr-2027.3 valide') });
    expect((await run(['diff', file])).out).toContain('version: "fr-2026.1" → "fr-2027.3"');
    expect(await run(['publish', file])).toMatchObject({ code: 0, out: expect.stringContaining('programme fr-2027.3 publié') });
    expect((await run(['history'])).out.split('\n').map((l) => l.split('\t')[0])).toEqual(['fr-2027.3', 'fr-2027.2', 'fr-2027.1']);
    expect(await run(['nonsense'])).toMatchObject({ code: null });
  });
});
