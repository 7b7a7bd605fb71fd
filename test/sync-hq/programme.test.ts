import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextChangeVersion } from '../../src/hq/context';
import { startHq, type Hq } from '../../src/hq/server';
import { programmeRulesAt } from '../../src/main/core/programme/programme-book';
import { seededRandom, silentLogger } from '../../src/main/core/ports';
import { DEFAULT_PROGRAMME_DOCUMENT } from '../../src/shared/programme/default-programme';
import type { ProgrammeDocument } from '../../src/shared/programme/document';
import { postgresUnavailable, startPostgresCluster, type PostgresCluster } from '../fakes/postgres-cluster';
import { staffClient, type StaffClient } from '../hq/hq-fixture';
import { line, sale, WEDNESDAY_10H } from '../integration/ledger-fixture';
import { openTerminal, type Terminal } from './member-fleet';

/**
 * The programme from HQ's editor to a sale (issue 14 item 1): marketing
 * publishes a version effective tomorrow, the terminal pulls it today, and
 * tomorrow — offline — prices a sale with it while today's sale keeps what it
 * earned. A programme that does not validate publishes nothing; one whose
 * signature is not HQ's is refused by the terminal, which keeps its own.
 * On PGlite and on a PostgreSQL server.
 */
const DAY = 24 * 3600_000;
const THURSDAY_10H = WEDNESDAY_10H + DAY;

/** Twice the points from Thursday 10:00 Paris (09:00 UTC), a cheaper coffee. */
const doubled: ProgrammeDocument = {
  ...DEFAULT_PROGRAMME_DOCUMENT,
  version: 'fr-2027.1',
  effectiveFrom: new Date(THURSDAY_10H).toISOString(),
  earn: { ...DEFAULT_PROGRAMME_DOCUMENT.earn, points: 2 },
  rewards: DEFAULT_PROGRAMME_DOCUMENT.rewards.map((r) => (r.id === 'cafe-offert' ? { ...r, points: 120 } : r)),
};

const versionsAt = (till: Terminal) => (till.h.db.prepare('SELECT version FROM programme_version ORDER BY effective_from').all() as { version: string }[]).map((r) => r.version);

function programmeChecks(name: string, databaseUrl: () => string | undefined, stop: () => void) {
  describe(`publish → pull → a sale on the new version (${name})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'fidele-programme-'));
    const now = { value: WEDNESDAY_10H };
    let hq: Hq;
    let till: Terminal;
    let marketing: StaffClient;
    const at = (t: number) => {
      now.value = t;
      till.h.clock.value = t;
    };

    beforeAll(async () => {
      hq = await startHq({ dataDir: dir, inMemory: databaseUrl() ? undefined : true, databaseUrl: databaseUrl(), clock: { now: () => now.value }, random: seededRandom(1414), logger: silentLogger, maintenanceIntervalMs: 0, valueCheckIntervalMs: 0 });
      till = await openTerminal(hq, 'caisse-prog-1', 'paris-11', 314, { rulesAt: programmeRulesAt });
      marketing = await staffClient(hq, 'marketing');
    }, 90_000);

    afterAll(async () => {
      till?.close();
      await hq?.close();
      stop();
      rmSync(dir, { recursive: true, force: true });
    }, 30_000);

    it('refuses a programme that does not validate with every problem, and publishes nothing', async () => {
      const bad = {
        ...doubled,
        tiers: { ...doubled.tiers, tiers: doubled.tiers.tiers.map((t) => (t.id === 'gold' ? { ...t, share: 0.3 } : t)) },
        rewards: [{ ...doubled.rewards[0]!, points: 0 }],
        benefits: [{ id: 'atelier', kind: 'workshop', label: { fr: 'Atelier', en: 'Workshop' }, date: '2027-02-13', capacity: 0, pricePoints: 100, tiers: [] }],
      };
      const refused = await marketing.post('/v1/programme/publish', { document: bad });
      expect(refused.status).toBe(422);
      expect(refused.json.error.code).toBe('programme_invalid');
      expect(refused.json.error.problems.map((p: { key: string }) => p.key).sort()).toEqual(['programme.benefit_no_capacity', 'programme.reward_free', 'programme.tier_shares_sum']);
      expect(await hq.ctx.sql.query('SELECT 1 FROM programme_version')).toEqual([]);
      expect(await till.sync.pull()).toMatchObject({ ok: true });
      expect(versionsAt(till)).toEqual([]);
    });

    it('pulls a version published for tomorrow: today’s sale earns as before, tomorrow’s (offline) on the new version', async () => {
      const published = await marketing.post('/v1/programme/publish', { document: doubled });
      expect(published.status).toBe(200);
      expect(published.json.version).toMatchObject({ version: 'fr-2027.1', status: 'future', publishedBy: 'staff:marketing-staff', effectiveFrom: THURSDAY_10H });
      const pulled = await till.sync.pull();
      expect(pulled, JSON.stringify(pulled)).toMatchObject({ ok: true });
      expect(versionsAt(till)).toEqual(['fr-2027.1']);

      const claire = till.h.members.claire.id;
      const today = till.h.ledger.commit(sale(claire, 'R-PROG-1', [line(2400)]));
      expect(today).toMatchObject({ rulesVersion: 'fr-2026.1', pointsEarned: 20 });
      expect(till.h.ledger.rules.rewards.find((r) => r.id === 'cafe-offert')!.points).toBe(150);

      // Tomorrow, HQ unreachable: the version the terminal already holds applies at its time.
      till.cut.on = true;
      at(THURSDAY_10H + 60_000);
      const tomorrow = till.h.ledger.commit(sale(claire, 'R-PROG-2', [line(2400)]));
      expect(tomorrow).toMatchObject({ rulesVersion: 'fr-2027.1', pointsEarned: 40 });
      expect(till.h.ledger.rules.rewards.find((r) => r.id === 'cafe-offert')!.points).toBe(120);
      // Each entry names the version that priced it; the first sale's points are what they were.
      const entries = till.h.db.prepare("SELECT receipt, rules_version FROM ledger_entry WHERE kind = 'earn' ORDER BY seq").all();
      expect(entries).toEqual([
        { receipt: 'R-PROG-1', rules_version: 'fr-2026.1' },
        { receipt: 'R-PROG-2', rules_version: 'fr-2027.1' },
      ]);
      expect(till.h.ledger.points(claire).balance).toBe(60);
      till.cut.on = false;

      // HQ keeps it: history, and the legacy `program` row once in force, for terminals without versions.
      // A day later: a new session (the first one has lapsed).
      const history = await (await staffClient(hq, 'marketing', 'marketing-jeudi')).get('/v1/programme');
      expect(history.json.current).toMatchObject({ version: 'fr-2027.1', status: 'current' });
      expect(await till.sync.pull()).toMatchObject({ ok: true });
      expect(await hq.ctx.sql.query("SELECT version FROM program WHERE program_id = 'default'")).toEqual([{ version: 'fr-2027.1' }]);
    });

    it('refuses a version whose signature is not HQ’s and keeps the one it has', async () => {
      // HQ's stored copy altered behind its back (ten points a euro), sent again in a pull HQ signs as a whole.
      await hq.ctx.sql.transaction(async (tx) => {
        await tx.query(`UPDATE programme_version SET document = jsonb_set(document, '{earn,points}', '10'::jsonb), change_version = $1 WHERE version = 'fr-2027.1'`, [
          await nextChangeVersion(tx),
        ]);
      });
      const before = till.h.db.prepare('SELECT * FROM programme_version').all();
      const outcome = await till.sync.pull();
      expect(outcome).toMatchObject({ ok: false, code: 'bad_signature' });
      expect(till.h.db.prepare('SELECT * FROM programme_version').all()).toEqual(before);
      expect(outcome && !outcome.ok ? outcome.message : '').toContain('programme:fr-2027.1');
      const next = till.h.ledger.commit(sale(till.h.members.claire.id, 'R-PROG-3', [line(1000)]));
      expect(next).toMatchObject({ rulesVersion: 'fr-2027.1', pointsEarned: 16 });
    });
  });
}

let cluster: PostgresCluster | null = null;
programmeChecks(
  'PGlite',
  () => undefined,
  () => undefined,
);

const unavailable = postgresUnavailable();
describe.skipIf(unavailable !== null)('on a PostgreSQL server', () => {
  beforeAll(async () => {
    cluster = await startPostgresCluster();
  }, 90_000);
  programmeChecks(
    'PostgreSQL',
    () => cluster?.url('postgres'),
    () => cluster?.stop(),
  );
});
